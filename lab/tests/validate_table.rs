//! `peerlab validate` over a table of good and bad peering files (TOML and Azure JSON in
//! `tests/data/peering/`): each file's exact findings (severity, code, path) and exit status.
//! The customers' Peering Services and prefixes are in `*-peering-services.*` and
//! `broken-service-prefix.*`.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// What a file is expected to produce.
enum Expect {
    /// Loads; these findings (severity, code, path), in any order.
    Findings(&'static [(&'static str, &'static str, &'static str)]),
    /// Does not load; the error is at this line and column.
    LoadError { line: u64, column: u64 },
}

use Expect::{Findings, LoadError};

const E: &str = "error";
const W: &str = "warning";

const TABLE: &[(&str, Expect)] = &[
    ("good-minimal.toml", Findings(&[])),
    ("good-bundle.json", Findings(&[])),
    ("good-arm-array.json", Findings(&[(W, "resource-ignored", "[3]")])),
    (
        "good-warnings.toml",
        Findings(&[
            (W, "unknown-key", "peering.colour"),
            (W, "peer-asn-no-contact", "peerAsn.peerContactDetail"),
            (
                W,
                "connection-not-for-peering-service",
                "connections[0].useForPeeringService",
            ),
            (W, "session-ipv6-missing", "connections[0].bgpSession.sessionPrefixV6"),
            (
                W,
                "max-prefix-missing",
                "connections[0].bgpSession.maxPrefixesAdvertisedV4",
            ),
            (W, "md5-key-short", "connections[0].bgpSession.md5AuthenticationKey"),
        ]),
    ),
    (
        "bad-peer-asn.toml",
        Findings(&[
            (E, "peer-asn-microsoft", "peerAsn.peerAsn"),
            (E, "peer-asn-not-approved", "peerAsn.validationState"),
            (E, "peer-asn-reference-mismatch", "peering.peerAsnId"),
            (W, "contact-email-invalid", "peerAsn.peerContactDetail[0].email"),
        ]),
    ),
    (
        "bad-basics.toml",
        Findings(&[
            (E, "peering-kind-not-direct", "peering.kind"),
            (E, "peering-type-not-ixrs", "peering.directPeeringType"),
            (E, "peering-sku-not-premium-free", "peering.sku"),
            (E, "peering-location-missing", "peering.peeringLocation"),
            (
                E,
                "session-address-provider-not-peer",
                "connections[0].sessionAddressProvider",
            ),
            (E, "bandwidth-missing", "connections[1].bandwidthInMbps"),
            (E, "facility-missing", "connections[1].peeringDBFacilityId"),
            (E, "bgp-session-missing", "connections[1].bgpSession"),
            (
                W,
                "connection-identifier-not-guid",
                "connections[1].connectionIdentifier",
            ),
        ]),
    ),
    (
        "bad-sessions.toml",
        Findings(&[
            (
                E,
                "session-address-network-or-broadcast",
                "connections[0].bgpSession.microsoftSessionIPv4Address",
            ),
            (
                E,
                "session-address-network-or-broadcast",
                "connections[0].bgpSession.peerSessionIPv4Address",
            ),
            (
                E,
                "session-address-subnet-router-anycast",
                "connections[0].bgpSession.microsoftSessionIPv6Address",
            ),
            (E, "session-prefix-length", "connections[1].bgpSession.sessionPrefixV4"),
            (
                E,
                "session-addresses-equal",
                "connections[1].bgpSession.peerSessionIPv6Address",
            ),
            (
                E,
                "session-address-duplicate",
                "connections[1].bgpSession.microsoftSessionIPv6Address",
            ),
            (
                E,
                "session-address-duplicate",
                "connections[1].bgpSession.peerSessionIPv6Address",
            ),
            (E, "session-prefix-overlap", "connections[1].bgpSession.sessionPrefixV6"),
            (
                E,
                "session-address-outside-prefix",
                "connections[2].bgpSession.microsoftSessionIPv4Address",
            ),
            (
                E,
                "session-address-missing",
                "connections[2].bgpSession.peerSessionIPv4Address",
            ),
            (E, "session-prefix-missing", "connections[2].bgpSession.sessionPrefixV6"),
            (
                W,
                "session-prefix-host-bits",
                "connections[2].bgpSession.sessionPrefixV4",
            ),
        ]),
    ),
    (
        "bad-limits.toml",
        Findings(&[
            (
                E,
                "max-prefix-zero",
                "connections[0].bgpSession.maxPrefixesAdvertisedV4",
            ),
            (E, "md5-key-too-long", "connections[0].bgpSession.md5AuthenticationKey"),
            (
                E,
                "md5-key-not-printable",
                "connections[1].bgpSession.md5AuthenticationKey",
            ),
            (
                W,
                "max-prefix-above-recommended",
                "connections[0].bgpSession.maxPrefixesAdvertisedV6",
            ),
            (
                W,
                "max-prefix-missing",
                "connections[1].bgpSession.maxPrefixesAdvertisedV4",
            ),
            (
                W,
                "max-prefix-missing",
                "connections[1].bgpSession.maxPrefixesAdvertisedV6",
            ),
        ]),
    ),
    (
        "bad-registered.toml",
        Findings(&[
            (E, "registered-asn-without-active-connection", "registeredAsns"),
            (E, "registered-asn-duplicate", "registeredAsns[1].asn"),
            (E, "prefix-key-duplicate", "registeredAsns[1].peeringServicePrefixKey"),
            (E, "registered-asn-private", "registeredAsns[2].asn"),
            (E, "prefix-key-not-guid", "registeredAsns[2].peeringServicePrefixKey"),
            (
                E,
                "registered-asn-provisioning-failed",
                "registeredAsns[2].provisioningState",
            ),
            (W, "prefix-key-missing", "registeredAsns[3].peeringServicePrefixKey"),
        ]),
    ),
    (
        "bad-lab.toml",
        Findings(&[
            (E, "customer-asn-private", "lab.customers[0].asn"),
            (E, "origin-asn-reserved", "lab.customers[0].originAsns[1]"),
            (E, "customer-prefix-not-public", "lab.customers[0].prefixesV4[0]"),
            (E, "customer-prefix-host-bits", "lab.customers[0].prefixesV4[1]"),
            (E, "customer-name-duplicate", "lab.customers[1].name"),
            (E, "customer-asn-is-peer-asn", "lab.customers[1].asn"),
            (E, "customer-prefix-not-public", "lab.customers[1].prefixesV6[0]"),
            (W, "customer-prefix-too-specific", "lab.customers[1].prefixesV4[0]"),
            (W, "customer-prefix-too-specific", "lab.customers[1].prefixesV6[1]"),
            (W, "customer-no-prefixes", "lab.customers[2]"),
            (W, "registered-asn-without-customer", "registeredAsns[0].asn"),
            (W, "break-it-duplicate", "lab.breakIt[1]"),
            (W, "lab-exceeds-max-prefix", "lab.customers"),
        ]),
    ),
    (
        "bad-arm-list.json",
        Findings(&[
            (E, "peering-sku-not-premium-free", "peering.sku"),
            (E, "peer-asn-not-approved", "peerAsn.validationState"),
            (E, "connection-provisioning-failed", "connections[0].connectionState"),
            (E, "registered-asn-without-active-connection", "registeredAsns"),
        ]),
    ),
    (
        "bad-single-peering.json",
        Findings(&[
            (E, "peer-asn-missing", "peerAsn"),
            (E, "connections-missing", "connections"),
        ]),
    ),
    ("good-peering-services.json", Findings(&[])),
    (
        "bad-peering-services.toml",
        Findings(&[
            (E, "service-prefix-not-public", "peeringServices[0].prefixes[1].prefix"),
            (
                E,
                "service-prefix-too-specific",
                "peeringServices[0].prefixes[2].prefix",
            ),
            (
                E,
                "service-prefix-too-specific",
                "peeringServices[0].prefixes[3].prefix",
            ),
            (E, "service-prefix-host-bits", "peeringServices[0].prefixes[4].prefix"),
            (
                E,
                "service-prefix-default-route",
                "peeringServices[0].prefixes[5].prefix",
            ),
            (
                E,
                "service-prefix-name-duplicate",
                "peeringServices[0].prefixes[6].name",
            ),
            (E, "service-prefix-duplicate", "peeringServices[0].prefixes[6].prefix"),
            (E, "service-prefix-missing", "peeringServices[0].prefixes[7].prefix"),
            (
                E,
                "service-prefix-key-unknown",
                "peeringServices[1].prefixes[0].peeringServicePrefixKey",
            ),
            (
                E,
                "service-prefix-registered-asn-unknown",
                "peeringServices[1].prefixes[1].registeredAsn",
            ),
            (
                E,
                "service-prefix-key-missing",
                "peeringServices[1].prefixes[2].peeringServicePrefixKey",
            ),
            (
                E,
                "service-prefix-key-conflict",
                "peeringServices[1].prefixes[3].peeringServicePrefixKey",
            ),
            (
                W,
                "service-prefix-customer-asn-differs",
                "peeringServices[1].prefixes[4].peeringServicePrefixKey",
            ),
            (E, "peering-service-name-duplicate", "peeringServices[2].name"),
            (
                E,
                "peering-service-provisioning-failed",
                "peeringServices[2].provisioningState",
            ),
            (E, "peering-service-customer-unknown", "peeringServices[2].customer"),
            (
                W,
                "peering-service-provider-mismatch",
                "peeringServices[2].peeringServiceProvider",
            ),
            (W, "peering-service-no-prefixes", "peeringServices[2].prefixes"),
            (W, "peering-service-no-prefixes", "peeringServices[3].prefixes"),
            (
                E,
                "service-prefix-validation-failed",
                "peeringServices[4].prefixes[0].prefixValidationState",
            ),
            (
                E,
                "service-prefix-provisioning-failed",
                "peeringServices[4].prefixes[0].provisioningState",
            ),
            (
                W,
                "service-prefix-validation-warning",
                "peeringServices[4].prefixes[1].prefixValidationState",
            ),
        ]),
    ),
    (
        "bad-peering-services.json",
        Findings(&[
            (
                E,
                "service-prefix-key-unknown",
                "peeringServices[0].prefixes[0].peeringServicePrefixKey",
            ),
            (
                E,
                "service-prefix-validation-failed",
                "peeringServices[0].prefixes[0].prefixValidationState",
            ),
            (E, "service-prefix-not-public", "peeringServices[0].prefixes[1].prefix"),
            (
                E,
                "service-prefix-validation-failed",
                "peeringServices[0].prefixes[1].prefixValidationState",
            ),
            (
                W,
                "service-prefix-validation-warning",
                "peeringServices[1].prefixes[0].prefixValidationState",
            ),
        ]),
    ),
    ("broken-enum.toml", LoadError { line: 3, column: 7 }),
    ("broken-address-family.toml", LoadError { line: 6, column: 26 }),
    ("broken-syntax.json", LoadError { line: 5, column: 5 }),
    ("broken-array-element.json", LoadError { line: 4, column: 66 }),
    ("broken-service-prefix.toml", LoadError { line: 8, column: 10 }),
    ("broken-service-prefix.json", LoadError { line: 5, column: 3 }),
];

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/peering")
        .join(name)
}

/// Runs `peerlab validate --json FILE`: exit status and parsed output.
fn validate_json(name: &str) -> (i32, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("validate")
        .arg("--json")
        .arg(data(name))
        .output()
        .expect("run peerlab");
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    (output.status.code().expect("exit status"), json)
}

#[test]
fn every_file_in_the_table_gives_exactly_its_findings_and_exit_status() {
    let mut failures = Vec::new();
    for (name, expect) in TABLE {
        let (status, json) = validate_json(name);
        match expect {
            Findings(expected) => {
                let mut want: Vec<(String, String, String)> = expected
                    .iter()
                    .map(|(s, c, p)| (s.to_string(), c.to_string(), p.to_string()))
                    .collect();
                let mut got: Vec<(String, String, String)> = json["findings"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{name}: no findings array in {json}"))
                    .iter()
                    .map(|f| {
                        let field = |k: &str| f[k].as_str().unwrap_or_default().to_string();
                        (field("severity"), field("code"), field("path"))
                    })
                    .collect();
                want.sort();
                got.sort();
                let want_status = if expected.iter().any(|(s, _, _)| *s == E) { 1 } else { 0 };
                if got != want || status != want_status {
                    failures.push(format!(
                        "{name}: status {status} (want {want_status})\n got {got:#?}\nwant {want:#?}"
                    ));
                }
            }
            LoadError { line, column } => {
                let at = (json["error"]["line"].as_u64(), json["error"]["column"].as_u64());
                if status != 2 || at != (Some(*line), Some(*column)) {
                    failures.push(format!(
                        "{name}: status {status}, error {} (want 2 at {line}:{column})",
                        json["error"]
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_data_file_is_in_the_table() {
    let dir = std::fs::read_dir(data("")).expect("tests/data/peering exists");
    let mut names: Vec<String> = dir
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut listed: Vec<String> = TABLE.iter().map(|(name, _)| name.to_string()).collect();
    listed.sort();
    assert_eq!(names, listed);
}

#[test]
fn every_finding_has_a_message_a_fix_and_a_kebab_case_code() {
    for (name, _) in TABLE {
        let (_, json) = validate_json(name);
        for finding in json["findings"].as_array().into_iter().flatten() {
            let code = finding["code"].as_str().unwrap_or_default();
            assert!(
                !code.is_empty()
                    && code
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{name}: code {code:?}"
            );
            assert!(
                !finding["message"].as_str().unwrap_or_default().is_empty(),
                "{name}: {finding}"
            );
            assert!(
                !finding["fix"].as_str().unwrap_or_default().is_empty(),
                "{name}: {finding}"
            );
        }
    }
}

#[test]
fn the_json_summary_counts_the_findings_by_severity() {
    for (name, expect) in TABLE {
        if let Findings(expected) = expect {
            let (_, json) = validate_json(name);
            let errors = expected.iter().filter(|(s, _, _)| *s == E).count() as u64;
            let warnings = expected.len() as u64 - errors;
            assert_eq!(json["summary"]["errors"].as_u64(), Some(errors), "{name}");
            assert_eq!(json["summary"]["warnings"].as_u64(), Some(warnings), "{name}");
        }
    }
}

#[test]
fn every_code_the_table_expects_is_documented() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/peering-file.md"))
        .expect("docs/peering-file.md exists");
    let mut missing: Vec<&str> = TABLE
        .iter()
        .filter_map(|(_, expect)| match expect {
            Findings(expected) => Some(expected.iter().map(|(_, code, _)| *code)),
            LoadError { .. } => None,
        })
        .flatten()
        .filter(|code| !documented(&docs, code))
        .collect();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "codes missing from docs/peering-file.md: {missing:?}"
    );
}

/// A code is documented literally, or as an ASN-class family: "`customer-asn-private` / `-reserved`".
fn documented(docs: &str, code: &str) -> bool {
    if docs.contains(&format!("`{code}`")) {
        return true;
    }
    ["private", "reserved", "documentation", "microsoft"]
        .iter()
        .any(|class| {
            code.strip_suffix(&format!("-{class}")).is_some_and(|stem| {
                docs.contains(&format!(
                    "`{stem}-private` / `-reserved` / `-documentation` / `-microsoft`"
                ))
            })
        })
}
