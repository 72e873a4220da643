//! The outputs of the FSM: what the driver must do, in order.

use super::event::Event;
use super::negotiate::Negotiated;
use super::transition::Transition;
use crate::message::{Message, RouteRefresh};
use crate::update::UpdateView;
use std::fmt;

/// The timers of RFC 4271 §8 and §10, and RFC 9687's SendHoldTimer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Timer {
    /// ConnectRetryTimer: retry the TCP connection (jittered).
    ConnectRetry,
    /// HoldTimer: the peer has been silent too long.
    Hold,
    /// KeepaliveTimer: time to send a KEEPALIVE (jittered).
    Keepalive,
    /// DelayOpenTimer: time to send our delayed OPEN.
    DelayOpen,
    /// IdleHoldTimer: the damping back-off before an automatic restart.
    IdleHold,
    /// SendHoldTimer (RFC 9687): the peer has accepted no data for too long.
    SendHold,
}

impl Timer {
    /// How many timers there are.
    pub const COUNT: usize = 6;

    /// Every timer.
    pub const ALL: [Timer; Timer::COUNT] = [
        Timer::ConnectRetry,
        Timer::Hold,
        Timer::Keepalive,
        Timer::DelayOpen,
        Timer::IdleHold,
        Timer::SendHold,
    ];

    /// A dense index, `0..Timer::COUNT`.
    pub const fn index(self) -> usize {
        match self {
            Timer::ConnectRetry => 0,
            Timer::Hold => 1,
            Timer::Keepalive => 2,
            Timer::DelayOpen => 3,
            Timer::IdleHold => 4,
            Timer::SendHold => 5,
        }
    }

    /// The RFC name, e.g. `ConnectRetryTimer`.
    pub const fn name(self) -> &'static str {
        match self {
            Timer::ConnectRetry => "ConnectRetryTimer",
            Timer::Hold => "HoldTimer",
            Timer::Keepalive => "KeepaliveTimer",
            Timer::DelayOpen => "DelayOpenTimer",
            Timer::IdleHold => "IdleHoldTimer",
            Timer::SendHold => "SendHoldTimer",
        }
    }

    /// The event to feed when this timer expires (events 9–13, and 29 of RFC 9687).
    pub const fn expiry(self) -> Event {
        match self {
            Timer::ConnectRetry => Event::ConnectRetryTimer_Expires,
            Timer::Hold => Event::HoldTimer_Expires,
            Timer::Keepalive => Event::KeepaliveTimer_Expires,
            Timer::DelayOpen => Event::DelayOpenTimer_Expires,
            Timer::IdleHold => Event::IdleHoldTimer_Expires,
            Timer::SendHold => Event::SendHoldTimer_Expires,
        }
    }

    /// The timer whose expiry `event` is, if it is one of events 9–13 or 29.
    pub const fn of_expiry(event: &Event) -> Option<Timer> {
        match event {
            Event::ConnectRetryTimer_Expires => Some(Timer::ConnectRetry),
            Event::HoldTimer_Expires => Some(Timer::Hold),
            Event::KeepaliveTimer_Expires => Some(Timer::Keepalive),
            Event::DelayOpenTimer_Expires => Some(Timer::DelayOpen),
            Event::IdleHoldTimer_Expires => Some(Timer::IdleHold),
            Event::SendHoldTimer_Expires => Some(Timer::SendHold),
            _ => None,
        }
    }
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One thing the driver must do. Actions come in the order they must be carried out
/// (e.g. a NOTIFICATION is sent before the TCP connection is dropped).
#[derive(Clone, Debug)]
pub enum Action {
    /// Initiate a TCP connection to the peer (keep listening for the peer's, too). When it
    /// completes feed `Tcp_CR_Acked`; when it fails, `TcpConnectionFails`.
    Connect,
    /// Send this message on the connection (encode with the `tx` context once negotiated).
    Send(Message),
    /// Start the timer, replacing it if it runs; when it fires feed [`Timer::expiry`].
    StartTimer {
        /// Which timer.
        timer: Timer,
        /// Duration in milliseconds (jitter already applied where RFC 4271 §10 asks).
        duration_ms: u64,
    },
    /// Stop the timer; an expiry already queued must not be fed any more.
    StopTimer(Timer),
    /// Close the TCP connection (after writing what was sent before), or abandon the
    /// connection attempt in progress.
    DropTcp,
    /// Release the BGP resources of the session; with `delete_routes`, first withdraw every
    /// route learned over it (the session was Established).
    ReleaseResources {
        /// Delete all routes associated with this connection.
        delete_routes: bool,
    },
    /// Process a received UPDATE (Established only).
    ProcessUpdate(UpdateView),
    /// Process a received ROUTE-REFRESH (Established only).
    ProcessRouteRefresh(RouteRefresh),
    /// The session reached Established: what was negotiated.
    SessionReady(Box<Negotiated>),
    /// The FSM changed state; the record also stays in [`super::Fsm::history`].
    StateChange(Transition),
}
