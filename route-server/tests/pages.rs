//! Route listings in pages (`RouteServer::page`): a walk lists each route once, and a route
//! held during the whole walk is listed exactly once even while other routes come and go.

mod common;

use common::*;
use route_server::{Cursor, Listing};
use std::collections::BTreeMap;

/// Walks `listing` with pages of `limit`, calling `between` after each page; how often each
/// prefix was listed.
fn walk(
    lab: &mut Lab,
    listing: Listing,
    limit: usize,
    mut between: impl FnMut(&mut Lab, usize),
) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    let mut after: Option<Cursor> = None;
    for round in 0..10_000 {
        let page = lab.rs.page(listing, after, limit).expect("session");
        assert!(page.routes.len() <= limit);
        for r in &page.routes {
            *seen.entry(r.prefix.to_string()).or_insert(0) += 1;
        }
        between(lab, round);
        match page.next {
            Some(c) => after = Some(c),
            None => return seen,
        }
    }
    panic!("no last page");
}

#[test]
fn a_walk_in_pages_of_three_lists_every_route_of_an_adj_rib_out_once() {
    let mut lab = Lab::new(2, Lab::config());
    let v4: Vec<String> = (0..40).map(|i| format!("1.1.{i}.0/24")).collect();
    let v4: Vec<&str> = v4.iter().map(String::as_str).collect();
    lab.send(0, &announce(&attrs(&[asn(0), 13335], addr(0)), &v4));
    let listing = Listing::AdjRibOut(lab.ids[1]);
    let seen = walk(&mut lab, listing, 3, |_, _| {});
    assert_eq!(seen.len(), 40);
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
    let whole = lab.rs.adj_rib_out(lab.ids[1]).expect("session");
    assert_eq!(whole.len(), 40, "the whole listing is one page without a limit");
}

#[test]
fn a_route_held_during_the_whole_walk_is_listed_exactly_once_while_others_come_and_go() {
    let mut lab = Lab::new(2, Lab::config());
    let held: Vec<String> = (0..50).map(|i| format!("1.1.{i}.0/24")).collect();
    let held_refs: Vec<&str> = held.iter().map(String::as_str).collect();
    let a = attrs(&[asn(0), 13335], addr(0));
    lab.send(0, &announce(&a, &held_refs));
    let listing = Listing::RibIn(lab.ids[0]);
    let seen = walk(&mut lab, listing, 7, |lab, round| {
        let came = format!("2.2.{round}.0/24");
        lab.send(0, &announce(&a, &[came.as_str()]));
        if round > 0 {
            let went = format!("2.2.{}.0/24", round - 1);
            lab.send(0, &withdraw(&[went.as_str()]));
        }
        // One of the held routes changes its attributes: still the same route.
        lab.send(
            0,
            &announce(&attrs(&[asn(0), 3333, 13335], addr(0)), &[held_refs[round % 50]]),
        );
    });
    for h in &held {
        assert_eq!(seen.get(h), Some(&1), "{h}: {seen:?}");
    }
    assert!(seen.values().all(|n| *n == 1), "nothing twice: {seen:?}");
}
