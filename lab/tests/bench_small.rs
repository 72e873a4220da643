//! `peerlab bench` against peerlab's own route server (in this process and as a separate
//! process) and real BIRD 2 and GoBGP on loopback: a small run of each shape converges with
//! every route verified at the monitors (no timing is asserted), and the targets it cannot
//! use are refused with a clear message.

use peerlab_tests::daemons;
use serde_json::Value;
use std::process::Command;

struct Outcome {
    code: Option<i32>,
    json: Value,
    stderr: String,
}

fn bench(args: &[&str]) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("bench")
        .args(args)
        .output()
        .expect("peerlab runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
    Outcome {
        code: out.status.code(),
        json,
        stderr,
    }
}

/// Runs 3 testers x 50 prefixes (`ipv6_share` of them IPv6) in `shape` against `target` and
/// checks that every run verified every expected route; `measured` says whether the
/// target's memory is measured (not for peerlab in the bench's own process).
fn runs_verify_every_route(target: &str, shape: &str, ipv6_share: &str, measured: bool) {
    runs_verify_every_route_over(target, shape, ipv6_share, measured, "ipv4");
}

/// The same with the sessions' TCP over `transport` (ipv4 or ipv6).
fn runs_verify_every_route_over(target: &str, shape: &str, ipv6_share: &str, measured: bool, transport: &str) {
    let o = bench(&[
        "--transport",
        transport,
        "--target",
        target,
        "--shape",
        shape,
        "--testers",
        "3",
        "--prefixes",
        "50",
        "--ipv6-share",
        ipv6_share,
        "--runs",
        "2",
        "--time-limit",
        "60",
        "--json",
    ]);
    assert_eq!(o.code, Some(0), "{target} {shape}: {}\n{}", o.stderr, o.json);
    assert_eq!(o.json["ok"], true, "{}", o.json);
    assert_eq!(o.json["load"]["transport"], transport, "{}", o.json);
    let expected = o.json["load"]["routes-expected"].as_u64().expect("routes-expected");
    // bgperf: one monitor gets 3 x 50; ixp: each of 3 clients gets the other two's 2 x 50.
    assert_eq!(expected, if shape == "ixp" { 300 } else { 150 });
    let runs = o.json["targets"][0]["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 2);
    for r in runs {
        assert_eq!(r["routes_verified"].as_u64(), Some(expected), "{r}");
        assert_eq!(r["verdict"]["missing"], 0, "{r}");
        assert_eq!(r["verdict"]["wrong"], 0, "{r}");
        assert_eq!(r["verdict"]["unexpected"], 0, "{r}");
        if measured {
            assert!(r["target_peak_rss_kib"].as_u64().is_some_and(|k| k > 0), "{r}");
        } else {
            assert!(r["target_peak_rss_kib"].is_null() && r["target_cpu_s"].is_null(), "{r}");
        }
        assert!(r["convergence_s"].is_number(), "{r}");
        assert!(r["testers_done_s"].is_number(), "{r}");
    }
}

/// The same against a daemon that must be installed (skipped with a note otherwise, failed
/// under PEERLAB_REQUIRE_INTEROP=1).
fn small_run_verifies_every_route(target: &str, program: &str, package: &str, shape: &str) {
    let test = format!("bench {shape} against {target}");
    if daemons::require_program(program, package, &test).is_none() {
        return;
    }
    runs_verify_every_route(target, shape, "0.2", true);
}

#[test]
fn a_small_bgperf_run_against_peerlab_in_process_verifies_every_route_of_both_families() {
    runs_verify_every_route("peerlab", "bgperf", "0.2", false);
}

#[test]
fn a_small_ixp_run_against_peerlab_in_process_verifies_every_route_of_both_families() {
    runs_verify_every_route("peerlab", "ixp", "0.2", false);
}

#[test]
fn a_small_bgperf_run_against_peerlab_over_ipv6_loopback_sessions_verifies_every_route() {
    runs_verify_every_route_over("peerlab", "bgperf", "0.2", false, "ipv6");
}

#[test]
fn a_small_ixp_run_against_peerlab_over_ipv6_loopback_sessions_verifies_every_route() {
    runs_verify_every_route_over("peerlab", "ixp", "0.2", false, "ipv6");
}

#[test]
fn ipv6_transport_against_another_target_than_peerlab_is_refused() {
    let o = bench(&["--target", "bird", "--transport", "ipv6", "--testers", "1"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("--target peerlab only"), "{}", o.stderr);
}

#[test]
fn a_small_bgperf_run_against_peerlab_as_a_process_verifies_every_route() {
    runs_verify_every_route("peerlab-process", "bgperf", "0", true);
}

#[test]
fn a_small_ixp_run_against_peerlab_as_a_process_verifies_every_route() {
    runs_verify_every_route("peerlab-process", "ixp", "0", true);
}

#[test]
fn a_small_bgperf_run_against_bird_verifies_every_route() {
    small_run_verifies_every_route("bird", "bird", "bird2", "bgperf");
}

#[test]
fn a_small_ixp_run_against_bird_verifies_every_route() {
    small_run_verifies_every_route("bird", "bird", "bird2", "ixp");
}

#[test]
fn a_small_bgperf_run_against_gobgp_verifies_every_route() {
    small_run_verifies_every_route("gobgp", "gobgpd", "gobgpd", "bgperf");
}

#[test]
fn a_small_ixp_run_against_gobgp_verifies_every_route() {
    small_run_verifies_every_route("gobgp", "gobgpd", "gobgpd", "ixp");
}

#[test]
fn comparing_bird_and_gobgp_prints_both_and_writes_an_svg_plot() {
    let test = "bench --compare bird,gobgp";
    if daemons::require_program("bird", "bird2", test).is_none()
        || daemons::require_program("gobgpd", "gobgpd", test).is_none()
    {
        return;
    }
    let svg = std::env::temp_dir().join(format!("peerlab-bench-plot-{}.svg", std::process::id()));
    let svg_arg = svg.to_string_lossy().into_owned();
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args([
            "bench",
            "--compare",
            "bird,gobgp",
            "--testers",
            "2",
            "--prefixes",
            "20",
            "--time-limit",
            "60",
            "--plot",
            &svg_arg,
        ])
        .output()
        .expect("peerlab runs");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{table}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(table.lines().any(|l| l.starts_with("bird ")), "{table}");
    assert!(table.lines().any(|l| l.starts_with("gobgp ")), "{table}");
    assert!(table.contains("ratios to bird"), "{table}");
    let plot = std::fs::read_to_string(&svg).expect("the plot is written");
    let _ = std::fs::remove_file(&svg);
    assert!(plot.starts_with("<svg"), "{plot}");
    assert_eq!(plot.matches("<polyline").count(), 2, "{plot}");
    assert!(plot.contains(">bird<") && plot.contains(">gobgp<"), "{plot}");
}

#[test]
fn ipv6_prefixes_against_peerlab_as_a_process_are_refused_with_the_alternative_named() {
    let o = bench(&["--target", "peerlab-process", "--ipv6-share", "0.5", "--testers", "1"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("IPv4 prefixes only"), "{}", o.stderr);
    assert!(o.stderr.contains("--target peerlab"), "{}", o.stderr);
}

#[test]
fn comparing_bird_with_peerlab_in_both_forms_prints_ratios_for_each() {
    let test = "bench --compare bird,peerlab,peerlab-process";
    if daemons::require_program("bird", "bird2", test).is_none() {
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["bench", "--compare", "bird,peerlab,peerlab-process"])
        .args(["--testers", "2", "--prefixes", "20", "--time-limit", "60"])
        .output()
        .expect("peerlab runs");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{table}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(table.contains("ratios to bird"), "{table}");
    let ratio = |name: &str| {
        table
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name}: convergence ")))
            .unwrap_or_else(|| panic!("no ratio line for {name}:\n{table}"))
            .to_owned()
    };
    // In-process: CPU and memory are not measured, so only the time ratios exist.
    assert!(ratio("peerlab").contains("CPU n/a, peak RSS n/a"), "{table}");
    assert!(!ratio("peerlab-process").contains("peak RSS n/a"), "{table}");
}

#[test]
fn a_target_outside_loopback_is_refused() {
    let o = bench(&["--target", "192.0.2.1:179", "--testers", "1", "--prefixes", "1"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("only loopback"), "{}", o.stderr);
}
