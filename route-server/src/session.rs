//! Client sessions: their configuration, identity and per-session state (counters, limits,
//! the outbound dirty and announced sets per family).

use crate::bitmap::Bitmap;
use crate::hash::FxHashMap;
use bgp_core::{Family, SessionContext, UpdateBuilder};
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// A session's identity inside one [`crate::RouteServer`]: dense, never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SessionId(pub u16);

/// One BGP session of a client. A client's IPv4 and IPv6 sessions are separate sessions,
/// each with its own state, limits and RIBs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionConfig {
    /// The client's name; sessions with the same name belong to the same client and never
    /// receive each other's routes.
    pub name: String,
    /// The client's ASN.
    pub asn: u32,
    /// The client's session address; routes' NEXT_HOP must be this address.
    pub address: IpAddr,
    /// The families carried on this session.
    pub families: Vec<Family>,
    /// IPv4 max-prefix limit (received routes).
    pub max_prefixes_v4: Option<u32>,
    /// IPv6 max-prefix limit (received routes).
    pub max_prefixes_v6: Option<u32>,
    /// TCP-MD5 key; the engine only carries it for the driver.
    pub md5_key: Option<String>,
    /// Send all allowed paths with path identifiers when the session negotiates ADD-PATH.
    pub add_path: bool,
    /// After a max-prefix shutdown: restart after this long, or stay down (`None`).
    pub restart_after: Option<Duration>,
}

impl SessionConfig {
    /// A session with the family of `address`, no limits, no ADD-PATH, staying down after a
    /// max-prefix shutdown.
    pub fn new(name: &str, asn: u32, address: IpAddr) -> Self {
        SessionConfig {
            name: name.to_string(),
            asn,
            address,
            families: vec![match address {
                IpAddr::V4(_) => Family::IPV4_UNICAST,
                IpAddr::V6(_) => Family::IPV6_UNICAST,
            }],
            max_prefixes_v4: None,
            max_prefixes_v6: None,
            md5_key: None,
            add_path: false,
            restart_after: None,
        }
    }

    /// The max-prefix limit of `family`.
    pub fn max_prefixes(&self, family: Family) -> Option<u32> {
        match (family.afi, family.safi) {
            (1, 1) => self.max_prefixes_v4,
            (2, 1) => self.max_prefixes_v6,
            _ => None,
        }
    }
}

/// Where a session is, as far as the table is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionState {
    /// Not established; holds no routes, receives nothing.
    Down,
    /// Established: routes are imported and exported.
    Up,
    /// Shut down by the max-prefix limit; the driver restarts it (or not) as configured.
    MaxPrefixDown,
}

/// Per-session counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// UPDATE messages ingested.
    pub updates_in: u64,
    /// Announced NLRI received (accepted or not).
    pub routes_in: u64,
    /// Announced NLRI accepted.
    pub accepted: u64,
    /// Announced NLRI rejected by the import chain.
    pub rejected: u64,
    /// Withdrawn NLRI received.
    pub withdrawals_in: u64,
    /// UPDATE messages produced for this session.
    pub updates_out: u64,
    /// Octets of UPDATE messages produced for this session.
    pub bytes_out: u64,
    /// NLRI announced to this session.
    pub announced_out: u64,
    /// NLRI withdrawn towards this session.
    pub withdrawn_out: u64,
    /// Times the session came up.
    pub ups: u64,
    /// Times the session went down.
    pub downs: u64,
}

/// The outbound state of one session for one family.
#[derive(Debug, Default)]
pub(crate) struct FamilyOut {
    /// Prefixes whose view may have changed since the last output.
    pub dirty: Bitmap,
    /// Prefixes announced (without ADD-PATH).
    pub announced: Bitmap,
    /// With ADD-PATH: per prefix, the path identifiers announced.
    pub paths: FxHashMap<u32, Vec<u32>>,
    /// Routes received in this family (for max-prefix).
    pub received: u32,
    /// An End-of-RIB marker is owed once the initial view has been sent.
    pub end_of_rib_pending: bool,
}

impl FamilyOut {
    pub(crate) fn reset(&mut self) {
        self.dirty.clear_all();
        self.announced.clear_all();
        self.paths.clear();
        self.received = 0;
        self.end_of_rib_pending = false;
    }
}

/// A session and its state.
#[derive(Debug)]
pub(crate) struct Session {
    pub config: SessionConfig,
    /// Interned client name: sessions with the same value are one client.
    pub client: u32,
    pub state: SessionState,
    pub ctx: SessionContext,
    pub router_id: Option<Ipv4Addr>,
    pub builder: Option<UpdateBuilder>,
    pub out: [FamilyOut; 2],
    pub counters: Counters,
}

impl Session {
    pub(crate) fn carries(&self, index: usize) -> bool {
        let fam = if index == 0 {
            Family::IPV4_UNICAST
        } else {
            Family::IPV6_UNICAST
        };
        self.config.families.contains(&fam)
    }

    pub(crate) fn add_path_out(&self, family: Family) -> bool {
        self.config.add_path && self.ctx.add_path(family)
    }
}
