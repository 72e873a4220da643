//! JSON → UPDATE: the canonical encoding of the facts, adjusted by the `"wire"` deviations
//! (see `update_to` for the canonical form).

use super::attrs::attributes_from_json;
use super::field::{as_arr, as_obj, as_uint, err, index, join, only_keys, parse};
use super::nlri::{mp_nlri_from_json, next_hop_from_json, prefixes_from_json};
use super::update_to::canonical_flags;
use super::JsonError;
use crate::attr::{AttrValue, MpNlri, MpReach, MpUnreach, NextHop, PathAttribute};
use crate::context::SessionContext;
use crate::nlri::Nlri;
use crate::types::Family;
use crate::update::Update;
use ipnet::Ipv4Net;
use serde_json::{Map, Value};
use std::net::Ipv4Addr;

const UPDATE_KEYS: &[&str] = &["type", "eor", "withdraw", "announce", "next-hop", "attributes", "wire"];
const WIRE_KEYS: &[&str] = &[
    "order",
    "flags",
    "next-hop",
    "mp-reach-ipv4",
    "mp-unreach-ipv4",
    "mp-reach-reserved",
];

fn family_key(k: &str, path: &str) -> Result<Family, JsonError> {
    k.parse().map_err(|e: String| err(&join(path, k), e))
}

/// IPv4 unicast prefixes.
type V4List = Vec<Nlri<Ipv4Net>>;

/// Splits `list` at `n` (the first `n` go in the MP attribute).
fn split(list: V4List, n: usize, path: &str) -> Result<(V4List, V4List), JsonError> {
    if n > list.len() {
        return Err(err(
            path,
            format!("{n} is more than the {} ipv4-unicast prefixes", list.len()),
        ));
    }
    let mut mp = list;
    let rest = mp.split_off(n);
    Ok((mp, rest))
}

struct Parts {
    classic: Vec<Nlri<Ipv4Net>>,
    reach: Option<MpReach>,
}

fn put_reach(slot: &mut Option<MpReach>, r: MpReach) -> Result<(), JsonError> {
    match slot {
        Some(old) => Err(err(
            "announce",
            format!(
                "one UPDATE has one MP_REACH_NLRI: {} and {} cannot both be announced",
                old.family, r.family
            ),
        )),
        None => {
            *slot = Some(r);
            Ok(())
        }
    }
}

fn announce_from_json(
    m: &Map<String, Value>,
    wire: Option<&Map<String, Value>>,
    next_hops: &[(Family, NextHop)],
    ctx: &SessionContext,
) -> Result<Parts, JsonError> {
    let mut parts = Parts {
        classic: Vec::new(),
        reach: None,
    };
    let Some(a) = m.get("announce") else {
        return Ok(parts);
    };
    let reserved = match wire.and_then(|w| w.get("mp-reach-reserved")) {
        Some(v) => as_uint(v, "wire.mp-reach-reserved")?,
        None => 0,
    };
    let nh_for = |f: Family, path: &str| {
        next_hops
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, nh)| nh.clone())
            .ok_or_else(|| {
                err(
                    path,
                    "missing: every family announced in MP_REACH_NLRI needs a next hop",
                )
            })
    };
    for (k, v) in as_obj(a, "announce")? {
        let family = family_key(k, "announce")?;
        let path = join("announce", k);
        let nh_path = join("next-hop", k);
        if family != Family::IPV4_UNICAST {
            let nlri = mp_nlri_from_json(family, v, &path, ctx.add_path(family))?;
            let next_hop = nh_for(family, &nh_path)?;
            put_reach(
                &mut parts.reach,
                MpReach {
                    family,
                    next_hop,
                    reserved,
                    nlri,
                },
            )?;
            continue;
        }
        let list = prefixes_from_json(v, &path, ctx.add_path_ipv4)?;
        let v6_next_hop = matches!(nh_for(family, &nh_path), Ok(NextHop::V6 { .. }));
        let in_mp = match wire.and_then(|w| w.get("mp-reach-ipv4")) {
            Some(n) => Some(as_uint::<usize>(n, "wire.mp-reach-ipv4")?),
            None if v6_next_hop => Some(list.len()),
            None => None,
        };
        match in_mp {
            Some(n) => {
                let (mp, classic) = split(list, n, "wire.mp-reach-ipv4")?;
                let next_hop = nh_for(family, &nh_path)?;
                let nlri = MpNlri::Ipv4(mp);
                put_reach(
                    &mut parts.reach,
                    MpReach {
                        family,
                        next_hop,
                        reserved,
                        nlri,
                    },
                )?;
                parts.classic = classic;
            }
            None => parts.classic = list,
        }
    }
    Ok(parts)
}

fn withdraw_from_json(
    m: &Map<String, Value>,
    wire: Option<&Map<String, Value>>,
    ctx: &SessionContext,
) -> Result<(V4List, Option<MpUnreach>), JsonError> {
    let mut classic = Vec::new();
    let mut unreach: Option<MpUnreach> = None;
    let mut put = |u: MpUnreach| match &unreach {
        Some(old) => Err(err(
            "withdraw",
            format!(
                "one UPDATE has one MP_UNREACH_NLRI: {} and {} cannot both be withdrawn",
                old.family, u.family
            ),
        )),
        None => {
            unreach = Some(u);
            Ok(())
        }
    };
    if let Some(w) = m.get("withdraw") {
        for (k, v) in as_obj(w, "withdraw")? {
            let family = family_key(k, "withdraw")?;
            let path = join("withdraw", k);
            if family != Family::IPV4_UNICAST {
                let nlri = mp_nlri_from_json(family, v, &path, ctx.add_path(family))?;
                put(MpUnreach { family, nlri })?;
                continue;
            }
            let list = prefixes_from_json(v, &path, ctx.add_path_ipv4)?;
            match wire.and_then(|w| w.get("mp-unreach-ipv4")) {
                Some(n) => {
                    let (mp, rest) = split(list, as_uint(n, "wire.mp-unreach-ipv4")?, "wire.mp-unreach-ipv4")?;
                    put(MpUnreach {
                        family,
                        nlri: MpNlri::Ipv4(mp),
                    })?;
                    classic = rest;
                }
                None => classic = list,
            }
        }
    }
    // `"eor"` alone is enough to ask for an End-of-RIB marker.
    if let Some(e) = m.get("eor") {
        let family: Family = parse(e, "eor")?;
        let listed = m.get("withdraw").and_then(|w| w.get(family.to_string())).is_some();
        if family != Family::IPV4_UNICAST && !listed {
            put(MpUnreach {
                family,
                nlri: MpNlri::empty_for(family),
            })?;
        }
    }
    Ok((classic, unreach))
}

fn next_hops_from_json(m: &Map<String, Value>) -> Result<Vec<(Family, NextHop)>, JsonError> {
    let Some(n) = m.get("next-hop") else {
        return Ok(Vec::new());
    };
    as_obj(n, "next-hop")?
        .iter()
        .map(|(k, v)| {
            let family = family_key(k, "next-hop")?;
            Ok((family, next_hop_from_json(family, v, &join("next-hop", k))?))
        })
        .collect()
}

/// The NEXT_HOP attribute: `wire.next-hop` when given (null: none), else the IPv4 unicast
/// next hop when the classic NLRI field is not empty.
fn next_hop_attr(
    wire: Option<&Map<String, Value>>,
    next_hops: &[(Family, NextHop)],
    classic: &[Nlri<Ipv4Net>],
) -> Result<Option<Ipv4Addr>, JsonError> {
    match wire.and_then(|w| w.get("next-hop")) {
        Some(Value::Null) => Ok(None),
        Some(v) => parse(v, "wire.next-hop").map(Some),
        None if classic.is_empty() => Ok(None),
        None => Ok(next_hops.iter().find_map(|(f, nh)| match nh {
            NextHop::V4(a) if *f == Family::IPV4_UNICAST => Some(*a),
            _ => None,
        })),
    }
}

fn flags_and_order(
    values: Vec<(AttrValue, Option<u8>)>,
    wire: Option<&Map<String, Value>>,
    ctx: &SessionContext,
) -> Result<Vec<PathAttribute>, JsonError> {
    let mut attrs: Vec<PathAttribute> = values
        .into_iter()
        .map(|(value, flags)| {
            let mut a = PathAttribute::new(value);
            a.flags = flags.unwrap_or_else(|| canonical_flags(&a, ctx));
            a
        })
        .collect();
    if let Some(f) = wire.and_then(|w| w.get("flags")) {
        for (k, v) in as_obj(f, "wire.flags")? {
            let path = join("wire.flags", k);
            let t: u8 = k.parse().map_err(|_| err(&path, "expected an attribute type code"))?;
            let a = attrs
                .iter_mut()
                .find(|a| a.type_code() == t)
                .ok_or_else(|| err(&path, "no such attribute in this UPDATE"))?;
            a.flags = as_uint(v, &path)?;
        }
    }
    match wire.and_then(|w| w.get("order")) {
        Some(o) => {
            let order = as_arr(o, "wire.order")?
                .iter()
                .enumerate()
                .map(|(i, t)| as_uint::<u8>(t, &index("wire.order", i)))
                .collect::<Result<Vec<u8>, _>>()?;
            let rank = |t: u8| order.iter().position(|&x| x == t).unwrap_or(order.len() + t as usize);
            attrs.sort_by_key(|a| rank(a.type_code()));
        }
        None => attrs.sort_by_key(PathAttribute::type_code),
    }
    Ok(attrs)
}

pub(crate) fn update_from_json(m: &Map<String, Value>, ctx: &SessionContext) -> Result<Update, JsonError> {
    only_keys(m, UPDATE_KEYS, "")?;
    let wire = m.get("wire").map(|w| as_obj(w, "wire")).transpose()?;
    if let Some(w) = wire {
        only_keys(w, WIRE_KEYS, "wire")?;
    }
    let next_hops = next_hops_from_json(m)?;
    let parts = announce_from_json(m, wire, &next_hops, ctx)?;
    let (withdrawn, unreach) = withdraw_from_json(m, wire, ctx)?;
    let mut values = match m.get("attributes") {
        Some(a) => attributes_from_json(a)?,
        None => Vec::new(),
    };
    if let Some(a) = next_hop_attr(wire, &next_hops, &parts.classic)? {
        values.push((AttrValue::NextHop(a), None));
    }
    if let Some(r) = parts.reach {
        values.push((AttrValue::MpReach(r), None));
    }
    if let Some(u) = unreach {
        values.push((AttrValue::MpUnreach(u), None));
    }
    Ok(Update {
        withdrawn,
        attributes: flags_and_order(values, wire, ctx)?,
        nlri: parts.classic,
    })
}
