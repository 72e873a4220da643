//! `peerlab run --break NAME --json --until converged` on the built-in example: each break-it
//! scenario shows the expected NOTIFICATIONs, session states and filtered routes, and the run
//! exits 0 because the expected breakage was observed and everything else converged. Also
//! TCP-MD5 from the file: every AS8075 session is MD5-protected and Established.

use serde_json::Value;
use std::process::Command;

/// Longest run, in seconds (each run ends as soon as its outcome is observed).
const TIMEOUT: &str = "60";

struct Outcome {
    code: Option<i32>,
    report: Value,
    stderr: String,
}

fn run(args: &[&str]) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["run", "--json", "--until", "converged", "--timeout", TIMEOUT])
        .args(args)
        .output()
        .expect("peerlab runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}); stderr:\n{stderr}"));
    Outcome {
        code: out.status.code(),
        report,
        stderr,
    }
}

fn broken(name: &str) -> Outcome {
    let o = run(&["--break", name]);
    assert_eq!(
        o.code,
        Some(0),
        "{name}: stderr:\n{}\n{:#}",
        o.stderr,
        o.report["breakIt"]
    );
    o
}

/// The one scenario section of a run with one scenario.
fn section<'a>(o: &'a Outcome, name: &str) -> &'a Value {
    let b = &o.report["breakIt"];
    assert_eq!(b["passed"], true, "{b:#}");
    assert_eq!(b["unbrokenConverged"], true, "{b:#}");
    let s = &b["scenarios"][0];
    assert_eq!(s["scenario"], name, "{b:#}");
    assert_eq!(s["expectedObserved"], true, "{s:#}");
    for key in ["target", "broken", "expected", "observed"] {
        assert!(!s[key].as_str().unwrap_or_default().is_empty(), "{key} missing: {s:#}");
    }
    s
}

fn sessions(s: &Value) -> &Vec<Value> {
    s["sessions"].as_array().expect("sessions")
}

fn codes(list: &Value) -> Vec<(u64, u64)> {
    list.as_array()
        .expect("notifications")
        .iter()
        .map(|n| {
            (
                n["code"].as_u64().expect("code"),
                n["subcode"].as_u64().expect("subcode"),
            )
        })
        .collect()
}

fn states_seen(x: &Value) -> Vec<&str> {
    x["statesSeen"]
        .as_array()
        .expect("statesSeen")
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

/// The example's text, from `peerlab validate --example` (no copy).
fn example_text() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["validate", "--example"])
        .output()
        .expect("peerlab runs");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The example's registered ASNs.
fn file_registered() -> Vec<i64> {
    let doc: toml::Value = toml::from_str(&example_text()).expect("the example is TOML");
    doc["registeredAsns"]
        .as_array()
        .expect("registeredAsns")
        .iter()
        .filter_map(|r| r["asn"].as_integer())
        .collect()
}

fn connection_row<'a>(o: &'a Outcome, name: &Value) -> &'a Value {
    o.report["connections"]
        .as_array()
        .expect("connections")
        .iter()
        .find(|c| c["connection"] == *name)
        .expect("the scenario's connection is in the Connections view")
}

#[test]
fn the_example_runs_every_as8075_session_md5_protected_and_established() {
    let o = run(&[]);
    assert_eq!(o.code, Some(0), "stderr:\n{}", o.stderr);
    assert!(o.report["breakIt"].is_null());
    let all = o.report["sessions"].as_array().expect("sessions");
    let edges: Vec<&Value> = all.iter().filter(|s| s["asn"] == 8075).collect();
    assert_eq!(edges.len(), 4);
    for s in edges {
        assert_eq!(s["md5"], true, "{s}");
        assert_eq!(s["state"], "Established", "{s}");
    }
    for s in all.iter().filter(|s| s["asn"] != 8075) {
        assert_eq!(s["md5"], false, "customers have no key in the file: {s}");
    }
    let text = serde_json::to_string(&o.report).expect("JSON");
    assert!(!text.contains("kestrel-oslo-1-md5"), "the key itself is never shown");
}

#[test]
fn wrong_peer_asn_makes_the_edge_send_bad_peer_as_and_the_connection_stays_provisioning() {
    let o = broken("wrong-peer-asn");
    let s = section(&o, "wrong-peer-asn");
    assert_eq!(s["connection"]["connectionState"], "ProvisioningStarted", "{s:#}");
    let row = connection_row(&o, &s["connection"]["connection"]);
    assert_eq!(row["connectionState"], "ProvisioningStarted");
    assert_ne!(row["sessionStateV4"], "Established");
    assert_ne!(row["sessionStateV6"], "Established");
    assert_eq!(sessions(s).len(), 2);
    for x in sessions(s) {
        assert!(codes(&x["notificationsSent"]).contains(&(2, 2)), "{x:#}");
        assert_eq!(x["notificationsSent"][0]["name"], "OPEN Message Error / Bad Peer AS");
        assert_eq!(x["timesEstablished"], 0, "{x:#}");
        assert_ne!(x["state"], "Established");
        assert!(states_seen(x).contains(&"OpenSent"), "{x:#}");
    }
}

#[test]
fn md5_mismatch_keeps_tcp_from_completing_with_no_notification_exchanged() {
    let o = broken("md5-mismatch");
    let s = section(&o, "md5-mismatch");
    assert_eq!(s["connection"]["connectionState"], "ProvisioningStarted", "{s:#}");
    assert_eq!(sessions(s).len(), 2);
    for x in sessions(s) {
        assert!(codes(&x["notificationsSent"]).is_empty(), "{x:#}");
        assert!(codes(&x["notificationsReceived"]).is_empty(), "{x:#}");
        let seen = states_seen(x);
        assert!(
            seen.iter().all(|st| ["Connect", "Active", "Idle"].contains(st)),
            "{x:#}"
        );
        assert!(["Connect", "Active", "Idle"].contains(&x["state"].as_str().expect("state")));
        assert_eq!(x["timesEstablished"], 0);
    }
}

#[test]
fn hold_timer_expiry_sends_hold_timer_expired_and_the_session_comes_back() {
    let o = broken("hold-timer-expiry");
    let s = section(&o, "hold-timer-expiry");
    let x = &sessions(s)[0];
    assert!(codes(&x["notificationsSent"]).contains(&(4, 0)), "{x:#}");
    assert_eq!(x["backAfterFault"], true, "{x:#}");
    assert_eq!(x["state"], "Established");
    assert!(x["timesEstablished"].as_u64().expect("count") >= 2, "{x:#}");
    assert!(states_seen(x).contains(&"Idle"), "{x:#}");
    assert_eq!(s["connection"]["connectionState"], "Active");
}

#[test]
fn max_prefix_exceeded_sends_cease_with_the_limit_and_the_session_stays_idle() {
    let o = broken("max-prefix-exceeded");
    let s = section(&o, "max-prefix-exceeded");
    let x = &sessions(s)[0];
    assert!(codes(&x["notificationsSent"]).contains(&(6, 1)), "{x:#}");
    let n = x["notificationsSent"]
        .as_array()
        .expect("sent")
        .iter()
        .find(|n| n["code"] == 6 && n["subcode"] == 1)
        .expect("6/1");
    assert_eq!(n["name"], "Cease / Maximum Number of Prefixes Reached");
    let data = n["data"].as_str().expect("data");
    assert_eq!(data.len(), 14, "AFI, SAFI and the limit (RFC 4486): {data}");
    let afi = if x["speaker"].as_str().expect("speaker").ends_with("v4") {
        "0001"
    } else {
        "0002"
    };
    assert!(data.starts_with(&format!("{afi}01")), "{data}");
    assert_eq!(x["state"], "Idle");
    assert_eq!(x["routeServer"]["lastReason"], "notification-received 6/1", "{x:#}");
    let row = connection_row(&o, &s["connection"]["connection"]);
    let other = if afi == "0001" {
        "sessionStateV6"
    } else {
        "sessionStateV4"
    };
    assert_eq!(row[other], "Established", "{row}");
}

#[test]
fn an_unregistered_customers_routes_reach_as8075_and_are_received_but_not_accepted() {
    let o = broken("unregistered-customer");
    let s = section(&o, "unregistered-customer");
    let routes = s["routesAtAs8075"].as_array().expect("routes");
    assert!(!routes.is_empty(), "{s:#}");
    let registered = file_registered();
    assert!(!registered.is_empty());
    for r in routes {
        let origin = r["originAs"].as_i64().expect("origin AS");
        assert!(!registered.contains(&origin), "{r}");
    }
    for c in o.report["connections"].as_array().expect("connections") {
        let received = c["prefixesReceived"].as_u64().expect("received");
        let accepted = c["prefixesAccepted"].as_u64().expect("accepted");
        assert!(received > accepted, "{c}");
    }
}

#[test]
fn next_hop_mismatch_routes_are_filtered_as_next_hop_not_client_and_never_reach_as8075() {
    let o = broken("next-hop-mismatch");
    let s = section(&o, "next-hop-mismatch");
    let filtered = s["filtered"].as_array().expect("filtered");
    assert!(!filtered.is_empty(), "{s:#}");
    let at_edge: Vec<&str> = o.report["routesAtAs8075"]
        .as_array()
        .expect("routes")
        .iter()
        .filter_map(|r| r["prefix"].as_str())
        .collect();
    for f in filtered {
        assert_eq!(f["reason"], "next-hop-not-client", "{f}");
        let prefix = f["prefix"].as_str().expect("prefix");
        assert!(!at_edge.contains(&prefix), "{prefix} reached AS8075");
        assert!(
            o.report["filtered"]
                .as_array()
                .expect("filtered")
                .iter()
                .any(|g| g["prefix"] == prefix && g["reason"] == "next-hop-not-client"),
            "{prefix} is in the report's filtered list"
        );
    }
    for x in sessions(s) {
        assert_eq!(x["state"], "Established", "{x:#}");
    }
}

#[test]
fn a_scenario_listed_in_the_files_break_it_is_injected_without_the_flag() {
    let text = example_text();
    assert!(text.contains("breakIt = []"), "the example has an empty breakIt list");
    let file = std::env::temp_dir().join(format!("peerlab-break-it-{}.toml", std::process::id()));
    std::fs::write(&file, text.replace("breakIt = []", "breakIt = [\"next-hop-mismatch\"]")).expect("write");
    let o = run(&[file.to_str().expect("path")]);
    let _ = std::fs::remove_file(&file);
    assert_eq!(o.code, Some(0), "stderr:\n{}", o.stderr);
    section(&o, "next-hop-mismatch");
}
