//! What the API asks of the running lab, and what it answers: each request travels to the
//! run's loop with a one-shot reply, so every change happens in one place, between events.

use crate::peering::model::{BgpSession, DirectConnection};
use crate::peering::peering_service::{PeeringService, PeeringServicePrefix};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};

/// One operation on the running lab.
#[derive(Debug)]
pub enum Op {
    /// `GET /peerings`: the peering, as a one-element Azure list.
    List,
    /// `GET /peerings/{name}`.
    Get,
    /// `GET /peerings/{name}/registeredAsns`.
    RegisteredAsns,
    /// `GET /peerings/{name}/receivedRoutes`.
    ReceivedRoutes,
    /// `GET /lab/status`: the Connections view and the run's flags.
    Status,
    /// `PUT /peerings/{name}/connections/{id}`.
    AddConnection {
        /// The connection identifier from the path.
        id: String,
        /// The `DirectConnection` (its `connectionIdentifier`, if any, must match `id`).
        connection: Box<DirectConnection>,
    },
    /// `DELETE /peerings/{name}/connections/{id}`.
    RemoveConnection {
        /// The connection identifier.
        id: String,
    },
    /// `PUT`/`PATCH /peerings/{name}/connections/{id}/bgpSession`.
    AddSession {
        /// The connection identifier.
        id: String,
        /// The session addresses to add (the family the connection lacks), or an existing
        /// session's Microsoft address with its new `maxPrefixesAdvertised*` and/or
        /// `md5AuthenticationKey` (a change: `PendingUpdate`).
        session: Box<BgpSession>,
    },
    /// `PUT /peerings/{name}/registeredAsns/{registeredAsnName}`.
    Register {
        /// The registration's name.
        name: String,
        /// The customer ASN.
        asn: u32,
    },
    /// `DELETE /peerings/{name}/registeredAsns/{registeredAsnName}`.
    Deregister {
        /// The registration's name.
        name: String,
    },
    /// `DELETE /peerings/{name}`.
    Deprovision,
    /// A request on the customers' `peeringServices` (no peering in the path).
    Services(ServiceOp),
}

/// One operation on the customers' Peering Services and their prefixes.
#[derive(Debug)]
pub enum ServiceOp {
    /// `GET /peeringServices`.
    List,
    /// `GET /peeringServices/{service}`.
    Get {
        /// The Peering Service's name.
        service: String,
    },
    /// `PUT /peeringServices/{service}`: create it, or change its location, provider or
    /// customer.
    Put {
        /// The Peering Service's name.
        service: String,
        /// Its fields (no prefixes: those are registered one by one).
        body: Box<PeeringService>,
    },
    /// `DELETE /peeringServices/{service}`, with its prefixes.
    Delete {
        /// The Peering Service's name.
        service: String,
    },
    /// `GET /peeringServices/{service}/prefixes`.
    Prefixes {
        /// The Peering Service's name.
        service: String,
    },
    /// `GET /peeringServices/{service}/prefixes/{prefix}`.
    GetPrefix {
        /// The Peering Service's name.
        service: String,
        /// The prefix resource's name.
        name: String,
    },
    /// `PUT /peeringServices/{service}/prefixes/{prefix}`: register a prefix with a key
    /// (`Pending`, then validated against what AS8075 receives).
    PutPrefix {
        /// The Peering Service's name.
        service: String,
        /// The prefix resource's name.
        name: String,
        /// Its `prefix` and `peeringServicePrefixKey` (or `registeredAsn`).
        body: Box<PeeringServicePrefix>,
    },
    /// `DELETE /peeringServices/{service}/prefixes/{prefix}`.
    DeletePrefix {
        /// The Peering Service's name.
        service: String,
        /// The prefix resource's name.
        name: String,
    },
}

/// A successful answer: HTTP status and JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// 200, 201 or 202.
    pub status: u16,
    /// The resource.
    pub body: Value,
}

impl Answer {
    /// 200 with `body`.
    pub fn ok(body: Value) -> Self {
        Answer { status: 200, body }
    }
}

/// A refused request, answered like Azure: `{"error": {"code", "message", "target"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabError {
    /// HTTP status.
    pub status: u16,
    /// Azure-style error code, e.g. `Conflict`.
    pub code: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
    /// The field at fault, e.g. `properties.asn`.
    pub target: Option<String>,
}

impl LabError {
    /// An error with `status`, `code`, `message` and the field `target`.
    pub fn new(status: u16, code: &'static str, message: impl Into<String>, target: Option<&str>) -> Self {
        LabError {
            status,
            code,
            message: message.into(),
            target: target.map(str::to_owned),
        }
    }

    /// 404 for a resource that does not exist.
    pub fn not_found(what: impl Into<String>) -> Self {
        LabError::new(404, "NotFound", what, None)
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut e = json!({ "code": self.code, "message": self.message });
        if let Some(t) = &self.target {
            e["target"] = json!(t);
        }
        json!({ "error": e })
    }
}

/// The answer to one request.
pub type Reply = oneshot::Sender<Result<Answer, LabError>>;

/// A request: the peering named in the path (`None` for routes without one), the operation
/// and where to answer.
#[derive(Debug)]
pub struct Request {
    /// The `{name}` of the path.
    pub peering: Option<String>,
    /// What to do.
    pub op: Op,
    /// The answer goes here.
    pub reply: Reply,
}

/// The API's side of the channel.
#[derive(Clone, Debug)]
pub struct Control {
    tx: mpsc::Sender<Request>,
}

impl Control {
    /// A control channel; the run's loop reads the receiver.
    pub fn channel() -> (Control, mpsc::Receiver<Request>) {
        let (tx, rx) = mpsc::channel(16);
        (Control { tx }, rx)
    }

    /// Sends `op` to the lab and waits for its answer.
    pub async fn ask(&self, peering: Option<String>, op: Op) -> Result<Answer, LabError> {
        let (reply, rx) = oneshot::channel();
        let gone = || LabError::new(503, "ServiceUnavailable", "the lab is stopping", None);
        self.tx.send(Request { peering, op, reply }).await.map_err(|_| gone())?;
        rx.await.map_err(|_| gone())?
    }
}
