//! The repository carries everything its build, tests, benches and docs read: no file names a
//! folder beside the repository (such as a `shared/` folder next to a checkout) or a path of
//! one particular machine. `.ci/run` also runs the whole suite from a copy of the repository
//! with nothing beside it; this test says which file and line is at fault.

use std::fs;
use std::path::{Path, PathBuf};

/// What no file may contain, assembled so that this file does not match itself.
fn forbidden() -> Vec<String> {
    vec![
        format!("..{}shared", '/'),
        format!("{}work{}", '/', '/'),
        format!("shared{}vectors", '/'),
    ]
}

fn skip_dir(rel: &Path) -> bool {
    let s = rel.to_string_lossy();
    s == ".git"
        || s.starts_with("target")
        || s == "fuzz/target"
        || s == "fuzz/corpus"
        || s == "fuzz/artifacts"
        || s == "bench-bin"
        // Third-party data, copied unchanged (its README names its source).
        || s == "tests/vectors/exabgp"
}

fn text_file(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
    matches!(
        ext,
        "rs" | "toml" | "md" | "sh" | "py" | "json" | "yml" | "yaml" | "conf"
    ) || name == "run"
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let rel = p.strip_prefix(root).unwrap_or(&p).to_path_buf();
        if p.is_dir() {
            if !skip_dir(&rel) {
                walk(root, &p, out);
            }
        } else if text_file(&p) {
            out.push(p);
        }
    }
}

#[test]
fn no_file_of_the_repository_reads_a_path_outside_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
    let mut files = Vec::new();
    walk(root, root, &mut files);
    assert!(
        files.iter().any(|f| f.ends_with("tests/src/vectors.rs")),
        "the walk did not reach the test sources under {}",
        root.display()
    );
    let needles = forbidden();
    let mut found = Vec::new();
    for f in &files {
        let Ok(text) = fs::read_to_string(f) else { continue };
        for (i, line) in text.lines().enumerate() {
            for n in &needles {
                if line.contains(n.as_str()) {
                    found.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "paths outside the repository:\n{}", found.join("\n"));
}

#[test]
fn the_conformance_vectors_are_inside_the_repository_with_their_licence() {
    let dir = peerlab_tests::vectors::exabgp_dir();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
    let dir = dir.canonicalize().expect("vectors folder");
    assert!(
        dir.starts_with(root.canonicalize().expect("root")),
        "{} is outside",
        dir.display()
    );
    let licence = fs::read_to_string(dir.join("LICENCE.txt")).expect("licence text");
    assert!(licence.contains("Redistribution and use in source and binary forms"));
}
