//! `peerlab decode` and `peerlab encode` on the command line: facts, errors, exit codes.

mod common;

use common::{decoding_messages, encoding_scenarios, peerlab};
use serde_json::{json, Value};

const KEEPALIVE: &str = "ffffffffffffffffffffffffffffffff001304";
/// ORIGIN 3 (invalid): treat-as-withdraw, 3/6.
const BAD_ORIGIN: &str = "ffffffffffffffffffffffffffffffff0027020000000e400101034002004003040a000001080a";
/// ATOMIC_AGGREGATE with one octet: attribute discard, 3/5.
const LONG_ATOMIC_AGGREGATE: &str =
    "ffffffffffffffffffffffffffffffff002b0200000012400101004002004003040a00000140060100080a";
/// A KEEPALIVE with a zero marker: session reset, 1/1.
const BAD_MARKER: &str = "00000000000000000000000000000000001304";

fn exabgp_update(exa: &Value) -> &Value {
    &exa["neighbor"]["message"]["update"]
}

#[test]
fn ipv4_unicast_vectors_decode_to_the_same_facts_as_exabgp() {
    let msgs = decoding_messages();
    let ipv4: Vec<_> = msgs.iter().filter(|(n, _, _)| n.starts_with("ipv4-unicast")).collect();
    assert!(!ipv4.is_empty());
    for (name, hex, exa) in ipv4 {
        let run = peerlab(&["decode"], &format!("{hex}\n"));
        assert_eq!(run.code, Some(0), "{name}: {}", run.stdout);
        let ours = &run.json_lines()[0];
        let theirs = exabgp_update(exa);
        let attr = &theirs["attribute"];
        assert_eq!(ours["attributes"]["origin"], attr["origin"], "{name}");
        assert_eq!(ours["attributes"]["med"], attr["med"], "{name}");
        assert_eq!(ours["attributes"]["local-pref"], attr["local-preference"], "{name}");
        if let Some(seq) = attr["as-path"]["0"]["value"].as_array() {
            assert_eq!(
                &ours["attributes"]["as-path"][0]["asns"],
                &Value::Array(seq.clone()),
                "{name}"
            );
        }
        if let Some(agg) = attr["aggregator"].as_str() {
            let ours_agg = &ours["attributes"]["aggregator"];
            assert_eq!(
                format!("{}:{}", ours_agg["asn"], ours_agg["address"].as_str().unwrap_or("")),
                agg
            );
        }
        if let Some(by_nh) = theirs["announce"]["ipv4 unicast"].as_object() {
            for (nh, routes) in by_nh {
                assert_eq!(ours["next-hop"]["ipv4-unicast"], json!(nh), "{name}");
                let want: Vec<Value> = routes
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| r["nlri"].clone())
                    .collect();
                assert_eq!(ours["announce"]["ipv4-unicast"], Value::Array(want), "{name}");
            }
        }
    }
}

#[test]
fn a_two_octet_as_session_reads_two_octet_as_paths() {
    let s = encoding_scenarios().into_iter().find(|s| s.name == "conf-no-asn4.ci");
    let s = s.expect("conf-no-asn4.ci among the vectors");
    assert_eq!(s.flags, ["--asn2"]);
    let with = peerlab(&["decode", "--asn2"], &format!("{}\n", s.raws[0]));
    assert_eq!(with.code, Some(0));
    assert_eq!(
        with.json_lines()[0]["attributes"]["as-path"],
        json!([{"type": "sequence", "asns": [100]}])
    );
    let without = peerlab(&["decode"], &format!("{}\n", s.raws[0]));
    assert_ne!(
        without.json_lines()[0].get("attributes"),
        with.json_lines()[0].get("attributes")
    );
}

#[test]
fn a_malformed_update_gives_the_error_and_what_could_be_decoded_and_later_lines_still_decode() {
    let input = format!("{BAD_ORIGIN}\n{LONG_ATOMIC_AGGREGATE}\n{BAD_MARKER}\n{KEEPALIVE}\n");
    let run = peerlab(&["decode"], &input);
    assert_eq!(run.code, Some(1));
    let lines = run.json_lines();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["error"]["code"], json!(3));
    assert_eq!(lines[0]["error"]["subcode"], json!(6));
    assert_eq!(
        lines[0]["error"]["name"],
        json!("UPDATE Message Error / Invalid ORIGIN Attribute")
    );
    assert_eq!(lines[0]["action"], json!("treat-as-withdraw"));
    assert_eq!(lines[0]["announce"], json!({"ipv4-unicast": ["10.0.0.0/8"]}));
    assert_eq!(lines[1]["error"]["subcode"], json!(5));
    assert_eq!(lines[1]["action"], json!("attribute-discard"));
    assert_eq!(lines[1]["attributes"].get("atomic-aggregate"), None);
    assert_eq!(lines[1]["attributes"]["origin"], json!("igp"));
    assert_eq!(
        (&lines[2]["error"]["code"], &lines[2]["error"]["subcode"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(lines[2]["action"], json!("session-reset"));
    assert_eq!(lines[3], json!({"type": "keepalive"}));
}

#[test]
fn a_line_that_is_not_hex_is_reported_with_its_number() {
    let run = peerlab(&["decode"], &format!("# comment\n\n1:json:{{}}\n1:raw:{KEEPALIVE}\n"));
    assert_eq!(run.code, Some(1));
    let lines = run.json_lines();
    assert_eq!(lines.len(), 2);
    let msg = lines[0]["error"]["message"].as_str().unwrap_or_default();
    assert!(msg.starts_with("line 3: not hex"), "{msg}");
    assert_eq!(lines[1], json!({"type": "keepalive"}));
}

#[test]
fn clean_input_exits_zero_and_unusable_arguments_or_files_exit_two() {
    assert_eq!(peerlab(&["decode"], &format!("{KEEPALIVE}\n")).code, Some(0));
    assert_eq!(peerlab(&["decode", "/nonexistent/peerlab-input"], "").code, Some(2));
    assert_eq!(peerlab(&["decode", "--add-path", "ipv4-flowspec"], "").code, Some(2));
    assert_eq!(peerlab(&["encode", "/nonexistent/peerlab-input"], "").code, Some(2));
}

#[test]
fn a_binary_stream_is_split_into_messages() {
    let mut bytes = Vec::new();
    for h in [KEEPALIVE, LONG_ATOMIC_AGGREGATE, KEEPALIVE] {
        bytes.extend(bgp_core::json::hex::decode(h).expect("hex"));
    }
    let path = std::env::temp_dir().join(format!("peerlab-binary-{}.bin", std::process::id()));
    std::fs::write(&path, &bytes).expect("temp file written");
    let run = peerlab(&["decode", "--binary", path.to_str().expect("utf-8 path")], "");
    std::fs::remove_file(&path).expect("temp file removed");
    let lines = run.json_lines();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["type"], json!("keepalive"));
    assert_eq!(lines[1]["action"], json!("attribute-discard"));
    assert_eq!(run.code, Some(1));
}

#[test]
fn the_built_in_example_is_an_update_with_every_common_attribute() {
    let run = peerlab(&["decode", "--example"], "");
    assert_eq!(run.code, Some(0));
    let v = &run.json_lines()[0];
    assert_eq!(v["type"], json!("update"));
    assert!(v.get("wire").is_none());
    for key in ["origin", "as-path", "med", "communities", "large-communities"] {
        assert!(v["attributes"].get(key).is_some(), "example lacks {key}: {v}");
    }
    assert!(v["announce"]["ipv4-unicast"].as_array().is_some_and(|a| !a.is_empty()));
}

#[test]
fn encode_names_the_bad_field_and_exits_one() {
    let input = "{\"type\":\"update\",\"attributes\":{\"med\":\"x\"}}\n{\"type\":\"keepalive\"}\n";
    let run = peerlab(&["encode"], input);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("line 1: attributes.med: expected an integer"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, format!("{KEEPALIVE}\n"));
}
