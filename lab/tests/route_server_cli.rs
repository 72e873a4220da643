//! `peerlab route-server --config FILE`: the binary starts from a TOML file, its HTTP JSON
//! API answers on loopback, SIGTERM stops it with exit 0, and bad configurations exit 2
//! naming the field.

mod common;

use common::api::{http, json};
use common::route_server::{remove, terminate, write_config};
use peerlab_tests::daemons;
use peerlab_tests::sockets;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GOOD: &str = r#"asn = 64999
router_id = "10.255.255.1"
listen = ["127.0.0.1:0", "[::1]:0"]
registered_asns = [64100, 64200]

[import]
max_as_path_length = 32

[[clients]]
name = "bird"
asn = 64100
addresses = ["127.0.0.2"]
max_prefixes_v4 = 100

[[clients]]
name = "gobgp"
asn = 64200
addresses = ["127.0.0.3", "::1"]
md5_key = "lab-secret"
"#;

#[test]
fn the_route_server_starts_from_a_config_file_answers_its_api_on_loopback_and_stops_on_sigterm() {
    let config = write_config(GOOD);
    let api_port = daemons::free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["route-server", "--config"])
        .arg(&config)
        .args(["--api", &format!("127.0.0.1:{api_port}"), "--duration", "60"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("peerlab starts");
    let start = Instant::now();
    let mut sessions = None;
    while start.elapsed() < Duration::from_secs(20) && sessions.is_none() {
        sessions = http(api_port, "GET", "/sessions").ok();
        std::thread::sleep(Duration::from_millis(100));
    }
    let (status, body) = sessions.unwrap_or_else(|| {
        let _ = child.kill();
        panic!("the API did not answer on 127.0.0.1:{api_port}")
    });
    assert_eq!(status, 200, "{body}");
    let v = json(&body);
    let names: Vec<&str> = v
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["bird@127.0.0.2", "gobgp@127.0.0.3", "gobgp@::1"]);
    assert!(v[0]["state"] == "Active" || v[0]["state"] == "Idle", "{v}");
    assert_eq!(v[0]["table_state"], "down");

    let (status, body) = http(api_port, "GET", "/sessions/bird").expect("API answers");
    assert_eq!((status, json(&body)["asn"].as_u64()), (200, Some(64100)), "{body}");
    let (status, body) = http(api_port, "GET", "/sessions/nobody/rib-in").expect("API answers");
    assert_eq!(status, 404, "{body}");
    assert!(
        json(&body)["error"]["message"]
            .as_str()
            .is_some_and(|e| e.contains("nobody")),
        "{body}"
    );
    let (status, body) = http(api_port, "GET", "/sessions/bird/rejected").expect("API answers");
    assert_eq!(
        (status, json(&body)),
        (200, serde_json::json!({"routes": [], "next": null})),
        "{body}"
    );

    let (status, body) = http(api_port, "PUT", "/registered-asns/64300").expect("API answers");
    assert_eq!(status, 200, "{body}");
    let (_, body) = http(api_port, "GET", "/registered-asns").expect("API answers");
    assert_eq!(json(&body), serde_json::json!([64100, 64200, 64300]));
    let (status, body) = http(api_port, "PUT", "/registered-asns/64512").expect("API answers");
    assert_eq!(status, 400, "a private ASN is refused: {body}");
    let (status, _) = http(api_port, "DELETE", "/registered-asns/64100").expect("API answers");
    assert_eq!(status, 200);
    let (_, body) = http(api_port, "GET", "/registered-asns").expect("API answers");
    assert_eq!(json(&body), serde_json::json!([64200, 64300]));

    let (status, body) = http(api_port, "GET", "/rejected?prefix=185.0.1.0/24").expect("API answers");
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["verdicts"], serde_json::json!([]));
    let (status, body) = http(api_port, "GET", "/stats").expect("API answers");
    assert_eq!((status, json(&body)["sessions"].as_u64()), (200, Some(3)), "{body}");

    let outside = sockets::non_loopback_listeners_of(child.id()).expect("sockets readable");
    assert!(outside.is_empty(), "listens outside loopback: {outside:?}");
    assert_eq!(terminate(&mut child), Some(0), "SIGTERM ends it with exit 0");
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    assert!(stderr.contains("route server shutting down"), "{stderr}");
    remove(&config);
}

#[test]
fn a_config_with_an_unknown_field_exits_2_naming_the_field_and_its_line() {
    let config = write_config("asn = 64999\nrouter_id = \"10.255.255.1\"\ncolour = \"red\"\n");
    let run = common::peerlab(&["route-server", "--config", config.to_str().unwrap()], "");
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("unknown field `colour`"), "{}", run.stderr);
    assert!(run.stderr.contains("line 3"), "{}", run.stderr);
    remove(&config);
}

#[test]
fn a_config_with_an_invalid_value_exits_2_naming_the_field_and_the_fix() {
    let text = GOOD.replace("asn = 64100", "asn = 0");
    let config = write_config(&text);
    let run = common::peerlab(&["route-server", "--config", config.to_str().unwrap()], "");
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("`clients[0].asn`"), "{}", run.stderr);
    let line = GOOD.lines().position(|l| l == "asn = 64100").unwrap() + 1;
    assert!(run.stderr.contains(&format!("rs.toml:{line}:1:")), "{}", run.stderr);
    assert!(run.stderr.contains("fix:"), "{}", run.stderr);
    remove(&config);
}

#[test]
fn a_non_loopback_api_address_is_refused_without_api_allow_remote() {
    let config = write_config(GOOD);
    let run = common::peerlab(
        &[
            "route-server",
            "--config",
            config.to_str().unwrap(),
            "--api",
            "0.0.0.0:8179",
        ],
        "",
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("--api-allow-remote"), "{}", run.stderr);
    remove(&config);
}
