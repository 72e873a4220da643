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
use super::model::PeeringFile;

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
