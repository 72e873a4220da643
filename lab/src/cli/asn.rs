//! `peerlab asn register|deregister`: register a customer ASN on the running lab's peering
//! (its routes start reaching AS8075, no session reset; it gets its own prefix key) or
//! deregister one (its routes are withdrawn from AS8075).

use super::api_client::{fail, print_json, ApiTarget, CallError};
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use std::process::ExitCode;

/// Arguments of `peerlab asn`.
#[derive(Args, Debug)]
pub struct AsnArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: AsnAction,
}

/// `peerlab asn` actions.
#[derive(Subcommand, Debug)]
pub enum AsnAction {
    /// Register a customer ASN (PUT .../registeredAsns/{name}).
    Register(RegisterArgs),
    /// Deregister a customer ASN, by ASN or registration name (DELETE .../registeredAsns/{name}).
    Deregister(DeregisterArgs),
}

/// Arguments of `peerlab asn register`.
#[derive(Args, Debug)]
pub struct RegisterArgs {
    /// The customer ASN.
    pub asn: u32,
    /// The registeredAsn resource name; default `as<ASN>`.
    #[arg(long)]
    pub name: Option<String>,
    /// The lab's API.
    #[command(flatten)]
    pub target: ApiTarget,
}

/// Arguments of `peerlab asn deregister`.
#[derive(Args, Debug)]
pub struct DeregisterArgs {
    /// The customer ASN, or the registeredAsn resource name.
    pub asn_or_name: String,
    /// The lab's API.
    #[command(flatten)]
    pub target: ApiTarget,
}

/// Runs `peerlab asn`.
pub fn run(args: &AsnArgs) -> ExitCode {
    match &args.action {
        AsnAction::Register(r) => {
            let name = r.name.clone().unwrap_or_else(|| format!("as{}", r.asn));
            let body = json!({ "properties": { "asn": r.asn } });
            let result = r.target.peering().and_then(|p| {
                r.target
                    .call("PUT", &format!("/peerings/{p}/registeredAsns/{name}"), Some(&body))
            });
            match result {
                Ok(v) => {
                    print_json(&v);
                    ExitCode::SUCCESS
                }
                Err(e) => fail("asn register", &e),
            }
        }
        AsnAction::Deregister(d) => match deregister(d) {
            Ok(v) => {
                print_json(&v);
                ExitCode::SUCCESS
            }
            Err(e) => fail("asn deregister", &e),
        },
    }
}

fn deregister(d: &DeregisterArgs) -> Result<Value, CallError> {
    let p = d.target.peering()?;
    let name = match d.asn_or_name.parse::<u32>() {
        Ok(asn) => {
            let list = d.target.call("GET", &format!("/peerings/{p}/registeredAsns"), None)?;
            list.get("value")
                .and_then(Value::as_array)
                .and_then(|v| {
                    v.iter()
                        .find(|r| r.pointer("/properties/asn").and_then(Value::as_u64) == Some(u64::from(asn)))
                })
                .and_then(|r| r.get("name").and_then(Value::as_str))
                .map(str::to_owned)
                .ok_or_else(|| CallError {
                    status: 404,
                    message: format!("NotFound: AS{asn} is not registered on peering `{p}`"),
                })?
        }
        Err(_) => d.asn_or_name.clone(),
    };
    d.target
        .call("DELETE", &format!("/peerings/{p}/registeredAsns/{name}"), None)
}
