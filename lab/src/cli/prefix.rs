//! `peerlab prefix register|list|remove`: the customer's side of the prefix key on a running
//! lab. `register` creates the Peering Service when it does not exist yet and registers a
//! prefix with a key (`Pending` first, then validated against what AS8075 receives; `--wait`
//! waits for the verdict); `list` shows every registered prefix with its verdict; `remove`
//! deletes one.

use super::api_client::{fail, print_json, ApiTarget, CallError};
use clap::{Args, Subcommand};
use ipnet::IpNet;
use serde_json::{json, Value};
use std::process::ExitCode;

/// Arguments of `peerlab prefix`.
#[derive(Args, Debug)]
pub struct PrefixArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: PrefixAction,
}

/// `peerlab prefix` actions.
#[derive(Subcommand, Debug)]
pub enum PrefixAction {
    /// Register a prefix for Peering Service with a prefix key (PUT
    /// /peeringServices/{service}/prefixes/{name}); prints the prefix resource.
    Register(RegisterArgs),
    /// Every registered prefix with its prefixValidationState, learnedType and errorMessage.
    List(ListArgs),
    /// Remove a registered prefix, by resource name or prefix (DELETE
    /// /peeringServices/{service}/prefixes/{name}).
    Remove(RemoveArgs),
}

/// Arguments of `peerlab prefix register`.
#[derive(Args, Debug)]
pub struct RegisterArgs {
    /// The prefix, e.g. 185.42.136.0/22.
    pub prefix: IpNet,
    /// The customer's Peering Service (created when it does not exist).
    #[arg(long)]
    pub service: String,
    /// The peeringServicePrefixKey the exchange handed over.
    #[arg(long, required_unless_present = "registered_asn", conflicts_with = "registered_asn")]
    pub key: Option<String>,
    /// Instead of --key: the registered ASN's name, whose key the lab looks up.
    #[arg(long)]
    pub registered_asn: Option<String>,
    /// The prefix resource's name; default: the prefix with `.`, `:` and `/` as `-`.
    #[arg(long)]
    pub name: Option<String>,
    /// The `[lab]` customer the Peering Service belongs to, when it is created.
    #[arg(long)]
    pub customer: Option<String>,
    /// Wait for the verdict (a state other than Pending); exit 1 unless Verified or Warning.
    #[arg(long)]
    pub wait: bool,
    /// The lab's API.
    #[command(flatten)]
    pub target: ApiTarget,
}

/// Arguments of `peerlab prefix list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only this Peering Service's prefixes.
    #[arg(long)]
    pub service: Option<String>,
    /// The lab's API.
    #[command(flatten)]
    pub target: ApiTarget,
}

/// Arguments of `peerlab prefix remove`.
#[derive(Args, Debug)]
pub struct RemoveArgs {
    /// The prefix resource's name, or the prefix.
    pub name_or_prefix: String,
    /// The Peering Service; default: the one that holds it.
    #[arg(long)]
    pub service: Option<String>,
    /// The lab's API.
    #[command(flatten)]
    pub target: ApiTarget,
}

/// Runs `peerlab prefix`.
pub fn run(args: &PrefixArgs) -> ExitCode {
    match &args.action {
        PrefixAction::Register(r) => match register(r) {
            Ok(v) => {
                print_json(&v);
                let state = v.pointer("/properties/prefixValidationState").and_then(Value::as_str);
                super::status(r.wait && !matches!(state, Some("Verified" | "Warning")))
            }
            Err(e) => fail("prefix register", &e),
        },
        PrefixAction::List(l) => match list(&l.target, l.service.as_deref()) {
            Ok(v) => {
                print_json(&json!({ "value": v }));
                ExitCode::SUCCESS
            }
            Err(e) => fail("prefix list", &e),
        },
        PrefixAction::Remove(r) => match remove(r) {
            Ok(v) => {
                print_json(&v);
                ExitCode::SUCCESS
            }
            Err(e) => fail("prefix remove", &e),
        },
    }
}

/// The default resource name of `prefix`: `185-42-136-0-22`.
fn default_name(prefix: &IpNet) -> String {
    prefix.to_string().replace(['.', ':', '/'], "-")
}

fn register(r: &RegisterArgs) -> Result<Value, CallError> {
    let service_path = format!("/peeringServices/{}", r.service);
    match r.target.call("GET", &service_path, None) {
        Ok(_) => {}
        Err(e) if e.status == 404 => {
            let mut body = json!({ "properties": {} });
            if let Some(c) = &r.customer {
                body["customer"] = json!(c);
            }
            r.target.call("PUT", &service_path, Some(&body))?;
        }
        Err(e) => return Err(e),
    }
    let name = r.name.clone().unwrap_or_else(|| default_name(&r.prefix));
    let mut properties = json!({ "prefix": r.prefix.to_string() });
    if let Some(k) = &r.key {
        properties["peeringServicePrefixKey"] = json!(k);
    }
    let mut body = json!({ "properties": properties });
    if let Some(n) = &r.registered_asn {
        body["registeredAsn"] = json!(n);
    }
    let path = format!("{service_path}/prefixes/{name}");
    let answer = r.target.call("PUT", &path, Some(&body))?;
    if !r.wait {
        return Ok(answer);
    }
    r.target.wait(&path, |v| {
        v.pointer("/properties/prefixValidationState").and_then(Value::as_str) != Some("Pending")
    })
}

/// Every prefix resource (of `service` only, when given), each with its `peeringService`.
fn list(target: &ApiTarget, service: Option<&str>) -> Result<Vec<Value>, CallError> {
    let services: Vec<String> = match service {
        Some(s) => vec![s.to_owned()],
        None => target
            .call("GET", "/peeringServices", None)?
            .get("value")
            .and_then(Value::as_array)
            .map(|v| {
                v.iter()
                    .filter_map(|s| s.get("name").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    };
    let mut out = Vec::new();
    for s in services {
        let v = target.call("GET", &format!("/peeringServices/{s}/prefixes"), None)?;
        for mut p in v.get("value").and_then(Value::as_array).cloned().unwrap_or_default() {
            p["peeringService"] = json!(s);
            out.push(p);
        }
    }
    Ok(out)
}

fn remove(r: &RemoveArgs) -> Result<Value, CallError> {
    let wanted = r.name_or_prefix.as_str();
    let as_prefix: Option<IpNet> = wanted.parse().ok();
    let found = list(&r.target, r.service.as_deref())?.into_iter().find(|p| {
        p.get("name").and_then(Value::as_str) == Some(wanted)
            || as_prefix.is_some_and(|want| {
                p.pointer("/properties/prefix")
                    .and_then(Value::as_str)
                    .and_then(|s| s.parse::<IpNet>().ok())
                    .is_some_and(|got| got.trunc() == want.trunc())
            })
    });
    let Some(p) = found else {
        return Err(CallError {
            status: 404,
            message: format!(
                "NotFound: no registered prefix named or covering exactly `{wanted}` (peerlab prefix list shows them)"
            ),
        });
    };
    let service = p.get("peeringService").and_then(Value::as_str).unwrap_or_default();
    let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
    r.target
        .call("DELETE", &format!("/peeringServices/{service}/prefixes/{name}"), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_is_named_by_its_text_with_separators_as_dashes() {
        assert_eq!(default_name(&"185.42.136.0/22".parse().unwrap()), "185-42-136-0-22");
        assert_eq!(default_name(&"2a0e:8f00::/32".parse().unwrap()), "2a0e-8f00---32");
    }
}
