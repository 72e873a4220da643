//! The interop harness itself: BIRD 2 and GoBGP start on loopback, listen nowhere else, and
//! stop by their own pid.

use peerlab_tests::daemons::{self, PeerSpec};
use std::time::Duration;

fn spec(port: u16) -> PeerSpec {
    PeerSpec {
        local_addr: "127.0.0.2".parse().unwrap(),
        local_port: port,
        local_as: 4_200_000_001,
        router_id: "127.0.0.2".parse().unwrap(),
        peer_addr: "127.0.0.1".parse().unwrap(),
        peer_port: daemons::free_port(),
        peer_as: 4_200_000_002,
        passive: true,
        hold_time: 9,
        md5: None,
        bird_export: None,
    }
}

#[test]
fn bird_listens_only_on_its_loopback_address_and_stops_by_pid() {
    let Some(bird) = daemons::require_program("bird", "bird2", "bird_listens_only_on_loopback") else {
        return;
    };
    let port = daemons::free_port();
    let d = daemons::start_bird(&bird, &daemons::bird_config(&spec(port), "")).expect("start bird");
    assert!(
        d.wait_listening(port, Duration::from_secs(10)),
        "bird did not listen on {port}: {}",
        d.log()
    );
    d.assert_loopback_only();
    let pid = d.pid;
    drop(d);
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}/stat")).exists(),
        "bird {pid} still running"
    );
}

#[test]
fn gobgpd_listens_only_on_loopback_and_stops_by_pid() {
    let Some(gobgpd) = daemons::require_program("gobgpd", "gobgpd", "gobgpd_listens_only_on_loopback") else {
        return;
    };
    let port = daemons::free_port();
    let d = daemons::start_gobgp(&gobgpd, &daemons::gobgp_config(&spec(port))).expect("start gobgpd");
    assert!(
        d.wait_listening(port, Duration::from_secs(10)),
        "gobgpd did not listen on {port}: {}",
        d.log()
    );
    d.assert_loopback_only();
    let pid = d.pid;
    drop(d);
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}/stat")).exists(),
        "gobgpd {pid} still running"
    );
}
