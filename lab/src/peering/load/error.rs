//! Why a peering file could not be loaded, with the line and column where known.

use std::fmt;

/// A file that cannot be read or parsed (exit status 2 of `peerlab validate`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// What went wrong.
    pub message: String,
    /// One-based line of the problem, when known.
    pub line: Option<usize>,
    /// One-based column of the problem, when known.
    pub column: Option<usize>,
}

impl LoadError {
    /// An error without a position.
    pub fn new(message: impl Into<String>) -> Self {
        LoadError {
            message: message.into(),
            line: None,
            column: None,
        }
    }

    /// An error at the given byte offset of `text`.
    pub fn at_offset(message: impl Into<String>, text: &str, offset: usize) -> Self {
        let (line, column) = line_column(text, offset);
        LoadError {
            message: message.into(),
            line: Some(line),
            column: Some(column),
        }
    }

    /// Converts a TOML error, turning its byte span into a line and column.
    pub fn from_toml(error: &toml::de::Error, text: &str) -> Self {
        let message = error.message().trim_end().to_string();
        match error.span() {
            Some(span) => LoadError::at_offset(message, text, span.start),
            None => LoadError::new(message),
        }
    }

    /// Converts a JSON error; `base` is the byte offset of the parsed slice within the whole
    /// file (0 when the whole file was parsed).
    pub fn from_json(error: &serde_json::Error, text: &str, base: usize) -> Self {
        let full = error.to_string();
        let suffix = format!(" at line {} column {}", error.line(), error.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
        if error.line() == 0 {
            return LoadError::new(message);
        }
        let (base_line, base_column) = line_column(text, base);
        let (line, column) = if error.line() == 1 {
            (base_line, base_column + error.column().saturating_sub(1))
        } else {
            (base_line + error.line() - 1, error.column())
        };
        LoadError {
            message,
            line: Some(line),
            column: Some(column),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "line {line}, column {column}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for LoadError {}

/// One-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_one_based_lines_and_columns() {
        let text = "ab\ncd\n\u{e9}f";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (2, 2));
        assert_eq!(line_column(text, 6), (3, 1));
        assert_eq!(line_column(text, 8), (3, 2));
    }

    #[test]
    fn a_json_error_inside_a_slice_is_placed_in_the_whole_file() {
        let text = "[\n  {\"a\": tru}\n]";
        let base = text.find('{').unwrap();
        let slice = &text[base..base + 11];
        let error = serde_json::from_str::<serde_json::Value>(slice).unwrap_err();
        let load = LoadError::from_json(&error, text, base);
        assert_eq!(load.line, Some(2));
        assert!(load.column.unwrap() > 3);
        assert!(!load.message.contains("at line"));
    }
}
