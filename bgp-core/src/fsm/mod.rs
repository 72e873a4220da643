//! The BGP finite state machine of RFC 4271 §8, sans IO: no sockets, no clocks.
//!
//! One [`Fsm`] runs one session (one TCP connection at a time). The driver feeds it
//! [`Event`]s — the 28 events of RFC 4271 §8.1 and RFC 9687's SendHoldTimer_Expires (29)
//! under their RFC names, carrying their data —
//! and carries out the [`Action`]s it returns, in order. Every change of state goes through
//! one function and comes out as [`Action::StateChange`] with a typed [`Transition`]; the
//! last [`HISTORY_LEN`] stay in [`Fsm::history`].
//!
//! # Layout
//! - [`state`]: the six states. [`event`]: events, [`EventName`] (number and name), [`Cease`].
//! - [`action`]: actions and [`Timer`]s. [`config`]: [`SessionConfig`], the session attributes.
//! - `machine`: the [`Fsm`] value, entry points, timers, `change_state` and the way to Idle;
//!   `frames`: received frames to message events.
//! - `idle`, `connecting` (Connect and Active), `open_sent`, `open_confirm`, `established`:
//!   RFC 4271 §8.2.2, one state per file, with the event numbers in comments.
//! - [`open_check`] and [`negotiate`]: the OPEN checks that need configuration, and the
//!   [`Negotiated`] result with the `rx`/`tx` [`crate::SessionContext`]s. [`open_msg`]: our OPEN.
//! - [`collision`]: connection collision resolution (RFC 4271 §6.8, RFC 6286 §2.3).
//! - [`jitter`] (RFC 4271 §10) and [`damping`] (IdleHoldTime back-off).
//! - [`transition`]: [`Transition`], [`Reason`], [`History`].
//!
//! # Driving it
//! ```text
//! fsm = Fsm::new(config)                     // Idle
//! actions = fsm.handle(now_ms, fsm.start_event(false))
//! loop: for each action, in order:
//!   Connect                   open a TCP connection to the peer (loopback in the lab)
//!   Send(msg)                 encode with fsm.tx_context() and write
//!   StartTimer{timer, ms}     (re)arm that timer; when it fires feed timer.expiry()
//!   StopTimer(timer)          disarm it; drop an expiry already queued for it
//!   DropTcp                   flush what was sent, then close the connection / abandon the attempt
//!   ReleaseResources{delete_routes}   forget the session; withdraw its routes if asked
//!   ProcessUpdate(view) / ProcessRouteRefresh(rr)   hand to the routing side
//!   SessionReady(negotiated)  Established: decode with negotiated.rx, encode with .tx
//!   StateChange(transition)   publish it (lab views, API, trace)
//! ```
//! Events to feed:
//! - our connection attempt completed: `Tcp_CR_Acked` (16); an incoming connection accepted
//!   (accept only when the FSM is not Idle): `TcpConnectionConfirmed` (17); the connection
//!   failed, closed or reset: `TcpConnectionFails` (18) with a [`TcpFailure`] saying what
//!   is known (closed, or the read or write error's kind). With TrackTcpState, a SYN:
//!   `TcpConnection_Valid` (14), or `Tcp_CR_Invalid` (15) after refusing it yourself.
//! - each frame from [`crate::framer::try_parse`]: [`Fsm::handle_frame`] (it classifies the
//!   frame into events 19–28 with [`Fsm::event_for_frame`], decoding with
//!   [`Fsm::rx_context`]); a framer error: `BGPHeaderErr` (21) with it.
//! - a timer that fires while still armed: its expiry event (9–13, 29).
//! - operator: `ManualStart` / [`Fsm::start_event`] and `ManualStop(Cease)` (e.g.
//!   [`Cease::admin_shutdown`] with an RFC 9003 message); policy: `AutomaticStop` (e.g.
//!   [`Cease::max_prefixes`]).
//! - after queueing UPDATEs: [`Fsm::update_sent`] (restarts the KeepaliveTimer).
//! - whenever the socket accepts bytes: [`Fsm::data_sent`] (restarts the SendHoldTimer). A
//!   driver must keep reading and running timers while a write is blocked: the HoldTimer
//!   runs on what is received, the SendHoldTimer on what the peer accepts.
//!
//! Without DampPeerOscillations, a session that fell to Idle stays there until the driver
//! feeds a start event again (e.g. `AutomaticStart` after its own delay). With it, the FSM
//! schedules the restart itself through the IdleHoldTimer, whose duration doubles at each
//! oscillation and resets once a session stays up as long as its next wait ([`damping`],
//! measured on the `now_ms` the driver passes with every event).
//!
//! # Collisions
//! An FSM handles one connection. While one is in OpenSent or OpenConfirm, an incoming
//! connection for the same peer gets a second `Fsm` (same configuration, started with
//! `ManualStart_with_PassiveTcpEstablishment`, then `TcpConnectionConfirmed`). When an OPEN
//! arrives on either, call [`collision::resolve`] with both connections' info and feed
//! `OpenCollisionDump` (23) to the loser's FSM: it sends Cease 6/7 and goes Idle. (Feeding
//! the OPEN to the older connection's FSM in OpenConfirm does the same comparison inside,
//! as RFC 4271 §8.2.2 describes for event 19 there.)
//!
//! # Where RFC 4271 §8.2.2 leaves room, or this code reads it
//! - Errors in OpenSent use the RFC 6608 subcodes: 5/1, 5/2, 5/3 for unexpected messages in
//!   OpenSent, OpenConfirm, Established; 5/0 for unexpected timer events.
//! - A NOTIFICATION received in OpenSent is among "any other event": 5/1 is sent, and the
//!   record names the received NOTIFICATION.
//! - A header error in Established sends the header error (RFC 4271 §6.1), not an FSM Error.
//! - An OPEN in Established is on the FSM's own connection: FSM Error 5/3 (RFC 6608). A
//!   collision with an established connection (CollisionDetectEstablishedState) is
//!   resolved by the driver with [`collision::resolve`] and OpenCollisionDump (23).
//! - The SendHoldTimer (RFC 9687) runs in Established only; on expiry NOTIFICATION 8 is
//!   sent and the session goes Idle (counted, damped), like a HoldTimer expiry.
//! - ManualStop in Idle stops a pending IdleHoldTimer (no automatic restart after an
//!   operator stop); ManualStart resets the damping back-off.
//! - With DampPeerOscillations, a TCP failure or a NOTIFICATION received in Established
//!   (events 18, 24, 25) is an oscillation too, as in OpenBGPD; RFC 4271 names no damping
//!   step there.
//! - Active / TcpConnectionFails goes Idle with the ConnectRetryTimer stopped (the RFC
//!   restarts it, but Idle ignores its expiry).

pub mod action;
pub mod collision;
pub mod config;
mod connecting;
pub mod damping;
mod established;
pub mod event;
mod frames;
mod idle;
pub mod jitter;
mod machine;
pub mod negotiate;
pub mod open_check;
mod open_confirm;
pub mod open_msg;
mod open_sent;
pub mod state;
pub mod transition;

pub use action::{Action, Timer};
pub use collision::{ConnectionInfo, Loser};
pub use config::{GracefulRestartConfig, PeerAs, RequiredCapability, SessionConfig, SessionId};
pub use event::{Cease, Event, EventName, TcpFailure};
pub use machine::Fsm;
pub use negotiate::{Negotiated, PeerGracefulRestart};
pub use open_check::{check_open, OpenRejection};
pub use state::State;
pub use transition::{History, Reason, Transition, HISTORY_LEN};
