//! The rows of the tables the lab shows — the Connections view, its sessions, the routes
//! AS8075 holds, the routes the route server filtered, the steps of each connection's life —
//! shared by the report, the break-it section, the live view and the API's views.

use super::speakers::EdgeRoute;
use crate::peering::enums::{ConnectionState, LearnedType, PrefixValidationState, SessionState};
use route_server::runtime::RouteView;
use serde::Serialize;

/// One row of the Connections view.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionRow {
    /// `connectionIdentifier`.
    pub connection: String,
    /// `peeringDBFacilityId`.
    #[serde(rename = "peeringDBFacilityId")]
    pub facility: Option<u32>,
    /// `connectionState`.
    pub connection_state: ConnectionState,
    /// `sessionStateV4`, as Microsoft's edge sees it.
    pub session_state_v4: SessionState,
    /// `sessionStateV6`.
    pub session_state_v6: SessionState,
    /// Prefixes the AS8075 edge received over this connection (both sessions).
    pub prefixes_received: usize,
    /// Of those, the prefixes whose origin ASN is registered (the ones Microsoft uses).
    pub prefixes_accepted: usize,
    /// `errorMessage`: why provisioning failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// One lab session.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionRow {
    /// The speaker, e.g. `AS8075-1 v4`.
    pub speaker: String,
    /// Its ASN.
    pub asn: u32,
    /// The session address of the file (a label).
    pub session_address: String,
    /// The route server's name for the session, `client@address`.
    pub rs_session: String,
    /// The loopback connection carrying it, `source -> route server socket`.
    pub loopback: String,
    /// Its FSM state now.
    pub state: SessionState,
    /// Whether it reached Established during the run.
    pub reached_established: bool,
    /// Prefixes announced to the route server.
    pub announced: usize,
    /// Whether the connection the session last reached Established over was TCP-MD5
    /// protected (RFC 2385), as its socket was set up; the key is never shown.
    pub md5: bool,
    /// The Azure session states it showed, in order (the latest ones), e.g. `PendingUpdate`
    /// while it was being changed.
    pub history: Vec<SessionState>,
}

/// A route AS8075 holds, with the connection it came over.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EdgeRouteRow {
    /// The connection.
    pub connection: String,
    /// The route.
    #[serde(flatten)]
    pub route: EdgeRoute,
}

/// A route the route server filtered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilteredRow {
    /// The prefix.
    pub prefix: String,
    /// The route server session it came from, `client@address`.
    pub from: String,
    /// AS_PATH ASNs.
    pub as_path: Vec<u32>,
    /// The last ASN of the path.
    pub origin_as: Option<u32>,
    /// The reason's name, e.g. `origin-not-registered`.
    pub reason: String,
    /// What is wrong and what to change.
    pub sentence: String,
}

impl FilteredRow {
    /// A route the route server filtered, as the report shows it.
    pub fn of(r: &RouteView) -> FilteredRow {
        FilteredRow {
            origin_as: r.as_path.last().copied(),
            prefix: r.prefix.clone(),
            from: r.from.clone(),
            as_path: r.as_path.clone(),
            reason: r.reason.as_ref().map(|x| x.name).unwrap_or("").to_owned(),
            sentence: r.reason.as_ref().map(|x| x.sentence).unwrap_or("").to_owned(),
        }
    }
}

/// One step of a connection's life.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleStep {
    /// Milliseconds since the run started.
    pub at_ms: u64,
    /// The connection.
    pub connection: String,
    /// The state it entered.
    pub connection_state: ConnectionState,
}

/// One registered Peering Service prefix and the lab's verdict on it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrefixRow {
    /// The Peering Service (the customer's resource).
    pub peering_service: String,
    /// The prefix resource's name.
    pub name: String,
    /// The registered prefix.
    pub prefix: String,
    /// The registered ASN whose key it uses, e.g. `fjordcloud (AS211548)`; `None` when the
    /// key is no registered ASN's.
    pub key_of: Option<String>,
    /// `prefixValidationState`.
    pub prefix_validation_state: PrefixValidationState,
    /// `learnedType`.
    pub learned_type: LearnedType,
    /// `errorMessage`: why it is not `Verified`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}
