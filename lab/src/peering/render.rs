//! Showing a validation: for people (grouped by severity, optionally coloured, ending with
//! "N errors, M warnings") and for programs (JSON).

use std::fmt::Write as _;

use serde_json::json;

use super::finding::{Finding, Severity, Summary};
use super::load::{Format, LoadError};

/// ANSI styles, or none.
#[derive(Debug, Clone, Copy)]
struct Style {
    on: bool,
}

impl Style {
    fn paint(self, codes: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{codes}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// A validated file, ready to show.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// The file as the user named it (`-` for standard input).
    pub file: &'a str,
    /// The format it was read as.
    pub format: Format,
    /// All findings, loading's and validation's.
    pub findings: &'a [Finding],
}

impl Report<'_> {
    /// Findings with errors first, each group in file order.
    fn ordered(&self) -> Vec<&Finding> {
        let mut ordered: Vec<&Finding> = self.findings.iter().collect();
        ordered.sort_by_key(|f| f.severity);
        ordered
    }

    /// The report for people; `colour` adds ANSI colours.
    pub fn human(&self, colour: bool) -> String {
        let style = Style { on: colour };
        let summary = Summary::of(self.findings);
        let mut out = String::new();
        let _ = writeln!(out, "{} ({})", style.paint("1", self.file), self.format.as_str());
        let mut current = None;
        for finding in self.ordered() {
            if current != Some(finding.severity) {
                current = Some(finding.severity);
                let title = match finding.severity {
                    Severity::Error => "errors:",
                    Severity::Warning => "warnings:",
                };
                let _ = writeln!(out, "\n{}", style.paint("1", title));
            }
            let colour_code = severity_colour(finding.severity);
            let label = format!("{}[{}]", finding.severity.as_str(), finding.code);
            let _ = writeln!(
                out,
                "  {} {}",
                style.paint(colour_code, &label),
                style.paint("36", &finding.path)
            );
            let _ = writeln!(out, "      {}", finding.message);
            let _ = writeln!(out, "      {} {}", style.paint("32", "fix:"), finding.fix);
        }
        let summary_colour = match (summary.errors, summary.warnings) {
            (0, 0) => "1;32",
            (0, _) => "1;33",
            _ => "1;31",
        };
        let _ = writeln!(out, "\n{}", style.paint(summary_colour, &summary.to_string()));
        out
    }

    /// The report for programs: `{"file","format","findings":[…],"summary":{"errors","warnings"}}`.
    pub fn json(&self) -> serde_json::Value {
        json!({
            "file": self.file,
            "format": self.format.as_str(),
            "findings": self.ordered(),
            "summary": Summary::of(self.findings),
        })
    }
}

fn severity_colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
    }
}

/// A file that could not be read or parsed, for people.
pub fn load_error_human(file: &str, error: &LoadError, colour: bool) -> String {
    let style = Style { on: colour };
    let place = match (error.line, error.column) {
        (Some(line), Some(column)) => format!("{file}:{line}:{column}"),
        _ => file.to_string(),
    };
    format!("{} {place}: {}\n", style.paint("1;31", "cannot load"), error.message)
}

/// A file that could not be read or parsed, for programs: `{"file","error":{"message","line","column"}}`.
pub fn load_error_json(file: &str, error: &LoadError) -> serde_json::Value {
    json!({
        "file": file,
        "error": {"message": error.message, "line": error.line, "column": error.column},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Finding> {
        vec![
            Finding::warning(
                "max-prefix-missing",
                "connections[0].bgpSession.maxPrefixesAdvertisedV6",
                "m1",
                "f1",
            ),
            Finding::error("peer-asn-not-approved", "peerAsn.validationState", "m2", "f2"),
        ]
    }

    #[test]
    fn people_see_errors_before_warnings_and_a_summary_line() {
        let findings = sample();
        let report = Report {
            file: "x.toml",
            format: Format::Toml,
            findings: &findings,
        };
        let text = report.human(false);
        let error_at = text
            .find("error[peer-asn-not-approved] peerAsn.validationState")
            .unwrap();
        let warning_at = text.find("warning[max-prefix-missing]").unwrap();
        assert!(error_at < warning_at);
        assert!(text.contains("fix: f2"));
        assert!(text.trim_end().ends_with("1 error, 1 warning"));
        assert!(!text.contains('\x1b'));
        assert!(report.human(true).contains("\x1b[1;31m"));
    }

    #[test]
    fn programs_get_every_field_of_every_finding_and_the_counts() {
        let findings = sample();
        let value = Report {
            file: "x.toml",
            format: Format::Toml,
            findings: &findings,
        }
        .json();
        assert_eq!(value["summary"], json!({"errors": 1, "warnings": 1}));
        assert_eq!(value["findings"][0]["severity"], "error");
        assert_eq!(value["findings"][0]["code"], "peer-asn-not-approved");
        assert_eq!(
            value["findings"][1]["path"],
            "connections[0].bgpSession.maxPrefixesAdvertisedV6"
        );
        assert_eq!(value["findings"][1]["fix"], "f1");
    }

    #[test]
    fn a_load_error_names_the_line_and_column() {
        let error = LoadError {
            message: "bad".into(),
            line: Some(3),
            column: Some(7),
        };
        assert_eq!(
            load_error_human("f.toml", &error, false),
            "cannot load f.toml:3:7: bad\n"
        );
        assert_eq!(load_error_json("f.toml", &error)["error"]["line"], 3);
    }
}
