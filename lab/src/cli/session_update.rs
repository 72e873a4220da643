//! `peerlab session update CONN --ipv4 | --ipv6 [--max-prefixes N] [--md5-key-file F |
//! --md5-key K] [--wait]`: change a session of an Active connection (PATCH
//! .../connections/{id}/bgpSession naming the session's Microsoft address). The sessions
//! concerned show `PendingUpdate` (a new TCP-MD5 key is connection-wide: both sessions) until
//! the change is applied. The printed connection shows `md5AuthenticationKey` as `(set)`.

use super::api_client::{fail, find, print_json, ApiTarget, CallError};
use clap::{ArgGroup, Args};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `peerlab session update`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("change").required(true).multiple(true).args(["max_prefixes", "md5_key", "md5_key_file"])))]
pub struct SessionUpdateArgs {
    /// The connectionIdentifier.
    pub connection: String,
    /// Change the IPv4 session.
    #[arg(long, conflicts_with = "ipv6", required_unless_present = "ipv6")]
    pub ipv4: bool,
    /// Change the IPv6 session.
    #[arg(long)]
    pub ipv6: bool,
    /// The session's new max-prefix limit (`maxPrefixesAdvertisedV4`/`V6`), at least 1.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_prefixes: Option<u32>,
    /// Read the connection's new TCP-MD5 key from this file (its first line); the safe way.
    #[arg(long, conflicts_with = "md5_key")]
    pub md5_key_file: Option<PathBuf>,
    /// The connection's new TCP-MD5 key (visible to other local users: prefer --md5-key-file).
    #[arg(long)]
    pub md5_key: Option<String>,
    /// Wait until no session of the connection shows PendingUpdate (after a key change, until
    /// both are Established again).
    #[arg(long)]
    pub wait: bool,
    /// The lab's API.
    #[command(flatten)]
    pub target: ApiTarget,
}

fn usage(message: String) -> CallError {
    CallError { status: 0, message }
}

/// The new key: from the file's first line, or as given; never empty.
fn new_key(a: &SessionUpdateArgs) -> Result<Option<String>, CallError> {
    let key = match (&a.md5_key_file, &a.md5_key) {
        (Some(p), _) => {
            let text = std::fs::read_to_string(p).map_err(|e| usage(format!("{}: cannot read: {e}", p.display())))?;
            Some(text.lines().next().unwrap_or_default().trim_end().to_owned())
        }
        (None, k) => k.clone(),
    };
    if key.as_deref() == Some("") {
        return Err(usage(
            "the TCP-MD5 key is empty; give a key of 1 to 80 characters".to_owned(),
        ));
    }
    Ok(key)
}

/// The connection's sessions still `PendingUpdate`, and whether every session it has is
/// Established.
fn settled(connection: &Value, key_changed: bool) -> bool {
    let states: Vec<&str> = ["sessionStateV4", "sessionStateV6"]
        .iter()
        .filter_map(|f| connection.pointer(&format!("/bgpSession/{f}")).and_then(Value::as_str))
        .filter(|s| *s != "None")
        .collect();
    !states.contains(&"PendingUpdate") && (!key_changed || states.iter().all(|s| *s == "Established"))
}

/// `v` with the TCP-MD5 key shown as `(set)`.
fn redacted(mut v: Value) -> Value {
    if let Some(k) = v.pointer_mut("/bgpSession/md5AuthenticationKey") {
        *k = json!("(set)");
    }
    v
}

fn update(a: &SessionUpdateArgs) -> Result<Value, CallError> {
    let key = new_key(a)?;
    let (fam, suffix) = if a.ipv4 { ("IPv4", "V4") } else { ("IPv6", "V6") };
    let id = &a.connection;
    let p = a.target.peering()?;
    let peering = a.target.call("GET", &format!("/peerings/{p}"), None)?;
    let conn = find(&peering, id).ok_or_else(|| usage(format!("no connection {id} on peering `{p}`")))?;
    let field = format!("microsoftSession{fam}Address");
    let ms = conn
        .pointer(&format!("/bgpSession/{field}"))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            usage(format!(
                "connection {id} has no {fam} session (`peerlab session add` adds one)"
            ))
        })?;
    let mut body = json!({ field: ms });
    if let Some(n) = a.max_prefixes {
        body[format!("maxPrefixesAdvertised{suffix}")] = json!(n);
    }
    if let Some(k) = &key {
        body["md5AuthenticationKey"] = json!(k);
    }
    let v = a.target.call(
        "PATCH",
        &format!("/peerings/{p}/connections/{id}/bgpSession"),
        Some(&body),
    )?;
    if !a.wait {
        return Ok(v);
    }
    let key_changed = key.is_some();
    let peering = a.target.wait(&format!("/peerings/{p}"), |v| {
        find(v, id).is_some_and(|c| settled(c, key_changed))
    })?;
    Ok(find(&peering, id).cloned().unwrap_or(Value::Null))
}

/// Runs `peerlab session update`.
pub fn run(a: &SessionUpdateArgs) -> ExitCode {
    match update(a) {
        Ok(v) => {
            print_json(&redacted(v));
            ExitCode::SUCCESS
        }
        Err(e) => fail("session update", &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_is_settled_when_no_session_is_pending_update() {
        let c = json!({"bgpSession": {"sessionStateV4": "PendingUpdate", "sessionStateV6": "Established"}});
        assert!(!settled(&c, false));
        let c = json!({"bgpSession": {"sessionStateV4": "Idle", "sessionStateV6": "None"}});
        assert!(settled(&c, false));
        assert!(
            !settled(&c, true),
            "after a key change each session must be Established"
        );
    }

    #[test]
    fn the_printed_connection_hides_the_key() {
        let v = redacted(json!({"bgpSession": {"md5AuthenticationKey": "secret"}}));
        assert_eq!(v["bgpSession"]["md5AuthenticationKey"], "(set)");
        assert!(!v.to_string().contains("secret"));
    }
}
