//! The API validates what it is asked to provision with `peerlab validate`'s rules
//! ([`crate::peering::validate`]) before the lab sees it: a connection is checked as each
//! connection of a peering file is (fields, session prefixes and addresses, max-prefix, the
//! TCP-MD5 key), a session change by its limits and key. Errors are refused with 400 naming
//! the body's field; warnings pass. So a connection that cannot be provisioned (e.g. a
//! 100-octet key) is refused instead of being accepted and failing later.

use crate::lab::control::LabError;
use crate::peering::finding::{Finding, Severity};
use crate::peering::model::{BgpSession, DirectConnection};
use crate::peering::validate;

/// 400 `InvalidRequestContent` naming the first error's field, with every error's problem
/// and fix; `Ok` when there is none.
fn refuse_errors(findings: Vec<Finding>) -> Result<(), LabError> {
    let errors: Vec<Finding> = findings.into_iter().filter(|f| f.severity == Severity::Error).collect();
    let Some(first) = errors.first() else {
        return Ok(());
    };
    let message = errors
        .iter()
        .map(|f| format!("`{}`: {} (fix: {})", f.path, f.message, f.fix))
        .collect::<Vec<_>>()
        .join("; ");
    Err(LabError::new(400, "InvalidRequestContent", message, Some(&first.path)))
}

/// Checks a `DirectConnection` to add. Its read-only fields (`connectionState`,
/// `errorMessage`) are ignored, as the lab sets them.
pub fn connection(conn: &DirectConnection) -> Result<(), LabError> {
    let mut asked = conn.clone();
    asked.connection_state = None;
    asked.error_message = None;
    refuse_errors(validate::connection(&asked))
}

/// Checks a `bgpSession` body (a session to add or a change): its limits and key.
pub fn session(s: &BgpSession) -> Result<(), LabError> {
    refuse_errors(validate::session_limits(s))
}

/// An empty `md5AuthenticationKey` means no TCP-MD5 (as `peerlab validate` reads it, and as
/// a session change already takes it); the lab then runs the session without a key.
pub fn drop_empty_key(s: Option<&mut BgpSession>) {
    if let Some(s) = s {
        if s.md5_authentication_key.as_deref() == Some("") {
            s.md5_authentication_key = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> DirectConnection {
        serde_json::from_value(serde_json::json!({
            "bandwidthInMbps": 10000, "sessionAddressProvider": "Peer", "useForPeeringService": true,
            "peeringDBFacilityId": 1176,
            "bgpSession": {"sessionPrefixV4": "185.1.76.4/31", "microsoftSessionIPv4Address": "185.1.76.4",
                           "peerSessionIPv4Address": "185.1.76.5", "maxPrefixesAdvertisedV4": 2000}
        }))
        .expect("a DirectConnection")
    }

    #[test]
    fn a_good_connection_passes_with_warnings_only() {
        assert_eq!(connection(&good()), Ok(()));
    }

    #[test]
    fn a_100_octet_key_is_refused_naming_the_body_field_without_echoing_the_key() {
        let mut c = good();
        let key = "k".repeat(100);
        c.bgp_session.as_mut().expect("session").md5_authentication_key = Some(key.clone());
        let e = connection(&c).expect_err("refused");
        assert_eq!(e.status, 400);
        assert_eq!(e.target.as_deref(), Some("bgpSession.md5AuthenticationKey"));
        assert!(!e.message.contains(&key), "{}", e.message);
        let s = c.bgp_session.expect("session");
        assert_eq!(
            session(&s).expect_err("refused").target.as_deref(),
            Some("bgpSession.md5AuthenticationKey")
        );
    }

    #[test]
    fn a_connection_in_provisioning_failed_state_is_judged_on_what_it_asks_for() {
        let mut c = good();
        c.connection_state = Some(crate::peering::enums::ConnectionState::ProvisioningFailed);
        assert_eq!(connection(&c), Ok(()));
    }
}
