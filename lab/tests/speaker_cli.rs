//! `peerlab speaker` against a real BIRD 2 on loopback, as the README shows it.

use peerlab_tests::daemons::{self, Daemon, PeerSpec};
use std::process::Command;
use std::time::Duration;

/// The README's example, step by step against one running BIRD (one scenario, kept whole).
#[test]
fn peerlab_speaker_reaches_established_receives_birds_route_and_bird_gets_ours() {
    let Some(bird) = daemons::require_daemon(Daemon::Bird, "peerlab_speaker_against_bird") else {
        return;
    };
    let bird_port = daemons::free_port();
    let spec = PeerSpec {
        local_addr: "127.0.0.2".parse().unwrap(),
        local_port: bird_port,
        local_as: 65002,
        router_id: "10.255.0.2".parse().unwrap(),
        peer_addr: "127.0.0.1".parse().unwrap(),
        peer_port: daemons::free_port(),
        peer_as: 65001,
        passive: true,
        hold_time: 9,
        md5: None,
        bird_export: None,
    };
    let extra =
        "protocol static bird_routes { ipv4; route 198.51.100.0/24 unreachable { bgp_community.add((65002,7)); }; }";
    // Started means listening on bird_port.
    let d = daemons::start(Daemon::Bird, &bird, &spec, daemons::bird_config(&spec, extra)).expect("bird starts");
    // No --until: the speaker stays up for its whole --timeout, so BIRD can be asked while
    // our route is announced; a timeout without --until exits 0.
    let child = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args([
            "speaker",
            "--local-as",
            "65001",
            "--peer-as",
            "65002",
            "--local",
            "127.0.0.1",
        ])
        .args([
            "--peer",
            &format!("127.0.0.2:{bird_port}"),
            "--family",
            "ipv4-unicast",
            "--hold-time",
            "9",
        ])
        .args([
            "--announce",
            "203.0.113.0/24",
            "--next-hop",
            "192.0.2.1",
            "--med",
            "55",
            "--community",
            "65001:9",
        ])
        .args(["--timeout", "8"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run peerlab speaker");
    let mut shown = String::new();
    for _ in 0..70 {
        shown = daemons::control(&d, &["show", "route", "203.0.113.0/24", "all"]);
        if shown.contains("BGP.med: 55") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("speaker exits");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let states: Vec<String> = lines
        .iter()
        .filter(|v| v["type"] == "state")
        .map(|v| {
            format!(
                "{}>{}",
                v["transition"]["from"].as_str().unwrap_or("?"),
                v["transition"]["to"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(
        states[..4],
        [
            "Idle>Connect",
            "Connect>OpenSent",
            "OpenSent>OpenConfirm",
            "OpenConfirm>Established"
        ],
        "{states:?}"
    );
    let established = lines
        .iter()
        .find(|v| v["type"] == "state" && v["transition"]["to"] == "Established")
        .expect("Established");
    assert_eq!(established["transition"]["event"]["name"], "KeepAliveMsg");
    let update = lines
        .iter()
        .find(|v| v["type"] == "update" && v["announce"]["ipv4-unicast"].is_array())
        .expect("an UPDATE");
    assert_eq!(update["announce"]["ipv4-unicast"][0], "198.51.100.0/24");
    assert_eq!(update["attributes"]["communities"][0], "65002:7");
    assert!(
        shown.contains("203.0.113.0/24") && shown.contains("BGP.med: 55") && shown.contains("(65001,9)"),
        "bird: {shown}"
    );
    daemons::assert_loopback_only(&d);
}

#[test]
fn peerlab_speaker_exits_1_when_until_is_not_met_before_the_timeout() {
    let port = daemons::free_port();
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args([
            "speaker",
            "--local-as",
            "65001",
            "--peer-as",
            "65002",
            "--local",
            "127.0.0.1",
        ])
        .args([
            "--peer",
            &format!("127.0.0.1:{port}"),
            "--until",
            "established",
            "--timeout",
            "2",
            "--connect-retry",
            "1",
        ])
        .output()
        .expect("run peerlab speaker");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"connect-failed\""), "{stdout}");
    assert!(stdout.contains("tcp-connection-fails"), "{stdout}");
}
