//! The peer ASN: associated, public, not Microsoft's, `Approved`, with someone to call.

use super::common::check_public_asn;
use crate::peering::enums::ValidationState;
use crate::peering::finding::Finding;
use crate::peering::model::PeeringFile;

/// Checks the peer ASN resource and the peering's reference to it.
pub fn check(file: &PeeringFile, out: &mut Vec<Finding>) {
    let Some(peer) = &file.peer_asn else {
        out.push(Finding::error(
            "peer-asn-missing",
            "peerAsn",
            "no peer ASN is associated with the peering",
            "add a [peerAsn] table (TOML) or the Microsoft.Peering/peerAsns resource (JSON) with peerAsn, \
             peerName, peerContactDetail and validationState",
        ));
        return;
    };
    match peer.peer_asn {
        None => out.push(Finding::error(
            "peer-asn-missing",
            "peerAsn.peerAsn",
            "the peer ASN resource has no ASN",
            "set peerAsn to the exchange's public ASN",
        )),
        Some(asn) => check_public_asn(
            "peer-asn",
            asn,
            "peerAsn.peerAsn".into(),
            "peer with the exchange's own public ASN (AS8069 is reserved for special applications; 8075 and \
             12076 are Microsoft's)",
            out,
        ),
    }
    if peer.validation_state != Some(ValidationState::Approved) {
        let state = peer
            .validation_state
            .map_or_else(|| "not set".to_string(), |s| format!("\"{s}\""));
        let detail = match (&peer.validation_state, &peer.error_message) {
            (Some(ValidationState::Failed), Some(reason)) => format!(" ({reason})"),
            _ => String::new(),
        };
        out.push(Finding::error(
            "peer-asn-not-approved",
            "peerAsn.validationState",
            format!("the peer ASN's validation state is {state}{detail}; the portal requires Approved"),
            match peer.validation_state {
                Some(ValidationState::Failed) => {
                    "correct the ASN's details (name, contacts) and resubmit it for validation, or ask peering@microsoft.com"
                }
                _ => "wait for Microsoft to validate the peer ASN (validationState = \"Approved\") before creating the peering",
            },
        ));
    }
    if peer.peer_name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        out.push(Finding::warning(
            "peer-name-missing",
            "peerAsn.peerName",
            "the peer ASN has no peer name",
            "set peerName to the exchange's organisation name, as in PeeringDB",
        ));
    }
    check_contacts(file, out);
    check_reference(file, out);
}

fn check_contacts(file: &PeeringFile, out: &mut Vec<Finding>) {
    let Some(peer) = &file.peer_asn else { return };
    if peer.peer_contact_detail.is_empty() {
        out.push(Finding::warning(
            "peer-asn-no-contact",
            "peerAsn.peerContactDetail",
            "the peer ASN has no contact details",
            "add at least a Noc contact with an email address and a phone number",
        ));
    }
    for (i, contact) in peer.peer_contact_detail.iter().enumerate() {
        let path = format!("peerAsn.peerContactDetail[{i}]");
        match contact.email.as_deref() {
            Some(email) if !is_email(email) => out.push(Finding::warning(
                "contact-email-invalid",
                format!("{path}.email"),
                format!("\"{email}\" does not look like an email address"),
                "write it as name@domain",
            )),
            None if contact.phone.is_none() => out.push(Finding::warning(
                "contact-incomplete",
                path,
                format!(
                    "the {} contact has neither an email address nor a phone number",
                    contact.role
                ),
                "give the contact an email address, a phone number or both",
            )),
            _ => {}
        }
    }
}

/// The peering's `peerAsn.id` must name the peer ASN resource that is given.
fn check_reference(file: &PeeringFile, out: &mut Vec<Finding>) {
    let (Some(id), Some(name)) = (
        &file.peering.peer_asn_id,
        file.peer_asn.as_ref().and_then(|p| p.name.as_ref()),
    ) else {
        return;
    };
    let referenced = id.rsplit('/').next().unwrap_or(id);
    if !referenced.eq_ignore_ascii_case(name) {
        out.push(Finding::error(
            "peer-asn-reference-mismatch",
            "peering.peerAsnId",
            format!("the peering refers to peer ASN \"{referenced}\" but the file's peer ASN is \"{name}\""),
            "make peerAsn.id end in the name of the peerAsns resource, or supply the resource it names",
        ));
    }
}

fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.') && !domain.contains('@'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peering::enums::Role;
    use crate::peering::model::{ContactDetail, PeerAsn};

    fn approved(asn: u32) -> PeerAsn {
        PeerAsn {
            name: Some("ix-asn".into()),
            peer_asn: Some(asn),
            peer_name: Some("Example IX".into()),
            peer_contact_detail: vec![ContactDetail {
                role: Role::Noc,
                email: Some("noc@example.net".into()),
                phone: None,
            }],
            validation_state: Some(ValidationState::Approved),
            error_message: None,
        }
    }

    fn codes(peer: PeerAsn) -> Vec<String> {
        let file = PeeringFile {
            peer_asn: Some(peer),
            ..PeeringFile::default()
        };
        let mut out = Vec::new();
        check(&file, &mut out);
        out.into_iter().map(|f| f.code).collect()
    }

    #[test]
    fn an_approved_public_asn_with_a_noc_contact_passes() {
        assert!(codes(approved(210000)).is_empty());
    }

    #[test]
    fn a_pending_asn_is_an_error() {
        let peer = PeerAsn {
            validation_state: Some(ValidationState::Pending),
            ..approved(210000)
        };
        assert_eq!(codes(peer), ["peer-asn-not-approved"]);
    }

    #[test]
    fn microsoft_and_private_asns_are_refused() {
        assert_eq!(codes(approved(8069)), ["peer-asn-microsoft"]);
        assert_eq!(codes(approved(4200000001)), ["peer-asn-private"]);
        assert_eq!(codes(approved(23456)), ["peer-asn-reserved"]);
    }

    #[test]
    fn a_contact_with_a_malformed_email_is_a_warning() {
        let mut peer = approved(210000);
        peer.peer_contact_detail[0].email = Some("noc.example.net".into());
        assert_eq!(codes(peer), ["contact-email-invalid"]);
    }
}
