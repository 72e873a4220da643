//! bgp-core: BGP-4 on the wire, exact to the RFCs and fast.
//!
//! # Layout
//! - [`types`]: address families and protocol constants.
//! - [`context`]: the negotiated [`SessionContext`] every decode and encode takes.
//! - [`error`]: [`Notification`] codes and names, the RFC 7606 [`ErrorAction`], [`BgpError`].
//! - [`framer`]: the length-checked framer over `BytesMut`, the one place a header is checked.
//! - [`message`]: the owned [`Message`], frame decoding and encoding with the header.
//! - [`open`] and [`capability`]: OPEN, optional parameters (RFC 9072), capabilities.
//! - [`attr`]: path attributes — owned values, RFC 7606 checks, encoding.
//! - [`nlri`]: prefix NLRI with ADD-PATH, zero-allocation iterators.
//! - [`update`]: the zero-copy [`UpdateView`], the owned [`Update`], the packing [`UpdateBuilder`].
//! - [`fsm`]: the sans-IO RFC 4271 state machine, OPEN negotiation, collision resolution.
//! - [`speaker`]: the tokio session driver (TCP, TCP-MD5, GTSM, coalesced writes).
//! - [`json`]: the JSON form of messages used by `peerlab decode`/`encode` and the speaker.
//!
//! Three representations are kept apart: the *wire view* ([`UpdateView`]) validates a
//! received frame once and hands out iterators over its byte ranges; the *owned model*
//! ([`Message`], [`Update`], [`attr::PathAttribute`]) is for what the program keeps; the
//! *builder* ([`UpdateBuilder`]) packs NLRI into as few messages as fit.
#![warn(missing_docs, clippy::unwrap_used, clippy::print_stdout)]

pub mod attr;
pub mod capability;
pub mod context;
pub mod error;
pub mod framer;
pub mod fsm;
pub mod json;
pub mod message;
pub mod nlri;
pub mod open;
pub mod speaker;
pub mod types;
pub mod update;

pub use context::SessionContext;
pub use error::{BgpError, ErrorAction, Notification};
pub use message::Message;
pub use types::Family;
pub use update::{Update, UpdateBuilder, UpdateView};
