//! `peerlab run FILE` checks the file as `peerlab validate FILE` does before bringing anything
//! up: a file with errors is refused with the same findings (exit 1), a file with only
//! warnings shows them and runs.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn peerlab(args: &[&str], file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(args)
        .arg(file)
        .output()
        .expect("peerlab runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/peering")
        .join(name)
}

/// The lines naming a finding in `peerlab validate`'s output for people, e.g.
/// `error[session-address-duplicate] connections[1].bgpSession.peerSessionIPv4Address`.
fn finding_lines(human: &str) -> Vec<String> {
    human
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("error[") || l.starts_with("warning["))
        .map(str::to_owned)
        .collect()
}

/// The example with its second connection given the first one's session addresses: the lab
/// used to bring it up (the second connection `ProvisioningFailed`); `peerlab validate`
/// rejects it.
fn clashing_example(dir: &Path) -> PathBuf {
    let example = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["validate", "--example"])
        .output()
        .expect("peerlab runs");
    let mut doc: toml::Value = toml::from_str(&text(&example.stdout)).expect("TOML");
    let conns = doc["connections"].as_array_mut().expect("connections");
    let first_session = conns[0]["bgpSession"].clone();
    conns[1]["bgpSession"] = first_session;
    let path = dir.join(format!("peerlab-run-clash-{}.toml", std::process::id()));
    std::fs::write(&path, toml::to_string(&doc).expect("TOML out")).expect("temp file");
    path
}

/// `peerlab run FILE` refuses what `peerlab validate FILE` rejects, printing the same
/// findings, and starts nothing.
fn assert_refused_like_validate(file: &Path) {
    let validate = peerlab(&["validate", "--color", "never"], file);
    assert_eq!(validate.status.code(), Some(1), "validate rejects {}", file.display());
    let expected = finding_lines(&text(&validate.stdout));
    assert!(expected.iter().any(|l| l.starts_with("error[")), "{expected:?}");

    let run = peerlab(&["run", "--until", "converged", "--timeout", "60"], file);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{}: {stderr}", file.display());
    assert_eq!(finding_lines(&stderr), expected, "{}: {stderr}", file.display());
    assert!(stderr.contains("nothing was brought up"), "{stderr}");
    for started in ["PendingApproval", "sessions Established", "API listening"] {
        assert!(!stderr.contains(started), "{}: {stderr}", file.display());
    }
    assert!(run.stdout.is_empty(), "no report: {}", text(&run.stdout));

    let validate_json = peerlab(&["validate", "--json"], file);
    let run_json = peerlab(&["run", "--json", "--until", "converged", "--timeout", "60"], file);
    assert_eq!(run_json.status.code(), Some(1));
    let expected: Value = serde_json::from_slice(&validate_json.stdout).expect("validate --json");
    let got: Value = serde_json::from_slice(&run_json.stdout).expect("run --json prints the findings as JSON");
    assert_eq!(got, expected);
}

#[test]
fn a_file_whose_connections_share_addresses_is_refused_with_validates_findings_and_nothing_runs() {
    let path = clashing_example(&std::env::temp_dir());
    let outcome = std::panic::catch_unwind(|| assert_refused_like_validate(&path));
    let _ = std::fs::remove_file(&path);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn every_file_validate_rejects_is_refused_by_run_with_the_same_findings() {
    for name in [
        "bad-arm-list.json",
        "bad-basics.toml",
        "bad-lab.toml",
        "bad-limits.toml",
        "bad-peer-asn.toml",
        "bad-registered.toml",
        "bad-sessions.toml",
        "bad-single-peering.json",
    ] {
        assert_refused_like_validate(&data(name));
    }
}

#[test]
fn a_file_with_only_warnings_shows_them_and_runs() {
    let file = data("good-warnings.toml");
    let validate = peerlab(&["validate", "--color", "never"], &file);
    assert_eq!(validate.status.code(), Some(0));
    let warnings = finding_lines(&text(&validate.stdout));
    assert!(!warnings.is_empty() && warnings.iter().all(|l| l.starts_with("warning[")));

    let run = peerlab(&["run", "--json", "--until", "converged", "--timeout", "60"], &file);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert_eq!(finding_lines(&stderr), warnings, "{stderr}");
    assert!(stderr.contains("0 errors, 6 warnings"), "{stderr}");
    let report: Value = serde_json::from_slice(&run.stdout).expect("the run's JSON report");
    assert_eq!(report["converged"], true, "{report:#}");
    assert_eq!(report["connections"][0]["connectionState"], "Active", "{report:#}");
}

#[test]
fn a_clean_file_runs_without_a_findings_report() {
    let run = peerlab(
        &["run", "--json", "--until", "converged", "--timeout", "60"],
        &data("good-minimal.toml"),
    );
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(finding_lines(&stderr).is_empty(), "{stderr}");
    assert!(!stderr.contains("0 errors"), "{stderr}");
    let report: Value = serde_json::from_slice(&run.stdout).expect("the run's JSON report");
    assert_eq!(report["allEstablished"], true, "{report:#}");
}

#[test]
fn a_file_that_cannot_be_loaded_is_an_unusable_file_as_for_validate() {
    for name in ["broken-syntax.json", "broken-enum.toml"] {
        let file = data(name);
        assert_eq!(peerlab(&["validate"], &file).status.code(), Some(2));
        let run = peerlab(&["run"], &file);
        assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
        assert!(run.stdout.is_empty());
    }
}
