//! A peering file checked the way `peerlab validate` checks it: loaded, validated, and its
//! findings (loading's warnings, then validation's) ready to show for people or as JSON.
//! `peerlab validate` prints them; `peerlab run` prints them too, and runs only a file
//! without errors.

use super::finding::{Finding, Summary};
use super::load::{self, Format, LoadError, Loaded};
use super::model::PeeringFile;
use super::render::Report;
use super::validate::validate;

/// A loaded and validated peering file.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The file as the user named it (`-` for standard input).
    pub name: String,
    /// The file, loaded.
    pub loaded: Loaded,
    /// Every finding: loading's warnings, then validation's.
    pub findings: Vec<Finding>,
}

impl Checked {
    /// Loads `text` (the file `name`) as `format` and validates it; the load error when it
    /// cannot be parsed.
    pub fn parse(name: &str, text: &str, format: Format) -> Result<Checked, LoadError> {
        let loaded = load::parse(text, format)?;
        let mut findings = loaded.findings.clone();
        findings.extend(validate(&loaded.file));
        Ok(Checked {
            name: name.to_owned(),
            loaded,
            findings,
        })
    }

    /// The findings, ready to show ([`Report::human`], [`Report::json`]).
    pub fn report(&self) -> Report<'_> {
        Report {
            file: &self.name,
            format: self.loaded.format,
            findings: &self.findings,
        }
    }

    /// How many errors and warnings.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.findings)
    }

    /// Whether a finding is an error: `peerlab validate` exits 1, `peerlab run` does not
    /// bring the file up.
    pub fn has_errors(&self) -> bool {
        self.summary().errors > 0
    }

    /// The peering file.
    pub fn file(&self) -> &PeeringFile {
        &self.loaded.file
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peering::example::EXAMPLE_TOML;

    #[test]
    fn the_example_checks_clean_and_a_duplicate_address_is_an_error() {
        let clean = Checked::parse("example.toml", EXAMPLE_TOML, Format::Toml).unwrap();
        assert!(clean.findings.is_empty(), "{:?}", clean.findings);
        assert!(!clean.has_errors());
        let first = "microsoftSessionIPv4Address = \"185.1.76.0\"";
        let second = "microsoftSessionIPv4Address = \"185.1.76.2\"";
        assert!(EXAMPLE_TOML.contains(first) && EXAMPLE_TOML.contains(second));
        let clash = EXAMPLE_TOML.replace(second, first);
        let checked = Checked::parse("clash.toml", &clash, Format::Toml).unwrap();
        assert!(checked.has_errors());
        assert!(checked.findings.iter().any(|f| f.code == "session-address-duplicate"));
        assert!(checked
            .report()
            .human(false)
            .contains("error[session-address-duplicate]"));
    }

    #[test]
    fn loading_warnings_come_with_validation_findings() {
        let text = EXAMPLE_TOML.replace("[peering]\n", "[peering]\ncolour = \"blue\"\n");
        let checked = Checked::parse("x.toml", &text, Format::Toml).unwrap();
        assert_eq!(checked.summary().errors, 0);
        assert!(
            checked.findings.iter().any(|f| f.code == "unknown-key"),
            "{:?}",
            checked.findings
        );
    }
}
