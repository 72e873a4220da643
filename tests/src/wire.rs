//! Messages built byte by byte, so table tests can say exactly what is malformed.
//!
//! ```text
//! marker (16 x 0xff) | length (2) | type (1) | body
//! ```

use bgp_core::types::msg_type;

/// A whole message: marker, the real length, `kind`, `body`.
pub fn message(kind: u8, body: &[u8]) -> Vec<u8> {
    with_length(kind, body, (body.len() + 19) as u16)
}

/// A whole message whose length field says `len`, whatever the body's real length.
pub fn with_length(kind: u8, body: &[u8], len: u16) -> Vec<u8> {
    let mut m = vec![0xff; 16];
    m.extend_from_slice(&len.to_be_bytes());
    m.push(kind);
    m.extend_from_slice(body);
    m
}

/// One path attribute: flags, type, a 1- or 2-octet length (per the Extended Length flag 0x10),
/// value.
pub fn attr(flags: u8, type_code: u8, value: &[u8]) -> Vec<u8> {
    let mut a = vec![flags, type_code];
    if flags & 0x10 != 0 {
        a.extend_from_slice(&(value.len() as u16).to_be_bytes());
    } else {
        a.push(value.len() as u8);
    }
    a.extend_from_slice(value);
    a
}

/// ORIGIN IGP.
pub fn origin() -> Vec<u8> {
    attr(0x40, 1, &[0])
}

/// AS_PATH of one AS_SEQUENCE `[65001]` with 4-octet ASNs.
pub fn as_path() -> Vec<u8> {
    attr(0x40, 2, &[2, 1, 0, 0, 0xfd, 0xe9])
}

/// NEXT_HOP 192.0.2.1.
pub fn next_hop() -> Vec<u8> {
    attr(0x40, 3, &[192, 0, 2, 1])
}

/// ORIGIN, AS_PATH and NEXT_HOP: what an IPv4 unicast announcement needs.
pub fn mandatory() -> Vec<u8> {
    [origin(), as_path(), next_hop()].concat()
}

/// The NLRI `10.0.0.0/24`.
pub fn nlri_10() -> Vec<u8> {
    vec![24, 10, 0, 0]
}

/// An UPDATE with correct length fields.
pub fn update(withdrawn: &[u8], attrs: &[u8], nlri: &[u8]) -> Vec<u8> {
    update_with_lengths(withdrawn.len() as u16, withdrawn, attrs.len() as u16, attrs, nlri)
}

/// An UPDATE whose Withdrawn Routes Length and Total Attribute Length fields say what the
/// caller wants.
pub fn update_with_lengths(wlen: u16, withdrawn: &[u8], alen: u16, attrs: &[u8], nlri: &[u8]) -> Vec<u8> {
    let mut body = wlen.to_be_bytes().to_vec();
    body.extend_from_slice(withdrawn);
    body.extend_from_slice(&alen.to_be_bytes());
    body.extend_from_slice(attrs);
    body.extend_from_slice(nlri);
    message(msg_type::UPDATE, &body)
}

/// An OPEN body: version, My AS, hold time, BGP identifier, then `params` (each a whole
/// optional parameter: type, length, value) behind a 1-octet length.
pub fn open_body(version: u8, my_as: u16, hold: u16, id: [u8; 4], params: &[u8]) -> Vec<u8> {
    let mut b = vec![version];
    b.extend_from_slice(&my_as.to_be_bytes());
    b.extend_from_slice(&hold.to_be_bytes());
    b.extend_from_slice(&id);
    b.push(params.len() as u8);
    b.extend_from_slice(params);
    b
}

/// A Capabilities optional parameter holding the 4-octet AS capability for `asn`.
pub fn four_octet_as_param(asn: u32) -> Vec<u8> {
    let mut p = vec![2, 6, 65, 4];
    p.extend_from_slice(&asn.to_be_bytes());
    p
}
