//! The live Connections view: on a terminal, the table redrawn in place whenever something
//! changes (connection, facility, connectionState, sessionStateV4, sessionStateV6, prefixes
//! received and accepted); elsewhere the run prints plain progress lines instead.

use super::rows::ConnectionRow;
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
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in &cells {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.len());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = line(&header.map(str::to_owned));
    out.push('\n');
    for r in &cells {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

/// Redraws the table on stderr over the previous drawing of `drawn` lines; returns the
/// number of lines drawn now.
pub fn redraw(rows: &[ConnectionRow], drawn: usize) -> usize {
    let text = table(rows);
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
}
