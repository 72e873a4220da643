//! Prefix lists and next hops in JSON.

use super::field::{as_arr, as_hex, as_str, as_uint, err, index, join, only_keys, parse, required};
use super::{hex, JsonError};
use crate::attr::{MpNlri, NextHop};
use crate::nlri::Nlri;
use crate::types::{Family, AFI_IPV4, AFI_IPV6, SAFI_UNICAST};
use bytes::Bytes;
use serde_json::{json, Value};
use std::fmt::Display;
use std::str::FromStr;

/// A plain `"prefix"` string, or `{"prefix", "path-id"}` under ADD-PATH.
pub(crate) fn prefix_to_json<P: Display>(n: &Nlri<P>) -> Value {
    match n.path_id {
        None => json!(n.prefix.to_string()),
        Some(id) => json!({"prefix": n.prefix.to_string(), "path-id": id}),
    }
}

pub(crate) fn prefixes_to_json<P: Display>(v: &[Nlri<P>]) -> Value {
    Value::Array(v.iter().map(prefix_to_json).collect())
}

/// The NLRI of an MP attribute: a prefix list, or hex for families kept opaque.
pub(crate) fn mp_nlri_to_json(n: &MpNlri) -> Value {
    match n {
        MpNlri::Ipv4(v) => prefixes_to_json(v),
        MpNlri::Ipv6(v) => prefixes_to_json(v),
        MpNlri::Opaque(b) => json!(hex::encode(b)),
    }
}

/// Reads a prefix list; a path id is refused when ADD-PATH is off for the family, and is 0
/// when it is on and the entry has none.
pub(crate) fn prefixes_from_json<P>(v: &Value, path: &str, add_path: bool) -> Result<Vec<Nlri<P>>, JsonError>
where
    P: FromStr,
    P::Err: Display,
{
    let mut out = Vec::new();
    for (i, e) in as_arr(v, path)?.iter().enumerate() {
        let ep = index(path, i);
        let n = match e {
            Value::Object(m) => {
                only_keys(m, &["prefix", "path-id"], &ep)?;
                let prefix = parse(required(m, "prefix", &ep)?, &join(&ep, "prefix"))?;
                let id = m
                    .get("path-id")
                    .map(|v| as_uint(v, &join(&ep, "path-id")))
                    .transpose()?;
                Nlri { path_id: id, prefix }
            }
            _ => Nlri::new(parse(e, &ep)?),
        };
        if n.path_id.is_some() && !add_path {
            return Err(err(
                &ep,
                "a path-id needs ADD-PATH for this family in the context (--add-path)",
            ));
        }
        out.push(Nlri {
            path_id: if add_path { Some(n.path_id.unwrap_or(0)) } else { None },
            ..n
        });
    }
    Ok(out)
}

/// Reads the NLRI of `family` for an MP attribute.
pub(crate) fn mp_nlri_from_json(family: Family, v: &Value, path: &str, add_path: bool) -> Result<MpNlri, JsonError> {
    Ok(match (family.afi, family.safi) {
        (AFI_IPV4, SAFI_UNICAST) => MpNlri::Ipv4(prefixes_from_json(v, path, add_path)?),
        (AFI_IPV6, SAFI_UNICAST) => MpNlri::Ipv6(prefixes_from_json(v, path, add_path)?),
        _ => MpNlri::Opaque(Bytes::from(as_hex(v, path)?)),
    })
}

fn is_unicast(f: Family) -> bool {
    f.safi == SAFI_UNICAST && (f.afi == AFI_IPV4 || f.afi == AFI_IPV6)
}

/// An address string, `{"global","link-local"}` for 32-octet IPv6 next hops, hex for
/// families kept opaque and for lengths that are no address.
pub(crate) fn next_hop_to_json(family: Family, nh: &NextHop) -> Value {
    match nh {
        _ if !is_unicast(family) => {
            let mut b = Vec::new();
            nh.encode(&mut b);
            json!(hex::encode(&b))
        }
        NextHop::V4(a) => json!(a.to_string()),
        NextHop::V6 {
            global,
            link_local: None,
        } => json!(global.to_string()),
        NextHop::V6 {
            global,
            link_local: Some(l),
        } => json!({"global": global.to_string(), "link-local": l.to_string()}),
        NextHop::Other(b) => json!(hex::encode(b)),
    }
}

pub(crate) fn next_hop_from_json(family: Family, v: &Value, path: &str) -> Result<NextHop, JsonError> {
    if !is_unicast(family) {
        return Ok(NextHop::from_bytes(&Bytes::from(as_hex(v, path)?)));
    }
    if let Value::Object(m) = v {
        only_keys(m, &["global", "link-local"], path)?;
        return Ok(NextHop::V6 {
            global: parse(required(m, "global", path)?, &join(path, "global"))?,
            link_local: Some(parse(required(m, "link-local", path)?, &join(path, "link-local"))?),
        });
    }
    let s = as_str(v, path)?;
    match s.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => Ok(NextHop::V4(a)),
        Ok(std::net::IpAddr::V6(a)) => Ok(NextHop::V6 {
            global: a,
            link_local: None,
        }),
        Err(_) => as_hex(v, path)
            .map(|b| NextHop::Other(Bytes::from(b)))
            .map_err(|_| err(path, format!("`{s}` is not an IP address or hex"))),
    }
}
