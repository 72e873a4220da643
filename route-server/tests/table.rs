//! The shared table's bookkeeping: attribute sets interned once and freed when unused,
//! End-of-RIB after the initial view, nothing left behind by a flapping client.

mod common;

use common::*;

#[test]
fn identical_attribute_sets_are_stored_once_and_freed_when_unused() {
    let mut lab = Lab::new(3, Lab::config());
    let a = attrs(&[asn(0), 13335], addr(0));
    lab.send(0, &announce(&a, &["1.1.1.0/24", "1.1.2.0/24"]));
    lab.send(0, &announce(&a, &["1.1.3.0/24"]));
    assert_eq!(lab.rs.stats().attribute_sets, 1);
    lab.send(1, &announce(&attrs(&[asn(1), 13335], addr(1)), &["1.1.1.0/24"]));
    assert_eq!(lab.rs.stats().attribute_sets, 2);
    lab.send(0, &withdraw(&["1.1.1.0/24", "1.1.2.0/24", "1.1.3.0/24"]));
    assert_eq!(lab.rs.stats().attribute_sets, 1);
    lab.rs.session_down(lab.ids[1]).expect("session");
    assert_eq!(lab.rs.stats().attribute_sets, 0);
    assert_eq!(lab.rs.stats().paths, 0);
}

#[test]
fn a_replaced_route_releases_its_old_attribute_set() {
    let mut lab = Lab::new(2, Lab::config());
    lab.send(0, &announce(&attrs(&[asn(0), 13335], addr(0)), &["1.1.1.0/24"]));
    lab.send(0, &announce(&attrs(&[asn(0), 3333, 13335], addr(0)), &["1.1.1.0/24"]));
    assert_eq!(lab.rs.stats().attribute_sets, 1);
    assert_eq!(lab.views[1].as_path("1.1.1.0/24"), Some(vec![asn(0), 3333, 13335]));
}

#[test]
fn each_session_gets_one_end_of_rib_after_its_initial_view() {
    let mut lab = Lab::new(2, Lab::config());
    assert_eq!(lab.views[0].end_of_rib, 1);
    lab.send(0, &announce(&attrs(&[asn(0), 13335], addr(0)), &["1.1.1.0/24"]));
    assert_eq!(lab.views[1].end_of_rib, 1, "later updates bring no further End-of-RIB");
}

#[test]
fn a_flapping_client_leaves_nothing_stale_behind() {
    let mut lab = Lab::new(3, Lab::config());
    for round in 0..5 {
        lab.send(
            0,
            &announce(&attrs(&[asn(0), 13335], addr(0)), &["1.1.1.0/24", "1.1.2.0/24"]),
        );
        assert_eq!(lab.views[1].routes.len(), 2, "round {round}");
        lab.rs.session_down(lab.ids[0]).expect("session");
        lab.sync();
        assert!(
            lab.views[1].routes.is_empty() && lab.views[2].routes.is_empty(),
            "round {round}"
        );
        lab.rs.session_up(lab.ids[0], lab.ctxs[0]).expect("session");
        lab.views[0] = View::default();
        lab.sync();
    }
    assert_eq!(lab.rs.stats().paths, 0);
    assert_eq!(lab.rs.stats().attribute_sets, 0);
    assert_eq!(lab.rs.counters(lab.ids[0]).expect("session").downs, 5);
}

#[test]
fn outcomes_and_counters_count_each_route_once() {
    let mut lab = Lab::new(2, Lab::config());
    let out = lab.send(
        0,
        &announce(&attrs(&[asn(0), 7777], addr(0)), &["1.1.1.0/24", "1.1.2.0/24"]),
    );
    assert_eq!((out.accepted, out.rejected), (0, 2));
    let out = lab.send(0, &announce(&attrs(&[asn(0), 13335], addr(0)), &["1.1.3.0/24"]));
    assert_eq!((out.accepted, out.rejected), (1, 0));
    let out = lab.send(0, &withdraw(&["1.1.1.0/24", "1.1.3.0/24"]));
    assert_eq!(out.withdrawn, 2);
    let c = lab.rs.counters(lab.ids[0]).expect("session");
    assert_eq!(
        (c.updates_in, c.routes_in, c.accepted, c.rejected, c.withdrawals_in),
        (3, 3, 1, 2, 2)
    );
    let r = lab.rs.counters(lab.ids[1]).expect("session");
    assert_eq!((r.announced_out, r.withdrawn_out), (1, 1));
    assert_eq!(
        lab.rs.rib_in(lab.ids[0]).expect("session").len(),
        1,
        "the rejected 1.1.2.0/24 is kept"
    );
}

#[test]
fn the_engine_can_move_into_a_table_task() {
    fn assert_send<T: Send + 'static>(_: &T) {}
    let lab = Lab::new(1, Lab::config());
    assert_send(&lab.rs);
    let handle = std::thread::spawn(move || lab.rs.stats().attribute_sets);
    assert_eq!(handle.join().expect("thread"), 0);
}

#[test]
fn a_busy_client_gets_only_the_last_state_of_each_prefix() {
    let mut lab = Lab::new(2, Lab::config());
    let id = lab.ids[0];
    // Client 1 announces and withdraws while client 0 is not polled: nothing to send.
    lab.rs
        .ingest(
            lab.ids[1],
            &announce(&attrs(&[asn(1), 13335], addr(1)), &["1.1.1.0/24"]),
        )
        .expect("ingest");
    lab.rs.ingest(lab.ids[1], &withdraw(&["1.1.1.0/24"])).expect("ingest");
    assert!(lab.rs.poll_output(id, 1 << 20).expect("output").is_empty());
    assert!(!lab.rs.has_output(id));
    // Two announcements in a row: only the second one's attributes go out, once.
    lab.rs
        .ingest(
            lab.ids[1],
            &announce(&attrs(&[asn(1), 13335], addr(1)), &["1.1.1.0/24"]),
        )
        .expect("ingest");
    lab.rs
        .ingest(
            lab.ids[1],
            &announce(&attrs(&[asn(1), 3333, 13335], addr(1)), &["1.1.1.0/24"]),
        )
        .expect("ingest");
    let msgs = lab.rs.poll_output(id, 1 << 20).expect("output");
    assert_eq!(msgs.len(), 1);
    lab.views[0].apply(&msgs, &lab.ctxs[0]);
    assert_eq!(lab.views[0].as_path("1.1.1.0/24"), Some(vec![asn(1), 3333, 13335]));
}

#[test]
fn output_is_cut_near_the_byte_budget_and_resumes_on_the_next_poll() {
    let mut lab = Lab::new(2, Lab::config());
    let id = lab.ids[0];
    // 3,000 prefixes with 3,000 different MEDs: 3,000 UPDATEs, more than one chunk.
    for i in 0..3000u32 {
        let p = format!("20.{}.{}.0/24", i / 256, i % 256);
        let a = with_med(attrs(&[asn(1), 13335], addr(1)), i);
        lab.rs.ingest(lab.ids[1], &announce(&a, &[p.as_str()])).expect("ingest");
    }
    let first = lab.rs.poll_output(id, 1).expect("output");
    assert!(!first.is_empty() && first.len() < 3000, "one chunk: {}", first.len());
    assert!(lab.rs.has_output(id));
    lab.views[0].apply(&first, &lab.ctxs[0]);
    lab.sync();
    assert_eq!(lab.views[0].routes.len(), 3000);
}
