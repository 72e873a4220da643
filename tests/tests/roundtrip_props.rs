//! Properties of the codec: encode∘decode is the identity on valid owned messages, and
//! decoding never panics on arbitrary bytes or on mutated valid messages.

use bgp_core::{framer, Message};
use bytes::{Bytes, BytesMut};
use peerlab_tests::strategies::{context, context_and_message};
use peerlab_tests::wire::message;
use proptest::collection::vec;
use proptest::prelude::*;

/// One edit of a valid message's bytes.
#[derive(Clone, Debug)]
enum Mutation {
    /// XOR the byte at (position modulo length) with the mask.
    Flip(usize, u8),
    /// Insert a byte before the position.
    Insert(usize, u8),
    /// Delete the byte at the position.
    Delete(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..).prop_map(|(p, m)| Mutation::Flip(p, m)),
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Insert(p, b)),
        any::<usize>().prop_map(Mutation::Delete),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    match *m {
        Mutation::Flip(p, mask) => {
            let i = p % bytes.len();
            bytes[i] ^= mask;
        }
        Mutation::Insert(p, b) => bytes.insert(p % (bytes.len() + 1), b),
        Mutation::Delete(p) => {
            bytes.remove(p % bytes.len());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_valid_message_decodes_back_to_itself((ctx, msg) in context_and_message()) {
        let bytes = msg.to_bytes(&ctx).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = Message::decode(bytes.clone(), &ctx);
        prop_assert_eq!(back.as_ref(), Ok(&msg), "bytes {}", hex::encode(&bytes));
    }

    #[test]
    fn decoding_arbitrary_bodies_under_any_type_never_panics(
        ctx in context(),
        kind in 0u8..=7,
        body in vec(any::<u8>(), 0..300),
    ) {
        let (m, e) = Message::decode_with_error(Bytes::from(message(kind, &body)), &ctx);
        // Either a message or an error, never neither.
        prop_assert!(m.is_some() || e.is_some());
        if let Some(m) = m {
            prop_assert!(m.to_bytes(&ctx).is_ok());
        }
    }

    #[test]
    fn the_framer_never_panics_and_consumes_only_whole_messages(bytes in vec(any::<u8>(), 0..600)) {
        let mut buf = BytesMut::from(&bytes[..]);
        for _ in 0..64 {
            let before = buf.len();
            match framer::try_parse(&mut buf, 4096) {
                Ok(Some(frame)) => {
                    prop_assert_eq!(before - buf.len(), frame.bytes().len());
                    prop_assert!(frame.bytes().len() >= 19);
                }
                Ok(None) | Err(_) => break,
            }
        }
    }

    #[test]
    fn decoding_mutated_valid_messages_never_panics_and_clean_decodes_are_stable(
        (ctx, msg) in context_and_message(),
        edits in vec(mutation(), 1..4),
        fix_length in any::<bool>(),
    ) {
        let mut bytes = msg.to_bytes(&ctx).map_err(|e| TestCaseError::fail(e.to_string()))?.to_vec();
        for e in &edits {
            apply(&mut bytes, e);
        }
        if fix_length && bytes.len() >= 19 {
            let len = (bytes.len() as u16).to_be_bytes();
            bytes[16..18].copy_from_slice(&len);
        }
        let (m, e) = Message::decode_with_error(Bytes::from(bytes), &ctx);
        if let (Some(m), None) = (m, e) {
            // A clean decode re-encodes to bytes that decode to the same message.
            let again = m.to_bytes(&ctx).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(Message::decode(again, &ctx), Ok(m));
        }
    }
}
