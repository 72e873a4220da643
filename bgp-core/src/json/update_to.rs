//! UPDATE → JSON, with the `"wire"` deviations from the canonical form.
//!
//! Canonical form (what `update_from` builds from the facts alone):
//! - attributes in ascending type-code order, each with [`AttrValue::canonical_flags`] and
//!   Extended Length only when its value exceeds 255 octets;
//! - IPv4 unicast prefixes in the classic Withdrawn Routes / NLRI fields, except announced
//!   ones whose next hop is IPv6 (RFC 8950), which go in MP_REACH_NLRI;
//! - NEXT_HOP present exactly when the classic NLRI field is not empty;
//! - the MP_REACH_NLRI reserved octet 0.

use super::attrs::attributes_to_json;
use super::nlri::{mp_nlri_to_json, next_hop_to_json, prefixes_to_json};
use crate::attr::{flags, AttrValue, MpNlri, NextHop, PathAttribute};
use crate::context::SessionContext;
use crate::types::Family;
use crate::update::Update;
use serde_json::{json, Map, Value};
use std::net::Ipv4Addr;

/// The flags the canonical encoding gives `a`.
pub(crate) fn canonical_flags(a: &PathAttribute, ctx: &SessionContext) -> u8 {
    let f = a.value.canonical_flags();
    if a.value.encoded_len(ctx) > 255 {
        f | flags::EXTENDED_LENGTH
    } else {
        f
    }
}

/// The End-of-RIB family (RFC 4724 §2), as [`crate::UpdateView::end_of_rib`] finds it.
pub(crate) fn end_of_rib(u: &Update) -> Option<Family> {
    if !u.withdrawn.is_empty() || !u.nlri.is_empty() {
        return None;
    }
    match u.attributes.as_slice() {
        [] => Some(Family::IPV4_UNICAST),
        [only] => match &only.value {
            AttrValue::MpUnreach(m) if m.nlri.is_empty() => Some(m.family),
            _ => None,
        },
        _ => None,
    }
}

fn next_hop_attr(u: &Update) -> Option<Ipv4Addr> {
    u.attributes.iter().find_map(|a| match a.value {
        AttrValue::NextHop(n) => Some(n),
        _ => None,
    })
}

// Over 100 lines on purpose: one arm per attribute type, in wire order, so that the JSON of
// every attribute is found in one place (docs/json.md follows the same order).
pub(crate) fn update_to_json(u: &Update, ctx: &SessionContext) -> Map<String, Value> {
    let reach = u.mp_reach();
    let unreach = u.mp_unreach();
    let nh_attr = next_hop_attr(u);
    let mut wire = Map::new();

    let mut withdraw = Map::new();
    match unreach.map(|m| (m.family, &m.nlri)) {
        Some((_, MpNlri::Ipv4(mp))) => {
            wire.insert("mp-unreach-ipv4".into(), json!(mp.len()));
            let all: Vec<_> = mp.iter().chain(&u.withdrawn).copied().collect();
            withdraw.insert(Family::IPV4_UNICAST.to_string(), prefixes_to_json(&all));
        }
        other => {
            if !u.withdrawn.is_empty() {
                withdraw.insert(Family::IPV4_UNICAST.to_string(), prefixes_to_json(&u.withdrawn));
            }
            if let Some((family, nlri)) = other {
                withdraw.insert(family.to_string(), mp_nlri_to_json(nlri));
            }
        }
    }

    let mut announce = Map::new();
    let mut next_hop = Map::new();
    // The IPv4 unicast next hop that the canonical encoding would put in NEXT_HOP.
    let mut v4_next_hop: Option<&NextHop> = None;
    let nh_attr_value = nh_attr.map(NextHop::V4);
    match reach.map(|r| (r, &r.nlri)) {
        Some((r, MpNlri::Ipv4(mp))) => {
            let all: Vec<_> = mp.iter().chain(&u.nlri).copied().collect();
            announce.insert(r.family.to_string(), prefixes_to_json(&all));
            next_hop.insert(r.family.to_string(), next_hop_to_json(r.family, &r.next_hop));
            let v6 = matches!(r.next_hop, NextHop::V6 { .. });
            if !v6 || !u.nlri.is_empty() {
                wire.insert("mp-reach-ipv4".into(), json!(mp.len()));
            }
            v4_next_hop = Some(&r.next_hop);
        }
        other => {
            if !u.nlri.is_empty() {
                announce.insert(Family::IPV4_UNICAST.to_string(), prefixes_to_json(&u.nlri));
                if let Some(nh) = &nh_attr_value {
                    next_hop.insert(
                        Family::IPV4_UNICAST.to_string(),
                        next_hop_to_json(Family::IPV4_UNICAST, nh),
                    );
                    v4_next_hop = Some(nh);
                }
            }
            if let Some((r, _)) = other {
                announce.insert(r.family.to_string(), mp_nlri_to_json(&r.nlri));
                next_hop.insert(r.family.to_string(), next_hop_to_json(r.family, &r.next_hop));
            }
        }
    }
    if let Some(r) = reach.filter(|r| r.reserved != 0) {
        wire.insert("mp-reach-reserved".into(), json!(r.reserved));
    }

    // NEXT_HOP attribute: canonical iff classic NLRI, with the IPv4 unicast next hop.
    let canonical_nh = match v4_next_hop {
        Some(NextHop::V4(a)) if !u.nlri.is_empty() => Some(*a),
        _ => None,
    };
    if canonical_nh != nh_attr {
        wire.insert("next-hop".into(), nh_attr.map_or(Value::Null, |a| json!(a.to_string())));
    }

    let order: Vec<u8> = u.attributes.iter().map(PathAttribute::type_code).collect();
    if order.windows(2).any(|w| w[0] > w[1]) {
        wire.insert("order".into(), json!(order));
    }
    let odd_flags: Map<String, Value> = u
        .attributes
        .iter()
        .filter(|a| !matches!(a.value, AttrValue::Unknown { .. }) && a.flags != canonical_flags(a, ctx))
        .map(|a| (a.type_code().to_string(), json!(a.flags)))
        .collect();
    if !odd_flags.is_empty() {
        wire.insert("flags".into(), Value::Object(odd_flags));
    }

    let mut m = Map::new();
    m.insert("type".into(), json!("update"));
    if let Some(f) = end_of_rib(u) {
        m.insert("eor".into(), json!(f.to_string()));
    }
    if !withdraw.is_empty() {
        m.insert("withdraw".into(), Value::Object(withdraw));
    }
    if !announce.is_empty() {
        m.insert("announce".into(), Value::Object(announce));
    }
    if !next_hop.is_empty() {
        m.insert("next-hop".into(), Value::Object(next_hop));
    }
    let attrs = attributes_to_json(&u.attributes);
    if !attrs.is_empty() {
        m.insert("attributes".into(), Value::Object(attrs));
    }
    if !wire.is_empty() {
        m.insert("wire".into(), Value::Object(wire));
    }
    m
}
