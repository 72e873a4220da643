//! An RFC 7947 route server engine with the AS8075 registered-customer-ASN filter, built on
//! [`bgp_core`]. Sans-IO: a session driver feeds it validated UPDATEs and pulls the UPDATEs
//! to send; sockets, timers and the TOML file belong to the driver.
//!
//! # Layout
//! - [`config`]: the typed configuration (serde) and its validation.
//! - [`session`]: session configuration, identity, state and counters.
//! - [`reason`]: [`RejectReason`], the import chain's typed reasons.
//! - [`policy`]: import: the chain's steps ([`policy::steps`]) and the one import verdict
//!   ([`policy::verdict`]) that ingest and re-evaluation both run.
//! - [`export`]: export: announcement-control communities, the export filter, the attributes
//!   as sent (and for 2-octet-AS clients), packing into UPDATEs.
//! - `best`: per-client best-path selection among the paths the export filter allows.
//! - [`asn`], [`prefix`]: bogon ASNs and prefixes, the two prefix types behind one trait.
//! - [`rpki`]: ROA file loading and RFC 6811 origin validation.
//! - [`attrs`]: the attribute-set interner, each set decoded once (AS4 merged).
//! - [`prefix_table`], [`arena`], [`bitmap`], [`hash`]: the shared table's storage.
//! - [`server`]: [`RouteServer`], the engine's API.
//! - [`runtime`]: the engine running for real: table task, speaker sessions, [`runtime::RouteServerHandle`].
#![warn(missing_docs, clippy::unwrap_used, clippy::print_stdout)]

pub mod arena;
pub mod asn;
pub mod attrs;
mod best;
pub mod bitmap;
pub mod config;
pub mod export;
pub mod hash;
pub mod policy;
pub mod prefix;
pub mod prefix_table;
pub mod reason;
pub mod rpki;
pub mod runtime;
pub mod server;
pub mod session;

pub use config::{ClientConfig, ConfigError, ExportConfig, ImportConfig, RouteServerConfig, RpkiConfig};
pub use reason::RejectReason;
pub use rpki::{RoaTable, RpkiState};
pub use server::{
    Cursor, EngineError, IngestOutcome, Listing, MaxPrefixExceeded, MemoryUsage, Page, Route, RouteServer,
    SessionVerdict, Stats,
};
pub use session::{Counters, SessionConfig, SessionId, SessionState};
