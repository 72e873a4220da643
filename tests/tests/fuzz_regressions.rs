//! Replays every input kept under `tests/regressions/<target>/` through the same entry point
//! the fuzz target uses (`peerlab_tests::fuzz_entry`).

use peerlab_tests::{fuzz_entry, regressions};

fn replay(target: &str, entry: fn(&[u8])) {
    let inputs = regressions::inputs(target);
    assert!(!inputs.is_empty(), "tests/regressions/{target}/ holds no inputs");
    for (path, bytes) in inputs {
        let outcome = std::panic::catch_unwind(|| entry(&bytes));
        assert!(outcome.is_ok(), "{} panics", path.display());
    }
}

#[test]
fn every_framer_regression_input_passes_through_the_framer() {
    replay("framer", fuzz_entry::framer);
}

#[test]
fn every_open_regression_input_passes_through_open_decode() {
    replay("open", fuzz_entry::open);
}

#[test]
fn every_update_regression_input_passes_through_the_update_view() {
    replay("update", fuzz_entry::update);
}

#[test]
fn the_hand_made_seed_inputs_reach_the_decoders_success_paths() {
    use bgp_core::open::Open;
    use bgp_core::{SessionContext, UpdateView};
    use bytes::Bytes;
    let seeds = |t| {
        regressions::inputs(t)
            .into_iter()
            .filter(|(p, _)| !p.ends_with("corpus-smallest") && !p.ends_with("corpus-largest"))
    };
    for (path, bytes) in seeds("open") {
        let open = Open::decode(&Bytes::from(bytes));
        assert!(open.is_ok(), "{}: {open:?}", path.display());
    }
    for (path, bytes) in seeds("update") {
        // Five context bytes (SessionContext's Arbitrary reads one octet per flag), then the body.
        let flag = |i: usize| bytes[i] & 1 == 1;
        let ctx = SessionContext {
            four_octet_as: flag(0),
            add_path_ipv4: flag(1),
            add_path_ipv6: flag(2),
            extended_message: flag(3),
            extended_next_hop: flag(4),
        };
        let body = &bytes[5..];
        let frame = peerlab_tests::wire::message(2, body);
        let view = UpdateView::parse(Bytes::from(frame), &ctx);
        assert!(view.is_ok(), "{}: {:?}", path.display(), view.err());
    }
}

#[test]
fn every_route_server_regression_input_keeps_the_engine_equal_to_the_model() {
    replay("route_server", peerlab_tests::fuzz_route_server::route_server);
}

#[test]
fn every_peering_file_regression_input_passes_through_both_loaders() {
    replay("peering_file", peerlab_tests::fuzz_peering_file::peering_file);
}

#[test]
fn the_hand_made_route_server_seeds_run_announcements_and_flaps() {
    use peerlab_tests::fuzz_route_server::decode;
    use peerlab_tests::rs_model::Op;
    let seeds: Vec<_> = regressions::inputs("route_server")
        .into_iter()
        .filter(|(p, _)| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("seed-")))
        .collect();
    assert!(
        !seeds.is_empty(),
        "tests/regressions/route_server/ holds no seed-* input"
    );
    for (path, bytes) in seeds {
        let run = decode(&bytes).unwrap_or_else(|| panic!("{}: too short", path.display()));
        let announces = run.ops.iter().filter(|o| matches!(o, Op::Announce { .. })).count();
        let downs = run.ops.iter().filter(|o| matches!(o, Op::Down { .. })).count();
        assert!(announces >= 2 && downs >= 1, "{}: {:?}", path.display(), run.ops);
    }
}

#[test]
fn the_peering_file_seeds_load_in_their_format() {
    use peerlab::peering::load::{parse, Format};
    for (path, bytes) in regressions::inputs("peering_file") {
        let name = path.to_string_lossy().into_owned();
        let format = if name.ends_with(".json") {
            Format::AzureJson
        } else if name.ends_with(".toml") {
            Format::Toml
        } else {
            continue;
        };
        let text = String::from_utf8(bytes).expect("UTF-8 seed");
        assert!(parse(&text, format).is_ok(), "{name} does not load as {format:?}");
    }
}
