//! Attribute sets: one stored copy per distinct set of path attributes (the non-MP
//! attributes' received bytes plus the next hop), shared by every prefix that carries it,
//! with everything the import chain, best-path selection and export need decoded once.
//!
//! - `key`: the bytes a set is interned under, and decoding them back.
//! - `store`: [`AttrStore`], the interner (hash chains, reference counts, reuse of ids).
//! - `decode`: a new set's summary ([`AttrInfo`]) and its attributes as sent.
//! - `as4`: RFC 6793 normalisation of routes from 2-octet-AS sessions.

mod as4;
mod decode;
mod key;
mod store;

pub use store::AttrStore;

use crate::export::ExportControl;
use crate::reason::RejectReason;
use bgp_core::attr::{flags, AsPath, AttrValue, MpNlri, MpReach, NextHop, PathAttribute};
use bytes::Bytes;
use std::net::IpAddr;

/// An attribute set's identity in the store (dense, reused after the set is freed).
pub type AttrId = u32;

/// No set (ends a hash chain).
const NONE: AttrId = u32::MAX;

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
    /// The key (see `key`): the attributes exactly as received.
    key: Bytes,
    hash: u64,
    /// Next set with the same key hash (`NONE` ends the chain).
    chain: AttrId,
    refs: u32,
    /// Decoded summary.
    pub info: AttrInfo,
    /// The attributes as sent to clients ([`crate::export::rewrite`]): control communities,
    /// LOCAL_PREF and unknown optional non-transitive attributes removed, Partial set on
    /// unknown optional transitive ones, everything else unchanged.
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

    /// The attributes as received, decoded again from the stored bytes: for "why was my
    /// route rejected?" answers, not for the hot path. MP_REACH_NLRI is given with the
    /// route's family and next hop and without NLRI (the routes are the NLRI); MP_UNREACH_NLRI
    /// is left out.
    pub fn received(&self) -> Vec<PathAttribute> {
        let mut out = key::decode(&self.key);
        out.extend(self.mp_reach());
        out
    }

    /// The attributes as sent to clients ([`Self::export`]) with MP_REACH_NLRI as in
    /// [`Self::received`]: for Adj-RIB-Out answers.
    pub fn exported(&self) -> Vec<PathAttribute> {
        let mut out = self.export.clone();
        out.extend(self.mp_reach());
        out
    }

    /// MP_REACH_NLRI carrying this set's family and next hop and no NLRI, if it was received
    /// with one.
    fn mp_reach(&self) -> Option<PathAttribute> {
        if key::mp_absent(&self.mp_next_hop) {
            return None;
        }
        let family = key::family(&self.key);
        Some(PathAttribute {
            flags: flags::OPTIONAL,
            value: AttrValue::MpReach(MpReach {
                family,
                next_hop: self.mp_next_hop.clone(),
                reserved: 0,
                nlri: MpNlri::empty_for(family),
            }),
        })
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

    /// Forgets the cached verdicts.
    fn clear_verdicts(&mut self) {
        self.verdict = None;
        self.more_verdicts.clear();
    }
}
