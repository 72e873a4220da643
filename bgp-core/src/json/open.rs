//! OPEN and its capabilities in JSON.
//!
//! Canonical form: every capability in one Capabilities parameter, the RFC 9072 extended
//! parameter encoding only when the parameters need it. Otherwise `"wire"` holds
//! `"params"` (how many capabilities each parameter carried) and/or `"extended-params"`.

use super::field::{as_arr, as_hex, as_obj, as_str, as_uint, err, index, join, only_keys, parse, required};
use super::{hex, JsonError};
use crate::capability::{AddPathMode, Capability, GracefulRestartFamily};
use crate::open::{Open, OptParam};
use crate::types::{Family, AS_TRANS};
use bytes::Bytes;
use serde_json::{json, Map, Value};

pub(crate) fn open_to_json(o: &Open) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!("open"));
    m.insert("version".into(), json!(o.version));
    m.insert("asn".into(), json!(o.asn()));
    m.insert("my-as".into(), json!(o.my_as));
    m.insert("hold-time".into(), json!(o.hold_time));
    m.insert("router-id".into(), json!(o.bgp_id.to_string()));
    let caps: Vec<Value> = o.capabilities().map(capability_to_json).collect();
    m.insert("capabilities".into(), Value::Array(caps));
    let wire = open_wire(o);
    if !wire.is_empty() {
        m.insert("wire".into(), Value::Object(wire));
    }
    m
}

fn open_wire(o: &Open) -> Map<String, Value> {
    let mut w = Map::new();
    let counts: Vec<usize> = o
        .params
        .iter()
        .map(|p| match p {
            OptParam::Capabilities(c) => c.len(),
            OptParam::Unknown { .. } => 0,
        })
        .collect();
    let total: usize = counts.iter().sum();
    let canonical_counts: Vec<usize> = if total == 0 { vec![] } else { vec![total] };
    if counts != canonical_counts {
        w.insert("params".into(), json!(counts));
    }
    if o.extended_params {
        // Re-encode without the flag: if the encoder switches to RFC 9072 anyway, it was needed.
        let mut plain = o.clone();
        plain.extended_params = false;
        let mut body = Vec::new();
        plain.encode_body(&mut body);
        let needed = body.get(9) == Some(&255) && body.get(10) == Some(&255);
        if !needed {
            w.insert("extended-params".into(), json!(true));
        }
    }
    w
}

fn family_map<T>(v: &[(Family, T)], f: impl Fn(&T) -> Value) -> Value {
    Value::Object(v.iter().map(|(fam, x)| (fam.to_string(), f(x))).collect())
}

fn has_duplicate_family<T>(v: &[(Family, T)]) -> bool {
    v.iter()
        .enumerate()
        .any(|(i, (f, _))| v[..i].iter().any(|(g, _)| g == f))
}

pub(crate) fn capability_to_json(c: &Capability) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(c.name()));
    match c {
        Capability::Multiprotocol(f) => {
            m.insert("family".into(), json!(f.to_string()));
        }
        Capability::RouteRefresh | Capability::ExtendedMessage | Capability::EnhancedRouteRefresh => {}
        Capability::ExtendedNextHop(v) => {
            let list: Vec<Value> = v
                .iter()
                .map(|(f, afi)| json!({"family": f.to_string(), "next-hop-afi": afi}))
                .collect();
            m.insert("families".into(), Value::Array(list));
        }
        Capability::GracefulRestart { flags, time, families } => {
            m.insert("flags".into(), json!(flags));
            m.insert("time".into(), json!(time));
            let list: Vec<Value> = families
                .iter()
                .map(|g| json!({"family": g.family.to_string(), "flags": g.flags}))
                .collect();
            m.insert("families".into(), Value::Array(list));
        }
        Capability::FourOctetAs(asn) => {
            m.insert("asn".into(), json!(asn));
        }
        Capability::AddPath(v) if has_duplicate_family(v) => {
            // A family named twice cannot be a JSON map key twice: keep the list form.
            let list: Vec<Value> = v
                .iter()
                .map(|(f, mode)| json!({"family": f.to_string(), "mode": mode.name()}))
                .collect();
            m.insert("families".into(), Value::Array(list));
        }
        Capability::AddPath(v) => {
            m.insert("families".into(), family_map(v, |mode| json!(mode.name())));
        }
        Capability::Fqdn { hostname, domain } => {
            m.insert("hostname".into(), json!(hostname));
            m.insert("domain".into(), json!(domain));
        }
        Capability::SoftwareVersion(s) => {
            m.insert("version".into(), json!(s));
        }
        Capability::Unknown { code, value } => {
            m.insert("code".into(), json!(code));
            m.insert("value".into(), json!(hex::encode(value)));
        }
    }
    Value::Object(m)
}

fn add_path_mode(v: &Value, path: &str) -> Result<AddPathMode, JsonError> {
    let s = as_str(v, path)?;
    AddPathMode::from_name(s).ok_or_else(|| err(path, format!("`{s}` is not send, receive or send/receive")))
}

// Over 100 lines on purpose: one match arm per capability code, a table read top to bottom.
fn capability_from_json(v: &Value, path: &str) -> Result<Capability, JsonError> {
    let m = as_obj(v, path)?;
    let name = as_str(required(m, "name", path)?, &join(path, "name"))?;
    let field = |k: &str| required(m, k, path).map(|v| (v, join(path, k)));
    // `name` and the capability's own fields, nothing else.
    let only = |fields: &[&str]| {
        let all: Vec<&str> = std::iter::once("name").chain(fields.iter().copied()).collect();
        only_keys(m, &all, path)
    };
    Ok(match name {
        "multiprotocol" => {
            only(&["family"])?;
            let (v, p) = field("family")?;
            Capability::Multiprotocol(parse(v, &p)?)
        }
        "route-refresh" => only(&[]).map(|()| Capability::RouteRefresh)?,
        "extended-message" => only(&[]).map(|()| Capability::ExtendedMessage)?,
        "enhanced-route-refresh" => only(&[]).map(|()| Capability::EnhancedRouteRefresh)?,
        "extended-next-hop" => {
            only(&["families"])?;
            let (v, p) = field("families")?;
            let mut out = Vec::new();
            for (i, e) in as_arr(v, &p)?.iter().enumerate() {
                let ep = index(&p, i);
                let em = as_obj(e, &ep)?;
                only_keys(em, &["family", "next-hop-afi"], &ep)?;
                let family = parse(required(em, "family", &ep)?, &join(&ep, "family"))?;
                let afi = as_uint(required(em, "next-hop-afi", &ep)?, &join(&ep, "next-hop-afi"))?;
                out.push((family, afi));
            }
            Capability::ExtendedNextHop(out)
        }
        "graceful-restart" => {
            only(&["flags", "time", "families"])?;
            let (fl, flp) = field("flags")?;
            let (t, tp) = field("time")?;
            let (fs, fsp) = field("families")?;
            let mut families = Vec::new();
            for (i, e) in as_arr(fs, &fsp)?.iter().enumerate() {
                let ep = index(&fsp, i);
                let em = as_obj(e, &ep)?;
                only_keys(em, &["family", "flags"], &ep)?;
                families.push(GracefulRestartFamily {
                    family: parse(required(em, "family", &ep)?, &join(&ep, "family"))?,
                    flags: as_uint(required(em, "flags", &ep)?, &join(&ep, "flags"))?,
                });
            }
            Capability::GracefulRestart {
                flags: as_uint(fl, &flp)?,
                time: as_uint(t, &tp)?,
                families,
            }
        }
        "four-octet-as" => {
            only(&["asn"])?;
            let (v, p) = field("asn")?;
            Capability::FourOctetAs(as_uint(v, &p)?)
        }
        "add-path" => {
            only(&["families"])?;
            let (v, p) = field("families")?;
            let mut out = Vec::new();
            if let Value::Array(list) = v {
                for (i, e) in list.iter().enumerate() {
                    let ep = index(&p, i);
                    let em = as_obj(e, &ep)?;
                    only_keys(em, &["family", "mode"], &ep)?;
                    let family = parse(required(em, "family", &ep)?, &join(&ep, "family"))?;
                    out.push((family, add_path_mode(required(em, "mode", &ep)?, &join(&ep, "mode"))?));
                }
            } else {
                for (k, mode) in as_obj(v, &p)? {
                    let kp = join(&p, k);
                    let family = k.parse().map_err(|e: String| err(&kp, e))?;
                    out.push((family, add_path_mode(mode, &kp)?));
                }
            }
            Capability::AddPath(out)
        }
        "fqdn" => {
            only(&["hostname", "domain"])?;
            let (h, hp) = field("hostname")?;
            let (d, dp) = field("domain")?;
            Capability::Fqdn {
                hostname: as_str(h, &hp)?.to_string(),
                domain: as_str(d, &dp)?.to_string(),
            }
        }
        "software-version" => {
            only(&["version"])?;
            let (v, p) = field("version")?;
            Capability::SoftwareVersion(as_str(v, &p)?.to_string())
        }
        "unknown" => {
            only(&["code", "value"])?;
            let (c, cp) = field("code")?;
            let (v, vp) = field("value")?;
            Capability::Unknown {
                code: as_uint(c, &cp)?,
                value: Bytes::from(as_hex(v, &vp)?),
            }
        }
        other => return Err(err(&join(path, "name"), format!("unknown capability `{other}`"))),
    })
}

/// `my-as` defaults to `asn` (AS_TRANS when it does not fit in 2 octets); capabilities are
/// taken as listed (no four-octet-as is added).
pub(crate) fn open_from_json(m: &Map<String, Value>) -> Result<Open, JsonError> {
    only_keys(
        m,
        &[
            "type",
            "version",
            "asn",
            "my-as",
            "hold-time",
            "router-id",
            "capabilities",
            "wire",
        ],
        "",
    )?;
    let version = m
        .get("version")
        .map(|v| as_uint(v, "version"))
        .transpose()?
        .unwrap_or(4);
    let my_as = match (m.get("my-as"), m.get("asn")) {
        (Some(v), _) => as_uint(v, "my-as")?,
        (None, Some(v)) => u16::try_from(as_uint::<u32>(v, "asn")?).unwrap_or(AS_TRANS as u16),
        (None, None) => return Err(err("my-as", "missing (give my-as or asn)")),
    };
    let hold_time = as_uint(required(m, "hold-time", "")?, "hold-time")?;
    let bgp_id = parse(required(m, "router-id", "")?, "router-id")?;
    let mut caps = Vec::new();
    if let Some(c) = m.get("capabilities") {
        for (i, e) in as_arr(c, "capabilities")?.iter().enumerate() {
            caps.push(capability_from_json(e, &index("capabilities", i))?);
        }
    }
    let wire = m.get("wire").map(|w| as_obj(w, "wire")).transpose()?;
    if let Some(w) = wire {
        only_keys(w, &["params", "extended-params"], "wire")?;
    }
    let counts: Option<Vec<usize>> = match wire.and_then(|w| w.get("params")) {
        Some(p) => Some(
            as_arr(p, "wire.params")?
                .iter()
                .enumerate()
                .map(|(i, n)| as_uint(n, &index("wire.params", i)))
                .collect::<Result<_, _>>()?,
        ),
        None => None,
    };
    let params = match counts {
        None if caps.is_empty() => vec![],
        None => vec![OptParam::Capabilities(caps)],
        Some(counts) => {
            if counts.iter().sum::<usize>() != caps.len() {
                return Err(err(
                    "wire.params",
                    "the counts do not add up to the number of capabilities",
                ));
            }
            let mut rest = caps.into_iter();
            counts
                .iter()
                .map(|&n| OptParam::Capabilities(rest.by_ref().take(n).collect()))
                .collect()
        }
    };
    let extended_params = match wire.and_then(|w| w.get("extended-params")) {
        Some(v) => v
            .as_bool()
            .ok_or_else(|| err("wire.extended-params", "expected true or false"))?,
        None => false,
    };
    Ok(Open {
        version,
        my_as,
        hold_time,
        bgp_id,
        params,
        extended_params,
    })
}
