//! The interop harness itself: BIRD 2, GoBGP, OpenBGPD and FRR start on loopback through
//! `peerlab::daemons`, listen nowhere else, answer their control client, stop by their own
//! pids (OpenBGPD's forked engines too) and leave no scratch directory; a daemon that cannot
//! start is reported with its own words.

use peerlab_tests::daemons::{self, Daemon, PeerSpec, Running};
use peerlab_tests::sockets;

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

/// Whether `pid` is a live process (a zombie, dead but not yet reaped, is not).
fn runs(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| s.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')))
}

/// `ss` (independently of peerlab's check from /proc) shows `d` listening on `port` and on
/// loopback only; once dropped, its processes and its scratch directory are gone.
fn listens_on_loopback_and_stops_by_pid(d: Running, port: u16) {
    let listening = sockets::listeners().expect("ss -ltn runs");
    let pids = d.pids();
    assert!(
        listening
            .iter()
            .any(|l| l.port == port && l.pids.iter().any(|p| pids.contains(p))),
        "{} does not listen on {port}: {listening:?}\n{}",
        d.name(),
        d.log()
    );
    daemons::assert_loopback_only(&d);
    let (pid, dir, name) = (d.pid(), d.dir().to_owned(), d.name());
    drop(d);
    // Its own process is reaped by the stop; those it forked end (their new parent reaps them).
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}/stat")).exists(),
        "{name} {pid} still running"
    );
    for p in pids {
        assert!(!runs(p), "{name}'s process {p} still running");
    }
    assert!(!dir.exists(), "{name}'s scratch directory {} is left", dir.display());
}

/// `daemon` started with `config` for a neighbour on a free port; `None` when it is not
/// installed (skipped).
fn started(daemon: Daemon, test: &str, config: impl Fn(&PeerSpec) -> String) -> Option<(Running, u16)> {
    let program = daemons::require_daemon(daemon, test)?;
    let port = daemons::free_port();
    let s = spec(port);
    let d = daemons::start(daemon, &program, &s, config(&s)).unwrap_or_else(|e| panic!("{daemon} starts: {e}"));
    Some((d, port))
}

#[test]
fn bird_listens_only_on_its_loopback_address_and_stops_by_pid() {
    let Some((d, port)) = started(Daemon::Bird, "bird_listens_only_on_loopback", |s| {
        daemons::bird_config(s, "")
    }) else {
        return;
    };
    listens_on_loopback_and_stops_by_pid(d, port);
}

#[test]
fn gobgpd_listens_only_on_loopback_and_stops_by_pid() {
    let Some((d, port)) = started(Daemon::Gobgp, "gobgpd_listens_only_on_loopback", daemons::gobgp_config) else {
        return;
    };
    assert!(
        d.api().is_some_and(|a| a.ip().is_loopback()),
        "gobgpd's API: {:?}",
        d.api()
    );
    listens_on_loopback_and_stops_by_pid(d, port);
}

#[test]
fn openbgpd_and_its_engines_listen_only_on_loopback_answer_bgpctl_and_stop_by_pid() {
    let Some((d, port)) = started(Daemon::Openbgpd, "openbgpd_listens_only_on_loopback", |s| {
        daemons::openbgpd_config(s, "")
    }) else {
        return;
    };
    assert!(d.pids().len() > 1, "bgpd forks its engines: {:?}", d.pids());
    let summary = d.control(&["show", "summary"]).expect("bgpctl answers");
    assert!(summary.contains("127.0.0.1"), "{summary}");
    listens_on_loopback_and_stops_by_pid(d, port);
}

#[test]
fn frr_bgpd_listens_only_on_loopback_answers_vtysh_and_stops_by_pid() {
    let Some((d, port)) = started(Daemon::Frr, "frr_listens_only_on_loopback", |s| {
        daemons::frr_config(s, "", "")
    }) else {
        return;
    };
    let summary = d.control(&["show", "bgp", "summary"]).expect("vtysh answers");
    assert!(summary.contains("127.0.0.1"), "{summary}");
    listens_on_loopback_and_stops_by_pid(d, port);
}

#[test]
fn an_openbgpd_configuration_without_listen_on_is_refused_before_bgpd_starts() {
    let Some(bgpd) = daemons::require_daemon(Daemon::Openbgpd, "openbgpd_without_listen_on") else {
        return;
    };
    let s = spec(daemons::free_port());
    let config =
        daemons::openbgpd_config(&s, "").replace(&format!("listen on {} port {}\n", s.local_addr, s.local_port), "");
    let e = daemons::start(Daemon::Openbgpd, &bgpd, &s, config).expect_err("refused");
    assert!(e.contains("no `listen on`"), "{e}");
}

#[test]
fn a_bird_configuration_it_cannot_parse_fails_the_start_with_birds_message() {
    let Some(bird) = daemons::require_daemon(Daemon::Bird, "bird_bad_configuration") else {
        return;
    };
    let s = spec(daemons::free_port());
    let e = daemons::start(Daemon::Bird, &bird, &s, "protocol bgp { no such option; }".into())
        .expect_err("bird refuses the configuration");
    assert!(e.contains("bird exited"), "{e}");
    assert!(e.contains("bird.conf"), "BIRD's parse error names the file: {e}");
}
