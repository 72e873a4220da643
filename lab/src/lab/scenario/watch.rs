//! What each lab speaker went through, as an operator would read it off the router: the
//! states it passed, the NOTIFICATIONs it sent and received, failed connection attempts.

use bgp_core::error::Notification;
use bgp_core::fsm::{Reason, State};
use bgp_core::speaker::SessionEvent;
use tokio::time::Instant;

/// Most NOTIFICATIONs kept per direction and speaker.
const KEEP: usize = 8;

/// The record of one speaker.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// States entered, each once, in the order first entered.
    pub states: Vec<State>,
    /// How many times it entered Established.
    pub established: usize,
    /// Whether it entered Established after it first sent or received a NOTIFICATION or its
    /// hold timer expired: the session came back.
    pub back_after_fault: bool,
    /// NOTIFICATIONs sent, the first [`KEEP`].
    pub sent: Vec<Notification>,
    /// NOTIFICATIONs received, the first [`KEEP`].
    pub received: Vec<Notification>,
    /// Failed TCP connection attempts.
    pub connect_failures: usize,
    /// When it first entered Connect.
    pub first_connect: Option<Instant>,
    /// The reason of its last transition.
    pub last_reason: Option<String>,
    faulted: bool,
}

impl Seen {
    /// Records one event.
    pub fn observe(&mut self, e: &SessionEvent) {
        match e {
            SessionEvent::Transition(t) => {
                if !self.states.contains(&t.to) {
                    self.states.push(t.to);
                }
                if t.to == State::Connect && self.first_connect.is_none() {
                    self.first_connect = Some(Instant::now());
                }
                match &t.reason {
                    Reason::NotificationReceived(n) => {
                        self.faulted = true;
                        keep(&mut self.received, n);
                    }
                    Reason::HoldTimerExpired => self.faulted = true,
                    _ => {}
                }
                if t.to == State::Established {
                    self.established += 1;
                    self.back_after_fault |= self.faulted;
                }
                self.last_reason = Some(t.reason.to_string());
            }
            SessionEvent::NotificationSent(n) => {
                self.faulted = true;
                keep(&mut self.sent, n);
            }
            SessionEvent::ConnectFailed(_) => self.connect_failures += 1,
            _ => {}
        }
    }

    /// Whether it sent a NOTIFICATION with this code and subcode.
    pub fn sent_code(&self, code: u8, subcode: u8) -> bool {
        self.sent.iter().any(|n| n.code == code && n.subcode == subcode)
    }

    /// Whether it got as far as exchanging OPENs.
    pub fn opened(&self) -> bool {
        self.states
            .iter()
            .any(|s| matches!(s, State::OpenSent | State::OpenConfirm | State::Established))
    }
}

fn keep(v: &mut Vec<Notification>, n: &Notification) {
    if v.len() < KEEP {
        v.push(n.clone());
    }
}
