//! `peerlab bench --mrt FILE` replays the prefixes and AS paths of an MRT RIB dump. The dump
//! is written in the test with bgpkit-parser's TABLE_DUMP_V2 encoder: usable routes of both
//! families, one duplicate prefix, and routes no target would accept (too long, a bogon, a
//! path through the route server's own AS), which must be left out and counted.

use bgpkit_parser::encoder::MrtRibEncoder;
use bgpkit_parser::models::{AsPath, BgpElem, NetworkPrefix};
use ipnet::IpNet;
use peerlab_tests::daemons;
use serde_json::Value;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::Command;

fn elem(prefix: &str, path: &[u32], peer: &str) -> BgpElem {
    let prefix: IpNet = prefix.parse().unwrap();
    let peer_ip: IpAddr = peer.parse().unwrap();
    BgpElem {
        peer_ip,
        peer_asn: path[0].into(),
        prefix: NetworkPrefix::new(prefix, None),
        next_hop: Some(peer_ip),
        as_path: Some(AsPath::from_sequence(path)),
        ..Default::default()
    }
}

/// Writes the dump: 10 IPv4 /24s and 2 IPv6 /48s that every target accepts, a second path
/// for one of them, and three that are left out. Returns its path.
fn write_dump(tag: &str) -> PathBuf {
    let mut enc = MrtRibEncoder::new();
    for k in 0..10u32 {
        let path = [3356, 1299 + k, 13_335 + k];
        enc.process_elem(&elem(&format!("45.0.{k}.0/24"), &path, "192.0.2.1"))
            .unwrap();
    }
    for k in 0..2u32 {
        enc.process_elem(&elem(&format!("2a0d:{k}::/48"), &[6939, 13_335], "192.0.2.1"))
            .unwrap();
    }
    enc.process_elem(&elem("45.0.0.0/24", &[174, 13_335], "192.0.2.2"))
        .unwrap();
    enc.process_elem(&elem("45.1.0.0/25", &[3356, 13_335], "192.0.2.1"))
        .unwrap();
    enc.process_elem(&elem("10.2.0.0/16", &[3356, 13_335], "192.0.2.1"))
        .unwrap();
    enc.process_elem(&elem("45.2.0.0/24", &[3356, 64_999, 13_335], "192.0.2.1"))
        .unwrap();
    let bytes = enc.export_bytes().unwrap();
    let file = std::env::temp_dir().join(format!("peerlab-bench-mrt-{tag}-{}.mrt", std::process::id()));
    std::fs::write(&file, &bytes).unwrap();
    file
}

fn replay(target: &str, shape: &str, tag: &str) -> Value {
    let dump = write_dump(tag);
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("bench")
        .args([
            "--target",
            target,
            "--shape",
            shape,
            "--testers",
            "3",
            "--prefixes",
            "100",
        ])
        .arg("--mrt")
        .arg(&dump)
        .args(["--time-limit", "60", "--json"])
        .output()
        .expect("peerlab runs");
    let _ = std::fs::remove_file(&dump);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{json}",
        String::from_utf8_lossy(&out.stderr)
    );
    json
}

#[test]
fn an_mrt_dump_is_replayed_against_peerlab_with_every_usable_route_verified_and_the_rest_counted() {
    let json = replay("peerlab", "ixp", "peerlab");
    let sum = &json["load"]["mrt"]["summary"];
    assert_eq!(sum["kept"], 12, "{json}");
    assert_eq!(sum["duplicates"], 1, "{json}");
    assert_eq!(sum["skipped"], 3, "{json}");
    assert_eq!(sum["read"], 16, "{json}");
    // 12 routes over 3 testers; in the ixp shape each client gets the other two's 8.
    assert_eq!(json["load"]["prefixes"], 4, "{json}");
    assert_eq!(json["load"]["routes-expected"], 24, "{json}");
    let run = &json["targets"][0]["runs"][0];
    assert_eq!(run["routes_verified"], 24, "{run}");
    assert_eq!(run["verdict"]["missing"], 0, "{run}");
    assert_eq!(run["verdict"]["wrong"], 0, "{run}");
}

#[test]
fn an_mrt_dump_is_replayed_against_bird_with_every_usable_route_verified() {
    if daemons::require_program("bird", "bird2", "bench --mrt against bird").is_none() {
        return;
    }
    let json = replay("bird", "bgperf", "bird");
    assert_eq!(json["load"]["routes-expected"], 12, "{json}");
    let run = &json["targets"][0]["runs"][0];
    assert_eq!(run["routes_verified"], 12, "{run}");
}

#[test]
fn a_missing_mrt_file_is_refused_with_its_name() {
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["bench", "--target", "peerlab", "--mrt", "/nonexistent/rib.mrt"])
        .output()
        .expect("peerlab runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--mrt: /nonexistent/rib.mrt"), "{stderr}");
}
