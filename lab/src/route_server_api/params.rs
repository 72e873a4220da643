//! The API's path and query parameters, read strictly: ASNs (`64500` or `AS64500`), page
//! sizes and cursors. Bad input is answered naming the parameter, echoing only a bounded,
//! escaped excerpt of it.

use super::error::ApiError;
use crate::http::excerpt;
use route_server::Cursor;
use serde::Deserialize;

/// Routes per page when `limit` is not given.
pub const DEFAULT_PAGE_LIMIT: usize = 1000;
/// The largest `limit` answered.
pub const MAX_PAGE_LIMIT: usize = 10_000;

/// A plain decimal number: digits only, no sign, no leading zero (but `0` itself), fitting
/// 32 bits.
fn plain_decimal(s: &str) -> Option<u32> {
    let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = s.len() > 1 && s.starts_with('0');
    if digits && !leading_zero {
        s.parse().ok()
    } else {
        None
    }
}

/// An ASN as the path gives it: a plain decimal number, optionally after one `AS`
/// (`64500`, `AS64500`); anything else (`+64500`, `064500`, `ASAS64500`, `as64500`) is
/// refused.
pub fn asn(s: &str) -> Result<u32, ApiError> {
    plain_decimal(s.strip_prefix("AS").unwrap_or(s)).ok_or_else(|| {
        ApiError::bad_field(
            "asn",
            format!(
                "`{}` is not an ASN: write it in decimal without sign or leading zeros, optionally after `AS` (64500 or AS64500)",
                excerpt(s)
            ),
        )
    })
}

/// The paging parameters of a route listing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Routes per page: 1 to [`MAX_PAGE_LIMIT`], default [`DEFAULT_PAGE_LIMIT`].
    pub limit: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

/// What `GET /rejected` takes: a prefix to explain, or the paging parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectedQuery {
    /// Explain this prefix instead of listing rejected routes.
    pub prefix: Option<String>,
    /// Routes per page.
    pub limit: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

impl PageQuery {
    /// The cursor and the page size.
    pub fn read(&self) -> Result<(Option<Cursor>, usize), ApiError> {
        let limit = match &self.limit {
            None => DEFAULT_PAGE_LIMIT,
            Some(s) => plain_decimal(s)
                .map(|n| n as usize)
                .filter(|n| (1..=MAX_PAGE_LIMIT).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_field(
                        "limit",
                        format!(
                            "`{}` is not a page size: give 1 to {MAX_PAGE_LIMIT} (default {DEFAULT_PAGE_LIMIT})",
                            excerpt(s)
                        ),
                    )
                })?,
        };
        let after = self
            .after
            .as_deref()
            .map(|s| {
                s.parse::<Cursor>()
                    .map_err(|e| ApiError::bad_field("after", format!("`{}` is {e}", excerpt(s))))
            })
            .transpose()?;
        Ok((after, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_asn_is_plain_decimal_optionally_after_one_as() {
        assert_eq!(asn("64300").ok(), Some(64300));
        assert_eq!(asn("AS64300").ok(), Some(64300));
        assert_eq!(asn("0").ok(), Some(0));
        assert_eq!(asn("4294967295").ok(), Some(u32::MAX));
        for bad in [
            "ASASAS64300",
            "ASAS64300",
            "+64300",
            "064300",
            "AS064300",
            "-1",
            "AS",
            "",
            "as64300",
            "64300 ",
            "4294967296",
            "6430O",
        ] {
            let e = asn(bad).expect_err(bad);
            assert_eq!(e.target, Some("asn"), "{bad}");
        }
    }

    #[test]
    fn a_long_bad_asn_is_echoed_as_a_bounded_excerpt() {
        let e = asn(&"9".repeat(10_000)).expect_err("too big");
        assert!(e.message.len() < 300, "{}", e.message);
        assert!(e.message.contains("(10000 characters)"), "{}", e.message);
    }

    #[test]
    fn page_sizes_are_bounded_and_cursors_strict() {
        let q = |limit: Option<&str>, after: Option<&str>| PageQuery {
            limit: limit.map(str::to_owned),
            after: after.map(str::to_owned),
        };
        assert_eq!(q(None, None).read().ok().map(|r| r.1), Some(DEFAULT_PAGE_LIMIT));
        assert_eq!(q(Some("10000"), None).read().ok().map(|r| r.1), Some(MAX_PAGE_LIMIT));
        for bad in ["0", "10001", "-5", "01", "ten"] {
            assert_eq!(
                q(Some(bad), None).read().err().and_then(|e| e.target),
                Some("limit"),
                "{bad}"
            );
        }
        assert_eq!(q(None, Some("x")).read().err().and_then(|e| e.target), Some("after"));
        assert!(q(None, Some("0-10-1-0")).read().is_ok());
    }
}
