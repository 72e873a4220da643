//! The live Connections view: on a terminal, the table redrawn in place whenever something
//! changes (connection, facility, connectionState, sessionStateV4, sessionStateV6, prefixes
//! received and accepted), with the customers' Peering Service prefixes and their verdict
//! under it; elsewhere the run prints plain progress lines instead.

use super::rows::{ConnectionRow, ServicePrefixRow};
use std::io::{IsTerminal, Write};

/// Whether stderr is a terminal (the live view is drawn there).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// The table as text, one line per connection under a header.
pub fn table(rows: &[ConnectionRow]) -> String {
    let header = [
        "connection",
        "facility",
        "connectionState",
        "sessionStateV4",
        "sessionStateV6",
        "received",
        "accepted",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.connection.clone(),
                r.facility.map_or_else(|| "-".to_owned(), |f| f.to_string()),
                r.connection_state.to_string(),
                r.session_state_v4.to_string(),
                r.session_state_v6.to_string(),
                r.prefixes_received.to_string(),
                r.prefixes_accepted.to_string(),
            ]
        })
        .collect();
    columns(&header, &cells)
}

/// The "Peering Service prefixes" table under a blank line and its title; empty without
/// registered prefixes. Control characters in a cell are shown escaped.
pub fn prefix_table(rows: &[ServicePrefixRow]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let header = ["peering service", "prefix", "key of", "validation", "learned", "why"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.peering_service.clone(),
                r.prefix.clone(),
                r.key_of.clone().unwrap_or_else(|| "-".to_owned()),
                r.prefix_validation_state.to_string(),
                r.learned_type.to_string(),
                r.error_message.clone().unwrap_or_else(|| "-".to_owned()),
            ]
            .map(|c| printable(&c))
        })
        .collect();
    format!("\nPeering Service prefixes\n{}", columns(&header, &cells))
}

/// `s` with every control character escaped (`\u{1b}`), so a terminal shows it as text.
fn printable(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// Rows under a header, in columns two spaces apart.
fn columns<const N: usize>(header: &[&str; N], cells: &[[String; N]]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in cells {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = line(&header.map(str::to_owned));
    out.push('\n');
    for r in cells {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

/// Redraws the Connections view (and the Peering Service prefixes under it) on stderr over
/// the previous drawing of `drawn` lines; returns the number of lines drawn now.
pub fn redraw(rows: &[ConnectionRow], prefixes: &[ServicePrefixRow], drawn: usize) -> usize {
    let text = table(rows) + &prefix_table(prefixes);
    let mut err = std::io::stderr().lock();
    if drawn > 0 {
        // Cursor up over the last drawing, then clear to the end of the screen.
        let _ = write!(err, "\x1b[{drawn}A\x1b[J");
    }
    let _ = write!(err, "{text}");
    let _ = err.flush();
    text.lines().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peering::enums::{ConnectionState, SessionState};

    #[test]
    fn the_table_has_a_header_and_one_line_per_connection() {
        let row = ConnectionRow {
            connection: "c1".into(),
            facility: Some(1176),
            connection_state: ConnectionState::PendingRemove,
            session_state_v4: SessionState::PendingRemove,
            session_state_v6: SessionState::None,
            prefixes_received: 3,
            prefixes_accepted: 2,
            error_message: None,
        };
        let t = table(&[row]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("connection"));
        assert!(lines[1].contains("PendingRemove") && lines[1].contains("1176"), "{t}");
    }

    #[test]
    fn the_prefix_table_escapes_control_characters() {
        use crate::peering::enums::{LearnedType, PrefixValidationState};
        assert_eq!(prefix_table(&[]), "");
        let row = ServicePrefixRow {
            peering_service: "ps\u{1b}[31m".into(),
            name: "p".into(),
            prefix: "185.42.136.0/22".into(),
            key_of: None,
            prefix_validation_state: PrefixValidationState::Failed,
            learned_type: LearnedType::None,
            error_message: Some("prefix not received from the provider".into()),
        };
        let t = prefix_table(&[row]);
        assert!(!t.contains('\u{1b}'), "{t}");
        assert!(t.contains("ps\\u{1b}[31m") && t.contains("Failed"), "{t}");
    }
}
