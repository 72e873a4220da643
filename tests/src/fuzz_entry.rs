//! The fuzz entry points, shared by the `fuzz/` targets (which include this file) and by the
//! regression test that replays `tests/regressions/<target>/`. Each one panics only when an
//! invariant of the codec is broken.

use arbitrary::{Arbitrary, Unstructured};
use bgp_core::message::Message;
use bgp_core::open::Open;
use bgp_core::update::{Update, UpdateView};
use bgp_core::{framer, SessionContext};
use bytes::{Bytes, BytesMut};

/// `framer`: arbitrary bytes through `framer::try_parse` until it needs more bytes or errs.
/// The first byte picks the maximum length (4,096 or 65,535).
pub fn framer(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let max = if first & 1 == 0 { 4096 } else { 65535 };
    let mut buf = BytesMut::from(rest);
    // Each frame takes at least 19 octets, so this bound is never the one that stops it.
    for _ in 0..=rest.len() / 19 {
        let before = buf.len();
        match framer::try_parse(&mut buf, max) {
            Ok(Some(frame)) => {
                let len = frame.bytes().len();
                assert!((19..=max).contains(&len), "frame of {len} octets");
                assert_eq!(before - buf.len(), len, "framer consumed a partial frame");
                // A frame's header is checked once, by the framer: decoding it must not fail
                // on the header again, nor panic on a body the header promised.
                let ctx = SessionContext {
                    extended_message: max > 4096,
                    ..SessionContext::default()
                };
                let (_, err) = Message::from_frame(frame, &ctx);
                assert!(
                    err.as_ref().is_none_or(|e| e.notification.code != 1),
                    "header error after framing: {err:?}"
                );
            }
            Ok(None) | Err(_) => return,
        }
    }
}

/// `open`: arbitrary bytes as an OPEN body; what decodes must re-encode to bytes that decode
/// to the same OPEN.
pub fn open(data: &[u8]) {
    let Ok(open) = Open::decode(&Bytes::copy_from_slice(data)) else {
        return;
    };
    let mut body = Vec::new();
    open.encode_body(&mut body);
    assert_eq!(
        Open::decode(&Bytes::from(body)),
        Ok(open),
        "OPEN did not survive re-encoding"
    );
}

/// `update`: an arbitrary [`SessionContext`] and body; the body, behind a correct header, goes
/// through `UpdateView::parse`; every prefix and attribute of a usable view is walked, the
/// owned UPDATE is built and re-encoded, and that encoding must decode to the same UPDATE.
pub fn update(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(ctx) = SessionContext::arbitrary(&mut u) else {
        return;
    };
    let body = u.take_rest();
    let mut frame = vec![0xff; 16];
    frame.extend_from_slice(&((body.len() + 19).min(u16::MAX as usize) as u16).to_be_bytes());
    frame.push(2);
    frame.extend_from_slice(body);
    let Ok(view) = UpdateView::parse(Bytes::from(frame), &ctx) else {
        return;
    };
    let mut seen = view.withdrawn_ipv4().count() + view.announced_ipv4().count();
    for a in view.attributes() {
        seen += a.value.len();
    }
    if let Some(r) = view.mp_reach() {
        seen += r.ipv4().count() + r.ipv6().count() + r.next_hop.len();
    }
    if let Some(r) = view.mp_unreach() {
        seen += r.ipv4().count() + r.ipv6().count();
    }
    let _ = (seen, view.end_of_rib(), view.treat_as_withdraw());
    let owned = Update::from_view(&view);
    let msg = Message::Update(owned);
    let Ok(bytes) = msg.to_bytes(&ctx) else {
        return;
    };
    let (again, err) = Message::decode_with_error(bytes, &ctx);
    if view.error().is_none() {
        assert!(
            err.is_none(),
            "a clean UPDATE re-encoded into an erroneous one: {err:?}"
        );
        assert_eq!(again, Some(msg), "UPDATE did not survive re-encoding");
    }
}
