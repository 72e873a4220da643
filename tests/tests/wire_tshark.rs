//! An independent check of what peerlab puts on the wire: two peerlab sessions talk over
//! loopback TCP while tshark captures the port; tshark's BGP dissector must read every
//! message without a malformed-packet or warning-level expert note, and see the same
//! prefixes, AS path, next hop, MED, communities (standard, extended, large) and NOTIFICATION
//! (with its shutdown text) we sent.

use bgp_core::attr::{AsPath, AttrValue, Community, ExtendedCommunity, LargeCommunity, NextHop, Origin, PathAttribute};
use bgp_core::fsm::{Cease, PeerAs, SessionConfig, State};
use bgp_core::nlri::Nlri;
use bgp_core::speaker::{
    self, Command, Control, DriverOptions, Listener, NoConnector, SessionEvent, SessionHandle, TcpConnector,
};
use bgp_core::{Family, Message, SessionContext, Update, UpdateBuilder};
use peerlab_tests::daemons;
use std::collections::BTreeSet;
use std::net::{Ipv6Addr, SocketAddr};
use std::process::{Command as Proc, Stdio};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

async fn until_state(h: &mut SessionHandle, want: State) -> bool {
    tokio::time::timeout(WAIT, async {
        while let Some(e) = h.events.recv().await {
            if matches!(e, SessionEvent::Transition(ref t) if t.to == want) {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false)
}

fn rich_updates(ctx: &SessionContext) -> Vec<bytes::Bytes> {
    let attrs = vec![
        PathAttribute::new(AttrValue::Origin(Origin::Igp)),
        PathAttribute::new(AttrValue::AsPath(AsPath::sequence(vec![4_200_000_001, 64_500, 64_501]))),
        PathAttribute::new(AttrValue::NextHop("192.0.2.1".parse().unwrap())),
        PathAttribute::new(AttrValue::Med(55)),
        PathAttribute::new(AttrValue::Communities(vec![
            Community::new(65020, 9),
            Community::NO_EXPORT,
        ])),
        PathAttribute::new(AttrValue::ExtendedCommunities(vec!["rt:65000:100"
            .parse::<ExtendedCommunity>()
            .unwrap()])),
        PathAttribute::new(AttrValue::LargeCommunities(vec![LargeCommunity::new(
            4_200_000_001,
            3,
            4,
        )])),
    ];
    let v4: Vec<_> = (0..1500u32)
        .map(|i| Nlri::new(format!("10.{}.{}.0/24", i / 256, i % 256).parse().unwrap()))
        .collect();
    let v6: Vec<_> = (0..600u32)
        .map(|i| Nlri::new(format!("2001:db8:{i:x}::/48").parse().unwrap()))
        .collect();
    let v6_attrs: Vec<_> = attrs.iter().filter(|a| a.type_code() != 3).cloned().collect();
    let mut b = UpdateBuilder::new(*ctx);
    let mut out = Vec::new();
    b.announce_ipv4(&attrs, v4, &mut out).unwrap();
    let nh = NextHop::V6 {
        global: "2001:db8::1".parse().unwrap(),
        link_local: None,
    };
    b.announce_ipv6(&v6_attrs, &nh, v6, &mut out).unwrap();
    b.withdraw_ipv4([Nlri::new("10.0.0.0/24".parse().unwrap())], &mut out);
    for f in [Family::IPV4_UNICAST, Family::IPV6_UNICAST] {
        out.push(Message::Update(Update::end_of_rib(f)).to_bytes(ctx).unwrap());
    }
    out
}

/// Asserts two large sets are equal, naming a few differences instead of printing both.
fn same_set(got: &BTreeSet<String>, want: &BTreeSet<String>, what: &str) {
    let missing: Vec<_> = want.difference(got).take(5).collect();
    let extra: Vec<_> = got.difference(want).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: {} read, {} sent; missing e.g. {missing:?}, not sent e.g. {extra:?}",
        got.len(),
        want.len()
    );
}

/// One capture checked field by field (long because it lists every field it compares).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tshark_reads_everything_peerlab_sends_without_a_malformed_packet() {
    let Some(tshark) = daemons::require_program("tshark", "tshark", "tshark_reads_everything_peerlab_sends") else {
        return;
    };
    let port = daemons::free_port();
    let dir = daemons::scratch_dir("tshark");
    let pcap = dir.join("bgp.pcap");
    let mut capture = Proc::new(&tshark)
        .args(["-i", "lo", "-f", &format!("tcp port {port}"), "-w"])
        .arg(&pcap)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tshark starts");
    // Wait until the capture is running (dumpcap writes the pcap header first).
    for _ in 0..100 {
        if std::fs::metadata(&pcap).map(|m| m.len() > 0).unwrap_or(false) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if let Ok(Some(status)) = capture.try_wait() {
        // tshark ended before capturing: most often an ordinary user without the right to
        // capture on `lo` (dumpcap needs root or its capabilities).
        let mut err = String::new();
        if let Some(mut e) = capture.stderr.take() {
            use std::io::Read;
            let _ = e.read_to_string(&mut err);
        }
        let why = format!("tshark could not capture on lo ({status}): {}", err.trim());
        if daemons::interop_required() {
            panic!("{why}");
        }
        eprintln!(
            "SKIPPED tshark_reads_everything_peerlab_sends: {why}; run as root or allow dumpcap to capture \
             (dpkg-reconfigure wireshark-common); set PEERLAB_REQUIRE_INTEROP=1 to make this a failure"
        );
        return;
    }

    let listen: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let listener = Listener::bind(listen).await.expect("listen");
    let rx = listener.register("127.0.0.3".parse().unwrap(), None).expect("register");
    let mut bcfg = SessionConfig::new("b", 65002, PeerAs::Exact(4_200_000_001), "10.0.0.2".parse().unwrap());
    bcfg.passive = true;
    let opts = DriverOptions {
        start: true,
        restart_after: None,
    };
    let mut b = speaker::spawn_session(bcfg, Box::new(NoConnector), rx, opts.clone());
    let acfg = SessionConfig::new("a", 4_200_000_001, PeerAs::Exact(65002), "10.0.0.1".parse().unwrap());
    let mut conn = TcpConnector::new(listen);
    conn.local = Some("127.0.0.3:0".parse().unwrap());
    let (_, none) = tokio::sync::mpsc::channel(1);
    let mut a = speaker::spawn_session(acfg, Box::new(conn), none, opts);
    assert!(until_state(&mut a, State::Established).await, "a not Established");
    assert!(until_state(&mut b, State::Established).await, "b not Established");

    let updates = rich_updates(&SessionContext::default());
    let sent_updates = updates.len();
    assert!(a.command(Command::SendUpdates(updates)).await);
    assert!(a.command(Command::RequestRefresh(Family::IPV4_UNICAST)).await);
    let mut got = 0;
    let mut refresh = false;
    tokio::time::timeout(WAIT, async {
        while got < sent_updates || !refresh {
            match b.events.recv().await {
                Some(SessionEvent::Update(_)) => got += 1,
                Some(SessionEvent::RouteRefresh(_)) => refresh = true,
                Some(_) => {}
                None => break,
            }
        }
    })
    .await
    .expect("b received everything");
    assert!(a.control(Control::Stop(Cease::admin_shutdown(Some("tshark check done")))));
    assert!(until_state(&mut b, State::Idle).await, "b saw the Cease");
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Stop the capture by its own pid (SIGINT lets it finish the file).
    let _ = Proc::new("kill").args(["-INT", &capture.id().to_string()]).status();
    let _ = capture.wait();

    let decode = |fields: &[&str], filter: &str| -> String {
        let mut cmd = Proc::new(&tshark);
        cmd.arg("-r")
            .arg(&pcap)
            .args(["-d", &format!("tcp.port=={port},bgp"), "-Y", filter, "-T", "fields"]);
        for f in fields {
            cmd.args(["-e", f]);
        }
        let out = cmd.output().expect("tshark reads");
        // A bad filter or field makes tshark fail: never let that pass as "nothing found".
        assert!(
            out.status.success(),
            "tshark -Y {filter}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let bad = decode(
        &["frame.number", "_ws.expert.message"],
        "_ws.malformed || _ws.expert.severity >= warning",
    );
    assert!(bad.trim().is_empty(), "tshark found problems:\n{bad}");
    let types: Vec<u32> = decode(&["bgp.type"], "bgp")
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter_map(|t| t.parse().ok())
        .collect();
    let count = |t: u32| types.iter().filter(|&&x| x == t).count();
    assert_eq!(count(1), 2, "two OPENs: {types:?}");
    assert_eq!(count(2), sent_updates, "every UPDATE");
    assert_eq!(count(3), 1, "one NOTIFICATION");
    assert_eq!(count(5), 1, "one ROUTE-REFRESH");
    let v4 = decode(&["bgp.nlri_prefix"], "bgp.type == 2");
    assert_eq!(
        v4.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .count(),
        1500
    );
    let v6 = decode(&["bgp.mp_reach_nlri_ipv6_prefix"], "bgp.type == 2");
    assert_eq!(
        v6.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .count(),
        600
    );
    let notify = decode(
        &["bgp.notify.major_error", "bgp.notify.minor_error_cease"],
        "bgp.type == 3",
    );
    assert!(notify.starts_with("6\t2"), "NOTIFICATION as tshark reads it: {notify}");
    // What tshark read in the UPDATEs, value by value: the distinct values of each field
    // across every UPDATE (every UPDATE carries the same attribute set).
    let distinct = |field: &str| -> BTreeSet<String> {
        decode(&[field], "bgp.type == 2")
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let set = |v: &[&str]| -> BTreeSet<String> { v.iter().map(|s| s.to_string()).collect() };
    let f = "bgp.update.path_attribute.";
    assert_eq!(
        distinct(&format!("{f}as_path_segment.as4")),
        set(&["4200000001", "64500", "64501"])
    );
    assert_eq!(distinct(&format!("{f}multi_exit_disc")), set(&["55"]));
    assert_eq!(
        distinct(&format!("{f}next_hop")),
        set(&["192.0.2.1"]),
        "the IPv4 NEXT_HOP"
    );
    assert_eq!(distinct(&format!("{f}community_as")), set(&["65020"]));
    assert_eq!(distinct(&format!("{f}community_value")), set(&["9"]));
    assert_eq!(
        distinct(&format!("{f}community_wellknown")),
        set(&["0xffffff01"]),
        "NO_EXPORT"
    );
    assert_eq!(distinct("bgp.large_communities.ga"), set(&["4200000001"]));
    assert_eq!(distinct("bgp.large_communities.ldp1"), set(&["3"]));
    assert_eq!(distinct("bgp.large_communities.ldp2"), set(&["4"]));
    assert_eq!(distinct("bgp.ext_com.value_as2"), set(&["65000"]), "rt:65000:100");
    assert_eq!(distinct("bgp.ext_com.value_an4"), set(&["100"]), "rt:65000:100");
    // tshark shows a prefix's address and its length in separate fields.
    let expected_v4: BTreeSet<String> = (0..1500u32).map(|i| format!("10.{}.{}.0", i / 256, i % 256)).collect();
    same_set(&distinct("bgp.nlri_prefix"), &expected_v4, "the IPv4 prefixes");
    let expected_v6: BTreeSet<String> = (0..600u32)
        .map(|i| Ipv6Addr::new(0x2001, 0xdb8, i as u16, 0, 0, 0, 0, 0).to_string())
        .collect();
    same_set(
        &distinct("bgp.mp_reach_nlri_ipv6_prefix"),
        &expected_v6,
        "the IPv6 prefixes",
    );
    assert_eq!(distinct("bgp.prefix_length"), set(&["24", "48"]), "the prefix lengths");
    let text = decode(&["bgp.notify.communication"], "bgp.type == 3");
    assert_eq!(text.trim(), "tshark check done", "the Cease's shutdown communication");
    drop(listener);
    let _ = std::fs::remove_dir_all(&dir);
}
