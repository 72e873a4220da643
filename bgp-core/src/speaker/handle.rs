//! What a session reports and what it can be told.

use super::transport::Protection;
use crate::error::Notification;
use crate::fsm::{Cease, Negotiated, Transition};
use crate::message::{Message, RouteRefresh};
use crate::types::Family;
use crate::update::UpdateView;
use bytes::Bytes;
use tokio::sync::mpsc;

/// What a session tells its owner, in order.
#[derive(Clone, Debug)]
pub enum SessionEvent {
    /// The FSM changed state (the record the lab and the trace show).
    Transition(Transition),
    /// The session reached Established with this negotiation, over a connection with this
    /// protection (what was set on its socket).
    Established(Box<Negotiated>, Protection),
    /// An UPDATE arrived (Established).
    Update(UpdateView),
    /// A ROUTE-REFRESH arrived (Established).
    RouteRefresh(RouteRefresh),
    /// We sent this NOTIFICATION.
    NotificationSent(Notification),
    /// The session left Established or gave up a connection: release its resources; with
    /// `delete_routes`, withdraw every route learned over it.
    Down {
        /// Whether routes learned over the session must be withdrawn.
        delete_routes: bool,
    },
    /// A TCP connection attempt failed (e.g. refused, timed out — what a TCP-MD5 mismatch
    /// looks like from the connecting side).
    ConnectFailed(String),
}

/// A start or stop of a running session: sent on its own path ([`Controller`]), taken
/// before any queued [`Command`], so it is never held up behind UPDATEs a stuck peer does not
/// read, and never lost because the command queue is full.
#[derive(Clone, Debug)]
pub enum Control {
    /// ManualStart (active, or passive when the session is configured passive).
    Start,
    /// ManualStop with this Cease (e.g. [`Cease::admin_shutdown`]).
    Stop(Cease),
    /// AutomaticStop with this Cease (e.g. [`Cease::max_prefixes`]).
    AutomaticStop(Cease),
}

/// The sending end of a session's [`Control`] path (cheap to clone).
///
/// Unbounded on purpose: a control is sent by an operator action or a limit, a handful per
/// session, and must be delivered even while the session takes no commands.
#[derive(Clone, Debug)]
pub struct Controller(pub(super) mpsc::UnboundedSender<Control>);

impl Controller {
    /// Sends `c` without waiting; `false` when the session task has ended.
    pub fn send(&self, c: Control) -> bool {
        self.0.send(c).is_ok()
    }
}

/// An instruction to a running session, queued behind the ones before it (starts and
/// stops go through [`Controller`]).
#[derive(Clone, Debug)]
pub enum Command {
    /// Send these encoded UPDATE messages (Established only; dropped otherwise).
    SendUpdates(Vec<Bytes>),
    /// Send this message, encoded with the session's negotiated context.
    Send(Message),
    /// Ask the peer to resend a family (RFC 2918).
    RequestRefresh(Family),
    /// End the session task (after a [`Control::Stop`], to free it).
    Shutdown,
}

/// The owner's end of a session.
#[derive(Debug)]
pub struct SessionHandle {
    /// Commands to the session.
    pub commands: mpsc::Sender<Command>,
    /// Starts and stops, ahead of the commands.
    pub control: Controller,
    /// Events from the session.
    pub events: mpsc::Receiver<SessionEvent>,
    /// The session task.
    pub task: tokio::task::JoinHandle<()>,
}

impl SessionHandle {
    /// Sends a command; `false` when the session task has ended.
    pub async fn command(&self, c: Command) -> bool {
        self.commands.send(c).await.is_ok()
    }

    /// Sends a start or stop without waiting; `false` when the session task has ended.
    pub fn control(&self, c: Control) -> bool {
        self.control.send(c)
    }
}
