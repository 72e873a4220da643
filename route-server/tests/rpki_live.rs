//! RPKI origin validation in the running route server, with real client sessions: the ROA
//! file is read at start, an RPKI-invalid route is rejected `rpki-invalid` and reaches no
//! one, and a changed ROA file (seen by the runtime's own polling) is applied to the routes
//! already held without resetting any session: the route it makes valid is released, the one
//! it makes invalid is withdrawn. A bad file keeps the ROAs in use; a missing one stops the
//! start naming the field.

mod live;

use live::{attrs, client, config, lo, scratch, PeerSpec};
use route_server::runtime::{self, RuntimeError, RuntimeOptions};
use route_server::RpkiConfig;
use std::path::Path;
use std::time::Duration;

/// Routinator's spelling: the ASN as `"AS13335"`.
const ROAS_13335: &str = r#"{"metadata":{"generated":1},"roas":[
    {"asn":"AS13335","prefix":"20.2.0.0/16","maxLength":16,"ta":"arin"}]}"#;

/// rpki-client's spelling: the ASN as a number, with `expires`.
const ROAS_CHANGED: &str = r#"{"roas":[
    {"asn":1002,"prefix":"20.2.0.0/16","maxLength":16,"ta":"arin","expires":1900000000},
    {"asn":13335,"prefix":"20.3.0.0/16","maxLength":24,"ta":"arin","expires":1900000000}]}"#;

/// Replaces the file the way validators do: write a temporary file, rename it over.
fn replace(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).expect("temporary ROA file written");
    std::fs::rename(&tmp, path).expect("ROA file replaced");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_rpki_invalid_route_is_rejected_and_a_roa_file_change_releases_it_without_a_session_reset() {
    let dir = scratch("rpki-live");
    let roa_file = dir.join("roas.json");
    replace(&roa_file, ROAS_13335);
    let (a_addr, b_addr) = (lo(41, 1), lo(41, 2));
    let mut cfg = config(vec![client("a", 1_002, &[a_addr]), client("b", 1_200, &[b_addr])]);
    cfg.import.rpki = RpkiConfig {
        reject_invalid: true,
        roa_file: Some(roa_file.clone()),
    };
    let opts = RuntimeOptions {
        roa_poll: Some(Duration::from_millis(100)),
        ..RuntimeOptions::default()
    };
    let (rs, listen) = live::start(&cfg, opts, false).await;
    assert_eq!(
        rs.stats().await.expect("stats").roas,
        1,
        "the ROA file is read at start"
    );
    let mut a = PeerSpec::new(1_002, a_addr, listen).start();
    let mut b = PeerSpec::new(1_200, b_addr, listen).start();
    a.up(0).await;
    b.up(0).await;

    // 20.2.0.0/16 is covered by AS13335's ROA: invalid for AS1002. 20.3.0.0/16 has no ROA.
    a.announce(&attrs(&[1_002], a_addr), a_addr, &["20.2.0.0/16", "20.3.0.0/16"])
        .await;
    b.expect("the not-found route arrives", |p| p.holds("20.3.0.0/16"))
        .await;
    assert!(!b.holds("20.2.0.0/16"), "the RPKI-invalid route reaches no one");
    let rejected = rs.rejected("a").await.expect("rejected routes");
    let reasons: Vec<(&str, &str)> = rejected
        .iter()
        .map(|r| (r.prefix.as_str(), r.reason.as_ref().map_or("", |x| x.name)))
        .collect();
    assert_eq!(reasons, [("20.2.0.0/16", "rpki-invalid")]);

    // The ROA file changes: 20.2.0.0/16 now belongs to AS1002, 20.3.0.0/16 to AS13335.
    replace(&roa_file, ROAS_CHANGED);
    b.expect(
        "the route made valid is released and the one made invalid withdrawn",
        |p| p.holds("20.2.0.0/16") && !p.holds("20.3.0.0/16"),
    )
    .await;
    assert_eq!(b.as_path("20.2.0.0/16"), Some(vec![1_002]));
    let rejected = rs.rejected("a").await.expect("rejected routes");
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].prefix, "20.3.0.0/16");
    assert_eq!(rejected[0].reason.as_ref().map(|r| r.name), Some("rpki-invalid"));
    assert_eq!(rs.stats().await.expect("stats").roas, 2, "the new count in /stats");

    // No session was reset to apply the change.
    assert_eq!((a.ups, b.ups), (1, 1));
    assert!(a.received.is_empty() && b.received.is_empty(), "no NOTIFICATION");
    let view = rs.session("a").await.expect("session a");
    assert_eq!((view.counters.ups, view.counters.downs), (1, 0));
    rs.shutdown(Duration::from_secs(2)).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roa_file_that_no_longer_loads_keeps_the_roas_in_use_and_a_missing_one_stops_the_start() {
    let dir = scratch("rpki-bad");
    let roa_file = dir.join("roas.json");
    let mut cfg = config(vec![client("a", 1_002, &[lo(42, 1)])]);
    cfg.import.rpki = RpkiConfig {
        reject_invalid: true,
        roa_file: Some(roa_file.clone()),
    };
    let no_poll = RuntimeOptions {
        roa_poll: None,
        ..RuntimeOptions::default()
    };
    match runtime::start(&cfg, no_poll.clone()).await {
        Err(RuntimeError::Config(m)) => assert!(m.contains("`import.rpki.roa_file`") && m.contains("fix:"), "{m}"),
        other => panic!("a missing ROA file must stop the start: {other:?}"),
    }

    replace(&roa_file, ROAS_CHANGED);
    let rs = runtime::start(&cfg, no_poll).await.expect("starts");
    assert_eq!(rs.stats().await.expect("stats").roas, 2);
    replace(
        &roa_file,
        r#"{"roas":[{"asn":"AS13335","prefix":"20.2.0.0/33","maxLength":16}]}"#,
    );
    match rs.reload_roas().await {
        Err(RuntimeError::Config(m)) => assert!(m.contains("`import.rpki.roa_file`"), "{m}"),
        other => panic!("a bad ROA file must not load: {other:?}"),
    }
    assert_eq!(rs.stats().await.expect("stats").roas, 2, "the ROAs in use stay");
    replace(&roa_file, ROAS_13335);
    assert_eq!(rs.reload_roas().await, Ok(1));
    assert_eq!(rs.stats().await.expect("stats").roas, 1);
    rs.shutdown(Duration::from_secs(2)).await;
    let _ = std::fs::remove_dir_all(dir);
}
