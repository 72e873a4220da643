//! `peerlab validate`: what the Azure portal and Microsoft's peering policy check, as
//! findings with a stable code, the field's path, what is wrong and how to fix it.
//!
//! One file per part of the peering: [`peer_asn`], [`basics`] (kind, type, SKU, location),
//! [`connections`], [`sessions`] (session prefixes and addresses), [`limits`] (max-prefix and
//! MD5), [`registered`] (registered customer ASNs), [`lab`] (the lab's own section).

mod basics;
mod connections;
mod lab;
mod limits;
mod peer_asn;
mod registered;
mod sessions;

use super::asn::AsnClass;
use super::finding::Finding;
use super::model::{BgpSession, DirectConnection, PeeringFile};

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

/// An error finding `{subject}-{class}` when `asn` is not a public, non-Microsoft ASN.
fn check_public_asn(subject: &str, asn: u32, path: String, fix: &str, out: &mut Vec<Finding>) {
    let class = AsnClass::of(asn);
    if let Some(suffix) = class.code_suffix() {
        out.push(Finding::error(
            format!("{subject}-{suffix}"),
            path,
            class.describe(asn),
            fix,
        ));
    }
}

/// Whether `text` is shaped like a GUID: 8-4-4-4-12 hexadecimal digits.
fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    groups.len() == lengths.len()
        && groups
            .iter()
            .zip(lengths)
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_recognised_by_shape() {
        assert!(is_guid("5F4CB5C7-6B43-4444-9338-9ABC72606C16"));
        assert!(is_guid("8ab00818-d533-4504-a25a-03a17f61201c"));
        assert!(!is_guid("8ab00818d5334504a25a03a17f61201c"));
        assert!(!is_guid("{8ab00818-d533-4504-a25a-03a17f61201c}"));
        assert!(!is_guid("8ab00818-d533-4504-a25a-03a17f61201g"));
        assert!(!is_guid(""));
    }

    #[test]
    fn a_public_asn_raises_nothing_and_a_private_one_an_error_named_by_class() {
        let mut out = Vec::new();
        check_public_asn("peer-asn", 210000, "peerAsn.peerAsn".into(), "fix", &mut out);
        assert!(out.is_empty());
        check_public_asn("peer-asn", 65000, "peerAsn.peerAsn".into(), "fix", &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, "peer-asn-private");
    }
}
