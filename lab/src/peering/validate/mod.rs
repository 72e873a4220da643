//! `peerlab validate`: what the Azure portal and Microsoft's peering policy check, as
//! findings with a stable code, the field's path, what is wrong and how to fix it.
//!
//! One file per part of the peering: [`peer_asn`], [`basics`] (kind, type, SKU, location),
//! [`connections`], [`sessions`] (session prefixes and addresses), [`limits`] (max-prefix and
//! MD5), [`registered`] (registered customer ASNs), [`peering_services`] (the customers'
//! Peering Services and the prefixes they register with a key), [`lab`] (the lab's own section);
//! [`common`] holds the checks several of them share.

mod basics;
mod common;
mod connections;
mod lab;
mod limits;
mod peer_asn;
mod peering_services;
mod registered;
mod sessions;

use super::finding::Finding;
use super::model::{BgpSession, DirectConnection, PeeringFile};

/// Checks a whole peering file; findings come in file order (peering, peer ASN, connections,
/// registered ASNs, Peering Services, lab).
pub fn validate(file: &PeeringFile) -> Vec<Finding> {
    let mut out = Vec::new();
    basics::check(file, &mut out);
    peer_asn::check(file, &mut out);
    connections::check(file, &mut out);
    registered::check(file, &mut out);
    peering_services::check(file, &mut out);
    lab::check(file, &mut out);
    out
}

/// Where [`connection`] and [`session_limits`] place what they check; stripped from the
/// findings' paths, which are then relative to the connection (`bgpSession.md5AuthenticationKey`).
const ALONE: &str = "connection";

fn relative(mut out: Vec<Finding>) -> Vec<Finding> {
    for f in &mut out {
        if let Some(rest) = f.path.strip_prefix(ALONE).and_then(|p| p.strip_prefix('.')) {
            f.path = rest.to_owned();
        }
    }
    out
}

/// Checks one connection as [`validate`] checks each connection of a file (for the lab's API,
/// which adds connections one at a time); paths are relative to the connection. What
/// connections must not share is not checked here.
pub fn connection(conn: &DirectConnection) -> Vec<Finding> {
    let mut out = Vec::new();
    connections::check_connection(ALONE, conn, &mut out);
    relative(out)
}

/// Checks the max-prefix limits and the TCP-MD5 key of a `bgpSession` on its own (a session
/// change names only what changes); paths `bgpSession.…`.
pub fn session_limits(session: &BgpSession) -> Vec<Finding> {
    let mut out = Vec::new();
    limits::check(ALONE, session, &mut out);
    relative(out)
}
