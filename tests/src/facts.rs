//! The facts of an UPDATE, in one neutral form, from our decode and from ExaBGP's JSON, so the
//! two can be compared without caring how each one shapes its output.

use bgp_core::attr::{AttrValue, MpNlri, NextHop};
use bgp_core::types::{AFI_IPV4, AFI_IPV6, SAFI_UNICAST};
use bgp_core::{Family, SessionContext, Update};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// One announced route: next hop, prefix, path identifier (dotted, as ExaBGP writes it).
pub type Announced = (String, String, Option<String>);
/// One withdrawn route: prefix and path identifier.
pub type Withdrawn = (String, Option<String>);

/// What an UPDATE says, in a form both decoders can be reduced to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// Announced IPv4/IPv6 unicast routes per family (`ipv4 unicast`, `ipv6 unicast`), sorted.
    pub announced: BTreeMap<String, Vec<Announced>>,
    /// Withdrawn IPv4/IPv6 unicast routes per family, sorted.
    pub withdrawn: BTreeMap<String, Vec<Withdrawn>>,
    /// ORIGIN name.
    pub origin: Option<String>,
    /// AS path segments as (type without the `as-` prefix, ASNs); `None` when empty or absent.
    pub as_path: Option<Vec<(String, Vec<u64>)>>,
    /// MULTI_EXIT_DISC.
    pub med: Option<u64>,
    /// LOCAL_PREF.
    pub local_pref: Option<u64>,
    /// Standard communities as (high, low).
    pub communities: Option<Vec<(u64, u64)>>,
    /// Large communities.
    pub large_communities: Option<Vec<(u64, u64, u64)>>,
    /// Extended communities as 64-bit numbers.
    pub extended_communities: Option<Vec<u64>>,
    /// AGGREGATOR as `asn:address`.
    pub aggregator: Option<String>,
    /// ATOMIC_AGGREGATE present.
    pub atomic_aggregate: bool,
    /// ORIGINATOR_ID.
    pub originator_id: Option<String>,
    /// CLUSTER_LIST.
    pub cluster_list: Option<Vec<String>>,
}

fn family_name(f: Family) -> Option<&'static str> {
    match (f.afi, f.safi) {
        (AFI_IPV4, SAFI_UNICAST) => Some("ipv4 unicast"),
        (AFI_IPV6, SAFI_UNICAST) => Some("ipv6 unicast"),
        _ => None,
    }
}

fn path_id(id: Option<u32>) -> Option<String> {
    id.map(|i| Ipv4Addr::from(i).to_string())
}

fn next_hop_text(nh: &NextHop) -> String {
    match nh {
        NextHop::V4(a) => a.to_string(),
        NextHop::V6 { global, .. } => global.to_string(),
        NextHop::Other(b) => hex::encode(b),
    }
}

impl Facts {
    /// The facts of our owned UPDATE, decoded under `ctx` (the AS path is the effective one,
    /// AS4_PATH merged on 2-octet sessions, as ExaBGP reports it).
    pub fn from_update(u: &Update, ctx: &SessionContext) -> Facts {
        let mut f = Facts::default();
        let mut next_hop = String::new();
        for a in &u.attributes {
            match &a.value {
                AttrValue::Origin(o) => f.origin = Some(o.name().to_string()),
                AttrValue::NextHop(a) => next_hop = a.to_string(),
                AttrValue::Med(v) => f.med = Some(u64::from(*v)),
                AttrValue::LocalPref(v) => f.local_pref = Some(u64::from(*v)),
                AttrValue::AtomicAggregate => f.atomic_aggregate = true,
                AttrValue::Aggregator(g) => f.aggregator = Some(format!("{}:{}", g.asn, g.address)),
                AttrValue::Communities(c) => {
                    f.communities = Some(c.iter().map(|c| (u64::from(c.high()), u64::from(c.low()))).collect())
                }
                AttrValue::LargeCommunities(c) => {
                    f.large_communities = Some(
                        c.iter()
                            .map(|c| (u64::from(c.global), u64::from(c.local1), u64::from(c.local2)))
                            .collect(),
                    )
                }
                AttrValue::ExtendedCommunities(c) => {
                    f.extended_communities = Some(c.iter().map(|c| u64::from_be_bytes(c.0)).collect())
                }
                AttrValue::OriginatorId(a) => f.originator_id = Some(a.to_string()),
                AttrValue::ClusterList(c) => f.cluster_list = Some(c.iter().map(|a| a.to_string()).collect()),
                _ => {}
            }
        }
        if let Some(path) = u.effective_as_path(ctx).filter(|p| !p.segments.is_empty()) {
            f.as_path = Some(
                path.segments
                    .iter()
                    .map(|s| {
                        (
                            s.kind.name().to_string(),
                            s.asns.iter().map(|&a| u64::from(a)).collect(),
                        )
                    })
                    .collect(),
            );
        }
        let v4 = "ipv4 unicast".to_string();
        for n in &u.nlri {
            f.announced.entry(v4.clone()).or_default().push((
                next_hop.clone(),
                n.prefix.to_string(),
                path_id(n.path_id),
            ));
        }
        for n in &u.withdrawn {
            f.withdrawn
                .entry(v4.clone())
                .or_default()
                .push((n.prefix.to_string(), path_id(n.path_id)));
        }
        if let Some(m) = u.mp_reach() {
            if let Some(name) = family_name(m.family) {
                let nh = next_hop_text(&m.next_hop);
                let routes: Vec<Announced> = match &m.nlri {
                    MpNlri::Ipv4(v) => v
                        .iter()
                        .map(|n| (nh.clone(), n.prefix.to_string(), path_id(n.path_id)))
                        .collect(),
                    MpNlri::Ipv6(v) => v
                        .iter()
                        .map(|n| (nh.clone(), n.prefix.to_string(), path_id(n.path_id)))
                        .collect(),
                    MpNlri::Opaque(_) => Vec::new(),
                };
                if !routes.is_empty() {
                    f.announced.entry(name.to_string()).or_default().extend(routes);
                }
            }
        }
        if let Some(m) = u.mp_unreach() {
            if let Some(name) = family_name(m.family) {
                let routes: Vec<Withdrawn> = match &m.nlri {
                    MpNlri::Ipv4(v) => v.iter().map(|n| (n.prefix.to_string(), path_id(n.path_id))).collect(),
                    MpNlri::Ipv6(v) => v.iter().map(|n| (n.prefix.to_string(), path_id(n.path_id))).collect(),
                    MpNlri::Opaque(_) => Vec::new(),
                };
                if !routes.is_empty() {
                    f.withdrawn.entry(name.to_string()).or_default().extend(routes);
                }
            }
        }
        f.sort();
        f
    }

    /// The facts of ExaBGP's JSON for an UPDATE (the whole line, or just the `update` object).
    pub fn from_exabgp(json: &Value) -> Result<Facts, String> {
        let update = json
            .pointer("/neighbor/message/update")
            .or_else(|| json.get("update"))
            .ok_or("no neighbor.message.update in the JSON")?;
        let mut f = Facts::default();
        let empty = Value::Object(Default::default());
        let attrs = update.get("attribute").unwrap_or(&empty);
        let num = |k: &str| attrs.get(k).and_then(Value::as_u64);
        let text = |k: &str| attrs.get(k).and_then(Value::as_str).map(str::to_string);
        f.origin = text("origin");
        f.med = num("med");
        f.local_pref = num("local-preference");
        f.aggregator = text("aggregator");
        f.atomic_aggregate = attrs.get("atomic-aggregate").and_then(Value::as_bool).unwrap_or(false);
        f.originator_id = text("originator-id");
        if let Some(path) = attrs.get("as-path") {
            f.as_path = Some(exabgp_as_path(path)?);
        }
        if let Some(c) = attrs.get("community") {
            f.communities = Some(numbers_list(c, 2)?.into_iter().map(|v| (v[0], v[1])).collect());
        }
        if let Some(c) = attrs.get("large-community") {
            f.large_communities = Some(numbers_list(c, 3)?.into_iter().map(|v| (v[0], v[1], v[2])).collect());
        }
        if let Some(c) = attrs.get("extended-community") {
            let list = c.as_array().ok_or("extended-community is not a list")?;
            f.extended_communities = Some(
                list.iter()
                    .map(|e| {
                        e.get("value")
                            .and_then(Value::as_u64)
                            .ok_or("extended community without value")
                    })
                    .collect::<Result<_, _>>()?,
            );
        }
        if let Some(c) = attrs.get("cluster-list") {
            let list = c.as_array().ok_or("cluster-list is not a list")?;
            f.cluster_list = Some(list.iter().filter_map(Value::as_str).map(str::to_string).collect());
        }
        if let Some(ann) = update.get("announce").and_then(Value::as_object) {
            for (fam, by_nh) in ann.iter().filter(|(k, _)| is_unicast(k)) {
                let by_nh = by_nh.as_object().ok_or("announce family is not an object")?;
                for (nh, routes) in by_nh {
                    for r in routes.as_array().ok_or("announce routes are not a list")? {
                        let (p, id) = exabgp_route(r)?;
                        f.announced.entry(fam.clone()).or_default().push((nh.clone(), p, id));
                    }
                }
            }
        }
        if let Some(wd) = update.get("withdraw").and_then(Value::as_object) {
            for (fam, routes) in wd.iter().filter(|(k, _)| is_unicast(k)) {
                for r in routes.as_array().ok_or("withdraw routes are not a list")? {
                    f.withdrawn.entry(fam.clone()).or_default().push(exabgp_route(r)?);
                }
            }
        }
        f.sort();
        Ok(f)
    }

    fn sort(&mut self) {
        self.announced.values_mut().for_each(|v| v.sort());
        self.withdrawn.values_mut().for_each(|v| v.sort());
    }

    /// A line per field that differs, `field: ours != theirs`.
    pub fn differences(&self, theirs: &Facts) -> Vec<String> {
        let mut out = Vec::new();
        macro_rules! cmp {
            ($($field:ident),*) => {$(
                if self.$field != theirs.$field {
                    out.push(format!("{}: ours {:?} != exabgp {:?}", stringify!($field), self.$field, theirs.$field));
                }
            )*};
        }
        cmp!(
            announced,
            withdrawn,
            origin,
            as_path,
            med,
            local_pref,
            communities,
            large_communities,
            extended_communities,
            aggregator,
            atomic_aggregate,
            originator_id,
            cluster_list
        );
        out
    }
}

fn is_unicast(family: &str) -> bool {
    family == "ipv4 unicast" || family == "ipv6 unicast"
}

fn exabgp_route(r: &Value) -> Result<Withdrawn, String> {
    let p = r
        .get("nlri")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("route without nlri: {r}"))?;
    let id = r.get("path-information").and_then(Value::as_str).map(str::to_string);
    Ok((p.to_string(), id))
}

fn exabgp_as_path(path: &Value) -> Result<Vec<(String, Vec<u64>)>, String> {
    let segs = path.as_object().ok_or("as-path is not an object of segments")?;
    let mut keyed: Vec<(u64, &Value)> = segs
        .iter()
        .map(|(k, v)| k.parse().map(|k| (k, v)).map_err(|_| format!("as-path key {k}")))
        .collect::<Result<_, _>>()?;
    keyed.sort_by_key(|(k, _)| *k);
    keyed
        .into_iter()
        .map(|(_, s)| {
            let kind = s
                .get("element")
                .and_then(Value::as_str)
                .ok_or("segment without element")?;
            let asns = s
                .get("value")
                .and_then(Value::as_array)
                .ok_or("segment without value")?
                .iter()
                .map(|a| a.as_u64().ok_or("ASN is not a number"))
                .collect::<Result<_, _>>()?;
            Ok((kind.strip_prefix("as-").unwrap_or(kind).to_string(), asns))
        })
        .collect()
}

fn numbers_list(v: &Value, width: usize) -> Result<Vec<Vec<u64>>, String> {
    v.as_array()
        .ok_or_else(|| format!("not a list: {v}"))?
        .iter()
        .map(|e| {
            let nums: Vec<u64> = e
                .as_array()
                .ok_or_else(|| format!("not a list: {e}"))?
                .iter()
                .filter_map(Value::as_u64)
                .collect();
            if nums.len() == width {
                Ok(nums)
            } else {
                Err(format!("expected {width} numbers: {e}"))
            }
        })
        .collect()
}
