//! The engine against a small reference model written for clarity, not speed: random
//! sequences of announce, withdraw, session down/up, register and deregister across 3–5
//! clients and a small prefix space; after every step each client's received view (the
//! engine's UPDATEs decoded and applied) must equal the model's.
//!
//! The model and the run live in `tests/src/rs_model.rs`, shared with the `route_server` fuzz
//! target; this file only generates the sequences.

#[path = "../../tests/src/rs_model.rs"]
mod rs_model;

use proptest::prelude::*;
use rs_model::{community, run, Op, Spec, ORIGINS, PREFIXES};

fn op(clients: usize) -> impl Strategy<Value = Op> {
    let c = 0..clients;
    let prefixes = proptest::collection::vec(0..PREFIXES.len(), 1..4);
    prop_oneof![
        5 => (c.clone(), prefixes.clone(), any::<bool>(), 0..ORIGINS.len(), 0u8..6, 0..clients, 0u32..3).prop_map(
            |(client, prefixes, middle, o, kind, peer, med)| Op::Announce {
                client,
                prefixes,
                spec: Spec { middle, origin: ORIGINS[o], communities: community(kind, peer), med },
            }
        ),
        2 => (c.clone(), prefixes).prop_map(|(client, prefixes)| Op::Withdraw { client, prefixes }),
        1 => c.clone().prop_map(|client| Op::Down { client }),
        1 => c.prop_map(|client| Op::Up { client }),
        1 => (1..ORIGINS.len()).prop_map(|o| Op::Register { asn: ORIGINS[o] }),
        1 => (0..ORIGINS.len()).prop_map(|o| Op::Deregister { asn: ORIGINS[o] }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_clients_view_equals_the_reference_model(
        clients in 3usize..=5,
        add_path_last in any::<bool>(),
        ops in proptest::collection::vec(op(5), 1..40),
    ) {
        let ops = ops.into_iter().map(|o| o.for_clients(clients)).collect();
        run(clients, add_path_last, ops).map_err(TestCaseError::fail)?;
    }
}
