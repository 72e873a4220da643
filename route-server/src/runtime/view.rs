//! The JSON shapes the runtime hands out: sessions with their state, last transitions and
//! counters; routes with their attributes decoded; rejected routes and verdicts with the
//! reason's name and sentence.

use crate::reason::RejectReason;
use crate::server::{Route, SessionVerdict};
use crate::session::{Counters, SessionState};
use bgp_core::attr::{AttrValue, NextHop};
use bgp_core::fsm::Transition;
use bgp_core::Notification;
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr};

/// Why a route was rejected: the stable kebab-case name and the sentence for the operator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReasonView {
    /// E.g. `origin-not-registered`.
    pub name: &'static str,
    /// What is wrong and what to change.
    pub sentence: &'static str,
}

impl From<RejectReason> for ReasonView {
    fn from(r: RejectReason) -> Self {
        ReasonView {
            name: r.name(),
            sentence: r.sentence(),
        }
    }
}

/// One route, attributes decoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RouteView {
    /// The prefix.
    pub prefix: String,
    /// Path identifier (0 without ADD-PATH).
    pub path_id: u32,
    /// The session that sent it (its name, `client@address`).
    pub from: String,
    /// NEXT_HOP (or the MP_REACH_NLRI next hop).
    pub next_hop: Option<String>,
    /// AS_PATH ASNs, left to right.
    pub as_path: Vec<u32>,
    /// `igp`, `egp` or `incomplete`.
    pub origin: Option<&'static str>,
    /// MULTI_EXIT_DISC.
    pub med: Option<u32>,
    /// Standard communities, `high:low` or their well-known names.
    pub communities: Vec<String>,
    /// Large communities, `global:local1:local2`.
    pub large_communities: Vec<String>,
    /// `null` when accepted.
    pub reason: Option<ReasonView>,
}

impl RouteView {
    /// Decodes `route`; `from` is the sending session's name.
    pub fn new(route: &Route, from: String) -> Self {
        let mut v = RouteView {
            prefix: route.prefix.to_string(),
            path_id: route.path_id,
            from,
            next_hop: None,
            as_path: Vec::new(),
            origin: None,
            med: None,
            communities: Vec::new(),
            large_communities: Vec::new(),
            reason: route.reason.map(ReasonView::from),
        };
        for a in &route.attributes {
            match &a.value {
                AttrValue::Origin(o) => v.origin = Some(o.name()),
                AttrValue::AsPath(p) => v.as_path = p.asns().collect(),
                AttrValue::NextHop(n) => v.next_hop = Some(n.to_string()),
                AttrValue::Med(m) => v.med = Some(*m),
                AttrValue::Communities(c) => v.communities = c.iter().map(ToString::to_string).collect(),
                AttrValue::LargeCommunities(c) => v.large_communities = c.iter().map(ToString::to_string).collect(),
                AttrValue::MpReach(mp) => match &mp.next_hop {
                    NextHop::V4(a) => v.next_hop = Some(a.to_string()),
                    NextHop::V6 { global, .. } => v.next_hop = Some(global.to_string()),
                    NextHop::Other(_) => {}
                },
                _ => {}
            }
        }
        v
    }
}

/// One page of a route listing: its routes and where the next page starts (`null` on the
/// last page), to be passed back as `after`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoutePage {
    /// The routes, at most the limit asked for.
    pub routes: Vec<RouteView>,
    /// The cursor of the next page; `None` when this page ends the listing.
    pub next: Option<String>,
}

/// One session's verdict on one prefix (`explain`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerdictView {
    /// The sending session's name.
    pub session: String,
    /// Its client.
    pub client: String,
    /// The path identifier received.
    pub path_id: u32,
    /// Whether the import chain accepted it.
    pub accepted: bool,
    /// `null` when accepted.
    pub reason: Option<ReasonView>,
    /// The sessions it is sent to, by name.
    pub sent_to: Vec<String>,
}

impl VerdictView {
    /// From the engine's verdict; `name` gives a session's name.
    pub fn new(v: &SessionVerdict, name: impl Fn(crate::SessionId) -> String) -> Self {
        VerdictView {
            session: name(v.session),
            client: v.client.clone(),
            path_id: v.path_id,
            accepted: v.reason.is_none(),
            reason: v.reason.map(ReasonView::from),
            sent_to: v.sent_to.iter().map(|s| name(*s)).collect(),
        }
    }
}

/// One change of FSM state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TransitionView {
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// State before.
    pub from: String,
    /// State after.
    pub to: String,
    /// The RFC 4271 event, e.g. `KeepAliveMsg (26)`.
    pub event: String,
    /// Why, e.g. `notification-received 6/2 "maintenance"`.
    pub reason: String,
}

impl From<&Transition> for TransitionView {
    fn from(t: &Transition) -> Self {
        TransitionView {
            at_ms: t.at_ms,
            from: t.from.to_string(),
            to: t.to.to_string(),
            event: t.event.to_string(),
            reason: t.reason.to_string(),
        }
    }
}

/// A NOTIFICATION, as `code/subcode` with names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotificationView {
    /// Error code.
    pub code: u8,
    /// Error subcode.
    pub subcode: u8,
    /// E.g. `Cease / Maximum Number of Prefixes Reached`.
    pub name: String,
    /// The data, in hex.
    pub data: String,
}

impl From<&Notification> for NotificationView {
    fn from(n: &Notification) -> Self {
        NotificationView {
            code: n.code,
            subcode: n.subcode,
            name: format!("{} / {}", n.code_name(), n.subcode_name()),
            data: n.data.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }
}

/// One session: configuration, FSM state, the table's view of it, counters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionView {
    /// `client@address`, unique.
    pub name: String,
    /// The client's name.
    pub client: String,
    /// The client's ASN.
    pub asn: u32,
    /// The session address.
    pub address: IpAddr,
    /// The FSM state (`Idle` … `Established`).
    pub state: String,
    /// The table's view: `up`, `down` or `max-prefix-down`.
    pub table_state: SessionState,
    /// The client's BGP identifier, once Established.
    pub peer_router_id: Option<Ipv4Addr>,
    /// The last transitions, oldest first.
    pub last_transitions: Vec<TransitionView>,
    /// NOTIFICATIONs we sent, oldest first (the last few).
    pub notifications_sent: Vec<NotificationView>,
    /// The engine's counters.
    pub counters: Counters,
}
