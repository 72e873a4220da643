//! Max-prefix limits and the TCP-MD5 key of one connection's BGP session.
//!
//! Max-prefix policy (documented in docs/peering-file.md): Microsoft recommends 2000 IPv4 and
//! 500 IPv6 prefixes on its side. Above that is a warning; 0 is an error (the session would be
//! torn down by the first route); absent is a warning, and the lab then uses the recommended
//! value. Limits are checked only for a family that has a session.
//!
//! TCP-MD5 (RFC 2385) keys are at most 80 octets (`TCP_MD5SIG_MAXKEYLEN`) and, to be typed into
//! both routers' configurations, printable ASCII. Empty or short keys are warnings.

use crate::peering::finding::Finding;
use crate::peering::model::BgpSession;

/// Microsoft's recommended max-prefix for IPv4 sessions.
pub const RECOMMENDED_MAX_V4: u32 = 2000;
/// Microsoft's recommended max-prefix for IPv6 sessions.
pub const RECOMMENDED_MAX_V6: u32 = 500;
/// The longest TCP-MD5 key Linux (and most routers) accept.
pub const MD5_MAX_LEN: usize = 80;
/// Keys shorter than this are a warning.
pub const MD5_MIN_RECOMMENDED_LEN: usize = 8;

/// Checks `connections[i].bgpSession` (`path` is `connections[i]`).
pub fn check(path: &str, session: &BgpSession, out: &mut Vec<Finding>) {
    let has_v4 = session.session_prefix_v4.is_some()
        || session.microsoft_session_ipv4_address.is_some()
        || session.peer_session_ipv4_address.is_some();
    let has_v6 = session.session_prefix_v6.is_some()
        || session.microsoft_session_ipv6_address.is_some()
        || session.peer_session_ipv6_address.is_some();
    let path = format!("{path}.bgpSession");
    if has_v4 {
        check_max(
            &path,
            "IPv4",
            "V4",
            session.max_prefixes_advertised_v4,
            RECOMMENDED_MAX_V4,
            out,
        );
    }
    if has_v6 {
        check_max(
            &path,
            "IPv6",
            "V6",
            session.max_prefixes_advertised_v6,
            RECOMMENDED_MAX_V6,
            out,
        );
    }
    if let Some(key) = &session.md5_authentication_key {
        check_md5(&format!("{path}.md5AuthenticationKey"), key, out);
    }
}

fn check_max(path: &str, name: &str, suffix: &str, value: Option<u32>, recommended: u32, out: &mut Vec<Finding>) {
    let path = format!("{path}.maxPrefixesAdvertised{suffix}");
    match value {
        None => out.push(Finding::warning(
            "max-prefix-missing",
            path,
            format!("no {name} max-prefix is set; the lab applies Microsoft's recommended {recommended}"),
            format!("set maxPrefixesAdvertised{suffix} = {recommended} (or lower, to what the route server announces)"),
        )),
        Some(0) => out.push(Finding::error(
            "max-prefix-zero",
            path,
            format!("the {name} max-prefix is 0: the session would be torn down by the first route"),
            format!("set maxPrefixesAdvertised{suffix} to at most {recommended}"),
        )),
        Some(n) if n > recommended => out.push(Finding::warning(
            "max-prefix-above-recommended",
            path,
            format!("the {name} max-prefix {n} is above Microsoft's recommended {recommended}"),
            format!("set maxPrefixesAdvertised{suffix} to at most {recommended}"),
        )),
        Some(_) => {}
    }
}

/// Checks a TCP-MD5 key's form. Messages never repeat the key: it is a secret.
fn check_md5(path: &str, key: &str, out: &mut Vec<Finding>) {
    if key.is_empty() {
        out.push(Finding::warning(
            "md5-key-empty",
            path,
            "the MD5 key is empty: the session is not authenticated",
            "set a key both ends share, or remove md5AuthenticationKey",
        ));
        return;
    }
    if !key.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        out.push(Finding::error(
            "md5-key-not-printable",
            path,
            "the MD5 key has characters outside printable ASCII",
            "use only printable ASCII characters (letters, digits, punctuation, space)",
        ));
    }
    if key.len() > MD5_MAX_LEN {
        out.push(Finding::error(
            "md5-key-too-long",
            path,
            format!(
                "the MD5 key is {} bytes; TCP-MD5 keys are at most {MD5_MAX_LEN}",
                key.len()
            ),
            format!("shorten the key to at most {MD5_MAX_LEN} characters"),
        ));
    } else if key.len() < MD5_MIN_RECOMMENDED_LEN {
        out.push(Finding::warning(
            "md5-key-short",
            path,
            format!("the MD5 key is only {} characters", key.len()),
            format!("use a random key of at least {MD5_MIN_RECOMMENDED_LEN} characters"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(session: BgpSession) -> Vec<String> {
        let mut out = Vec::new();
        check("connections[0]", &session, &mut out);
        out.into_iter().map(|f| f.code).collect()
    }

    fn dual_stack() -> BgpSession {
        BgpSession {
            session_prefix_v4: Some("185.1.0.0/31".parse().unwrap()),
            session_prefix_v6: Some("2a0e:1::/127".parse().unwrap()),
            max_prefixes_advertised_v4: Some(RECOMMENDED_MAX_V4),
            max_prefixes_advertised_v6: Some(RECOMMENDED_MAX_V6),
            ..BgpSession::default()
        }
    }

    #[test]
    fn the_recommended_limits_and_no_key_pass() {
        assert!(codes(dual_stack()).is_empty());
    }

    #[test]
    fn limits_above_zero_and_absent_are_graded() {
        let session = BgpSession {
            max_prefixes_advertised_v4: Some(RECOMMENDED_MAX_V4 + 1),
            max_prefixes_advertised_v6: Some(0),
            ..dual_stack()
        };
        assert_eq!(codes(session), ["max-prefix-above-recommended", "max-prefix-zero"]);
        let session = BgpSession {
            max_prefixes_advertised_v4: None,
            ..dual_stack()
        };
        assert_eq!(codes(session), ["max-prefix-missing"]);
    }

    #[test]
    fn no_limit_is_asked_for_a_family_without_a_session() {
        let session = BgpSession {
            session_prefix_v6: None,
            max_prefixes_advertised_v6: None,
            ..dual_stack()
        };
        assert!(codes(session).is_empty());
    }

    #[test]
    fn md5_keys_are_checked_for_length_and_characters() {
        let with_key = |key: &str| {
            codes(BgpSession {
                md5_authentication_key: Some(key.into()),
                ..dual_stack()
            })
        };
        assert!(with_key("a-long-enough-key").is_empty());
        assert!(with_key(&"k".repeat(MD5_MAX_LEN)).is_empty());
        assert_eq!(with_key(&"k".repeat(MD5_MAX_LEN + 1)), ["md5-key-too-long"]);
        assert_eq!(with_key(""), ["md5-key-empty"]);
        assert_eq!(with_key("abc"), ["md5-key-short"]);
        assert_eq!(with_key("tab\there-key"), ["md5-key-not-printable"]);
    }

    #[test]
    fn a_finding_never_repeats_the_key() {
        let mut out = Vec::new();
        check_md5("p", "s3cr\u{e9}t", &mut out);
        assert!(!out.is_empty());
        assert!(out
            .iter()
            .all(|f| !f.message.contains("s3cr") && !f.fix.contains("s3cr")));
    }
}
