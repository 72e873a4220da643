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

/// A fault the lab can inject, by its kebab-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// The exchange's OPEN carries an ASN other than the peer ASN.
    WrongPeerAsn,
    /// The two ends use different TCP-MD5 keys.
    Md5Mismatch,
    /// One end stops sending KEEPALIVEs until the hold timer expires.
    HoldTimerExpiry,
    /// The exchange advertises more prefixes than the max-prefix limit.
    MaxPrefixExceeded,
    /// An unregistered customer's routes reach AS8075.
    UnregisteredCustomer,
    /// Routes carry a next hop other than the exchange's session address.
    NextHopMismatch,
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
        }
    }
}
