//! The `peering_file` fuzz entry point, shared by `fuzz/fuzz_targets/peering_file.rs` (which
//! includes this file with `#[path]`) and by the regression test that replays
//! `tests/regressions/peering_file/`. It panics only when an invariant of the loaders breaks.

use peerlab::peering::check::Checked;
use peerlab::peering::load::{self, Format};
use peerlab::peering::render::{load_error_human, load_error_json};

/// `peering_file`: the input as text through both loaders (TOML and Azure resource JSON), as
/// `peerlab validate` reads a file. A file that loads is validated and its findings rendered
/// for people and as JSON; its model, written back as TOML (the TOML peering file is the
/// model's serde form), must load to the same model. A load error is rendered too, and its
/// line and column must lie inside the text.
pub fn peering_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for format in [Format::Toml, Format::AzureJson] {
        match Checked::parse("fuzz", text, format) {
            Ok(checked) => {
                let report = checked.report();
                let _ = report.human(true);
                let _ = report.json();
                round_trip(checked.file());
            }
            Err(error) => {
                if let Some(line) = error.line {
                    let lines = text.split('\n').count();
                    assert!(
                        (1..=lines).contains(&line),
                        "{format:?}: line {line} of {lines}: {error:?}"
                    );
                }
                let _ = load_error_human("fuzz", &error, true);
                let _ = load_error_json("fuzz", &error);
            }
        }
    }
}

/// The model written as TOML loads back to itself.
fn round_trip(file: &peerlab::peering::model::PeeringFile) {
    let toml =
        toml::to_string(file).unwrap_or_else(|e| panic!("a loaded file does not serialise to TOML: {e}\n{file:?}"));
    match load::parse(&toml, Format::Toml) {
        Ok(again) => assert_eq!(&again.file, file, "the model changed through TOML:\n{toml}"),
        Err(e) => panic!("the model written as TOML does not load: {e:?}\n{toml}"),
    }
}
