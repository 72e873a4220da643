//! Malformed messages, one row per RFC 4271 §6 / RFC 7606 case, each with the exact
//! NOTIFICATION (code, subcode, data) and the RFC 7606 action the codec must give.

use bgp_core::attr::{type_code as tc, AttrValue};
use bgp_core::framer;
use bgp_core::types::msg_type;
use bgp_core::{ErrorAction, Message, SessionContext, UpdateView};
use bytes::{Bytes, BytesMut};
use peerlab_tests::wire::{
    as_path, attr, four_octet_as_param, mandatory, message, next_hop, nlri_10, open_body, origin, update,
    update_with_lengths, with_length,
};

use ErrorAction::{
    AfiSafiDisable as Disable, AttributeDiscard as Discard, SessionReset as Reset, TreatAsWithdraw as TaW,
};

/// One row: what it is, the RFC that says so, the message, and (code, subcode, data, action).
struct Row {
    name: &'static str,
    rfc: &'static str,
    msg: Vec<u8>,
    expect: (u8, u8, Vec<u8>, ErrorAction),
}

fn row(name: &'static str, rfc: &'static str, msg: Vec<u8>, expect: (u8, u8, Vec<u8>, ErrorAction)) -> Row {
    Row { name, rfc, msg, expect }
}

/// An IPv6 MP_REACH_NLRI value with next hop `nh` and NLRI `nlri`.
fn mp_reach_v6(nh: &[u8], nlri: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 2, 1, nh.len() as u8];
    v.extend_from_slice(nh);
    v.push(0);
    v.extend_from_slice(nlri);
    v
}

fn v6_next_hop() -> Vec<u8> {
    let mut nh = vec![0x20, 0x01, 0x0d, 0xb8];
    nh.extend_from_slice(&[0; 11]);
    nh.push(1);
    nh
}

fn header_rows() -> Vec<Row> {
    let mut bad_marker = message(msg_type::KEEPALIVE, &[]);
    bad_marker[3] = 0xfe;
    let mut too_long = with_length(msg_type::UPDATE, &[0, 0, 0, 0], 4097);
    too_long.resize(4097, 0);
    vec![
        row("bad marker", "RFC 4271 §6.1", bad_marker, (1, 1, vec![], Reset)),
        row(
            "length field below 19",
            "RFC 4271 §6.1: data is the erroneous Length field",
            with_length(msg_type::KEEPALIVE, &[], 18),
            (1, 2, vec![0, 18], Reset),
        ),
        row(
            "length 4097 without extended message",
            "RFC 4271 §6.1, RFC 8654 §4",
            too_long,
            (1, 2, vec![0x10, 0x01], Reset),
        ),
        row(
            "KEEPALIVE of 20 octets",
            "RFC 4271 §6.1: KEEPALIVE is exactly 19",
            message(msg_type::KEEPALIVE, &[0]),
            (1, 2, vec![0, 20], Reset),
        ),
        row(
            "UPDATE shorter than 23",
            "RFC 4271 §6.1: per-type minimum length",
            message(msg_type::UPDATE, &[0, 0, 0]),
            (1, 2, vec![0, 22], Reset),
        ),
        row(
            "unknown message type 6",
            "RFC 4271 §6.1: data is the erroneous Type field",
            message(6, &[]),
            (1, 3, vec![6], Reset),
        ),
    ]
}

fn open_rows() -> Vec<Row> {
    let id = [192, 0, 2, 1];
    let caps = four_octet_as_param(65001);
    vec![
        row(
            "OPEN version 3",
            "RFC 4271 §6.2: data is the largest supported version, 2 octets",
            message(msg_type::OPEN, &open_body(3, 65001, 90, id, &caps)),
            (2, 1, vec![0, 4], Reset),
        ),
        row(
            "OPEN hold time 1",
            "RFC 4271 §6.2: hold time 1 or 2 is unacceptable",
            message(msg_type::OPEN, &open_body(4, 65001, 1, id, &caps)),
            (2, 6, vec![], Reset),
        ),
        row(
            "OPEN hold time 2",
            "RFC 4271 §6.2",
            message(msg_type::OPEN, &open_body(4, 65001, 2, id, &caps)),
            (2, 6, vec![], Reset),
        ),
        row(
            "OPEN BGP identifier 0.0.0.0",
            "RFC 4271 §6.2, RFC 6286 §2.2",
            message(msg_type::OPEN, &open_body(4, 65001, 90, [0; 4], &caps)),
            (2, 3, vec![], Reset),
        ),
        row(
            "OPEN with an unsupported optional parameter (type 1, authentication)",
            "RFC 4271 §6.2",
            message(msg_type::OPEN, &open_body(4, 65001, 90, id, &[1, 2, 0, 0])),
            (2, 4, vec![], Reset),
        ),
    ]
}

fn update_framing_rows() -> Vec<Row> {
    let m = mandatory();
    vec![
        row(
            "withdrawn routes length overruns the message",
            "RFC 4271 §6.3, RFC 7606 §5.2 (no attributes can be located)",
            update_with_lengths(50, &[], 0, &[], &[]),
            (3, 1, vec![], Reset),
        ),
        row(
            "total attribute length overruns the message",
            "RFC 4271 §6.3, RFC 7606 §4",
            update_with_lengths(0, &[], 200, &m, &[]),
            (3, 1, vec![], Reset),
        ),
        row(
            "an attribute overruns the total attribute length",
            "RFC 7606 §4: treat-as-withdraw, NLRI located by the Total Attribute Length",
            update_with_lengths(
                0,
                &[],
                (m.len() + 3) as u16,
                &[m.clone(), vec![0x80, 4, 9]].concat(),
                &nlri_10(),
            ),
            (3, 1, vec![], TaW),
        ),
        row(
            "NLRI prefix length 33",
            "RFC 4271 §6.3, RFC 7606 §5.3: NLRI that cannot be parsed reset the session",
            update(&[], &m, &[33, 10, 0, 0, 0, 0]),
            (3, 10, vec![], Reset),
        ),
        row(
            "withdrawn prefix length 33",
            "RFC 4271 §6.3, RFC 7606 §5.3",
            update(&[33, 10, 0, 0, 0, 0], &[], &[]),
            (3, 10, vec![], Reset),
        ),
        row(
            "unrecognized well-known attribute",
            "RFC 4271 §6.3 (not revised by RFC 7606): data is the attribute",
            update(&[], &[m.clone(), attr(0x40, 200, &[1, 2])].concat(), &nlri_10()),
            (3, 2, attr(0x40, 200, &[1, 2]), Reset),
        ),
        row(
            "MP_REACH_NLRI twice",
            "RFC 7606 §3 (g)",
            update(
                &[],
                &[
                    origin(),
                    as_path(),
                    attr(0x80, tc::MP_REACH_NLRI, &mp_reach_v6(&v6_next_hop(), &[])),
                    attr(0x80, tc::MP_REACH_NLRI, &mp_reach_v6(&v6_next_hop(), &[])),
                ]
                .concat(),
                &[],
            ),
            (3, 1, vec![], Reset),
        ),
        row(
            "MP_UNREACH_NLRI twice",
            "RFC 7606 §3 (g)",
            update(
                &[],
                &[
                    attr(0x80, tc::MP_UNREACH_NLRI, &[0, 2, 1]),
                    attr(0x80, tc::MP_UNREACH_NLRI, &[0, 2, 1]),
                ]
                .concat(),
                &[],
            ),
            (3, 1, vec![], Reset),
        ),
        row(
            "duplicate MED: the second is discarded",
            "RFC 7606 §3 (g)",
            update(
                &[],
                &[
                    m.clone(),
                    attr(0x80, tc::MED, &[0, 0, 0, 1]),
                    attr(0x80, tc::MED, &[0, 0, 0, 2]),
                ]
                .concat(),
                &nlri_10(),
            ),
            (3, 1, vec![], Discard),
        ),
    ]
}

fn missing_rows() -> Vec<Row> {
    let n = nlri_10();
    vec![
        row(
            "NLRI without ORIGIN",
            "RFC 4271 §6.3, RFC 7606 §3 (d): data is the missing type code",
            update(&[], &[as_path(), next_hop()].concat(), &n),
            (3, 3, vec![1], TaW),
        ),
        row(
            "NLRI without AS_PATH",
            "RFC 7606 §3 (d)",
            update(&[], &[origin(), next_hop()].concat(), &n),
            (3, 3, vec![2], TaW),
        ),
        row(
            "NLRI without NEXT_HOP",
            "RFC 7606 §3 (d)",
            update(&[], &[origin(), as_path()].concat(), &n),
            (3, 3, vec![3], TaW),
        ),
        row(
            "MP_REACH_NLRI without ORIGIN",
            "RFC 7606 §3 (d), RFC 4760 §3 (NEXT_HOP not needed)",
            update(
                &[],
                &[
                    as_path(),
                    attr(
                        0x80,
                        tc::MP_REACH_NLRI,
                        &mp_reach_v6(&v6_next_hop(), &[32, 0x20, 1, 0xd, 0xb8]),
                    ),
                ]
                .concat(),
                &[],
            ),
            (3, 3, vec![1], TaW),
        ),
        row(
            "NLRI without NEXT_HOP and with a duplicate attribute: the stronger action wins",
            "RFC 7606 §3 (d), (g) and (i): treat-as-withdraw outranks attribute discard",
            update(
                &[],
                &[
                    origin(),
                    as_path(),
                    attr(0x80, tc::MED, &[0, 0, 0, 1]),
                    attr(0x80, tc::MED, &[0, 0, 0, 1]),
                ]
                .concat(),
                &n,
            ),
            (3, 3, vec![3], TaW),
        ),
    ]
}

/// A table, one row per malformed attribute (its length is its rows).
fn attribute_rows() -> Vec<Row> {
    let n = nlri_10();
    // The three mandatory attributes with `bad` in place of the one of type `t`, then NLRI.
    let with = |t: u8, bad: &[u8]| {
        let attrs = [origin(), as_path(), next_hop()]
            .into_iter()
            .enumerate()
            .map(|(i, a)| if i as u8 + 1 == t { bad.to_vec() } else { a })
            .collect::<Vec<_>>()
            .concat();
        update(&[], &attrs, &n)
    };
    // The mandatory attributes plus `extra`.
    let plus = |extra: &[u8]| update(&[], &[mandatory(), extra.to_vec()].concat(), &n);
    let origin_flags = attr(0xc0, tc::ORIGIN, &[0]);
    let origin_len = attr(0x40, tc::ORIGIN, &[0, 0]);
    let origin_3 = attr(0x40, tc::ORIGIN, &[3]);
    let nh_5 = attr(0x40, tc::NEXT_HOP, &[192, 0, 2, 1, 0]);
    let med_flags = attr(0xc0, tc::MED, &[0, 0, 0, 1]);
    let med_len = attr(0x80, tc::MED, &[0, 0, 1]);
    let lp_len = attr(0x40, tc::LOCAL_PREF, &[0, 0, 0, 0, 1]);
    let partial_well_known = attr(0x60, tc::LOCAL_PREF, &[0, 0, 0, 1]);
    let atomic_1 = attr(0x40, tc::ATOMIC_AGGREGATE, &[1]);
    let aggregator_6 = attr(0xc0, tc::AGGREGATOR, &[0, 0, 0xfd, 0xe9, 192, 0]);
    let communities_3 = attr(0xc0, tc::COMMUNITIES, &[0, 1, 2]);
    let communities_0 = attr(0xc0, tc::COMMUNITIES, &[]);
    let large_10 = attr(0xc0, tc::LARGE_COMMUNITY, &[0; 10]);
    let ext_7 = attr(0xc0, tc::EXTENDED_COMMUNITIES, &[0; 7]);
    let as4_bad = attr(0xc0, tc::AS4_PATH, &[2, 2, 0, 0, 0, 1]);
    let originator_3 = attr(0x80, tc::ORIGINATOR_ID, &[1, 2, 3]);
    let cluster_5 = attr(0x80, tc::CLUSTER_LIST, &[1, 2, 3, 4, 5]);
    vec![
        row(
            "ORIGIN flagged optional",
            "RFC 4271 §6.3, RFC 7606 §3 (c) and §7.1: data is the attribute",
            with(1, &origin_flags),
            (3, 4, origin_flags.clone(), TaW),
        ),
        row(
            "MED flagged transitive",
            "RFC 7606 §3 (c), §7.4",
            plus(&med_flags),
            (3, 4, med_flags.clone(), TaW),
        ),
        row(
            "LOCAL_PREF with the Partial bit",
            "RFC 4271 §4.3: Partial is 0 on well-known attributes; RFC 7606 §3 (c)",
            plus(&partial_well_known),
            (3, 4, partial_well_known.clone(), TaW),
        ),
        row(
            "ORIGIN of 2 octets",
            "RFC 4271 §6.3 attribute length error, RFC 7606 §7.1",
            with(1, &origin_len),
            (3, 5, origin_len.clone(), TaW),
        ),
        row(
            "ORIGIN value 3",
            "RFC 4271 §6.3 invalid ORIGIN, RFC 7606 §7.1",
            with(1, &origin_3),
            (3, 6, origin_3.clone(), TaW),
        ),
        row(
            "NEXT_HOP of 5 octets",
            "RFC 4271 §6.3, RFC 7606 §7.3",
            with(3, &nh_5),
            (3, 5, nh_5.clone(), TaW),
        ),
        row(
            "MED of 3 octets",
            "RFC 7606 §7.4",
            plus(&med_len),
            (3, 5, med_len.clone(), TaW),
        ),
        row(
            "LOCAL_PREF of 5 octets",
            "RFC 7606 §7.5",
            plus(&lp_len),
            (3, 5, lp_len.clone(), TaW),
        ),
        row(
            "AS_PATH with segment type 5",
            "RFC 4271 §6.3 malformed AS_PATH, RFC 7606 §7.2",
            with(2, &attr(0x40, tc::AS_PATH, &[5, 1, 0, 0, 0, 1])),
            (3, 11, vec![], TaW),
        ),
        row(
            "AS_PATH with a zero-length segment",
            "RFC 7606 §7.2",
            with(2, &attr(0x40, tc::AS_PATH, &[2, 0])),
            (3, 11, vec![], TaW),
        ),
        row(
            "AS_PATH segment overrunning the attribute",
            "RFC 7606 §7.2",
            with(2, &attr(0x40, tc::AS_PATH, &[2, 2, 0, 0, 0, 1])),
            (3, 11, vec![], TaW),
        ),
        row(
            "ATOMIC_AGGREGATE of 1 octet",
            "RFC 7606 §7.6: attribute discard",
            plus(&atomic_1),
            (3, 5, atomic_1.clone(), Discard),
        ),
        row(
            "AGGREGATOR of 6 octets on a 4-octet session",
            "RFC 6793 §4.1 (8 octets), RFC 7606 §7.7: attribute discard",
            plus(&aggregator_6),
            (3, 5, aggregator_6.clone(), Discard),
        ),
        row(
            "COMMUNITIES of 3 octets",
            "RFC 7606 §7.8",
            plus(&communities_3),
            (3, 5, communities_3.clone(), TaW),
        ),
        row(
            "COMMUNITIES of 0 octets",
            "RFC 7606 §7.8: a non-zero multiple of 4",
            plus(&communities_0),
            (3, 5, communities_0.clone(), TaW),
        ),
        row(
            "LARGE_COMMUNITY of 10 octets",
            "RFC 8092 §6",
            plus(&large_10),
            (3, 5, large_10.clone(), TaW),
        ),
        row(
            "EXTENDED_COMMUNITIES of 7 octets",
            "RFC 7606 §7.14",
            plus(&ext_7),
            (3, 5, ext_7.clone(), TaW),
        ),
        row(
            "ORIGINATOR_ID of 3 octets",
            "RFC 7606 §7.9",
            plus(&originator_3),
            (3, 5, originator_3.clone(), TaW),
        ),
        row(
            "CLUSTER_LIST of 5 octets",
            "RFC 7606 §7.10",
            plus(&cluster_5),
            (3, 5, cluster_5.clone(), TaW),
        ),
        row(
            "malformed AS4_PATH",
            "RFC 6793 §6, RFC 4271 §6.3 optional attribute error: attribute discard",
            plus(&as4_bad),
            (3, 9, as4_bad.clone(), Discard),
        ),
    ]
}

fn mp_rows() -> Vec<Row> {
    let reach_bad_nh = attr(0x80, tc::MP_REACH_NLRI, &mp_reach_v6(&[1, 2, 3, 4, 5], &[]));
    let reach_short = attr(0x80, tc::MP_REACH_NLRI, &[0, 2]);
    let reach_nh_overrun = attr(0x80, tc::MP_REACH_NLRI, &[0, 2, 1, 16, 0x20, 1]);
    let reach_bad_nlri = attr(0x80, tc::MP_REACH_NLRI, &mp_reach_v6(&v6_next_hop(), &[129; 18]));
    let unreach_bad_nlri = attr(0x80, tc::MP_UNREACH_NLRI, &[0, 2, 1, 64, 0x20]);
    let unreach_short = attr(0x80, tc::MP_UNREACH_NLRI, &[0, 2]);
    let v4_reach_v6_nh = attr(
        0x80,
        tc::MP_REACH_NLRI,
        &[&[0u8, 1, 1, 16][..], &v6_next_hop(), &[0, 24, 10, 0, 0]].concat(),
    );
    let mp = |a: &[u8]| update(&[], &[origin(), as_path(), a.to_vec()].concat(), &[]);
    vec![
        row(
            "MP_REACH_NLRI with a 5-octet IPv6 next hop",
            "RFC 4760 §3, RFC 2545 §3, RFC 7606 §7.11: AFI/SAFI disable",
            mp(&reach_bad_nh),
            (3, 9, reach_bad_nh.clone(), Disable),
        ),
        row(
            "IPv4 MP_REACH_NLRI with a 16-octet next hop without extended next hop",
            "RFC 8950 §3 needs the capability, RFC 7606 §7.11",
            mp(&v4_reach_v6_nh),
            (3, 9, v4_reach_v6_nh.clone(), Disable),
        ),
        row(
            "MP_REACH_NLRI of 2 octets",
            "RFC 7606 §7.11: too short to locate the NLRI, session reset",
            mp(&reach_short),
            (3, 9, reach_short.clone(), Reset),
        ),
        row(
            "MP_REACH_NLRI whose next hop overruns it",
            "RFC 7606 §7.11",
            mp(&reach_nh_overrun),
            (3, 9, reach_nh_overrun.clone(), Reset),
        ),
        row(
            "MP_REACH_NLRI with an IPv6 prefix length 129",
            "RFC 7606 §5.3, RFC 4760 §7: AFI/SAFI disable",
            mp(&reach_bad_nlri),
            (3, 9, reach_bad_nlri.clone(), Disable),
        ),
        row(
            "MP_UNREACH_NLRI whose prefix overruns it",
            "RFC 7606 §5.3, RFC 4760 §7",
            update(&[], &unreach_bad_nlri, &[]),
            (3, 9, unreach_bad_nlri.clone(), Disable),
        ),
        row(
            "MP_UNREACH_NLRI of 2 octets",
            "RFC 7606 §7.12: too short, session reset",
            update(&[], &unreach_short, &[]),
            (3, 9, unreach_short.clone(), Reset),
        ),
    ]
}

fn route_refresh_rows() -> Vec<Row> {
    let rr = message(msg_type::ROUTE_REFRESH, &[0, 1, 0, 1, 0]);
    vec![row(
        "ROUTE-REFRESH of 5 body octets",
        "RFC 7313 §5: data is the whole message",
        rr.clone(),
        (7, 1, rr, Reset),
    )]
}

fn all_rows() -> Vec<Row> {
    [
        header_rows(),
        open_rows(),
        update_framing_rows(),
        missing_rows(),
        attribute_rows(),
        mp_rows(),
        route_refresh_rows(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[test]
fn every_malformed_message_gives_the_notification_and_action_its_rfc_demands() {
    let ctx = SessionContext::default();
    let rows = all_rows();
    let mut failures = Vec::new();
    for r in &rows {
        let (_, err) = Message::decode_with_error(Bytes::from(r.msg.clone()), &ctx);
        let got = err.map(|e| {
            (
                e.notification.code,
                e.notification.subcode,
                e.notification.data.to_vec(),
                e.action,
            )
        });
        if got.as_ref() != Some(&r.expect) {
            failures.push(format!(
                "{} ({}): expected {:?}, got {:?}",
                r.name, r.rfc, r.expect, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn update_rows_give_the_same_answer_through_the_view() {
    let ctx = SessionContext::default();
    let mut failures = Vec::new();
    for r in all_rows()
        .iter()
        .filter(|r| r.msg.get(18) == Some(&msg_type::UPDATE) && r.msg.len() <= 4096)
    {
        if r.name == "UPDATE shorter than 23" {
            continue;
        }
        let got = match UpdateView::parse(Bytes::from(r.msg.clone()), &ctx) {
            Ok(v) => v.error().cloned(),
            Err(e) => Some(e),
        }
        .map(|e| {
            (
                e.notification.code,
                e.notification.subcode,
                e.notification.data.to_vec(),
                e.action,
            )
        });
        if got.as_ref() != Some(&r.expect) {
            failures.push(format!("{}: expected {:?}, got {:?}", r.name, r.expect, got));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_framer_refuses_every_header_error_with_the_same_notification() {
    // The header is checked in one place, the framer: every header row is refused by it.
    for r in header_rows() {
        let mut buf = BytesMut::from(&r.msg[..]);
        let got = framer::try_parse(&mut buf, 4096).err().map(|e| {
            (
                e.notification.code,
                e.notification.subcode,
                e.notification.data.to_vec(),
                e.action,
            )
        });
        assert_eq!(got, Some(r.expect), "{}", r.name);
    }
}

#[test]
fn a_well_formed_update_decodes_without_error() {
    let msg = update(&[], &mandatory(), &nlri_10());
    let (m, e) = Message::decode_with_error(Bytes::from(msg), &SessionContext::default());
    assert!(e.is_none(), "{e:?}");
    assert!(matches!(m, Some(Message::Update(u)) if u.nlri.len() == 1 && u.attributes.len() == 3));
}

#[test]
fn a_duplicate_attribute_keeps_the_first_occurrence_and_the_routes() {
    let attrs = [
        mandatory(),
        attr(0x80, tc::MED, &[0, 0, 0, 1]),
        attr(0x80, tc::MED, &[0, 0, 0, 2]),
    ]
    .concat();
    let view = UpdateView::parse(Bytes::from(update(&[], &attrs, &nlri_10())), &SessionContext::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!view.treat_as_withdraw());
    assert_eq!(view.attribute(tc::MED), Some(&[0u8, 0, 0, 1][..]));
    let meds: Vec<_> = view
        .attributes()
        .filter(|a| a.type_code == tc::MED)
        .map(|a| a.value)
        .collect();
    assert_eq!(meds, [&[0u8, 0, 0, 1][..]]);
    assert_eq!(view.announced_ipv4().count(), 1);
}

#[test]
fn a_discarded_attribute_leaves_the_rest_of_the_update_usable() {
    let attrs = [mandatory(), attr(0x40, tc::ATOMIC_AGGREGATE, &[1])].concat();
    let (m, e) = Message::decode_with_error(Bytes::from(update(&[], &attrs, &nlri_10())), &SessionContext::default());
    assert_eq!(e.map(|e| e.action), Some(Discard));
    let Some(Message::Update(u)) = m else {
        panic!("the UPDATE should still decode");
    };
    assert!(u.attribute(tc::ATOMIC_AGGREGATE).is_none());
    assert!(matches!(u.attribute(tc::ORIGIN), Some(AttrValue::Origin(_))));
    assert_eq!(u.nlri.len(), 1);
}

#[test]
fn an_aggregator_of_six_octets_is_fine_on_a_two_octet_session() {
    let ctx = SessionContext {
        four_octet_as: false,
        ..SessionContext::default()
    };
    let attrs = [
        origin(),
        attr(0x40, tc::AS_PATH, &[2, 1, 0xfd, 0xe9]),
        next_hop(),
        attr(0xc0, tc::AGGREGATOR, &[0xfd, 0xe9, 192, 0, 2, 1]),
    ]
    .concat();
    let (m, e) = Message::decode_with_error(Bytes::from(update(&[], &attrs, &nlri_10())), &ctx);
    assert!(e.is_none(), "{e:?}");
    assert!(matches!(m, Some(Message::Update(u)) if u.attribute(tc::AGGREGATOR).is_some()));
}
