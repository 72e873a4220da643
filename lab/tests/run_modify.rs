//! The modify operations on a running lab (`peerlab run --api 127.0.0.1:0 --until
//! interrupted` on the built-in example), driven through the `peerlab` subcommands that call
//! its API: the connection and session states each shows, and the NOTIFICATIONs.

mod common;

use common::example_customers;
use common::lab::{example_file, get, send, Lab, PATIENCE};
use peerlab::lab::runner::{self, RunOptions};
use peerlab::peering::example::EXAMPLE_TOML;
use peerlab::peering::load::{parse, Format};
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};

/// `peerlab connection add ID --ipv4 PREFIX --facility 1176 [--wait]`.
fn add_v4_connection(lab: &Lab, id: &str, prefix: &str, wait: bool) -> (Option<i32>, Value, String) {
    let mut args = vec!["connection", "add", id, "--ipv4", prefix, "--facility", "1176"];
    if wait {
        args.push("--wait");
    }
    lab.cli(&args)
}

/// A `DirectConnection` body with an IPv4 session at `185.1.76.{n}/31` and `key`.
fn direct_connection(n: u8, key: Option<&str>) -> Value {
    let mut v = serde_json::json!({
        "bandwidthInMbps": 10000, "sessionAddressProvider": "Peer", "useForPeeringService": true,
        "peeringDBFacilityId": 1176,
        "bgpSession": {
            "sessionPrefixV4": format!("185.1.76.{n}/31"),
            "microsoftSessionIPv4Address": format!("185.1.76.{n}"),
            "peerSessionIPv4Address": format!("185.1.76.{}", n + 1),
            "maxPrefixesAdvertisedV4": 2000
        }
    });
    if let Some(k) = key {
        v["bgpSession"]["md5AuthenticationKey"] = Value::from(k);
    }
    v
}

fn connections(status: &Value) -> Vec<Value> {
    status["connections"].as_array().expect("connections").clone()
}

fn row<'a>(status: &'a Value, id: &str) -> Option<&'a Value> {
    status["connections"]
        .as_array()
        .expect("connections")
        .iter()
        .find(|c| c["connection"] == id)
}

fn session<'a>(status: &'a Value, speaker: &str) -> &'a Value {
    status["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["speaker"] == speaker)
        .unwrap_or_else(|| panic!("no session {speaker} in {status}"))
}

/// Times each session reached Established, by speaker.
fn established_counts(status: &Value) -> Vec<(String, u64)> {
    status["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| {
            (
                s["speaker"].as_str().expect("speaker").to_owned(),
                s["establishedCount"].as_u64().expect("count"),
            )
        })
        .collect()
}

fn received_prefixes(lab: &Lab) -> BTreeSet<String> {
    let name = lab.status()["peering"].as_str().expect("name").to_owned();
    get(&lab.api, &format!("/peerings/{name}/receivedRoutes"))["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|r| r["prefix"].as_str().map(str::to_owned))
        .collect()
}

/// The Azure `DirectConnection` resource `id` of a `GET /peerings/{name}` answer.
fn connection_resource(peering: &Value, id: &str) -> Value {
    peering["properties"]["direct"]["connections"]
        .as_array()
        .expect("connections")
        .iter()
        .find(|c| c["connectionIdentifier"] == id)
        .expect("the connection")
        .clone()
}

#[test]
fn a_removed_connection_goes_pending_remove_and_its_sessions_end_with_cease_6_3() {
    let lab = Lab::start();
    let before = lab.status();
    let first = connections(&before)[0]["connection"].as_str().expect("id").to_owned();
    let (code, v, err) = lab.cli(&["connection", "remove", &first]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["connectionState"], "PendingRemove", "{v}");
    assert_eq!(v["bgpSession"]["sessionStateV4"], "PendingRemove", "{v}");
    assert_eq!(v["bgpSession"]["sessionStateV6"], "PendingRemove", "{v}");
    let after = lab.wait_for("the connection gone", |s| row(s, &first).is_none());
    for speaker in ["AS8075-1 v4", "AS8075-1 v6"] {
        let s = session(&after, speaker);
        assert_eq!(s["removed"], true, "{s}");
        assert!(
            s["notificationsReceived"]
                .as_array()
                .expect("list")
                .contains(&Value::from("6/3")),
            "{s}"
        );
    }
    assert!(lab.stderr().contains("AS8075-1 v4: NOTIFICATION received 6/3"));
    let rest = connections(&after);
    assert_eq!(rest.len(), connections(&before).len() - 1);
    assert!(rest.iter().all(|c| c["connectionState"] == "Active"), "{after}");
    assert!(!lab.peering().to_string().contains(&first));
}

#[test]
fn an_added_connection_reaches_active_with_both_sessions_established() {
    let lab = Lab::start();
    let (code, v, err) = lab.cli(&[
        "connection",
        "add",
        "lab-added-1",
        "--ipv4",
        "185.1.76.40/31",
        "--ipv6",
        "2001:7f8:ab::40/127",
        "--facility",
        "1176",
        "--wait",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["connectionState"], "Active", "{v}");
    assert_eq!(v["bgpSession"]["sessionStateV4"], "Established", "{v}");
    assert_eq!(v["bgpSession"]["sessionStateV6"], "Established", "{v}");
    let s = lab.wait_for("routes on the new connection", |s| {
        row(s, "lab-added-1").is_some_and(|r| r["prefixesAccepted"].as_u64() > Some(0))
    });
    let r = row(&s, "lab-added-1").expect("row");
    assert_eq!(r["peeringDBFacilityId"], 1176);
    let log = lab.stderr();
    let steps: Vec<&str> = log
        .lines()
        .filter_map(|l| l.split_once(" lab-added-1: ").map(|x| x.1))
        .collect();
    assert_eq!(
        steps,
        [
            "PendingApproval",
            "Approved",
            "ProvisioningStarted",
            "ProvisioningCompleted",
            "Validating",
            "Active"
        ]
    );
}

#[test]
fn an_added_session_goes_pending_add_then_established_on_an_active_connection() {
    let lab = Lab::start();
    let (code, v, err) = add_v4_connection(&lab, "v4-only", "185.1.76.50/31", true);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["connectionState"], "Active", "{v}");
    assert_eq!(v["bgpSession"]["sessionStateV6"], "None", "{v}");
    let (code, v, err) = lab.cli(&["session", "add", "v4-only", "--ipv6", "2001:7f8:ab::50/127"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["bgpSession"]["sessionStateV6"], "PendingAdd", "{v}");
    assert_eq!(v["connectionState"], "Active", "{v}");
    let s = lab.wait_for("the IPv6 session Established", |s| {
        row(s, "v4-only").is_some_and(|r| r["sessionStateV6"] == "Established")
    });
    assert_eq!(row(&s, "v4-only").expect("row")["connectionState"], "Active");
    let (code, _, err) = lab.cli(&["session", "add", "v4-only", "--ipv6", "2001:7f8:ab::52/127"]);
    assert_eq!(code, Some(1), "a connection takes one session per family");
    assert!(err.contains("409"), "{err}");
}

#[test]
fn registering_the_unregistered_customer_brings_its_routes_to_as8075_without_a_session_reset() {
    let lab = Lab::start();
    let (asn, prefixes, _) = example_customers()
        .into_iter()
        .find(|c| !c.2)
        .expect("the example has an unregistered customer");
    let before = lab.wait_for("converged", |s| s["converged"] == true);
    let counts = established_counts(&before);
    assert!(prefixes.iter().all(|p| !received_prefixes(&lab).contains(p)));

    let (code, v, err) = lab.cli(&["asn", "register", &asn.to_string(), "--name", "newcomer"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["properties"]["asn"], asn);
    let key = v["properties"]["peeringServicePrefixKey"]
        .as_str()
        .expect("key")
        .to_owned();
    let name = before["peering"].as_str().expect("name").to_owned();
    let all = get(&lab.api, &format!("/peerings/{name}/registeredAsns"));
    let keys: BTreeSet<&str> = all["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|r| r["properties"]["peeringServicePrefixKey"].as_str())
        .collect();
    assert_eq!(keys.len(), all["value"].as_array().expect("value").len(), "keys unique");
    assert!(keys.contains(key.as_str()));

    lab.wait_for("the customer's routes at AS8075", |_| {
        prefixes.iter().all(|p| received_prefixes(&lab).contains(p))
    });
    let (code, _, err) = lab.cli(&["asn", "deregister", &asn.to_string()]);
    assert_eq!(code, Some(0), "{err}");
    let after = lab.wait_for("the customer's routes withdrawn", |_| {
        prefixes.iter().all(|p| !received_prefixes(&lab).contains(p))
    });
    assert_eq!(established_counts(&after), counts, "no session went down");
    assert!(after["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .all(|s| s["state"] == "Established"));
}

#[test]
fn a_duplicate_registration_is_refused_with_409_and_a_clear_error() {
    let lab = Lab::start();
    let (asn, _, _) = example_customers()
        .into_iter()
        .find(|c| c.2)
        .expect("a registered customer");
    let (code, _, err) = lab.cli(&["asn", "register", &asn.to_string(), "--name", "twice"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("HTTP 409") && err.contains("DuplicateRegisteredAsn"),
        "{err}"
    );
    assert!(err.contains(&format!("AS{asn} is already registered")), "{err}");
    assert!(err.contains("properties.asn"), "{err}");
}

#[test]
fn a_connection_whose_address_is_configured_with_another_asn_is_provisioning_failed() {
    let lab = Lab::start();
    let sessions_before = lab.status()["sessions"].as_array().expect("sessions").len();
    // 198.51.100.10/31: Microsoft's end would be the address of the first customer.
    let (code, v, err) = add_v4_connection(&lab, "clash", "198.51.100.10/31", false);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(v["connectionState"], "ProvisioningFailed", "{v}");
    let msg = v["errorMessage"].as_str().expect("errorMessage");
    assert!(
        msg.starts_with("IPv4 address 198.51.100.1") && msg.contains("is already configured with a different ASN (AS"),
        "{msg}"
    );
    assert_eq!(v["bgpSession"]["sessionStateV4"], "None", "{v}");
    let s = lab.status();
    assert_eq!(row(&s, "clash").expect("row")["connectionState"], "ProvisioningFailed");
    assert_eq!(
        s["sessions"].as_array().expect("sessions").len(),
        sessions_before,
        "no session started"
    );
}

#[test]
fn deprovisioning_ends_every_connection_with_cease_6_3_and_the_lab() {
    let mut lab = Lab::start();
    let edges: Vec<String> = lab.status()["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter(|s| s["asn"] == 8075)
        .map(|s| s["speaker"].as_str().expect("speaker").to_owned())
        .collect();
    assert!(!edges.is_empty());
    let (code, v, err) = lab.cli(&["deprovision", "--wait"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["properties"]["provisioningState"], "Deleting", "{v}");
    for c in v["properties"]["direct"]["connections"]
        .as_array()
        .expect("connections")
    {
        assert_eq!(c["connectionState"], "PendingRemove", "{c}");
    }
    let start = Instant::now();
    let status = loop {
        if let Some(s) = lab.child.try_wait().expect("wait") {
            break s;
        }
        assert!(start.elapsed() < PATIENCE, "the lab did not end");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(status.code(), Some(0));
    let log = lab.stderr();
    for e in &edges {
        assert!(log.contains(&format!("{e}: NOTIFICATION received 6/3")), "{e}:\n{log}");
    }
}

#[test]
fn run_reads_the_azure_resource_json_form_and_brings_it_up() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/peering/good-bundle.json");
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["run", "--json", "--until", "converged", "--timeout", "60", file])
        .output()
        .expect("peerlab runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let c = report["connections"].as_array().expect("connections");
    assert!(!c.is_empty());
    assert!(c.iter().all(|c| c["connectionState"] == "Active"), "{report}");
    assert_eq!(report["allEstablished"], true);
}

#[test]
fn a_running_lab_listens_on_loopback_only_with_its_api() {
    let lab = Lab::start();
    let listening = peerlab_tests::sockets::listeners().expect("ss -ltn runs");
    let own: Vec<_> = listening.iter().filter(|l| l.pids.contains(&lab.child.id())).collect();
    let api_port: u16 = lab
        .api
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("API port");
    assert!(own.iter().any(|l| l.port == api_port), "the API listens: {own:?}");
    assert!(own.len() > 1, "the route server listens too: {own:?}");
    let elsewhere = peerlab_tests::sockets::non_loopback_listeners_of(lab.child.id()).expect("ss -ltn runs");
    assert!(elsewhere.is_empty(), "listening outside loopback: {elsewhere:?}");
}

#[test]
fn a_non_loopback_api_address_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["run", "--api", "0.0.0.0:8180", "--until", "interrupted"])
        .output()
        .expect("peerlab runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback only"));
}

/// `peerlab run` refuses a file whose connections share addresses (`peerlab validate` finds
/// `session-address-duplicate`; see `run_validate.rs`), so the lab's own handling of such a
/// connection — the one a modify operation can also meet — is run through the library.
#[test]
fn a_file_connection_reusing_another_connections_addresses_ends_provisioning_failed_and_the_rest_runs() {
    let mut doc: toml::Value = toml::from_str(EXAMPLE_TOML).expect("TOML");
    let conns = doc["connections"].as_array_mut().expect("connections");
    let first_session = conns[0]["bgpSession"].clone();
    conns[1]["bgpSession"] = first_session;
    let failed_id = conns[1]["connectionIdentifier"].as_str().expect("id").to_owned();
    let text = toml::to_string(&doc).expect("TOML out");
    let file = parse(&text, Format::Toml).expect("the file loads").file;
    let opts = RunOptions {
        until_converged: true,
        limit: Duration::from_secs(60),
        trace: false,
        progress: false,
        api: None,
        live: false,
        scenarios: BTreeSet::new(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let report = rt.block_on(runner::run(&file, &opts)).expect("the lab starts");
    assert!(report.all_established, "{}", report.render());
    let report = serde_json::to_value(&report).expect("JSON report");
    let rows = report["connections"].as_array().expect("connections");
    let failed = rows
        .iter()
        .find(|c| c["connection"] == failed_id.as_str())
        .expect("row");
    assert_eq!(failed["connectionState"], "ProvisioningFailed", "{failed}");
    assert_eq!(failed["sessionStateV4"], "None");
    let msg = failed["errorMessage"].as_str().expect("errorMessage");
    assert!(msg.contains("is already configured"), "{msg}");
    assert!(rows
        .iter()
        .filter(|c| c["connection"] != failed_id.as_str())
        .all(|c| c["connectionState"] == "Active"));
    assert_eq!(report["converged"], true);
}

#[test]
fn registering_an_asn_is_refused_while_no_connection_is_active() {
    let lab = Lab::start();
    for c in connections(&lab.status()) {
        let id = c["connection"].as_str().expect("id");
        let (code, _, err) = lab.cli(&["connection", "remove", id, "--wait"]);
        assert_eq!(code, Some(0), "{err}");
    }
    let (asn, _, _) = example_customers()
        .into_iter()
        .find(|c| !c.2)
        .expect("an unregistered customer");
    let (code, _, err) = lab.cli(&["asn", "register", &asn.to_string()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("HTTP 409") && err.contains("NoActiveConnection"), "{err}");
}

/// Whether the JSON list `v` holds the string `s`.
fn lists(v: &Value, s: &str) -> bool {
    v.as_array().is_some_and(|a| a.contains(&Value::from(s)))
}

#[test]
fn a_max_prefix_update_shows_pending_update_then_the_new_limit_and_the_edge_sends_cease_6_1_when_it_holds_more() {
    let held_v4 = example_customers()
        .iter()
        .filter(|(_, _, registered)| *registered)
        .flat_map(|(_, prefixes, _)| prefixes.iter().filter(|p| p.contains('.')))
        .count();
    assert!(
        held_v4 >= 2,
        "the example's registered customers announce at least 2 IPv4 prefixes"
    );
    let limit = (held_v4 - 1) as u64;
    let lab = Lab::start();
    let s = lab.wait_for("the lab converged", |s| s["converged"] == true);
    let first = connections(&s)[0]["connection"].as_str().expect("id").to_owned();
    let edge = "AS8075-1 v4";
    assert!(!lists(&session(&s, edge)["notificationsSent"], "6/1"), "{s}");
    let (code, v, err) = lab.cli(&[
        "session",
        "update",
        &first,
        "--ipv4",
        "--max-prefixes",
        &limit.to_string(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["connectionState"], "Active", "{v}");
    assert_eq!(v["bgpSession"]["sessionStateV4"], "PendingUpdate", "{v}");
    assert_eq!(
        v["bgpSession"]["sessionStateV6"], "Established",
        "only the IPv4 session changes: {v}"
    );
    assert_eq!(v["bgpSession"]["maxPrefixesAdvertisedV4"], limit, "{v}");
    let s = lab.wait_for("the edge's Cease 6/1", |s| {
        lists(&session(s, edge)["notificationsSent"], "6/1")
    });
    let e = session(&s, edge);
    assert_eq!(e["maxPrefixes"], limit, "{e}");
    assert!(lists(&e["history"], "PendingUpdate"), "{e}");
    let conn = connection_resource(&lab.peering(), &first);
    assert_eq!(conn["bgpSession"]["maxPrefixesAdvertisedV4"], limit, "{conn}");
    assert_ne!(conn["bgpSession"]["sessionStateV4"], "PendingUpdate", "{conn}");
    assert_eq!(conn["connectionState"], "Active", "{conn}");
}

#[test]
fn an_md5_key_update_shows_pending_update_on_both_sessions_re_keys_with_cease_6_6_and_both_come_back() {
    let lab = Lab::start();
    let s = lab.wait_for("every session Established", |s| s["allEstablished"] == true);
    let first = connections(&s)[0]["connection"].as_str().expect("id").to_owned();
    let edges = ["AS8075-1 v4", "AS8075-1 v6"];
    let before: Vec<u64> = edges
        .iter()
        .map(|e| session(&s, e)["establishedCount"].as_u64().expect("count"))
        .collect();
    let key = format!("lab-rekey-{}", std::process::id());
    let key_file = std::env::temp_dir().join(format!("peerlab-run-modify-{}.key", std::process::id()));
    std::fs::write(&key_file, format!("{key}\n")).expect("key file");
    let (code, v, err) = lab.cli(&[
        "session",
        "update",
        &first,
        "--ipv6",
        "--md5-key-file",
        key_file.to_str().expect("path"),
    ]);
    let _ = std::fs::remove_file(&key_file);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["connectionState"], "Active", "{v}");
    assert_eq!(v["bgpSession"]["sessionStateV4"], "PendingUpdate", "{v}");
    assert_eq!(v["bgpSession"]["sessionStateV6"], "PendingUpdate", "{v}");
    assert!(!v.to_string().contains(&key), "the key is not printed: {v}");
    let s = lab.wait_for("both sessions Established again with the new key", |s| {
        edges.iter().zip(&before).all(|(e, n)| {
            let x = session(s, e);
            x["state"] == "Established" && x["establishedCount"].as_u64() > Some(*n)
        }) && row(s, &first)
            .is_some_and(|r| r["sessionStateV4"] == "Established" && r["sessionStateV6"] == "Established")
    });
    for e in edges {
        let x = session(&s, e);
        assert!(lists(&x["notificationsReceived"], "6/6"), "{x}");
        assert!(lists(&x["history"], "PendingUpdate"), "{x}");
        assert_eq!(x["md5"], true, "{x}");
    }
    assert_eq!(row(&s, &first).expect("row")["connectionState"], "Active", "{s}");
    // The connection keeps the new key, which is never shown: giving it again changes
    // nothing (200, where a new key is 202).
    let conn = connection_resource(&lab.peering(), &first);
    assert!(!conn.to_string().contains(&key), "the key is shown: {conn}");
    let ms = conn["bgpSession"]["microsoftSessionIPv4Address"].clone();
    let name = s["peering"].as_str().expect("name").to_owned();
    let same = serde_json::json!({"microsoftSessionIPv4Address": ms, "md5AuthenticationKey": key});
    let r = send(
        &lab.api,
        "PATCH",
        &format!("/peerings/{name}/connections/{first}/bgpSession"),
        &same,
    );
    assert_eq!(r.status, 200, "the connection keeps the new key: {r:?}");
    assert!(!r.body.contains(&key), "{r:?}");
}

#[test]
fn a_connection_with_a_100_octet_md5_key_is_refused_with_400_naming_the_field_and_the_lab_still_converges() {
    let lab = Lab::start();
    let name = lab.status()["peering"].as_str().expect("name").to_owned();
    let key = format!("SECRET-100-{}", "k".repeat(89));
    assert_eq!(key.len(), 100);
    let r = send(
        &lab.api,
        "PUT",
        &format!("/peerings/{name}/connections/long-key"),
        &direct_connection(60, Some(&key)),
    );
    assert_eq!(r.status, 400, "{r:?}");
    let e = &r.json()["error"];
    assert_eq!(e["code"], "InvalidRequestContent", "{e}");
    assert_eq!(e["target"], "bgpSession.md5AuthenticationKey", "{e}");
    assert!(e["message"].as_str().is_some_and(|m| m.contains("at most 80")), "{e}");
    assert!(!r.body.contains(&key), "the key is echoed: {}", r.body);
    let s = lab.wait_for("converged", |s| s["converged"] == true);
    assert!(row(&s, "long-key").is_none(), "{s}");
    let (code, v, err) = add_v4_connection(&lab, "short-key", "185.1.76.62/31", true);
    assert_eq!(
        (code, &v["connectionState"]),
        (Some(0), &Value::from("Active")),
        "{err}"
    );
}

#[test]
fn a_connection_the_route_server_cannot_take_is_provisioning_failed_and_does_not_hold_up_convergence() {
    // A customer named like the third connection's route server client (`AS8075-3`) with its
    // own ASN: adding a third connection passes validation and the address check, and then the
    // route server refuses the client (its name belongs to another ASN).
    let file = example_file("rs-refuses", |doc| {
        let before = doc["lab"]["customers"][0]["name"].as_str().map(str::to_owned);
        doc["lab"]["customers"][0]["name"] = toml::Value::from("AS8075-3");
        // The customer's Peering Service follows it to its new name.
        if let Some(services) = doc.get_mut("peeringServices").and_then(|v| v.as_array_mut()) {
            for service in services {
                if service.get("customer").and_then(|c| c.as_str()) == before.as_deref() {
                    service["customer"] = toml::Value::from("AS8075-3");
                }
            }
        }
    });
    let lab = Lab::start_with(&[file.to_str().expect("path")], &[]);
    let _ = std::fs::remove_file(&file);
    lab.wait_for("converged", |s| s["converged"] == true);
    let (code, v, err) = add_v4_connection(&lab, "third", "185.1.76.70/31", true);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(v["connectionState"], "ProvisioningFailed", "{v}");
    assert_eq!(v["bgpSession"]["sessionStateV4"], "None", "{v}");
    let s = lab.wait_for("converged with the failed connection", |s| {
        s["converged"] == true && row(s, "third").is_some_and(|r| r["connectionState"] == "ProvisioningFailed")
    });
    assert_eq!(s["allEstablished"], true, "{s}");
    let msg = v["errorMessage"].as_str().expect("errorMessage");
    assert!(msg.contains("route server") && msg.contains("AS8075-3"), "{msg}");
}

#[test]
fn names_that_are_not_resource_names_are_refused_with_400_naming_the_field() {
    let lab = Lab::start();
    let name = lab.status()["peering"].as_str().expect("name").to_owned();
    let good = direct_connection(80, None);
    let asn = serde_json::json!({"properties": {"asn": 211552}});
    let cases = [
        (
            "PUT",
            format!("/peerings/{name}/connections/..%2F..%2Fetc%2Fpasswd"),
            &good,
            "connectionIdentifier",
        ),
        (
            "PUT",
            format!("/peerings/{name}/connections/with%20space"),
            &good,
            "connectionIdentifier",
        ),
        (
            "PUT",
            format!("/peerings/{name}/connections/ends."),
            &good,
            "connectionIdentifier",
        ),
        (
            "PUT",
            format!("/peerings/{name}/connections/{}", "x".repeat(81)),
            &good,
            "connectionIdentifier",
        ),
        (
            "DELETE",
            format!("/peerings/{name}/connections/..%2Fx"),
            &Value::Null,
            "connectionIdentifier",
        ),
        (
            "PUT",
            format!("/peerings/{name}/registeredAsns/..%2F..%2Fx"),
            &asn,
            "registeredAsnName",
        ),
        (
            "GET",
            "/peerings/..%2F..%2Fetc%2Fpasswd".to_owned(),
            &Value::Null,
            "peeringName",
        ),
    ];
    for (method, path, body, target) in cases {
        let r = send(&lab.api, method, &path, body);
        assert_eq!(r.status, 400, "{method} {path}: {r:?}");
        assert!(r.is_json_error(), "{method} {path}: {r:?}");
        assert_eq!(r.json()["error"]["target"], target, "{method} {path}: {r:?}");
    }
    let r = send(&lab.api, "POST", "/lab/status", &Value::Null);
    assert_eq!(r.status, 405, "{r:?}");
    assert!(r.is_json_error(), "{r:?}");
    let s = lab.status();
    assert_eq!(connections(&s).len(), 2, "nothing was added: {s}");
    let r = send(
        &lab.api,
        "PUT",
        &format!("/peerings/{name}/connections/lab_added.1"),
        &good,
    );
    assert_eq!(r.status, 201, "letters, digits, `-`, `_` and `.` make a name: {r:?}");
}

#[test]
fn no_md5_key_appears_in_any_log_line_answer_or_error_of_the_lab() {
    let lab = Lab::start_with(&["--trace"], &[("RUST_LOG", "debug")]);
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["validate", "--example"])
        .output()
        .expect("peerlab runs");
    let doc: toml::Value = toml::from_str(&String::from_utf8_lossy(&out.stdout)).expect("TOML");
    let mut keys: Vec<String> = doc["connections"]
        .as_array()
        .expect("connections")
        .iter()
        .filter_map(|c| c["bgpSession"]["md5AuthenticationKey"].as_str().map(str::to_owned))
        .collect();
    assert!(!keys.is_empty(), "the example's connections have keys");
    let (added, rekey, long) = (
        "SECRET-lab-md5-added",
        "SECRET-lab-md5-rekey",
        format!("SECRET-lab-md5-long-{}", "k".repeat(90)),
    );
    keys.extend([added.to_owned(), rekey.to_owned(), long.clone()]);
    let name = lab.status()["peering"].as_str().expect("name").to_owned();
    let conn = |id: &str| format!("/peerings/{name}/connections/{id}");
    let mut answers = Vec::new();
    let r = send(&lab.api, "PUT", &conn("keyed"), &direct_connection(90, Some(added)));
    assert_eq!(r.status, 201, "{r:?}");
    answers.push(r.body);
    let r = send(&lab.api, "PUT", &conn("too-long"), &direct_connection(92, Some(&long)));
    assert_eq!(r.status, 400, "{r:?}");
    answers.push(r.body);
    lab.wait_for("the keyed connection Active", |s| {
        row(s, "keyed").is_some_and(|r| r["connectionState"] == "Active" && r["sessionStateV4"] == "Established")
    });
    let change =
        |key: &str| serde_json::json!({"microsoftSessionIPv4Address": "185.1.76.90", "md5AuthenticationKey": key});
    let r = send(
        &lab.api,
        "PATCH",
        &format!("{}/bgpSession", conn("keyed")),
        &change(&long),
    );
    assert_eq!(r.status, 400, "{r:?}");
    answers.push(r.body);
    let r = send(
        &lab.api,
        "PATCH",
        &format!("{}/bgpSession", conn("keyed")),
        &change(rekey),
    );
    assert_eq!(r.status, 202, "{r:?}");
    answers.push(r.body);
    lab.wait_for("the keyed connection back with its new key", |s| {
        row(s, "keyed").is_some_and(|r| r["sessionStateV4"] == "Established")
    });
    for path in [
        "/peerings".to_owned(),
        format!("/peerings/{name}"),
        format!("/peerings/{name}/registeredAsns"),
        format!("/peerings/{name}/receivedRoutes"),
        "/lab/status".to_owned(),
        conn("no-such"),
    ] {
        answers.push(get(&lab.api, &path).to_string());
    }
    let s = lab.status();
    assert_eq!(
        session(&s, "AS8075-1 v4")["md5"],
        true,
        "whether a key is set still shows: {s}"
    );
    let log = lab.stderr();
    for key in &keys {
        for a in &answers {
            assert!(!a.contains(key.as_str()), "an answer shows an MD5 key: {a}");
        }
        assert!(!log.contains(key.as_str()), "the log shows an MD5 key:\n{log}");
    }
}
