//! `peerlab run --json --until converged` on the built-in example exchange: the whole lab on
//! loopback, every connection walked to `Active`, only registered customers' routes at AS8075.

mod common;

use common::example_customers;
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

#[test]
fn the_example_exchange_converges_with_only_registered_customers_routes_at_as8075() {
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["run", "--json", "--until", "converged", "--timeout", "60"])
        .output()
        .expect("peerlab runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");

    let sessions = report["sessions"].as_array().expect("sessions");
    assert!(!sessions.is_empty());
    for s in sessions {
        assert_eq!(s["state"], "Established", "{s}");
        assert_eq!(s["reachedEstablished"], true, "{s}");
    }
    let connections = report["connections"].as_array().expect("connections");
    assert_eq!(connections.len(), 2);
    for c in connections {
        assert_eq!(c["connectionState"], "Active", "{c}");
        assert_eq!(c["sessionStateV4"], "Established", "{c}");
        assert_eq!(c["sessionStateV6"], "Established", "{c}");
    }
    let order: Vec<&str> = report["lifecycle"]
        .as_array()
        .expect("lifecycle")
        .iter()
        .filter(|s| s["connection"] == connections[0]["connection"])
        .filter_map(|s| s["connectionState"].as_str())
        .collect();
    assert_eq!(
        order,
        [
            "PendingApproval",
            "Approved",
            "ProvisioningStarted",
            "ProvisioningCompleted",
            "Validating",
            "Active"
        ]
    );

    let customers = example_customers();
    assert!(
        customers.iter().any(|c| !c.2),
        "the example has an unregistered customer"
    );
    let at_edge = report["routesAtAs8075"].as_array().expect("routes at AS8075");
    for c in connections {
        let held: BTreeSet<&str> = at_edge
            .iter()
            .filter(|r| r["connection"] == c["connection"])
            .filter_map(|r| r["prefix"].as_str())
            .collect();
        let registered: BTreeSet<&str> = customers
            .iter()
            .filter(|c| c.2)
            .flat_map(|c| c.1.iter().map(String::as_str))
            .collect();
        assert_eq!(held, registered, "connection {}", c["connection"]);
    }
    for r in at_edge {
        let origin = r["originAs"].as_u64().expect("origin AS") as u32;
        assert!(customers.iter().any(|c| c.0 == origin && c.2), "{r}");
    }

    let filtered = report["filtered"].as_array().expect("filtered");
    for (asn, prefixes, _) in customers.iter().filter(|c| !c.2) {
        for p in prefixes {
            let r = filtered
                .iter()
                .find(|r| r["prefix"] == p.as_str())
                .unwrap_or_else(|| panic!("{p} of AS{asn} is not listed as filtered"));
            assert_eq!(r["reason"], "origin-not-registered", "{r}");
            assert_eq!(r["originAs"], *asn, "{r}");
        }
    }
}
