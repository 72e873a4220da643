//! `peerlab connection add|remove`: add a connection to the running lab's peering (an Azure
//! `DirectConnection`, from a file or from flags) or remove one (its sessions end with Cease
//! 6/3 "Peer De-configured").

use super::api_client::{fail, find, print_json, ApiTarget};
use super::session::session_ends;
use clap::{Args, Subcommand};
use ipnet::IpNet;
use peerlab::lab::guid::new_guid;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `peerlab connection`.
#[derive(Args, Debug)]
pub struct ConnectionArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: ConnectionAction,
}

/// `peerlab connection` actions.
#[derive(Subcommand, Debug)]
pub enum ConnectionAction {
    /// Add a connection (PUT .../connections/{id}); prints the DirectConnection.
    Add(AddArgs),
    /// Remove a connection (DELETE .../connections/{id}): PendingRemove, Cease 6/3, gone.
    Remove(RemoveArgs),
}

/// Arguments of `peerlab connection add`.
#[derive(Args, Debug)]
pub struct AddArgs {
    /// The connectionIdentifier; default: the file's, else a new GUID.
    pub id: Option<String>,
    /// An Azure DirectConnection JSON file.
    #[arg(long, conflicts_with_all = ["ipv4", "ipv6"])]
    pub file: Option<PathBuf>,
    /// The IPv4 session prefix (/31: Microsoft the first address, the peer the second; /30:
    /// the first two hosts).
    #[arg(long)]
    pub ipv4: Option<IpNet>,
    /// The IPv6 session prefix (/127 or /126, as for --ipv4).
    #[arg(long)]
    pub ipv6: Option<IpNet>,
    /// peeringDBFacilityId (required: the API checks a connection as `peerlab validate` does).
    #[arg(long, required_unless_present = "file")]
    pub facility: Option<u32>,
    /// bandwidthInMbps.
    #[arg(long, default_value_t = 10_000)]
    pub bandwidth: u32,
    /// Wait until the connection is Active or ProvisioningFailed.
    #[arg(long)]
    pub wait: bool,
    /// The lab's API.
    #[command(flatten)]
    pub target: ApiTarget,
}

/// Arguments of `peerlab connection remove`.
#[derive(Args, Debug)]
pub struct RemoveArgs {
    /// The connectionIdentifier.
    pub id: String,
    /// Wait until the connection is gone.
    #[arg(long)]
    pub wait: bool,
    /// The lab's API.
    #[command(flatten)]
    pub target: ApiTarget,
}

fn body(a: &AddArgs) -> Result<Value, String> {
    if let Some(p) = &a.file {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
        return serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", p.display()));
    }
    if a.ipv4.is_none() && a.ipv6.is_none() {
        return Err("give --file, or --ipv4 and/or --ipv6 session prefixes".to_owned());
    }
    let mut s = json!({});
    if let Some(n) = a.ipv4 {
        let (ms, peer) = session_ends(n, true)?;
        s["sessionPrefixV4"] = json!(n.to_string());
        s["microsoftSessionIPv4Address"] = json!(ms.to_string());
        s["peerSessionIPv4Address"] = json!(peer.to_string());
        s["maxPrefixesAdvertisedV4"] = json!(2000);
    }
    if let Some(n) = a.ipv6 {
        let (ms, peer) = session_ends(n, false)?;
        s["sessionPrefixV6"] = json!(n.to_string());
        s["microsoftSessionIPv6Address"] = json!(ms.to_string());
        s["peerSessionIPv6Address"] = json!(peer.to_string());
        s["maxPrefixesAdvertisedV6"] = json!(500);
    }
    let mut c = json!({
        "bandwidthInMbps": a.bandwidth,
        "sessionAddressProvider": "Peer",
        "useForPeeringService": true,
        "bgpSession": s,
    });
    if let Some(f) = a.facility {
        c["peeringDBFacilityId"] = json!(f);
    }
    Ok(c)
}

/// Runs `peerlab connection`.
pub fn run(args: &ConnectionArgs) -> ExitCode {
    match &args.action {
        ConnectionAction::Add(a) => add(a),
        ConnectionAction::Remove(r) => remove(r),
    }
}

fn add(a: &AddArgs) -> ExitCode {
    let conn = match body(a) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("peerlab connection add: {e}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    let id =
        a.id.clone()
            .or_else(|| {
                conn.get("connectionIdentifier")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_else(new_guid);
    let result = a.target.peering().and_then(|p| {
        let added = a
            .target
            .call("PUT", &format!("/peerings/{p}/connections/{id}"), Some(&conn))?;
        if !a.wait {
            return Ok(added);
        }
        let peering = a.target.wait(&format!("/peerings/{p}"), |v| {
            find(v, &id)
                .and_then(|c| c.get("connectionState"))
                .and_then(Value::as_str)
                .is_some_and(|s| s == "Active" || s == "ProvisioningFailed")
        })?;
        Ok(find(&peering, &id).cloned().unwrap_or(Value::Null))
    });
    match result {
        Ok(v) => {
            print_json(&v);
            let failed = v.get("connectionState").and_then(Value::as_str) == Some("ProvisioningFailed");
            super::status(failed)
        }
        Err(e) => fail("connection add", &e),
    }
}

fn remove(r: &RemoveArgs) -> ExitCode {
    let result = r.target.peering().and_then(|p| {
        let v = r
            .target
            .call("DELETE", &format!("/peerings/{p}/connections/{}", r.id), None)?;
        if r.wait {
            r.target.wait(&format!("/peerings/{p}"), |v| find(v, &r.id).is_none())?;
        }
        Ok(v)
    });
    match result {
        Ok(v) => {
            print_json(&v);
            ExitCode::SUCCESS
        }
        Err(e) => fail("connection remove", &e),
    }
}
