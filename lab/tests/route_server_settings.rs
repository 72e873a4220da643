//! The effect of `peerlab route-server`'s own options and signals, through the real binary
//! with real client sessions: `--hold-time` is the hold time clients negotiate, a busy
//! socket exits 1 naming it, `--duration` stops the route server by itself, and SIGHUP reads
//! the ROA file again (a relative `roa_file` being read from the configuration's directory).
//! The configuration file's settings are shown in route-server/tests/settings_effect.rs.

mod common;

use common::terminate;
use peerlab_tests::daemons;
use peerlab_tests::peer::{self, PeerlabSide, Running};
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const RS_AS: u32 = 64_999;
const WAIT: Duration = Duration::from_secs(20);

/// A scratch directory with the configuration `text` in `rs.toml`; the file's path.
fn write_config(text: &str) -> PathBuf {
    let path = daemons::scratch_dir("rs-settings").join("rs.toml");
    std::fs::write(&path, text).expect("config written");
    path
}

/// A configuration listening on 127.0.0.1:`port` with clients `(name, asn, address)`, their
/// ASNs registered, and `extra` TOML after the top-level keys.
fn config_text(port: u16, clients: &[(&str, u32, &str)], extra: &str) -> String {
    let asns: Vec<String> = clients.iter().map(|c| c.1.to_string()).collect();
    let mut t = format!(
        "asn = {RS_AS}\nrouter_id = \"10.255.255.1\"\nlisten = [\"127.0.0.1:{port}\"]\nregistered_asns = [{}]\n{extra}\n",
        asns.join(", ")
    );
    for (name, asn, address) in clients {
        t.push_str(&format!(
            "[[clients]]\nname = \"{name}\"\nasn = {asn}\naddresses = [\"{address}\"]\n"
        ));
    }
    t
}

/// Starts `peerlab route-server` on `config` with `args`, waits for its API; the child and
/// the API's port.
fn spawn(config: &Path, args: &[&str]) -> (Child, u16) {
    let api = daemons::free_port();
    let mut child = common::spawn_route_server(config, api, &[&["--duration", "120"], args].concat());
    let start = Instant::now();
    while get(api, "/stats").is_none() {
        if start.elapsed() > WAIT || child.try_wait().ok().flatten().is_some() {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the API did not answer on 127.0.0.1:{api}: {}", stderr_of(&mut child));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, api)
}

fn stderr_of(child: &mut Child) -> String {
    let mut s = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut s);
    }
    s
}

/// A whole run of `peerlab route-server --config CONFIG --api API --duration SECS`.
fn run_for(config: &Path, api: &str, secs: &str) -> common::Run {
    let path = config.to_str().expect("UTF-8 path");
    common::peerlab(
        &["route-server", "--config", path, "--api", api, "--duration", secs],
        "",
    )
}

/// `GET path` on the API; the JSON answer of a 200.
fn get(port: u16, path: &str) -> Option<serde_json::Value> {
    ureq::get(&format!("http://127.0.0.1:{port}{path}"))
        .timeout(Duration::from_secs(5))
        .call()
        .ok()?
        .into_json()
        .ok()
}

/// A client speaker of `asn` connecting from `address` to the route server on `port`.
async fn client(asn: u32, address: &str, port: u16, hold_time: u16) -> (PeerlabSide, Running) {
    let side = PeerlabSide {
        local: SocketAddr::new(address.parse().expect("address"), 0),
        remote: SocketAddr::from(([127, 0, 0, 1], port)),
        local_as: asn,
        remote_as: RS_AS,
        passive: false,
        hold_time,
        md5: None,
    };
    let mut running = peer::start(&side).await.expect("speaker starts");
    let up = running
        .wait_until(WAIT, |r| r.established() && r.negotiated.is_some())
        .await;
    assert!(up, "Established");
    (side, running)
}

async fn announce(side: &PeerlabSide, running: &Running, prefix: &str) {
    let nh: IpAddr = side.local.ip();
    let community = bgp_core::attr::Community((side.local_as << 16) | 1);
    let large = bgp_core::attr::LargeCommunity {
        global: side.local_as,
        local1: 1,
        local2: 1,
    };
    running
        .announce(side, prefix.parse().expect("prefix"), nh, 0, community, large)
        .await;
}

fn holds(r: &Running, prefix: &str) -> bool {
    r.received.iter().any(|(p, _)| p.to_string() == prefix)
}

fn established_count(r: &Running) -> usize {
    r.transitions
        .iter()
        .filter(|t| t.to == bgp_core::fsm::State::Established)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hold_time_option_is_the_hold_time_a_client_negotiates_and_1_or_2_is_refused() {
    let port = daemons::free_port();
    let config = write_config(&config_text(port, &[("a", 1_100, "127.0.91.1")], ""));
    let (mut child, _) = spawn(&config, &["--hold-time", "7"]);
    // The client offers 30 s; the smaller offer wins (RFC 4271 §4.2).
    let (_, a) = client(1_100, "127.0.91.1", port, 30).await;
    let negotiated = a.negotiated.as_ref().expect("negotiated");
    assert_eq!((negotiated.hold_time, negotiated.keepalive_time), (7, 2));
    assert_eq!(terminate(&mut child), Some(0));

    let refused = common::peerlab(
        &[
            "route-server",
            "--config",
            config.to_str().expect("path"),
            "--hold-time",
            "2",
            "--check",
        ],
        "",
    );
    assert_eq!(refused.code, Some(2), "{}", refused.stderr);
    assert!(refused.stderr.contains("--hold-time 2"), "{}", refused.stderr);
    assert!(refused.stderr.contains("at least 3"), "{}", refused.stderr);
    let _ = std::fs::remove_dir_all(config.parent().expect("dir"));
}

#[test]
fn a_busy_bgp_listen_address_or_api_address_exits_1_naming_it() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("bound");
    let port = busy.local_addr().expect("address").port();
    let config = write_config(&config_text(port, &[("a", 1_100, "127.0.92.1")], ""));
    let api = format!("127.0.0.1:{}", daemons::free_port());
    let run = run_for(&config, &api, "5");
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{}",
        run.stderr
    );

    let free = write_config(&config_text(daemons::free_port(), &[("a", 1_100, "127.0.92.1")], ""));
    let api = format!("127.0.0.1:{port}");
    let run = run_for(&free, &api, "5");
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("--api {api}: cannot listen")),
        "{}",
        run.stderr
    );
    drop(busy);
    for c in [config, free] {
        let _ = std::fs::remove_dir_all(c.parent().expect("dir"));
    }
}

#[test]
fn duration_stops_the_route_server_by_itself_with_exit_0() {
    let config = write_config(&config_text(daemons::free_port(), &[("a", 1_100, "127.0.93.1")], ""));
    let api = format!("127.0.0.1:{}", daemons::free_port());
    let run = run_for(&config, &api, "1");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("--duration elapsed"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(config.parent().expect("dir"));
}

/// Same length: a rewrite in place changes neither the size nor (once the modification
/// time is put back) the stamp the route server polls, so only SIGHUP can make it read it.
const ROAS_13335: &str = r#"{"roas":[{"asn":13335,"prefix":"20.2.0.0/16","maxLength":16}]}"#;
const ROAS_1002: &str = r#"{"roas":[{"asn": 1002,"prefix":"20.2.0.0/16","maxLength":16}]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_rereads_the_roa_file_and_releases_the_route_it_made_valid_without_a_session_reset() {
    assert_eq!(ROAS_13335.len(), ROAS_1002.len());
    let port = daemons::free_port();
    let rpki = "[import.rpki]\nreject_invalid = true\nroa_file = \"roas.json\"\n";
    let config = write_config(&config_text(
        port,
        &[("a", 1_002, "127.0.94.1"), ("b", 1_200, "127.0.94.2")],
        rpki,
    ));
    let roas = config.with_file_name("roas.json");
    std::fs::write(&roas, ROAS_13335).expect("ROA file written");
    let (mut child, api) = spawn(&config, &[]);
    assert_eq!(get(api, "/stats").expect("stats")["roas"], 1);

    let (a_side, a) = client(1_002, "127.0.94.1", port, 90).await;
    let (_, mut b) = client(1_200, "127.0.94.2", port, 90).await;
    announce(&a_side, &a, "20.2.0.0/16").await;
    announce(&a_side, &a, "20.3.0.0/16").await;
    assert!(
        b.wait_until(WAIT, |r| holds(r, "20.3.0.0/16")).await,
        "the not-found route arrives"
    );
    assert!(!holds(&b, "20.2.0.0/16"), "the RPKI-invalid route reaches no one");
    let rejected = get(api, "/sessions/a/rejected").expect("rejected routes");
    assert_eq!(rejected["routes"][0]["prefix"], "20.2.0.0/16", "{rejected}");
    assert_eq!(rejected["routes"][0]["reason"]["name"], "rpki-invalid", "{rejected}");

    let modified = std::fs::metadata(&roas).and_then(|m| m.modified()).expect("mtime");
    std::fs::write(&roas, ROAS_1002).expect("ROA file rewritten");
    std::fs::File::options()
        .write(true)
        .open(&roas)
        .and_then(|f| f.set_modified(modified))
        .expect("mtime put back");
    let hup = Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(hup.success());
    assert!(
        b.wait_until(WAIT, |r| holds(r, "20.2.0.0/16")).await,
        "the route made valid is released"
    );
    let rejected = get(api, "/sessions/a/rejected").expect("rejected routes");
    assert_eq!(rejected["routes"], serde_json::json!([]), "{rejected}");
    let counters = &get(api, "/sessions/a").expect("session")["counters"];
    assert_eq!(
        (&counters["ups"], &counters["downs"]),
        (&1.into(), &0.into()),
        "no session reset"
    );
    assert_eq!(established_count(&a), 1);
    assert_eq!(terminate(&mut child), Some(0));
    let stderr = stderr_of(&mut child);
    assert!(stderr.contains("SIGHUP: ROA file reloaded"), "{stderr}");
    let _ = std::fs::remove_dir_all(config.parent().expect("dir"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_sends_every_connected_client_cease_6_2_before_the_route_server_exits_0() {
    let port = daemons::free_port();
    let config = write_config(&config_text(
        port,
        &[("a", 1_300, "127.0.93.1"), ("b", 1_301, "127.0.93.2")],
        "",
    ));
    let (mut child, _) = spawn(&config, &[]);
    let (_, mut a) = client(1_300, "127.0.93.1", port, 30).await;
    let (_, mut b) = client(1_301, "127.0.93.2", port, 30).await;
    assert_eq!(terminate(&mut child), Some(0), "SIGTERM ends it with exit 0");
    for (name, r) in [("a", &mut a), ("b", &mut b)] {
        let ceased = r
            .wait_until(WAIT, |r| {
                r.transitions.iter().any(|t| {
                    t.from == bgp_core::fsm::State::Established
                        && matches!(&t.reason, bgp_core::fsm::Reason::NotificationReceived(n)
                            if (n.code, n.subcode) == (6, 2))
                })
            })
            .await;
        assert!(ceased, "client {name} did not receive Cease 6/2: {:?}", r.transitions);
    }
    let _ = std::fs::remove_dir_all(config.parent().expect("dir"));
}
