//! Removing a session for good (a de-configured client): its routes are withdrawn from every
//! other client, its id becomes unknown, and its address can be given to a new session.

mod common;

use common::*;
use route_server::{EngineError, SessionConfig};
use std::net::IpAddr;

/// Drains the output of the clients still configured (all but `skip`).
fn sync_except(lab: &mut Lab, skip: usize) {
    for (i, id) in lab.ids.clone().into_iter().enumerate() {
        if i == skip {
            continue;
        }
        for _ in 0..10_000 {
            if !lab.rs.has_output(id) {
                break;
            }
            let msgs = lab.rs.poll_output(id, 64 * 1024).expect("output");
            lab.views[i].apply(&msgs, &lab.ctxs[i]);
        }
    }
}

#[test]
fn a_removed_session_has_its_routes_withdrawn_from_every_client() {
    let mut lab = Lab::new(3, Lab::config());
    lab.send(
        0,
        &announce(&attrs(&[asn(0), 13335], addr(0)), &["1.1.1.0/24", "1.1.2.0/24"]),
    );
    lab.send(1, &announce(&attrs(&[asn(1), 15169], addr(1)), &["8.8.8.0/24"]));
    assert_eq!(lab.views[2].prefixes().len(), 3);
    lab.rs.remove_session(lab.ids[0]).expect("removed");
    sync_except(&mut lab, 0);
    assert_eq!(lab.views[2].prefixes(), vec![net("8.8.8.0/24")]);
    assert_eq!(lab.views[1].prefixes(), Vec::<ipnet::IpNet>::new());
    assert_eq!(lab.rs.stats().paths, 1);
}

#[test]
fn a_removed_session_is_unknown_to_the_engine_and_cannot_come_back_up() {
    let mut lab = Lab::new(2, Lab::config());
    let gone = lab.ids[0];
    lab.rs.remove_session(gone).expect("removed");
    assert!(!lab.rs.session_ids().any(|id| id == gone));
    assert_eq!(lab.rs.session_state(gone), Err(EngineError::UnknownSession(gone)));
    assert_eq!(
        lab.rs.session_up(gone, lab.ctxs[0]),
        Err(EngineError::UnknownSession(gone))
    );
    assert_eq!(lab.rs.remove_session(gone), Err(EngineError::UnknownSession(gone)));
}

#[test]
fn the_address_of_a_removed_session_can_be_given_to_a_new_one() {
    let mut lab = Lab::new(2, Lab::config());
    let again = SessionConfig::new("again", asn(0), IpAddr::V4(addr(0)));
    assert_eq!(
        lab.rs.add_session(again.clone()),
        Err(EngineError::DuplicateAddress(IpAddr::V4(addr(0))))
    );
    lab.rs.remove_session(lab.ids[0]).expect("removed");
    let id = lab.rs.add_session(again).expect("the address is free again");
    assert_ne!(id, lab.ids[0], "session ids are never reused");
    lab.rs.session_up(id, lab.ctxs[0]).expect("up");
    lab.rs
        .ingest(id, &announce(&attrs(&[asn(0), 13335], addr(0)), &["1.1.1.0/24"]))
        .expect("ingest");
    sync_except(&mut lab, 0);
    assert_eq!(lab.views[1].prefixes(), vec![net("1.1.1.0/24")]);
}
