//! The route server's HTTP API under abuse, through the `peerlab route-server` binary:
//! half-open connections beyond the connection cap under a lowered file-descriptor limit
//! neither starve BGP nor outlive the header timeout; every error answer is JSON; ASNs are
//! read strictly and bad input is echoed bounded; no MD5 key appears in any log line or
//! answer; log lines carry no colour codes when stderr is not a terminal.

mod common;

use common::api::request;
use common::route_server::RouteServer;
use peerlab_tests::daemons;
use peerlab_tests::peer::{self, PeerlabSide};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

const RS_AS: u32 = 64999;
const CLIENT_AS: u32 = 64100;

/// A configuration with one client, `bird` (AS64100 at 127.0.0.2), listening on `bgp`.
fn config(bgp: u16, md5: Option<&str>) -> String {
    let key = md5.map_or(String::new(), |k| format!("md5_key = \"{k}\"\n"));
    format!(
        "asn = {RS_AS}\nrouter_id = \"10.255.255.1\"\nlisten = [\"127.0.0.1:{bgp}\"]\nregistered_asns = [{CLIENT_AS}]\n\n\
         [[clients]]\nname = \"bird\"\nasn = {CLIENT_AS}\naddresses = [\"127.0.0.2\"]\n{key}"
    )
}

/// Connects a BGP client from 127.0.0.2 to `bgp` and waits (bounded) for Established.
fn bgp_client_reaches_established(bgp: u16, md5: Option<&str>) -> Result<(), String> {
    let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let side = PeerlabSide {
            local: "127.0.0.2:0".parse().expect("address"),
            remote: SocketAddr::new("127.0.0.1".parse().expect("address"), bgp),
            local_as: CLIENT_AS,
            remote_as: RS_AS,
            passive: false,
            hold_time: 90,
            md5: md5.map(str::to_owned),
        };
        let mut p = peer::start(&side).await.map_err(|e| e.to_string())?;
        let up = p.wait_until(Duration::from_secs(30), |r| r.established()).await;
        p.shutdown("test done").await;
        if up {
            Ok(())
        } else {
            Err(format!("{:?} {:?}", p.transitions, p.connect_failures))
        }
    })
}

/// Whether the server closed `s` (end of stream or reset) before `deadline`.
fn closed_by_server(s: &mut TcpStream, deadline: Instant) -> bool {
    let mut buf = [0u8; 512];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || s.set_read_timeout(Some(left)).is_err() {
            return false;
        }
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return false
            }
            Err(_) => return true,
        }
    }
}

#[test]
fn half_open_api_connections_beyond_the_cap_neither_starve_bgp_nor_outlive_the_header_timeout() {
    const FD_LIMIT: u32 = 128;
    const HALF_OPEN: usize = 200;
    let bgp = daemons::free_port();
    let mut rs = RouteServer::start(
        &config(bgp, None),
        &["--api-max-connections", "16", "--api-header-timeout-secs", "1"],
        Some(FD_LIMIT),
        &[],
    );
    // More connections than the process may open files, each stopping in its header.
    let mut idle: Vec<TcpStream> = (0..HALF_OPEN)
        .map(|_| {
            let mut s = TcpStream::connect(&rs.api).expect("connects (the kernel queues it)");
            s.write_all(b"GET /stats HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                .expect("a partial header");
            s
        })
        .collect();
    if let Err(e) = bgp_client_reaches_established(bgp, None) {
        panic!(
            "the BGP client did not reach Established: {e}\nstderr:\n{}",
            rs.stderr()
        );
    }
    let deadline = Instant::now() + Duration::from_secs(90);
    let still_open = idle
        .iter_mut()
        .map(|s| closed_by_server(s, deadline))
        .filter(|closed| !closed)
        .count();
    assert_eq!(
        still_open,
        0,
        "connections that never finished their header must be closed by the header timeout; stderr:\n{}",
        rs.stderr()
    );
    drop(idle);
    let r = request(&rs.api, "GET", "/stats", &[], "").expect("the API answers");
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["sessions"], 1);
    let log = rs.stderr();
    assert!(
        !log.contains("Too many open files"),
        "the API took descriptors BGP needs:\n{log}"
    );
    assert_eq!(rs.terminate(), Some(0), "{}", rs.stderr());
}

#[test]
fn every_error_answer_is_json_with_a_code_and_a_message() {
    let rs = RouteServer::start(&config(daemons::free_port(), None), &[], None, &[]);
    let long_target = format!("/sessions/{}", "x".repeat(9000));
    let big_header = "y".repeat(20_000);
    // (method, target, headers, status)
    type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, u16);
    let cases: Vec<Case> = vec![
        ("GET", "/no/such/path".into(), vec![], 404),
        ("GET", "/".into(), vec![], 404),
        ("POST", "/stats".into(), vec![], 405),
        ("DELETE", "/sessions".into(), vec![], 405),
        ("GET", "/sessions/nobody".into(), vec![], 404),
        ("GET", "/sessions/nobody/rib-in".into(), vec![], 404),
        ("GET", "/rejected?colour=red".into(), vec![], 400),
        ("GET", "/rejected?prefix=not-a-prefix".into(), vec![], 400),
        ("GET", "/rejected?prefix=192.0.2.0/24&limit=5".into(), vec![], 400),
        ("GET", "/sessions/bird/adj-rib-out?limit=0".into(), vec![], 400),
        ("GET", "/sessions/bird/adj-rib-out?after=%ff".into(), vec![], 400),
        ("PUT", "/registered-asns/ASASAS64300".into(), vec![], 400),
        ("PUT", "/registered-asns/64512".into(), vec![], 400),
        ("GET", long_target.clone(), vec![], 414),
        ("GET", "/stats".into(), vec![("X-Big", big_header.as_str())], 431),
    ];
    for (method, target, headers, status) in cases {
        let r = request(&rs.api, method, &target, &headers, "").expect("the API answers");
        let shown = &target[..target.len().min(60)];
        assert_eq!(r.status, status, "{method} {shown}: {r:?}");
        assert!(r.is_json_error(), "{method} {shown}: not a JSON error: {r:?}");
        assert!(
            r.body.len() < 1000,
            "{method} {shown}: the answer echoes too much: {}",
            r.body.len()
        );
    }
    let r = request(&rs.api, "GET", "/sessions/bird/adj-rib-out?limit=0", &[], "").expect("answers");
    assert_eq!(r.json()["error"]["target"], "limit", "{r:?}");
}

#[test]
fn an_asn_is_plain_decimal_or_as_plain_decimal_and_bad_ones_are_echoed_bounded() {
    let rs = RouteServer::start(&config(daemons::free_port(), None), &[], None, &[]);
    for (given, asn) in [("64300", 64300), ("AS64301", 64301)] {
        let r = request(&rs.api, "PUT", &format!("/registered-asns/{given}"), &[], "").expect("answers");
        assert_eq!((r.status, r.json()["asn"].as_u64()), (200, Some(asn)), "{given}: {r:?}");
    }
    // The forms of the report, and a lowercase prefix (every other form: params.rs).
    for bad in ["ASASAS64300", "+64300", "064300", "as64300"] {
        let r = request(&rs.api, "PUT", &format!("/registered-asns/{bad}"), &[], "").expect("answers");
        assert_eq!(r.status, 400, "{bad}: {r:?}");
        assert_eq!(r.json()["error"]["target"], "asn", "{bad}: {r:?}");
    }
    let digits = "7".repeat(5_000);
    let r = request(&rs.api, "DELETE", &format!("/registered-asns/{digits}"), &[], "").expect("answers");
    assert_eq!(r.status, 400, "{r:?}");
    assert!(
        r.body.len() < 400,
        "a 5,000-digit ASN is echoed whole: {} bytes",
        r.body.len()
    );
    assert!(r.body.contains("5000 characters"), "{}", r.body);
    // 10,000 digits make the request target longer than the API answers at all.
    let digits = "7".repeat(10_000);
    let r = request(&rs.api, "DELETE", &format!("/registered-asns/{digits}"), &[], "").expect("answers");
    assert_eq!(r.status, 414, "{r:?}");
    assert!(r.is_json_error() && r.body.len() < 400, "{r:?}");
    let r = request(&rs.api, "GET", "/registered-asns", &[], "").expect("answers");
    assert_eq!(r.json(), serde_json::json!([64100, 64300, 64301]));
}

#[test]
fn no_md5_key_appears_in_any_log_line_answer_or_error_of_the_route_server() {
    const KEY: &str = "SECRET-md5-rs-7f3a9c";
    let bgp = daemons::free_port();
    let mut rs = RouteServer::start(&config(bgp, Some(KEY)), &[], None, &[("RUST_LOG", "trace")]);
    if let Err(e) = bgp_client_reaches_established(bgp, Some(KEY)) {
        panic!(
            "the TCP-MD5 client did not reach Established: {e}\nstderr:\n{}",
            rs.stderr()
        );
    }
    let mut answers = String::new();
    for target in [
        "/sessions",
        "/sessions/bird",
        "/sessions/bird@127.0.0.2",
        "/sessions/bird/rib-in",
        "/sessions/bird/adj-rib-out",
        "/sessions/bird/rejected",
        "/rejected",
        "/rejected?prefix=192.0.2.0/24",
        "/registered-asns",
        "/stats",
        "/sessions/nobody",
        "/no/such/path",
    ] {
        let r = request(&rs.api, "GET", target, &[], "").expect("the API answers");
        answers.push_str(&r.body);
    }
    assert!(answers.contains("bird@127.0.0.2"), "{answers}");
    assert!(!answers.contains(KEY), "an answer shows the MD5 key:\n{answers}");
    assert_eq!(rs.terminate(), Some(0));
    let log = rs.stderr();
    assert!(log.contains("Established"), "{log}");
    assert!(!log.contains(KEY), "the log shows the MD5 key:\n{log}");

    // A key the configuration refuses is named by its field, never shown.
    let long = format!("{KEY}{}", "k".repeat(100));
    let config = common::route_server::write_config(&config(bgp, Some(&long)));
    for extra in [&["--check"][..], &[][..]] {
        let mut args = vec!["route-server", "--config", config.to_str().expect("path")];
        args.extend_from_slice(extra);
        let run = common::peerlab(&args, "");
        assert_eq!(run.code, Some(2), "{}", run.stderr);
        assert!(run.stderr.contains("clients[0].md5_key"), "{}", run.stderr);
        assert!(!run.stderr.contains(KEY) && !run.stdout.contains(KEY), "{}", run.stderr);
    }
    common::route_server::remove(&config);
}

#[test]
fn log_lines_carry_no_colour_codes_when_stderr_is_not_a_terminal() {
    let mut rs = RouteServer::start(&config(daemons::free_port(), None), &[], None, &[]);
    assert_eq!(rs.terminate(), Some(0));
    let log = rs.stderr();
    assert!(log.contains("HTTP API listening"), "{log}");
    assert!(!log.contains('\u{1b}'), "colour codes in a piped log:\n{log:?}");
}
