//! `peerlab route-server --config FILE`: the binary starts from a TOML file, its HTTP JSON
//! API answers on loopback, SIGTERM stops it with exit 0, and bad configurations exit 2
//! naming the field.

mod common;

use common::api::{http, json};
use common::route_server::{remove, terminate, write_config};
use peerlab_tests::daemons;
use peerlab_tests::sockets;
use std::io::Read;

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
    let mut child = common::spawn_route_server(&config, api_port, &["--duration", "60"]);
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

/// `--check` and the start on the same file: (`--check`'s run, the start's run). The start
/// gets a `--duration` so that a file it wrongly accepts cannot keep the test waiting.
fn check_and_start(config: &std::path::Path) -> (common::Run, common::Run) {
    let path = config.to_str().expect("UTF-8 path");
    let check = common::peerlab(&["route-server", "--config", path, "--check"], "");
    let api = format!("127.0.0.1:{}", daemons::free_port());
    let start = common::peerlab(
        &["route-server", "--config", path, "--api", &api, "--duration", "3"],
        "",
    );
    (check, start)
}

/// Both runs exit 2 with the same message, which names `field` and the fix.
fn refused_alike(config: &std::path::Path, field: &str) -> String {
    let (check, start) = check_and_start(config);
    assert_eq!(check.code, Some(2), "--check: {}", check.stderr);
    assert_eq!(start.code, Some(2), "start: {}", start.stderr);
    assert_eq!(check.stderr, start.stderr, "--check and the start disagree");
    assert!(check.stderr.contains(&format!("`{field}`")), "{}", check.stderr);
    assert!(check.stderr.contains("fix:"), "{}", check.stderr);
    check.stderr
}

#[test]
fn check_and_start_refuse_a_client_address_without_a_listen_address_of_its_family() {
    let v4_only = write_config(&GOOD.replace(r#"listen = ["127.0.0.1:0", "[::1]:0"]"#, r#"listen = ["127.0.0.1:0"]"#));
    let stderr = refused_alike(&v4_only, "listen");
    assert!(stderr.contains("no IPv6 listen address for session ::1"), "{stderr}");
    assert!(stderr.contains("rs.toml:3:1:"), "points at the listen line: {stderr}");
    remove(&v4_only);

    let none = write_config(&GOOD.replace("listen = [\"127.0.0.1:0\", \"[::1]:0\"]\n", ""));
    let stderr = refused_alike(&none, "listen");
    for session in ["127.0.0.2", "127.0.0.3", "::1"] {
        assert!(
            stderr.contains(&format!("listen address for session {session} ")),
            "{stderr}"
        );
    }
    remove(&none);
}

#[test]
fn check_and_start_refuse_more_sessions_than_a_route_server_runs_naming_clients() {
    let mut text = String::from("asn = 64999\nrouter_id = \"10.255.255.1\"\nlisten = [\"127.0.0.1:0\"]\n");
    for i in 0..100_000u32 {
        let [_, a, b, c] = i.to_be_bytes();
        text.push_str(&format!(
            "[[clients]]\nname = \"c{i}\"\nasn = 64100\naddresses = [\"127.{}.{b}.{c}\"]\n",
            a + 1
        ));
    }
    let config = write_config(&text);
    let stderr = refused_alike(&config, "clients");
    assert!(stderr.contains("100000 sessions"), "{stderr}");
    assert!(stderr.contains("at most 65535"), "{stderr}");
    assert_eq!(
        stderr.lines().count(),
        1,
        "the count is checked before anything else: {stderr}"
    );
    remove(&config);
}

#[test]
fn check_and_start_refuse_an_empty_md5_key_naming_it() {
    let config = write_config(&GOOD.replace(r#"md5_key = "lab-secret""#, r#"md5_key = """#));
    let stderr = refused_alike(&config, "clients[1].md5_key");
    assert!(!stderr.contains("os error"), "{stderr}");
    remove(&config);
}

#[test]
fn check_and_start_refuse_a_missing_or_malformed_roa_file_naming_import_rpki_roa_file() {
    let rpki = "\n[import.rpki]\nreject_invalid = true\nroa_file = \"roas.json\"\n";
    let config = write_config(&GOOD.replace("\n[import]\nmax_as_path_length = 32\n", "").replace(
        "registered_asns = [64100, 64200]\n",
        &format!("registered_asns = [64100, 64200]\n{rpki}"),
    ));
    let stderr = refused_alike(&config, "import.rpki.roa_file");
    assert!(stderr.contains("No such file"), "{stderr}");

    let roas = config.with_file_name("roas.json");
    std::fs::write(
        &roas,
        r#"{"roas":[{"asn":"AS13335","prefix":"20.2.0.0/16","maxLength":8}]}"#,
    )
    .expect("written");
    let stderr = refused_alike(&config, "import.rpki.roa_file");
    assert!(stderr.contains("roas[0].maxLength"), "{stderr}");

    std::fs::write(
        &roas,
        r#"{"roas":[{"asn":13335,"prefix":"20.2.0.0/16","maxLength":16}]}"#,
    )
    .expect("written");
    let check = common::peerlab(&["route-server", "--config", config.to_str().unwrap(), "--check"], "");
    assert_eq!(check.code, Some(0), "{}", check.stderr);
    assert!(check.stderr.contains("usable (3 sessions, 1 ROA)"), "{}", check.stderr);
    remove(&config);
}
