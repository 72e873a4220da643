//! The `route_server` fuzz entry point, shared by `fuzz/fuzz_targets/route_server.rs` (which
//! includes this file and [`crate::rs_model`] with `#[path]`) and by the regression test that
//! replays `tests/regressions/route_server/`: the input is read as a run of the reference-model
//! check (3–5 clients, ADD-PATH on the last or not, up to [`MAX_STEPS`] steps) and panics
//! when the engine's views and the model's differ after a step.

use crate::rs_model::{self, community, Op, Spec, ORIGINS, PREFIXES};
use arbitrary::Unstructured;

/// The most steps one input runs (longer inputs are cut there).
pub const MAX_STEPS: usize = 64;

/// One run read from fuzzer bytes.
#[derive(Debug)]
pub struct Run {
    /// How many clients (3–5).
    pub clients: usize,
    /// Whether the last client negotiated ADD-PATH.
    pub add_path_last: bool,
    /// The steps, clients already below `clients`.
    pub ops: Vec<Op>,
}

/// Reads a run from `data`: one octet for the client count, one for ADD-PATH, then steps until
/// the bytes or [`MAX_STEPS`] run out. `None` when not even the first two octets are there.
pub fn decode(data: &[u8]) -> Option<Run> {
    let mut u = Unstructured::new(data);
    let clients = u.int_in_range(3usize..=5).ok()?;
    let add_path_last = u.arbitrary::<bool>().ok()?;
    let mut ops = Vec::new();
    while !u.is_empty() && ops.len() < MAX_STEPS {
        let Ok(op) = op(&mut u) else { break };
        ops.push(op.for_clients(clients));
    }
    Some(Run {
        clients,
        add_path_last,
        ops,
    })
}

/// One step: the same weights as the proptest (announce 5, withdraw 2, the others 1 each).
fn op(u: &mut Unstructured<'_>) -> arbitrary::Result<Op> {
    let client = u.int_in_range(0usize..=4)?;
    Ok(match u.int_in_range(0u8..=10)? {
        0..=4 => Op::Announce {
            client,
            prefixes: prefixes(u)?,
            spec: Spec {
                middle: u.arbitrary()?,
                origin: *u.choose(&ORIGINS)?,
                communities: community(u.int_in_range(0..=5)?, u.int_in_range(0..=4)?),
                med: u.int_in_range(0..=2)?,
            },
        },
        5 | 6 => Op::Withdraw {
            client,
            prefixes: prefixes(u)?,
        },
        7 => Op::Down { client },
        8 => Op::Up { client },
        9 => Op::Register {
            asn: *u.choose(&ORIGINS[1..])?,
        },
        _ => Op::Deregister {
            asn: *u.choose(&ORIGINS)?,
        },
    })
}

/// One to three prefix indices.
fn prefixes(u: &mut Unstructured<'_>) -> arbitrary::Result<Vec<usize>> {
    let n = u.int_in_range(1usize..=3)?;
    (0..n).map(|_| u.choose_index(PREFIXES.len())).collect()
}

/// `route_server`: the run `data` encodes, on the engine and on the model; panics with the
/// first difference.
pub fn route_server(data: &[u8]) {
    let Some(run) = decode(data) else {
        return;
    };
    if let Err(difference) = rs_model::run(run.clients, run.add_path_last, run.ops) {
        panic!("the engine and the reference model differ: {difference}");
    }
}
