//! Reading a peering file: TOML or Azure resource JSON, into [`PeeringFile`].

mod azure_json;
mod error;
mod toml_file;

use std::path::Path;

pub use error::LoadError;

use super::finding::Finding;
use super::model::PeeringFile;

/// The format of a peering file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The TOML peering file (docs/peering-file.md).
    Toml,
    /// Azure resource JSON (`Microsoft.Peering/…`).
    AzureJson,
}

impl Format {
    /// `toml` or `azure-json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Toml => "toml",
            Format::AzureJson => "azure-json",
        }
    }

    /// Guesses the format from the file name, then from the first character of the text.
    pub fn detect(path: Option<&Path>, text: &str) -> Format {
        match path.and_then(|p| p.extension()).and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Format::AzureJson,
            Some(ext) if ext.eq_ignore_ascii_case("toml") => Format::Toml,
            _ if text.trim_start().starts_with(['{', '['])
                && serde_json::from_str::<serde_json::Value>(text).is_ok() =>
            {
                Format::AzureJson
            }
            _ => Format::Toml,
        }
    }
}

/// A loaded peering file and the warnings loading raised (unknown keys, ignored resources).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The model.
    pub file: PeeringFile,
    /// The format it was read as.
    pub format: Format,
    /// Warnings from loading, reported with the validator's findings.
    pub findings: Vec<Finding>,
}

/// Parses `text` as `format`.
pub fn parse(text: &str, format: Format) -> Result<Loaded, LoadError> {
    let (file, findings) = match format {
        Format::Toml => toml_file::load(text)?,
        Format::AzureJson => azure_json::load(text)?,
    };
    Ok(Loaded { file, format, findings })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_decides_and_otherwise_the_text_does() {
        assert_eq!(Format::detect(Some(Path::new("a.JSON")), "x = 1"), Format::AzureJson);
        assert_eq!(Format::detect(Some(Path::new("a.toml")), "{}"), Format::Toml);
        assert_eq!(Format::detect(None, "  [{\"type\": \"x\"}]"), Format::AzureJson);
        assert_eq!(Format::detect(None, "[peering]\nkind = \"Direct\""), Format::Toml);
    }
}
