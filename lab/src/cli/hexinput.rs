//! Hex message lines as people paste them: ExaBGP `raw:` payloads (`N:raw:FFFF…:0017:02:…`),
//! tcpdump-style hex with spaces, plain hex. Whitespace and `:` are ignored.

/// What one input line holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A blank line or a `#` comment.
    Skip,
    /// The bytes of one message.
    Message(Vec<u8>),
}

/// Parses one line: strips a leading ExaBGP `N:raw:` prefix, drops whitespace and `:`, and
/// reads the rest as hex. The error says what is wrong, without the line number.
pub fn parse_line(line: &str) -> Result<Line, String> {
    let t = line.trim();
    if t.is_empty() || t.starts_with('#') {
        return Ok(Line::Skip);
    }
    let t = strip_exabgp_prefix(t);
    let digits: String = t.chars().filter(|c| !c.is_whitespace() && *c != ':').collect();
    let digits = digits.strip_prefix("0x").unwrap_or(&digits);
    if let Some(bad) = digits.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!("not hex: `{bad}` in `{}`", shorten(t)));
    }
    if digits.len() % 2 != 0 {
        return Err(format!("not hex: odd number of digits ({})", digits.len()));
    }
    bgp_core::json::hex::decode(digits).map(Line::Message)
}

/// `12:raw:…` → `…`; anything else unchanged.
fn strip_exabgp_prefix(t: &str) -> &str {
    if let Some((n, rest)) = t.split_once(':') {
        if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
            if let Some(hex) = rest.strip_prefix("raw:") {
                return hex;
            }
        }
    }
    t.strip_prefix("raw:").unwrap_or(t)
}

fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exabgp_raw_lines_lose_their_prefix_and_colons() {
        let l = parse_line("1:raw:FFFF:0017:04");
        assert_eq!(l, Ok(Line::Message(vec![0xff, 0xff, 0x00, 0x17, 0x04])));
    }

    #[test]
    fn tcpdump_style_hex_with_spaces_is_read() {
        assert_eq!(
            parse_line("  ff ff 00 13\t04 "),
            Ok(Line::Message(vec![0xff, 0xff, 0, 0x13, 4]))
        );
    }

    #[test]
    fn comments_and_blank_lines_are_skipped() {
        assert_eq!(parse_line("# a comment"), Ok(Line::Skip));
        assert_eq!(parse_line("   "), Ok(Line::Skip));
    }

    #[test]
    fn a_line_that_is_not_hex_says_so() {
        assert!(parse_line("1:json:{}").is_err_and(|e| e.starts_with("not hex")));
        assert!(parse_line("abc").is_err_and(|e| e.contains("odd")));
    }
}
