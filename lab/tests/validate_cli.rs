//! `peerlab validate` as people and scripts meet it: the built-in example, the human report,
//! colours, standard input and load errors.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn peerlab(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run peerlab");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or_default().as_bytes())
        .expect("write stdin");
    drop(input);
    child.wait_with_output().expect("peerlab output")
}

fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/peering")
        .join(name)
        .display()
        .to_string()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_example_is_the_shipped_file_and_validates_clean() {
    let example = peerlab(&["validate", "--example"], None);
    assert_eq!(example.status.code(), Some(0));
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/peering/example.toml")).unwrap();
    assert_eq!(stdout(&example), shipped);

    let checked = peerlab(&["validate", "--json", "-"], Some(&stdout(&example)));
    assert_eq!(checked.status.code(), Some(0), "{}", stdout(&checked));
    let json: serde_json::Value = serde_json::from_slice(&checked.stdout).unwrap();
    assert_eq!(json["format"], "toml");
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(0), "{json:#}");
}

#[test]
fn the_example_is_an_ixrs_premium_free_peering_with_an_unregistered_customer() {
    let example = stdout(&peerlab(&["validate", "--example"], None));
    let parsed: toml::Table = toml::from_str(&example).unwrap();
    assert_eq!(parsed["peering"]["kind"].as_str(), Some("Direct"));
    assert_eq!(parsed["peering"]["directPeeringType"].as_str(), Some("IxRs"));
    assert_eq!(parsed["peering"]["sku"].as_str(), Some("Premium_Direct_Free"));
    let registered: Vec<i64> = parsed["registeredAsns"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["asn"].as_integer())
        .collect();
    assert_eq!(registered.len(), 3);
    let customers = parsed["lab"]["customers"].as_array().unwrap();
    assert!(customers
        .iter()
        .any(|c| !registered.contains(&c["asn"].as_integer().unwrap())));
}

#[test]
fn people_get_errors_before_warnings_and_a_summary_line_without_colour_in_a_pipe() {
    let output = peerlab(&["validate", &data("bad-limits.toml")], None);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(!text.contains('\x1b'), "no colour when stdout is a pipe");
    let first_error = text.find("error[").unwrap();
    let first_warning = text.find("warning[").unwrap();
    assert!(first_error < first_warning);
    assert!(text.contains("connections[0].bgpSession.maxPrefixesAdvertisedV4"));
    assert!(text.contains("fix: "));
    assert_eq!(text.trim_end().lines().last(), Some("3 errors, 3 warnings"));
}

#[test]
fn colour_can_be_forced_on() {
    let output = peerlab(&["validate", "--color", "always", &data("bad-peer-asn.toml")], None);
    assert!(stdout(&output).contains("\x1b[1;31merror[peer-asn-microsoft]"));
}

#[test]
fn a_clean_file_with_warnings_exits_zero() {
    let output = peerlab(&["validate", &data("good-warnings.toml")], None);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output).trim_end().lines().last(), Some("0 errors, 6 warnings"));
}

#[test]
fn azure_json_on_standard_input_is_recognised_by_its_content() {
    let json = std::fs::read_to_string(data("bad-single-peering.json")).unwrap();
    let output = peerlab(&["validate", "--json", "-"], Some(&json));
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["format"], "azure-json");
    assert_eq!(report["summary"]["errors"], 2);
}

#[test]
fn a_forced_format_that_does_not_fit_is_a_load_error() {
    let output = peerlab(&["validate", "--format", "toml", &data("good-bundle.json")], None);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_load_error_names_file_line_and_column_on_stderr() {
    let output = peerlab(&["validate", &data("broken-enum.toml")], None);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken-enum.toml:3:7:"), "{stderr}");
    assert!(stderr.contains("Premium_Direct_Free"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn a_missing_file_exits_two() {
    let output = peerlab(&["validate", "--json", &data("no-such-file.toml")], None);
    assert_eq!(output.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["error"]["message"].as_str().unwrap().contains("cannot read"));
}

#[test]
fn a_prefix_key_of_no_registered_asn_is_named_with_the_registered_asns() {
    let output = peerlab(&["validate", "--json", &data("bad-peering-services.toml")], None);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = |code: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == code)
            .unwrap_or_else(|| panic!("no {code} in {report:#}"))
            .clone()
    };
    let unknown = finding("service-prefix-key-unknown");
    let message = unknown["message"].as_str().unwrap();
    assert!(message.contains("00000000-1111-2222-3333-444444444444"), "{message}");
    assert!(
        message.contains("fjordcloud (AS211548), tundra-net (AS211549)"),
        "{message}"
    );
    let differs = finding("service-prefix-customer-asn-differs");
    assert_eq!(differs["severity"], "warning");
    let message = differs["message"].as_str().unwrap();
    assert!(
        message.contains("AS211548") && message.contains("AS211549"),
        "{message}"
    );
}

#[test]
fn the_example_registers_prefixes_with_its_registered_keys_and_one_it_does_not_announce() {
    let example = stdout(&peerlab(&["validate", "--example"], None));
    let parsed: toml::Table = toml::from_str(&example).unwrap();
    let registered = parsed["registeredAsns"].as_array().unwrap();
    let keys: Vec<&str> = registered
        .iter()
        .filter_map(|r| r["peeringServicePrefixKey"].as_str())
        .collect();
    let names: Vec<&str> = registered.iter().filter_map(|r| r["name"].as_str()).collect();
    let customers = parsed["lab"]["customers"].as_array().unwrap();
    let mut unannounced = Vec::new();
    for service in parsed["peeringServices"].as_array().unwrap() {
        let owner = customers
            .iter()
            .find(|c| c["name"].as_str() == service["customer"].as_str())
            .expect("every Peering Service names a lab customer");
        let announced: Vec<&str> = ["prefixesV4", "prefixesV6"]
            .iter()
            .filter_map(|k| owner.get(*k).and_then(|v| v.as_array()))
            .flatten()
            .filter_map(|p| p.as_str())
            .collect();
        for prefix in service["prefixes"].as_array().unwrap() {
            let by_key = prefix.get("peeringServicePrefixKey").and_then(|k| k.as_str());
            let by_name = prefix.get("registeredAsn").and_then(|k| k.as_str());
            assert!(
                by_key.is_some_and(|k| keys.contains(&k)) || by_name.is_some_and(|n| names.contains(&n)),
                "{prefix}"
            );
            let text = prefix["prefix"].as_str().unwrap();
            if !announced.contains(&text) {
                unannounced.push(text.to_string());
            }
        }
    }
    assert_eq!(unannounced, ["194.110.220.0/24"]);
}
