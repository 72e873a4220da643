//! The customers' side of the prefix key in a running lab: the Peering Service prefixes of the
//! peering file and those registered through the API (`peerlab prefix`), each validated
//! against what AS8075's edges actually receive, and validated again when registrations
//! change — with no session reset.

mod common;

use common::lab::{example_file, send, Lab, PATIENCE};
use serde_json::{json, Value};
use std::process::Command;
use std::time::Instant;

/// The example's registered ASNs' keys.
const FJORDCLOUD_KEY: &str = "9f62a5db-0f86-4fef-8e86-f42c119ff45b";

/// `peerlab run ARGS --json --until converged`: the exit code and the report.
fn run_json(args: &[&str]) -> (Option<i32>, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("run")
        .args(args)
        .args(["--json", "--until", "converged", "--timeout", "60"])
        .output()
        .expect("peerlab runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), report, stderr)
}

/// The report's row for the registered prefix `prefix`.
fn row<'a>(report: &'a Value, prefix: &str) -> &'a Value {
    report["peeringServicePrefixes"]
        .as_array()
        .expect("peeringServicePrefixes")
        .iter()
        .find(|r| r["prefix"] == prefix)
        .unwrap_or_else(|| panic!("no row for {prefix} in {}", report["peeringServicePrefixes"]))
}

#[test]
fn the_example_reports_its_peering_service_prefixes_verified_and_the_unannounced_one_failed() {
    let (code, report, stderr) = run_json(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    for prefix in ["185.42.136.0/22", "2a0e:8f00::/32", "194.110.212.0/22"] {
        let r = row(&report, prefix);
        assert_eq!(r["prefixValidationState"], "Verified", "{r}");
        assert_eq!(r["learnedType"], "ViaSession", "{r}");
    }
    assert_eq!(row(&report, "185.42.136.0/22")["keyOf"], "fjordcloud (AS211548)");
    let failed = row(&report, "194.110.220.0/24");
    assert_eq!(failed["prefixValidationState"], "Failed", "{failed}");
    assert_eq!(failed["learnedType"], "None", "{failed}");
    assert_eq!(
        failed["errorMessage"], "prefix not received from the provider",
        "{failed}"
    );

    let text = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["run", "--until", "converged", "--timeout", "60"])
        .output()
        .expect("peerlab runs");
    let text = String::from_utf8_lossy(&text.stdout);
    let section = text
        .split("\nPeering Service prefixes\n")
        .nth(1)
        .unwrap_or_else(|| panic!("the section is shown:\n{text}"));
    let line = section
        .lines()
        .find(|l| l.contains("194.110.220.0/24"))
        .expect("the failed prefix's line");
    assert!(
        line.contains("Failed") && line.contains("prefix not received from the provider"),
        "{line}"
    );
}

#[test]
fn with_one_connection_a_received_prefix_is_a_warning_for_want_of_a_backup() {
    let file = example_file("one-connection", |doc| {
        let connections = doc["connections"].as_array_mut().expect("connections");
        connections.truncate(1);
    });
    let (code, report, stderr) = run_json(&[file.to_str().expect("path")]);
    let _ = std::fs::remove_file(&file);
    assert_eq!(code, Some(0), "{stderr}");
    let r = row(&report, "185.42.136.0/22");
    assert_eq!(r["prefixValidationState"], "Warning", "{r}");
    assert_eq!(r["learnedType"], "ViaSession", "{r}");
    assert_eq!(r["errorMessage"], "the provider has one connection: no backup", "{r}");
}

#[test]
fn wrong_prefix_key_fails_the_prefix_and_the_verdict_names_both_asns() {
    let (code, report, stderr) = run_json(&["--break", "wrong-prefix-key"]);
    assert_eq!(code, Some(0), "{stderr}\n{report}");
    let scenario = &report["breakIt"]["scenarios"][0];
    assert_eq!(scenario["scenario"], "wrong-prefix-key", "{scenario}");
    assert_eq!(scenario["expectedObserved"], true, "{scenario}");
    let observed = scenario["observed"].as_str().expect("observed");
    // fjordcloud (AS211548) announces 185.42.136.0/22, registered in the file; the scenario
    // takes its first prefix that is not registered yet, or that one, with tundra-net's key.
    assert!(
        observed.contains("Failed") && observed.contains("origin AS211548") && observed.contains("AS211549"),
        "{observed}"
    );
    let broken = scenario["broken"].as_str().expect("broken");
    assert!(broken.contains("tundra-net (AS211549)"), "{broken}");
    let wrong = report["peeringServicePrefixes"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["peeringService"] == "break-it-wrong-prefix-key")
        .expect("the scenario's prefix is in the report");
    assert_eq!(wrong["prefixValidationState"], "Failed", "{wrong}");
    assert_eq!(wrong["keyOf"], "tundra-net (AS211549)", "{wrong}");
}

/// GET on the lab's API, answered 200.
fn get_ok(lab: &Lab, path: &str) -> Value {
    let r = common::api::request(&lab.api, "GET", path, &[], "").expect("the API answers");
    assert_eq!(r.status, 200, "GET {path}: {}", r.body);
    r.json()
}

/// Polls the prefix resource at `path` until its state is `want` (bounded); the resource.
fn wait_state(lab: &Lab, path: &str, want: &str) -> Value {
    let start = Instant::now();
    loop {
        let v = get_ok(lab, path);
        if v["properties"]["prefixValidationState"] == want {
            return v;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "{path} never became {want}: {v}\nstderr:\n{}",
            lab.stderr()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn established_counts(lab: &Lab) -> Vec<(String, u64)> {
    lab.status()["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| (s["speaker"].as_string(), s["establishedCount"].as_u64().expect("count")))
        .collect()
}

trait AsString {
    fn as_string(&self) -> String;
}

impl AsString for Value {
    fn as_string(&self) -> String {
        self.as_str().unwrap_or_default().to_owned()
    }
}

#[test]
fn prefixes_registered_through_the_api_are_pending_then_validated_and_follow_the_registrations_live() {
    let lab = Lab::start();
    let listed = get_ok(&lab, "/peeringServices");
    let names: Vec<String> = listed["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|s| s["name"].as_string())
        .collect();
    assert_eq!(names, ["fjordcloud-oslo", "tundra-net-oslo"]);
    let before = established_counts(&lab);

    // aurora-media registers its announced prefix with its own key (by registration name): the
    // answer is Pending, then Verified.
    let (code, v, err) = lab.cli(&[
        "prefix",
        "register",
        "45.132.88.0/24",
        "--service",
        "aurora-oslo",
        "--registered-asn",
        "aurora-media",
        "--customer",
        "aurora-media",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["properties"]["prefixValidationState"], "Pending", "{v}");
    assert_eq!(v["properties"]["provisioningState"], "Succeeded", "{v}");
    assert_eq!(v["registeredAsn"], "aurora-media", "{v}");
    let aurora = "/peeringServices/aurora-oslo/prefixes/45-132-88-0-24";
    let verified = wait_state(&lab, aurora, "Verified");
    assert_eq!(verified["properties"]["learnedType"], "ViaSession");
    let events: Vec<String> = verified["properties"]["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["eventType"].as_string())
        .collect();
    assert_eq!(
        events,
        ["PrefixKeyMatched", "AsPathAccepted", "ReceivedOnAllConnections"]
    );
    assert!(verified["properties"]["events"][0]["eventTimestamp"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));

    // tundra-net's announced 194.110.216.0/24 registered with fjordcloud's key: Failed, naming
    // both ASNs (`--wait` exits 1 on a verdict other than Verified or Warning).
    let (code, v, err) = lab.cli(&[
        "prefix",
        "register",
        "194.110.216.0/24",
        "--service",
        "tundra-net-oslo",
        "--key",
        FJORDCLOUD_KEY,
        "--wait",
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(v["properties"]["prefixValidationState"], "Failed", "{v}");
    assert_eq!(
        v["properties"]["errorMessage"], "received with origin AS211549, but the key belongs to AS211548",
        "{v}"
    );

    // A private and a too specific prefix: Invalid, with the reason.
    for (prefix, why) in [
        ("10.1.0.0/16", "private (RFC 1918)"),
        ("185.42.137.0/25", "longer than /24"),
    ] {
        let (code, v, err) = lab.cli(&[
            "prefix",
            "register",
            prefix,
            "--service",
            "fjordcloud-oslo",
            "--key",
            FJORDCLOUD_KEY,
            "--wait",
        ]);
        assert_eq!(code, Some(1), "{err}");
        assert_eq!(v["properties"]["prefixValidationState"], "Invalid", "{v}");
        let message = v["properties"]["errorMessage"].as_string();
        assert!(message.contains(why), "{prefix}: {message}");
    }

    // Refused requests name the field.
    let path = "/peeringServices/fjordcloud-oslo/prefixes/again";
    let twice = send(
        &lab.api,
        "PUT",
        path,
        &json!({"properties": {"prefix": "185.42.136.0/22", "peeringServicePrefixKey": FJORDCLOUD_KEY}}),
    );
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert_eq!(twice.json()["error"]["target"], "properties.prefix");
    let keyless = send(
        &lab.api,
        "PUT",
        path,
        &json!({"properties": {"prefix": "185.42.140.0/24"}}),
    );
    assert_eq!(keyless.status, 400, "{}", keyless.body);
    assert_eq!(keyless.json()["error"]["target"], "properties.peeringServicePrefixKey");
    let unknown = send(
        &lab.api,
        "PUT",
        path,
        &json!({"properties": {"prefix": "185.42.140.0/24", "peeringServicePrefixKey": FJORDCLOUD_KEY, "colour": "red"}}),
    );
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    assert!(unknown.body.contains("colour"), "{}", unknown.body);
    let not_a_key = send(
        &lab.api,
        "PUT",
        path,
        &json!({"properties": {"prefix": "185.42.140.0/24", "peeringServicePrefixKey": "\u{1b}[31mnot-a-key"}}),
    );
    assert_eq!(not_a_key.status, 400, "{}", not_a_key.body);
    assert_eq!(
        not_a_key.json()["error"]["target"],
        "properties.peeringServicePrefixKey"
    );
    assert!(!not_a_key.body.contains('\u{1b}'), "{}", not_a_key.body);
    let nowhere = send(
        &lab.api,
        "PUT",
        "/peeringServices/nobody/prefixes/x",
        &json!({"properties": {"prefix": "185.42.140.0/24", "peeringServicePrefixKey": FJORDCLOUD_KEY}}),
    );
    assert_eq!(nowhere.status, 404, "{}", nowhere.body);

    // Deregistering fjordcloud fails its prefixes, saying why; registering it again (same
    // name and ASN: the same key) verifies them again. No session is reset.
    let fjord = "/peeringServices/fjordcloud-oslo/prefixes/fjordcloud-v4";
    assert_eq!(
        wait_state(&lab, fjord, "Verified")["properties"]["learnedType"],
        "ViaSession"
    );
    let (code, _, err) = lab.cli(&["asn", "deregister", "fjordcloud"]);
    assert_eq!(code, Some(0), "{err}");
    let failed = wait_state(&lab, fjord, "Failed");
    let message = failed["properties"]["errorMessage"].as_string();
    assert!(
        message.contains("fjordcloud (AS211548), whose registration was deleted"),
        "{message}"
    );
    let (code, registered, err) = lab.cli(&["asn", "register", "211548", "--name", "fjordcloud"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(registered["properties"]["peeringServicePrefixKey"], FJORDCLOUD_KEY);
    wait_state(&lab, fjord, "Verified");
    assert_eq!(established_counts(&lab), before, "no session was reset");

    // The status carries the section; list and remove.
    let rows = lab.status()["peeringServicePrefixes"].clone();
    assert!(
        rows.as_array()
            .expect("rows")
            .iter()
            .any(|r| r["prefix"] == "45.132.88.0/24" && r["prefixValidationState"] == "Verified"),
        "{rows}"
    );
    let (code, list, err) = lab.cli(&["prefix", "list"]);
    assert_eq!(code, Some(0), "{err}");
    let count = |l: &Value| l["value"].as_array().map_or(0, Vec::len);
    let total = count(&list);
    assert_eq!(total, 4 + 4, "the file's four and the four registered here: {list}");
    let (code, _, err) = lab.cli(&["prefix", "remove", "45.132.88.0/24"]);
    assert_eq!(code, Some(0), "{err}");
    let (_, list, _) = lab.cli(&["prefix", "list"]);
    assert_eq!(count(&list), total - 1);
    let gone = common::api::request(&lab.api, "GET", aurora, &[], "").expect("answer");
    assert_eq!(gone.status, 404);
}
