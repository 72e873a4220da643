//! The lab's own section of a peering file: who sits behind the exchange's route server, what
//! they announce, and which faults to inject.

use ipnet::{Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

/// `[lab]`: the simulated customers of the exchange and the break-it switches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabSection {
    /// Customers of the exchange, each a BGP speaker peering with the route server.
    #[serde(default)]
    pub customers: Vec<Customer>,
    /// Faults to inject when the lab runs.
    #[serde(default)]
    pub break_it: Vec<Scenario>,
}

/// One customer network behind the route server. Whether it is registered is not stated here:
/// it is derived from the peering's registered ASNs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// A short name shown in the lab's views.
    pub name: String,
    /// The customer's own ASN (the one it peers with the route server from).
    pub asn: u32,
    /// ASNs whose routes the customer originates; empty means just `asn`.
    #[serde(default)]
    pub origin_asns: Vec<u32>,
    /// IPv4 prefixes the customer announces.
    #[serde(default)]
    pub prefixes_v4: Vec<Ipv4Net>,
    /// IPv6 prefixes the customer announces.
    #[serde(default)]
    pub prefixes_v6: Vec<Ipv6Net>,
}

impl Customer {
    /// The ASNs this customer's routes originate from: `originAsns`, or its own ASN.
    pub fn origins(&self) -> Vec<u32> {
        if self.origin_asns.is_empty() {
            vec![self.asn]
        } else {
            self.origin_asns.clone()
        }
    }
}

/// A fault the lab can inject, by its kebab-case name: in a peering file's `lab.breakIt` and
/// as `peerlab run --break NAME` (the one list of scenarios; the command line derives its
/// values from it). Ordered as declared, which is the order the lab plans them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
#[value(rename_all = "kebab-case")]
pub enum Scenario {
    /// Microsoft's edge expects another peer ASN than the exchange's OPEN carries: NOTIFICATION 2/2.
    WrongPeerAsn,
    /// The two ends use different TCP-MD5 keys: TCP never completes.
    Md5Mismatch,
    /// A switch port goes silent until the hold timer expires: NOTIFICATION 4/0, then the
    /// session comes back.
    HoldTimerExpiry,
    /// The exchange advertises more prefixes than the max-prefix limit: Cease 6/1.
    MaxPrefixExceeded,
    /// An unregistered customer's routes reach AS8075.
    UnregisteredCustomer,
    /// Routes carry a next hop other than the customer's session address: filtered as
    /// next-hop-not-client.
    NextHopMismatch,
    /// A registered customer registers its prefix for Peering Service with another registered
    /// ASN's key: the prefix validates Failed, naming both ASNs.
    WrongPrefixKey,
}

impl Scenario {
    /// The scenario's name as written in a peering file.
    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::WrongPeerAsn => "wrong-peer-asn",
            Scenario::Md5Mismatch => "md5-mismatch",
            Scenario::HoldTimerExpiry => "hold-timer-expiry",
            Scenario::MaxPrefixExceeded => "max-prefix-exceeded",
            Scenario::UnregisteredCustomer => "unregistered-customer",
            Scenario::NextHopMismatch => "next-hop-mismatch",
            Scenario::WrongPrefixKey => "wrong-prefix-key",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn a_scenario_set_lists_each_scenario_once_in_planning_order() {
        let set: BTreeSet<Scenario> = [
            Scenario::NextHopMismatch,
            Scenario::WrongPeerAsn,
            Scenario::NextHopMismatch,
        ]
        .into_iter()
        .collect();
        let listed: Vec<Scenario> = set.into_iter().collect();
        assert_eq!(listed, [Scenario::WrongPeerAsn, Scenario::NextHopMismatch]);
    }

    #[test]
    fn each_scenario_is_written_in_a_file_by_its_kebab_case_name() {
        for (s, name) in [
            (Scenario::WrongPeerAsn, "wrong-peer-asn"),
            (Scenario::Md5Mismatch, "md5-mismatch"),
            (Scenario::HoldTimerExpiry, "hold-timer-expiry"),
            (Scenario::MaxPrefixExceeded, "max-prefix-exceeded"),
            (Scenario::UnregisteredCustomer, "unregistered-customer"),
            (Scenario::NextHopMismatch, "next-hop-mismatch"),
            (Scenario::WrongPrefixKey, "wrong-prefix-key"),
        ] {
            assert_eq!(s.as_str(), name);
            assert_eq!(serde_json::to_value(s).unwrap(), name);
        }
    }
}
