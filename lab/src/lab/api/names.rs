//! What a resource name in a path may be: as Azure resource names, 1 to 80 letters, digits,
//! `-`, `_` and `.`, not ending in `.` (so `../../etc/passwd`, spaces, `%`-escapes and control
//! characters are refused). A refused name is echoed only as a bounded, escaped excerpt.

use crate::http::excerpt;
use crate::lab::control::LabError;

/// The longest name.
pub const MAX_NAME_CHARS: usize = 80;

/// Whether `s` is a valid resource name.
pub fn is_resource_name(s: &str) -> bool {
    (1..=MAX_NAME_CHARS).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !s.ends_with('.')
}

/// `Ok` for a valid name; otherwise 400 `InvalidResourceName` naming `target` (the field the
/// name fills, e.g. `connectionIdentifier`).
pub fn check(s: &str, target: &'static str) -> Result<(), LabError> {
    if is_resource_name(s) {
        return Ok(());
    }
    Err(LabError::new(
        400,
        "InvalidResourceName",
        format!(
            "`{}` is not a valid {target}: use 1 to {MAX_NAME_CHARS} letters, digits, `-`, `_` or `.`, not ending in `.`",
            excerpt(s)
        ),
        Some(target),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azure_style_names_pass_and_paths_and_odd_characters_do_not() {
        for good in [
            "kestrel-ix-oslo",
            "2a0485ca-03d4-4846-ab03-f7a45eddd8ad",
            "lab_added.1",
            "a",
            &"x".repeat(80),
        ] {
            assert!(is_resource_name(good), "{good}");
        }
        for bad in [
            "../../etc/passwd",
            "",
            "ends.",
            "with space",
            "a/b",
            "%2e%2e",
            "tab\t",
            "ünïcode",
            &"x".repeat(81),
        ] {
            assert!(!is_resource_name(bad), "{bad}");
        }
    }

    #[test]
    fn a_refused_name_names_the_field_and_is_echoed_bounded() {
        let e = check(&"../".repeat(1000), "connectionIdentifier").expect_err("refused");
        assert_eq!((e.status, e.target.as_deref()), (400, Some("connectionIdentifier")));
        assert!(e.message.len() < 250, "{}", e.message);
    }
}
