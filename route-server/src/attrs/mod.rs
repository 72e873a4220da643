//! The attribute-set interner: one stored copy per distinct set of path attributes (the
//! non-MP attributes' received bytes plus the next hop), shared by every prefix that carries
//! it, with everything the import chain, best-path selection and export need decoded once.

use crate::hash::{FxHashMap, FxHasher};
use crate::reason::RejectReason;
use bgp_core::attr::{flags, type_code as tc, AsPath, AttrValue, Community, NextHop, PathAttribute};
use bgp_core::{Family, SessionContext, UpdateView};
use bytes::Bytes;
use std::hash::Hasher;
use std::net::IpAddr;

/// An attribute set's identity in the store (dense, reused after the set is freed).
pub type AttrId = u32;

/// The export controls a route's communities carry for a route server of ASN `RS`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportControl {
    /// NO_EXPORT (RFC 1997): exported to no client.
    pub no_export: bool,
    /// NO_ADVERTISE (RFC 1997): exported to no client.
    pub no_advertise: bool,
    /// `0:RS`: announce to nobody except the `RS:PEER` / `RS:1:PEER` ones.
    pub block_all: bool,
    /// `0:PEER` and `RS:0:PEER`: do not announce to these ASNs.
    pub deny: Vec<u32>,
    /// `RS:PEER` and `RS:1:PEER`: announce to these ASNs.
    pub allow: Vec<u32>,
}

impl ExportControl {
    /// Whether a route with these controls may be exported to a client of ASN `asn`.
    #[inline]
    pub fn allows(&self, asn: u32) -> bool {
        if self.no_export || self.no_advertise || self.deny.contains(&asn) {
            return false;
        }
        !self.block_all || self.allow.contains(&asn)
    }

    /// Whether nothing restricts the export.
    #[inline]
    pub fn is_open(&self) -> bool {
        !self.no_export && !self.no_advertise && !self.block_all && self.deny.is_empty()
    }
}

/// Whether `c` is an announcement-control community of route server `rs`, removed before
/// sending: every `0:x` and every `RS:x` standard community (when `RS` fits in 16 bits).
pub fn is_control_community(c: Community, rs: u32) -> bool {
    c.high() == 0 || (rs <= 0xFFFF && c.high() as u32 == rs)
}

/// What the table needs from an attribute set, decoded once.
#[derive(Clone, Debug)]
pub struct AttrInfo {
    /// Whether the AS path has an AS_SET or AS_CONFED_SET segment.
    pub has_set: bool,
    /// Left-most ASN of the first AS_SEQUENCE.
    pub first_asn: Option<u32>,
    /// Last ASN of the final AS_SEQUENCE.
    pub origin_asn: Option<u32>,
    /// Number of ASNs in all segments (for the length limit).
    pub asn_count: u32,
    /// Path length for best-path selection (an AS_SET counts 1).
    pub path_len: u32,
    /// ORIGIN (0 IGP, 1 EGP, 2 incomplete).
    pub origin: u8,
    /// MULTI_EXIT_DISC (missing is treated as 0, the lowest, RFC 4271 §9.1.2.2).
    pub med: u32,
    /// LOCAL_PREF used for selection: always 100, because LOCAL_PREF received from an
    /// external peer is ignored (RFC 4271 §5.1.5) and every client is external.
    pub local_pref: u32,
    /// The next hop address (NEXT_HOP, or the global address of MP_REACH_NLRI's next hop).
    pub next_hop: Option<IpAddr>,
    /// Export controls from the communities.
    pub control: ExportControl,
}

/// One interned attribute set.
#[derive(Debug)]
pub struct AttrSet {
    /// Layout: 4-octet-AS flag, AFI (2), SAFI, next-hop length and bytes, then the non-MP
    /// attributes exactly as received.
    key: Bytes,
    hash: u64,
    /// Next set with the same key hash (`NONE` ends the chain).
    chain: AttrId,
    refs: u32,
    /// Decoded summary.
    pub info: AttrInfo,
    /// The attributes as sent to clients: control communities removed, LOCAL_PREF removed,
    /// Partial set on unknown optional transitive attributes, everything else unchanged.
    pub export: Vec<PathAttribute>,
    /// The MP_REACH_NLRI next hop (for IPv6, or IPv4 with an IPv6 next hop).
    pub mp_next_hop: NextHop,
    /// Import verdict of the attribute-only steps for the first session that sent the set
    /// (almost always the only one: the next hop is that session's address).
    verdict: Option<(u16, Option<RejectReason>)>,
    /// Verdicts for further sessions.
    more_verdicts: Vec<(u16, Option<RejectReason>)>,
}

static EMPTY_PATH: AsPath = AsPath { segments: Vec::new() };

impl AttrSet {
    /// The AS path (4-octet ASNs, merged with AS4_PATH for 2-octet senders).
    pub fn as_path(&self) -> &AsPath {
        self.export
            .iter()
            .find_map(|a| match &a.value {
                AttrValue::AsPath(p) => Some(p),
                _ => None,
            })
            .unwrap_or(&EMPTY_PATH)
    }

    /// The attributes as received (MP attributes left out), decoded again from the stored
    /// bytes: for "why was my route rejected?" answers, not for the hot path.
    pub fn received(&self) -> Vec<PathAttribute> {
        decode_key(&self.key)
    }

    /// The cached attribute-only verdict for session `sid`.
    pub(crate) fn verdict(&self, sid: u16) -> Option<Option<RejectReason>> {
        match self.verdict {
            Some((s, v)) if s == sid => Some(v),
            _ => self.more_verdicts.iter().find(|(s, _)| *s == sid).map(|(_, v)| *v),
        }
    }

    /// Caches the attribute-only verdict for session `sid`.
    pub(crate) fn set_verdict(&mut self, sid: u16, v: Option<RejectReason>) {
        if self.verdict.is_none() {
            self.verdict = Some((sid, v));
        } else {
            self.more_verdicts.push((sid, v));
        }
    }
}

const NONE: AttrId = u32::MAX;

/// The context the key's attributes were received under.
fn key_context(key: &[u8]) -> SessionContext {
    SessionContext {
        four_octet_as: key.first() == Some(&1),
        ..SessionContext::default()
    }
}

/// Decodes the attributes stored in a key (values of unknown attributes share the key's
/// bytes, so the received frame is not kept alive).
fn decode_key(key: &Bytes) -> Vec<PathAttribute> {
    let ctx = key_context(key);
    let nh_len = key.get(4).copied().unwrap_or(0) as usize;
    let mut pos = 5 + nh_len;
    let mut out = Vec::with_capacity(8);
    while let (Some(&f), Some(&t)) = (key.get(pos), key.get(pos + 1)) {
        let (len, hdr) = if f & flags::EXTENDED_LENGTH != 0 {
            let hi = key.get(pos + 2).copied().unwrap_or(0) as usize;
            let lo = key.get(pos + 3).copied().unwrap_or(0) as usize;
            (hi << 8 | lo, 4)
        } else {
            (key.get(pos + 2).copied().unwrap_or(0) as usize, 3)
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

/// The attribute-set store.
#[derive(Debug, Default)]
pub struct AttrStore {
    /// Key hash → first set of the chain with that hash.
    map: FxHashMap<u64, AttrId>,
    live: usize,
    sets: Vec<Option<AttrSet>>,
    free: Vec<AttrId>,
    scratch: Vec<u8>,
}

impl AttrStore {
    /// The set `id` (which must be live).
    #[inline]
    pub fn get(&self, id: AttrId) -> Option<&AttrSet> {
        self.sets.get(id as usize).and_then(Option::as_ref)
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, id: AttrId) -> Option<&mut AttrSet> {
        self.sets.get_mut(id as usize).and_then(Option::as_mut)
    }

    /// Number of live attribute sets.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    pub(crate) fn acquire_n(&mut self, id: AttrId, n: u32) {
        if let Some(s) = self.get_mut(id) {
            s.refs += n;
        }
    }

    pub(crate) fn release(&mut self, id: AttrId) {
        let Some(s) = self.get_mut(id) else { return };
        s.refs = s.refs.saturating_sub(1);
        if s.refs == 0 {
            self.free_set(id);
        }
    }

    /// Frees a set that nothing references (e.g. every prefix of its UPDATE was dropped).
    pub(crate) fn release_if_unused(&mut self, id: AttrId) {
        if self.get(id).is_some_and(|s| s.refs == 0) {
            self.free_set(id);
        }
    }

    fn free_set(&mut self, id: AttrId) {
        let Some(set) = self.sets.get_mut(id as usize).and_then(Option::take) else {
            return;
        };
        // Unlink from its hash chain.
        if self.map.get(&set.hash) == Some(&id) {
            if set.chain == NONE {
                self.map.remove(&set.hash);
            } else {
                self.map.insert(set.hash, set.chain);
            }
        } else {
            let mut at = self.map.get(&set.hash).copied().unwrap_or(NONE);
            while let Some(s) = self.get_mut(at) {
                if s.chain == id {
                    s.chain = set.chain;
                    break;
                }
                at = s.chain;
            }
        }
        self.free.push(id);
        self.live -= 1;
    }

    /// Forgets every cached import verdict (after the registered ASNs or policy changed).
    pub(crate) fn clear_verdicts(&mut self) {
        for s in self.sets.iter_mut().flatten() {
            s.verdict = None;
            s.more_verdicts.clear();
        }
    }

    /// Interns the attributes of `view` for NLRI of `family` (MP_REACH_NLRI's next hop is
    /// part of the key when `mp_next_hop` is given). Hashes the received bytes; decodes only
    /// when the set is new.
    pub(crate) fn intern(
        &mut self,
        view: &UpdateView,
        family: Family,
        mp_next_hop: Option<&[u8]>,
        rs_asn: u32,
    ) -> AttrId {
        let ctx = view.context();
        self.scratch.clear();
        // Key layout: 4-octet-AS flag, AFI, SAFI, next-hop length and bytes (MP only), then
        // the non-MP attributes exactly as received.
        self.scratch.push(ctx.four_octet_as as u8);
        self.scratch.extend_from_slice(&family.afi.to_be_bytes());
        self.scratch.push(family.safi);
        let nh = mp_next_hop.unwrap_or(&[]);
        self.scratch.push(nh.len() as u8);
        self.scratch.extend_from_slice(nh);
        let frame = view.frame();
        for a in view.attributes() {
            if a.type_code == tc::MP_REACH_NLRI || a.type_code == tc::MP_UNREACH_NLRI {
                continue;
            }
            let hdr = if a.flags & flags::EXTENDED_LENGTH != 0 { 4 } else { 3 };
            let end = a.offset + hdr + a.value.len();
            if let Some(raw) = frame.get(a.offset..end) {
                self.scratch.extend_from_slice(raw);
            }
        }
        let hash = {
            let mut h = FxHasher::default();
            h.write(&self.scratch);
            h.finish()
        };
        let head = self.map.get(&hash).copied().unwrap_or(NONE);
        let mut at = head;
        while let Some(s) = self.get(at) {
            if s.key[..] == self.scratch[..] {
                return at;
            }
            at = s.chain;
        }
        let key = Bytes::copy_from_slice(&self.scratch);
        let mut set = decode_set(key, family, rs_asn);
        set.hash = hash;
        set.chain = head;
        let id = match self.free.pop() {
            Some(id) => {
                self.sets[id as usize] = Some(set);
                id
            }
            None => {
                self.sets.push(Some(set));
                (self.sets.len() - 1) as AttrId
            }
        };
        self.map.insert(hash, id);
        self.live += 1;
        id
    }
}

fn decode_set(key: Bytes, family: Family, rs_asn: u32) -> AttrSet {
    let ctx = key_context(&key);
    let mut attrs = decode_key(&key);
    normalize_as4(&mut attrs, &ctx);
    let nh_len = key.get(4).copied().unwrap_or(0) as usize;
    let mp_next_hop = match key.get(5..5 + nh_len) {
        Some(b) if !b.is_empty() => NextHop::from_bytes(&key.slice_ref(b)),
        _ => NextHop::Other(Bytes::new()),
    };
    let mut info = AttrInfo {
        has_set: false,
        first_asn: None,
        origin_asn: None,
        asn_count: 0,
        path_len: 0,
        origin: 2,
        med: 0,
        local_pref: 100,
        next_hop: match &mp_next_hop {
            NextHop::V4(a) => Some(IpAddr::V4(*a)),
            NextHop::V6 { global, .. } => Some(IpAddr::V6(*global)),
            NextHop::Other(_) => None,
        },
        control: ExportControl::default(),
    };
    let mut has_next_hop = false;
    for a in &attrs {
        match &a.value {
            AttrValue::Origin(o) => info.origin = *o as u8,
            AttrValue::Med(m) => info.med = *m,
            AttrValue::NextHop(nh) => {
                has_next_hop = true;
                if family == Family::IPV4_UNICAST && mp_next_hop_is_absent(&mp_next_hop) {
                    info.next_hop = Some(IpAddr::V4(*nh));
                }
            }
            AttrValue::Communities(cs) => {
                for c in cs {
                    control_from_community(*c, rs_asn, &mut info.control);
                }
            }
            AttrValue::LargeCommunities(ls) => {
                for l in ls.iter().filter(|l| l.global == rs_asn) {
                    match l.local1 {
                        0 => info.control.deny.push(l.local2),
                        1 => info.control.allow.push(l.local2),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(path) = attrs.iter().find_map(|a| match &a.value {
        AttrValue::AsPath(p) => Some(p),
        _ => None,
    }) {
        info.has_set = path.has_set();
        info.first_asn = path.first_asn();
        info.origin_asn = path.origin_asn();
        info.asn_count = path.segments.iter().map(|s| s.asns.len() as u32).sum();
        info.path_len = path.path_len() as u32;
    }
    let export = export_attributes(attrs, rs_asn, &mp_next_hop, family, has_next_hop);
    AttrSet {
        key,
        hash: 0,
        chain: NONE,
        refs: 0,
        info,
        export,
        mp_next_hop,
        verdict: None,
        more_verdicts: Vec::new(),
    }
}

fn mp_next_hop_is_absent(nh: &NextHop) -> bool {
    matches!(nh, NextHop::Other(b) if b.is_empty())
}

fn control_from_community(c: Community, rs: u32, control: &mut ExportControl) {
    if c == Community::NO_EXPORT {
        control.no_export = true;
    } else if c == Community::NO_ADVERTISE {
        control.no_advertise = true;
    } else if c.high() == 0 {
        if c.low() as u32 == rs {
            control.block_all = true;
        } else {
            control.deny.push(c.low() as u32);
        }
    } else if rs <= 0xFFFF && c.high() as u32 == rs {
        control.allow.push(c.low() as u32);
    }
}

/// RFC 6793 §4.2.3: a route from a 2-octet session carries its real path in AS4_PATH (and
/// aggregator in AS4_AGGREGATOR); the table keeps the merged 4-octet form only.
fn normalize_as4(attrs: &mut Vec<PathAttribute>, ctx: &SessionContext) {
    if ctx.four_octet_as {
        return;
    }
    let as4 = attrs.iter().find_map(|a| match &a.value {
        AttrValue::As4Path(p) => Some(p.clone()),
        _ => None,
    });
    let agg4 = attrs.iter().find_map(|a| match &a.value {
        AttrValue::As4Aggregator(g) => Some(*g),
        _ => None,
    });
    attrs.retain(|a| !matches!(a.value, AttrValue::As4Path(_) | AttrValue::As4Aggregator(_)));
    for a in attrs.iter_mut() {
        match &mut a.value {
            AttrValue::AsPath(p) => {
                if let Some(as4) = &as4 {
                    *p = p.merge_as4(as4);
                }
            }
            AttrValue::Aggregator(g) => {
                if let Some(g4) = agg4 {
                    *g = g4;
                }
            }
            _ => {}
        }
    }
}

/// The attributes as sent: LOCAL_PREF removed (never sent to external peers, RFC 4271
/// §5.1.5), standard communities `0:x` and `RS:x` removed, large communities `RS:0:x` and
/// `RS:1:x` removed, an emptied COMMUNITIES / LARGE_COMMUNITY attribute dropped, Partial set
/// on unknown optional transitive attributes; the rest (AS_PATH, NEXT_HOP, MED, other
/// communities, unknown attributes) unchanged.
fn export_attributes(
    mut attrs: Vec<PathAttribute>,
    rs: u32,
    mp_next_hop: &NextHop,
    family: Family,
    has_next_hop: bool,
) -> Vec<PathAttribute> {
    attrs.retain_mut(|a| match &mut a.value {
        AttrValue::LocalPref(_) => false,
        AttrValue::Communities(cs) => {
            cs.retain(|c| !is_control_community(*c, rs));
            !cs.is_empty()
        }
        AttrValue::LargeCommunities(ls) => {
            ls.retain(|l| !(l.global == rs && l.local1 <= 1));
            !ls.is_empty()
        }
        _ => {
            a.mark_partial_if_unknown_transitive();
            true
        }
    });
    // IPv4 NLRI received in MP_REACH_NLRI with an IPv4 next hop: send them in the classic
    // NLRI field, which needs a NEXT_HOP attribute.
    if let (Family::IPV4_UNICAST, NextHop::V4(nh), false) = (family, mp_next_hop, has_next_hop) {
        attrs.push(PathAttribute::new(AttrValue::NextHop(*nh)));
    }
    attrs
}

/// The attributes for a client whose session lacks 4-octet AS support: ASNs above 65535
/// become AS_TRANS in AS_PATH and the real path goes into AS4_PATH (RFC 6793 §4.2.2).
pub(crate) fn for_two_octet_client(attrs: &[PathAttribute]) -> Option<Vec<PathAttribute>> {
    let path = attrs.iter().find_map(|a| match &a.value {
        AttrValue::AsPath(p) => Some(p),
        _ => None,
    })?;
    if path.asns().all(|a| a <= 0xFFFF) {
        return None;
    }
    let mut out = attrs.to_vec();
    out.push(PathAttribute::new(AttrValue::As4Path(path.clone())));
    Some(out)
}
