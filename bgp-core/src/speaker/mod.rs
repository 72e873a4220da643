//! The tokio speaker: drives the sans-IO [`crate::fsm::Fsm`] over TCP (IPv4 and IPv6,
//! active and passive) with the length-checked framer and coalesced, bounded writes.
//!
//! # Layout
//! - [`session`]: the per-session task ([`spawn_session`]) and its [`DriverOptions`].
//! - [`handle`]: [`SessionHandle`], the [`Command`]s a session takes and the
//!   [`SessionEvent`]s it reports.
//! - [`transport`]: [`Connector`]s ([`TcpConnector`] with TCP-MD5 and GTSM) and streams.
//! - [`listener`]: a shared listening socket that hands connections to sessions by peer.
//! - [`writer`]: the [`writer::Outbox`] of encoded messages, written coalesced whenever the
//!   socket takes data, with its high-water mark (back-pressure per session).
//! - [`accept_errors`]: rate-limited logging of failed accepts (one line per window, with a
//!   count), shared by the BGP listener and the HTTP APIs.
//! - `sockopt`: the one audited `unsafe` module, `TCP_MD5SIG` and GTSM socket options.
//!
//! One task per session, nothing shared between sessions but the listener's routing table:
//! a slow or stuck peer fills only its own outbox, so it never delays the others, and memory
//! per session stays bounded (the outbox, one read buffer, the event queue). Within a
//! session nothing waits on the socket: a peer that stops reading stops neither the reader
//! nor the timers, and the SendHoldTimer (RFC 9687) drops it.

pub mod accept_errors;
pub mod handle;
pub mod listener;
pub mod session;
mod sockopt;
pub mod transport;
pub mod writer;

pub use accept_errors::AcceptErrors;
pub use handle::{Command, Control, Controller, SessionEvent, SessionHandle};
pub use listener::Listener;
pub use session::{spawn_session, DriverOptions};
pub use sockopt::{set_gtsm, set_tcp_md5, MD5_MAX_KEY_LEN};
pub use transport::{BoxStream, ConnectFuture, Connected, Connector, NoConnector, Protection, TcpConnector};
