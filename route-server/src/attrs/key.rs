//! The key an attribute set is interned under: the received bytes that make two routes'
//! attributes equal.
//!
//! ```text
//! 4-octet-AS flag (1) | AFI (2) | SAFI (1) | next-hop length (1) | MP next hop | non-MP attributes as received
//! ```
//!
//! MP_REACH_NLRI and MP_UNREACH_NLRI are left out (they carry the NLRI); the MP next hop is
//! kept, because it belongs to the route.

use bgp_core::attr::{header_len, type_code as tc, AttrValue, NextHop, PathAttribute};
use bgp_core::{Family, SessionContext, UpdateView};
use bytes::Bytes;

/// Offset of the next-hop length octet.
const NH_LEN_AT: usize = 4;

/// Writes the key of `view`'s attributes for NLRI of `family` into `out` (cleared first).
pub(super) fn write(out: &mut Vec<u8>, view: &UpdateView, family: Family, mp_next_hop: Option<&[u8]>) {
    out.clear();
    out.push(view.context().four_octet_as as u8);
    out.extend_from_slice(&family.afi.to_be_bytes());
    out.push(family.safi);
    let nh = mp_next_hop.unwrap_or(&[]);
    out.push(nh.len() as u8);
    out.extend_from_slice(nh);
    let frame = view.frame();
    for a in view.attributes() {
        if a.type_code == tc::MP_REACH_NLRI || a.type_code == tc::MP_UNREACH_NLRI {
            continue;
        }
        let end = a.offset + header_len(a.flags) + a.value.len();
        if let Some(raw) = frame.get(a.offset..end) {
            out.extend_from_slice(raw);
        }
    }
}

/// The context the key's attributes were received under.
pub(super) fn context(key: &[u8]) -> SessionContext {
    SessionContext {
        four_octet_as: key.first() == Some(&1),
        ..SessionContext::default()
    }
}

/// Whether `nh`, as [`mp_next_hop`] returned it, says the set came without MP_REACH_NLRI.
pub(super) fn mp_absent(nh: &NextHop) -> bool {
    matches!(nh, NextHop::Other(b) if b.is_empty())
}

/// The family stored in the key.
pub(super) fn family(key: &[u8]) -> Family {
    let afi = u16::from_be_bytes([key.get(1).copied().unwrap_or(0), key.get(2).copied().unwrap_or(0)]);
    Family::new(afi, key.get(3).copied().unwrap_or(0))
}

/// The MP_REACH_NLRI next hop stored in the key (an empty `Other` when there was none).
pub(super) fn mp_next_hop(key: &Bytes) -> NextHop {
    let nh_len = key.get(NH_LEN_AT).copied().unwrap_or(0) as usize;
    match key.get(NH_LEN_AT + 1..NH_LEN_AT + 1 + nh_len) {
        Some(b) if !b.is_empty() => NextHop::from_bytes(&key.slice_ref(b)),
        _ => NextHop::Other(Bytes::new()),
    }
}

/// Decodes the attributes stored in a key (values of unknown attributes share the key's
/// bytes, so the received frame is not kept alive).
pub(super) fn decode(key: &Bytes) -> Vec<PathAttribute> {
    let ctx = context(key);
    let nh_len = key.get(NH_LEN_AT).copied().unwrap_or(0) as usize;
    let mut pos = NH_LEN_AT + 1 + nh_len;
    let mut out = Vec::with_capacity(8);
    while let (Some(&f), Some(&t)) = (key.get(pos), key.get(pos + 1)) {
        let hdr = header_len(f);
        let len = if hdr == 4 {
            let hi = key.get(pos + 2).copied().unwrap_or(0) as usize;
            let lo = key.get(pos + 3).copied().unwrap_or(0) as usize;
            hi << 8 | lo
        } else {
            key.get(pos + 2).copied().unwrap_or(0) as usize
        };
        let Some(value) = key.get(pos + hdr..pos + hdr + len) else {
            break;
        };
        if let Some(v) = AttrValue::decode(t, &key.slice_ref(value), &ctx) {
            out.push(PathAttribute { flags: f, value: v });
        }
        pos += hdr + len;
    }
    out
}
