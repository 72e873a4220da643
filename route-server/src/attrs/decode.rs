//! A new attribute set decoded once from its key: the summary the import chain and
//! best-path selection read ([`AttrInfo`]), and the attributes as sent to clients.

use super::{as4, key, AttrInfo, AttrSet, NONE};
use crate::export::rewrite::attributes_as_sent;
use crate::export::ExportControl;
use bgp_core::attr::{AttrValue, NextHop};
use bgp_core::Family;
use bytes::Bytes;
use std::net::IpAddr;

/// The set stored under `key`, for NLRI of `family`, at route server `rs_asn`.
pub(super) fn decode_set(key: Bytes, family: Family, rs_asn: u32) -> AttrSet {
    let mut attrs = key::decode(&key);
    as4::normalize(&mut attrs, &key::context(&key));
    let mp_next_hop = key::mp_next_hop(&key);
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
        control: ExportControl::of(&attrs, rs_asn),
    };
    let mp_absent = key::mp_absent(&mp_next_hop);
    for a in &attrs {
        match &a.value {
            AttrValue::Origin(o) => info.origin = *o as u8,
            AttrValue::Med(m) => info.med = *m,
            AttrValue::NextHop(nh) if family == Family::IPV4_UNICAST && mp_absent => {
                info.next_hop = Some(IpAddr::V4(*nh));
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
    let export = attributes_as_sent(attrs, rs_asn, &mp_next_hop, family);
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
