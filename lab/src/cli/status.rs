//! `peerlab status`: the running lab's Connections view (connection, facility,
//! connectionState, sessionStateV4, sessionStateV6, prefixes received and accepted) and the
//! Peering Service prefixes with their verdict, or with
//! `--json` the whole status document (`GET /lab/status`).

use super::api_client::{fail, print_json, ApiTarget};
use clap::Args;
use peerlab::lab::live;
use peerlab::lab::rows::{ConnectionRow, ServicePrefixRow};
use serde_json::Value;
use std::process::ExitCode;

/// Arguments of `peerlab status`.
#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Print the status document as JSON.
    #[arg(long)]
    pub json: bool,
    /// The lab's API.
    #[command(flatten)]
    pub target: ApiTarget,
}

/// Runs `peerlab status`.
pub fn run(args: &StatusArgs) -> ExitCode {
    let v = match args.target.call("GET", "/lab/status", None) {
        Ok(v) => v,
        Err(e) => return fail("status", &e),
    };
    if args.json {
        print_json(&v);
        return ExitCode::SUCCESS;
    }
    let rows: Vec<ConnectionRow> = v
        .get("connections")
        .cloned()
        .and_then(|c| serde_json::from_value(c).ok())
        .unwrap_or_default();
    let asns: Vec<String> = v
        .get("registeredAsns")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|x| x.to_string()).collect())
        .unwrap_or_default();
    println!(
        "peering {}, registered ASNs: {}\n",
        v.get("peering").and_then(Value::as_str).unwrap_or("?"),
        asns.join(" ")
    );
    let prefixes: Vec<ServicePrefixRow> = v
        .get("peeringServicePrefixes")
        .cloned()
        .and_then(|c| serde_json::from_value(c).ok())
        .unwrap_or_default();
    print!("{}{}", live::table(&rows), live::prefix_table(&prefixes));
    ExitCode::SUCCESS
}
