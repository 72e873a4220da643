//! The `"attributes"` object: every path attribute except NEXT_HOP, MP_REACH_NLRI and
//! MP_UNREACH_NLRI, which the UPDATE's `announce` / `withdraw` / `next-hop` describe.

use super::field::{as_arr, as_hex, as_obj, as_str, as_uint, err, index, join, only_keys, parse, required};
use super::{hex, JsonError};
use crate::attr::{
    type_code as tc, Aggregator, AsPath, AttrValue, Community, ExtendedCommunity, Ipv6ExtendedCommunity,
    LargeCommunity, Origin, PathAttribute, Segment, SegmentType,
};
use bytes::Bytes;
use serde_json::{json, Map, Value};
use std::fmt::Display;
use std::str::FromStr;

fn as_path_to_json(p: &AsPath) -> Value {
    let segs: Vec<Value> = p
        .segments
        .iter()
        .map(|s| json!({"type": s.kind.name(), "asns": s.asns}))
        .collect();
    Value::Array(segs)
}

fn strings<T: Display>(v: &[T]) -> Value {
    Value::Array(v.iter().map(|x| json!(x.to_string())).collect())
}

fn aggregator_to_json(a: &Aggregator) -> Value {
    json!({"asn": a.asn, "address": a.address.to_string()})
}

/// The JSON key of an attribute this object holds, `None` for NEXT_HOP and the MP ones.
fn key(v: &AttrValue) -> Option<&'static str> {
    Some(match v {
        AttrValue::Origin(_) => "origin",
        AttrValue::AsPath(_) => "as-path",
        AttrValue::Med(_) => "med",
        AttrValue::LocalPref(_) => "local-pref",
        AttrValue::AtomicAggregate => "atomic-aggregate",
        AttrValue::Aggregator(_) => "aggregator",
        AttrValue::Communities(_) => "communities",
        AttrValue::OriginatorId(_) => "originator-id",
        AttrValue::ClusterList(_) => "cluster-list",
        AttrValue::ExtendedCommunities(_) => "extended-communities",
        AttrValue::As4Path(_) => "as4-path",
        AttrValue::As4Aggregator(_) => "as4-aggregator",
        AttrValue::Ipv6ExtendedCommunities(_) => "ipv6-extended-communities",
        AttrValue::LargeCommunities(_) => "large-communities",
        AttrValue::Unknown { .. } => "unknown",
        AttrValue::NextHop(_) | AttrValue::MpReach(_) | AttrValue::MpUnreach(_) => return None,
    })
}

fn value_to_json(v: &AttrValue) -> Value {
    match v {
        AttrValue::Origin(o) => json!(o.name()),
        AttrValue::AsPath(p) | AttrValue::As4Path(p) => as_path_to_json(p),
        AttrValue::Med(n) | AttrValue::LocalPref(n) => json!(n),
        AttrValue::AtomicAggregate => json!(true),
        AttrValue::Aggregator(a) | AttrValue::As4Aggregator(a) => aggregator_to_json(a),
        AttrValue::Communities(c) => strings(c),
        AttrValue::OriginatorId(a) => json!(a.to_string()),
        AttrValue::ClusterList(c) => strings(c),
        AttrValue::ExtendedCommunities(c) => strings(c),
        AttrValue::Ipv6ExtendedCommunities(c) => strings(c),
        AttrValue::LargeCommunities(c) => strings(c),
        AttrValue::NextHop(a) => json!(a.to_string()),
        AttrValue::MpReach(_) | AttrValue::MpUnreach(_) | AttrValue::Unknown { .. } => Value::Null,
    }
}

/// The `"attributes"` object, keys in ascending type-code order, `unknown` last.
pub(crate) fn attributes_to_json(attrs: &[PathAttribute]) -> Map<String, Value> {
    let mut sorted: Vec<&PathAttribute> = attrs.iter().collect();
    sorted.sort_by_key(|a| a.type_code());
    let mut m = Map::new();
    let mut unknown = Vec::new();
    for a in sorted {
        match (&a.value, key(&a.value)) {
            (AttrValue::Unknown { type_code, value }, _) => {
                unknown.push(json!({"type": type_code, "flags": a.flags, "value": hex::encode(value)}));
            }
            (v, Some(k)) => {
                m.insert(k.into(), value_to_json(v));
            }
            (_, None) => {}
        }
    }
    if !unknown.is_empty() {
        m.insert("unknown".into(), Value::Array(unknown));
    }
    m
}

fn as_path_from_json(v: &Value, path: &str) -> Result<AsPath, JsonError> {
    let mut segments = Vec::new();
    for (i, s) in as_arr(v, path)?.iter().enumerate() {
        let sp = index(path, i);
        let m = as_obj(s, &sp)?;
        only_keys(m, &["type", "asns"], &sp)?;
        let tp = join(&sp, "type");
        let t = as_str(required(m, "type", &sp)?, &tp)?;
        let kind = SegmentType::from_name(t).ok_or_else(|| {
            err(
                &tp,
                format!("`{t}` is not sequence, set, confed-sequence or confed-set"),
            )
        })?;
        let ap = join(&sp, "asns");
        let asns = as_arr(required(m, "asns", &sp)?, &ap)?
            .iter()
            .enumerate()
            .map(|(j, a)| as_uint(a, &index(&ap, j)))
            .collect::<Result<Vec<u32>, _>>()?;
        if asns.is_empty() {
            return Err(err(&ap, "a segment needs at least one AS"));
        }
        segments.push(Segment { kind, asns });
    }
    Ok(AsPath { segments })
}

fn list_from_json<T>(v: &Value, path: &str) -> Result<Vec<T>, JsonError>
where
    T: FromStr,
    T::Err: Display,
{
    let list = as_arr(v, path)?;
    if list.is_empty() {
        return Err(err(
            path,
            "an empty list cannot be encoded (the attribute would be malformed)",
        ));
    }
    list.iter()
        .enumerate()
        .map(|(i, e)| parse(e, &index(path, i)))
        .collect()
}

fn aggregator_from_json(v: &Value, path: &str) -> Result<Aggregator, JsonError> {
    let m = as_obj(v, path)?;
    only_keys(m, &["asn", "address"], path)?;
    Ok(Aggregator {
        asn: as_uint(required(m, "asn", path)?, &join(path, "asn"))?,
        address: parse(required(m, "address", path)?, &join(path, "address"))?,
    })
}

fn value_from_json(k: &str, v: &Value, path: &str) -> Result<AttrValue, JsonError> {
    Ok(match k {
        "origin" => {
            let s = as_str(v, path)?;
            AttrValue::Origin(
                Origin::from_name(s).ok_or_else(|| err(path, format!("`{s}` is not igp, egp or incomplete")))?,
            )
        }
        "as-path" => AttrValue::AsPath(as_path_from_json(v, path)?),
        "med" => AttrValue::Med(as_uint(v, path)?),
        "local-pref" => AttrValue::LocalPref(as_uint(v, path)?),
        "atomic-aggregate" => match v {
            Value::Bool(true) => AttrValue::AtomicAggregate,
            _ => return Err(err(path, "expected true (leave the key out when absent)")),
        },
        "aggregator" => AttrValue::Aggregator(aggregator_from_json(v, path)?),
        "communities" => AttrValue::Communities(list_from_json::<Community>(v, path)?),
        "originator-id" => AttrValue::OriginatorId(parse(v, path)?),
        "cluster-list" => AttrValue::ClusterList(list_from_json(v, path)?),
        "extended-communities" => AttrValue::ExtendedCommunities(list_from_json::<ExtendedCommunity>(v, path)?),
        "as4-path" => AttrValue::As4Path(as_path_from_json(v, path)?),
        "as4-aggregator" => AttrValue::As4Aggregator(aggregator_from_json(v, path)?),
        "ipv6-extended-communities" => {
            AttrValue::Ipv6ExtendedCommunities(list_from_json::<Ipv6ExtendedCommunity>(v, path)?)
        }
        "large-communities" => AttrValue::LargeCommunities(list_from_json::<LargeCommunity>(v, path)?),
        other => return Err(err(path, format!("unknown attribute `{other}`"))),
    })
}

/// An attribute read from JSON: its value and, for `unknown` entries, its explicit flags.
pub(crate) type ParsedAttr = (AttrValue, Option<u8>);

/// Reads the `"attributes"` object.
pub(crate) fn attributes_from_json(v: &Value) -> Result<Vec<ParsedAttr>, JsonError> {
    let path = "attributes";
    let mut out = Vec::new();
    for (k, val) in as_obj(v, path)? {
        let kp = join(path, k);
        if k != "unknown" {
            out.push((value_from_json(k, val, &kp)?, None));
            continue;
        }
        for (i, e) in as_arr(val, &kp)?.iter().enumerate() {
            let ep = index(&kp, i);
            let m = as_obj(e, &ep)?;
            only_keys(m, &["type", "flags", "value"], &ep)?;
            let type_code: u8 = as_uint(required(m, "type", &ep)?, &join(&ep, "type"))?;
            if matches!(type_code, tc::NEXT_HOP | tc::MP_REACH_NLRI | tc::MP_UNREACH_NLRI)
                || crate::attr::expected_flags(type_code).is_some()
            {
                return Err(err(
                    &join(&ep, "type"),
                    format!("attribute type {type_code} is known: use its own key"),
                ));
            }
            let flags = as_uint(required(m, "flags", &ep)?, &join(&ep, "flags"))?;
            let value = Bytes::from(as_hex(required(m, "value", &ep)?, &join(&ep, "value"))?);
            out.push((AttrValue::Unknown { type_code, value }, Some(flags)));
        }
    }
    Ok(out)
}
