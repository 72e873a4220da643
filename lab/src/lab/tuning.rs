//! Per-speaker settings beyond the plan: the TCP-MD5 key of the session, the max-prefix limit
//! an AS8075 edge enforces on what it receives, and what a break-it scenario changes (the
//! peer ASN expected, the hold time, a relay to connect through, a wrong NEXT_HOP).

use super::topology::{Role, SpeakerPlan, Topology};
use std::net::{IpAddr, SocketAddr};

/// How one lab speaker deviates from its plain plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tuning {
    /// TCP-MD5 key (RFC 2385) of the session: the connection's `md5AuthenticationKey`.
    pub md5: Option<String>,
    /// The ASN the speaker expects in the route server's OPEN, instead of the route server's.
    pub expect_peer_as: Option<u32>,
    /// The hold time the speaker offers, instead of the default 90 s.
    pub hold_time: Option<u16>,
    /// Where the speaker connects, instead of the route server's socket (a relay).
    pub connect_to: Option<SocketAddr>,
    /// The NEXT_HOP of its announcements, instead of its session address.
    pub next_hop: Option<IpAddr>,
    /// Most prefixes an AS8075 edge accepts on this session before it sends Cease 6/1:
    /// `maxPrefixesAdvertisedV4`/`V6` of the connection.
    pub max_prefixes: Option<u32>,
}

impl Tuning {
    /// What the file says for speaker `i` of `top`: its TCP-MD5 key, and for an edge the
    /// max-prefix limit of its family (the connection's, read from the route server's client
    /// of the same connection).
    pub fn of(top: &Topology, i: usize) -> Tuning {
        let plan = &top.speakers[i];
        let client_name = plan.rs_session.split('@').next().unwrap_or_default();
        let client = top.rs.clients.iter().find(|c| c.name == client_name);
        let max_prefixes = match (plan.role, client) {
            (Role::Edge { .. }, Some(c)) if plan.label.is_ipv4() => c.max_prefixes_v4,
            (Role::Edge { .. }, Some(c)) => c.max_prefixes_v6,
            _ => None,
        };
        Tuning {
            md5: plan.md5.clone(),
            max_prefixes,
            ..Tuning::default()
        }
    }

    /// `plan` as its announcements see it: with the NEXT_HOP override as its address.
    pub fn announcing(&self, plan: &SpeakerPlan) -> SpeakerPlan {
        let mut p = plan.clone();
        if let Some(nh) = self.next_hop {
            p.label = nh;
        }
        p
    }
}
