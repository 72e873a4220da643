//! Typed records of state changes: every change of state goes through
//! [`super::Fsm`]'s single `change_state`, which builds a [`Transition`].

use super::config::SessionId;
use super::event::{EventName, TcpFailure};
use super::state::State;
use crate::error::Notification;
use serde::{Serialize, Serializer};
use std::collections::VecDeque;
use std::fmt;

/// How many transitions [`History`] keeps.
pub const HISTORY_LEN: usize = 64;

/// Why the state changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// ManualStart (or its passive variant).
    ManualStart {
        /// PassiveTcpEstablishment.
        passive: bool,
    },
    /// AutomaticStart (or a passive/damped variant).
    AutomaticStart {
        /// PassiveTcpEstablishment.
        passive: bool,
    },
    /// The IdleHoldTimer expired and the session restarted automatically.
    IdleHoldTimerExpired,
    /// ManualStop, with its shutdown communication if any.
    AdminDown {
        /// RFC 9003 shutdown communication.
        message: Option<String>,
    },
    /// AutomaticStop with this Cease subcode (e.g. 1: maximum prefixes).
    AutomaticStop {
        /// Cease subcode.
        subcode: u8,
    },
    /// The ConnectRetryTimer expired.
    ConnectRetryTimerExpired,
    /// The HoldTimer expired (4/0 sent where a connection exists).
    HoldTimerExpired,
    /// The SendHoldTimer expired (RFC 9687): the peer accepted no data for the SendHoldTime;
    /// NOTIFICATION 8 was sent if it could be, and the connection closed.
    SendHoldTimerExpired,
    /// The DelayOpenTimer expired; our OPEN went out.
    DelayOpenTimerExpired,
    /// The TCP connection is established.
    TcpEstablished,
    /// The TCP connection failed or closed, and what is known of why (e.g. a read error
    /// `ConnectionReset` after the peer's RST).
    TcpConnectionFails(TcpFailure),
    /// A valid, acceptable OPEN was received.
    OpenReceived,
    /// A KEEPALIVE was received in OpenConfirm.
    KeepaliveReceived,
    /// The peer sent this NOTIFICATION.
    NotificationReceived(Notification),
    /// We found an error and sent this NOTIFICATION.
    NotificationSent(Notification),
    /// We found an error but sent no NOTIFICATION (no OPEN sent yet and
    /// SendNOTIFICATIONwithoutOPEN is off).
    ErrorNotSent(Notification),
    /// The peer's AS is not the configured one, or its OPEN is inconsistent about it (2/2).
    BadPeerAs {
        /// The AS the peer announced.
        received: u32,
        /// The configured AS, if one is.
        expected: Option<u32>,
    },
    /// An event the state does not expect; FSM Error 5/`subcode` sent (RFC 6608).
    FsmError {
        /// FSM error subcode.
        subcode: u8,
        /// The unexpected event.
        event: EventName,
    },
    /// An event Connect or Active does not expect (no NOTIFICATION: no OPEN exchanged).
    UnexpectedEvent(EventName),
    /// Connection collision resolution closed this connection (6/7 sent).
    CollisionDump,
}

impl fmt::Display for Reason {
    /// Short kebab-case forms for traces, e.g. `hold-timer-expired`,
    /// `notification-received 6/2 "maintenance"`, `notification-sent 2/2`,
    /// `tcp-read-error (connection reset)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let passive = |p: &bool| if *p { "-passive" } else { "" };
        match self {
            Reason::ManualStart { passive: p } => write!(f, "manual-start{}", passive(p)),
            Reason::AutomaticStart { passive: p } => write!(f, "automatic-start{}", passive(p)),
            Reason::IdleHoldTimerExpired => f.write_str("idle-hold-timer-expired"),
            Reason::AdminDown { message: None } => f.write_str("admin-down"),
            Reason::AdminDown { message: Some(m) } => write!(f, "admin-down \"{m}\""),
            Reason::AutomaticStop { subcode } => write!(f, "automatic-stop 6/{subcode}"),
            Reason::ConnectRetryTimerExpired => f.write_str("connect-retry-timer-expired"),
            Reason::HoldTimerExpired => f.write_str("hold-timer-expired"),
            Reason::SendHoldTimerExpired => f.write_str("send-hold-timer-expired"),
            Reason::DelayOpenTimerExpired => f.write_str("delay-open-timer-expired"),
            Reason::TcpEstablished => f.write_str("tcp-established"),
            Reason::TcpConnectionFails(failure) => write!(f, "{failure}"),
            Reason::OpenReceived => f.write_str("open-received"),
            Reason::KeepaliveReceived => f.write_str("keepalive-received"),
            Reason::NotificationReceived(n) => {
                write!(f, "notification-received {}/{}", n.code, n.subcode)?;
                match n.shutdown_communication() {
                    Some(text) => write!(f, " \"{text}\""),
                    None => Ok(()),
                }
            }
            Reason::NotificationSent(n) => write!(f, "notification-sent {}/{}", n.code, n.subcode),
            Reason::ErrorNotSent(n) => write!(f, "error-not-sent {}/{}", n.code, n.subcode),
            Reason::BadPeerAs {
                received,
                expected: Some(e),
            } => write!(f, "bad-peer-as {received} (expected {e})"),
            Reason::BadPeerAs {
                received,
                expected: None,
            } => write!(f, "bad-peer-as {received}"),
            Reason::FsmError { subcode, event } => write!(f, "fsm-error 5/{subcode} on {}", event.name()),
            Reason::UnexpectedEvent(e) => write!(f, "unexpected-event {}", e.name()),
            Reason::CollisionDump => f.write_str("collision-dump"),
        }
    }
}

impl Serialize for Reason {
    /// As its trace string (the `Display` form).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One change of state; serializes as
/// `{"at_ms", "session", "from", "to", "event": {"number", "name"}, "reason"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Transition {
    /// The driver's time of the event, in milliseconds (only recorded, never read).
    pub at_ms: u64,
    /// The session.
    pub session: SessionId,
    /// State before.
    pub from: State,
    /// State after.
    pub to: State,
    /// The event that caused it.
    pub event: EventName,
    /// Why.
    pub reason: Reason,
}

impl fmt::Display for Transition {
    /// `1500 ms r1: OpenConfirm -> Established on KeepAliveMsg (26): keepalive-received`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ms {}: {} -> {} on {}: {}",
            self.at_ms, self.session, self.from, self.to, self.event, self.reason
        )
    }
}

/// The last [`HISTORY_LEN`] transitions, oldest first.
#[derive(Clone, Debug, Default)]
pub struct History {
    items: VecDeque<Transition>,
}

impl History {
    /// Appends, dropping the oldest record when full.
    pub fn push(&mut self, t: Transition) {
        if self.items.len() == HISTORY_LEN {
            self.items.pop_front();
        }
        self.items.push_back(t);
    }

    /// The records, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Transition> + ExactSizeIterator {
        self.items.iter()
    }

    /// The most recent record.
    pub fn last(&self) -> Option<&Transition> {
        self.items.back()
    }

    /// Number of records kept.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no transition happened yet.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
