//! `peerlab validate`: what the Azure portal and Microsoft's peering policy check, as
//! findings with a stable code, the field's path, what is wrong and how to fix it.
//!
//! One file per part of the peering: [`peer_asn`], [`basics`] (kind, type, SKU, location),
//! [`connections`], [`sessions`] (session prefixes and addresses), [`limits`] (max-prefix and
//! MD5), [`registered`] (registered customer ASNs), [`lab`] (the lab's own section);
//! [`common`] holds the checks several of them share.

mod basics;
mod common;
mod connections;
mod lab;
mod limits;
mod peer_asn;
mod registered;
mod sessions;

use super::finding::Finding;
use super::model::PeeringFile;

/// Checks a whole peering file; findings come in file order (peering, peer ASN, connections,
/// registered ASNs, lab).
pub fn validate(file: &PeeringFile) -> Vec<Finding> {
    let mut out = Vec::new();
    basics::check(file, &mut out);
    peer_asn::check(file, &mut out);
    connections::check(file, &mut out);
    registered::check(file, &mut out);
    lab::check(file, &mut out);
    out
}
