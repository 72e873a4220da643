//! The Azure peering model of an exchange with route server, and its validation.
//!
//! # Layout
//! - [`enums`]: the `Microsoft.Peering` enumerations, spelled exactly as Azure spells them.
//! - [`model`]: the peering file: peering, peer ASN, connections, BGP sessions, registered ASNs.
//! - [`registered_asn`]: a registered customer ASN and its prefix key.
//! - [`peering_service`]: the customers' side of the prefix key: Peering Services, their
//!   prefixes, and which registered ASN a key belongs to.
//! - [`lab_section`]: the lab's own `[lab]` section: customers and break-it scenarios.
//! - [`load`]: reading TOML or Azure resource JSON, with line and column on errors.
//! - [`validate`]: the portal's and Microsoft's peering-policy checks, as [`finding::Finding`]s.
//! - [`prefix_validation`]: a registered prefix's `prefixValidationState`, computed from what
//!   AS8075's edges received.
//! - [`asn`], [`prefix`]: which ASNs and prefixes are public.
//! - [`example`]: the built-in example exchange.
//! - [`render`]: findings for people (coloured) and for programs (JSON).
//! - [`check`]: a file loaded and validated, its findings ready to show — what `peerlab
//!   validate` prints and `peerlab run` checks first.

pub mod asn;
pub mod check;
pub mod enums;
pub mod example;
pub mod finding;
pub mod lab_section;
pub mod load;
pub mod model;
pub mod peering_service;
pub mod prefix;
pub mod prefix_validation;
pub mod registered_asn;
pub mod render;
pub mod validate;
