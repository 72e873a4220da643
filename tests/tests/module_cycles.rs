//! The `peerlab` library and binary have no import cycle among their files: the check of
//! issue 11, run with the repository's own script (`python3 scripts/module-cycles.py`, which
//! anyone can run by hand; `--edges` prints the graph).

use std::path::Path;
use std::process::Command;

#[test]
fn the_peerlab_library_and_binary_have_no_import_cycle_among_their_files() {
    let Some(python) = peerlab_tests::daemons::require_program("python3", "python3", "module_cycles") else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
    let out = Command::new(python)
        .arg(root.join("scripts/module-cycles.py"))
        .current_dir(root)
        .output()
        .expect("the script runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "import cycles:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Both crate roots were read, with files and edges: an empty graph would prove nothing.
    for root_file in ["lab/src/lib.rs", "lab/src/main.rs"] {
        let line = text
            .lines()
            .find(|l| l.starts_with(root_file))
            .unwrap_or_else(|| panic!("{root_file} not checked:\n{text}"));
        assert!(!line.contains(" 0 files"), "{line}");
    }
    assert_eq!(text.matches("no import cycle").count(), 2, "{text}");
}
