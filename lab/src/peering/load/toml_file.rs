//! Loads the TOML peering file; unknown keys become `unknown-key` warnings rather than being
//! silently ignored.

use super::error::LoadError;
use crate::peering::finding::Finding;
use crate::peering::model::PeeringFile;

/// Parses a TOML peering file.
pub fn load(text: &str) -> Result<(PeeringFile, Vec<Finding>), LoadError> {
    let deserializer = toml::Deserializer::parse(text).map_err(|e| LoadError::from_toml(&e, text))?;
    let mut unknown = Vec::new();
    let file = serde_ignored::deserialize(deserializer, |path| unknown.push(model_path(&path)))
        .map_err(|e| LoadError::from_toml(&e, text))?;
    let findings = unknown
        .into_iter()
        .map(|path| {
            Finding::warning(
                "unknown-key",
                path.clone(),
                format!("`{path}` is not a field of a peering file; it is ignored"),
                "check its spelling (Azure's camelCase names) against docs/peering-file.md, or remove it",
            )
        })
        .collect();
    Ok((file, findings))
}

/// Writes a serde_ignored path the way findings name fields: `connections[0].bgpSession.x`.
fn model_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", model_path(parent)),
        Path::Map { parent, key } => {
            let parent = model_path(parent);
            if parent.is_empty() {
                key.clone()
            } else {
                format!("{parent}.{key}")
            }
        }
        Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => model_path(parent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peering::enums::Kind;

    #[test]
    fn an_unknown_key_is_a_warning_with_its_path() {
        let text = "[peering]\nkind = \"Direct\"\n\n[[connections]]\n[connections.bgpSession]\nmd5Key = \"x\"\n";
        let (file, findings) = load(text).unwrap();
        assert_eq!(file.peering.kind, Some(Kind::Direct));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, "unknown-key");
        assert_eq!(findings[0].path, "connections[0].bgpSession.md5Key");
    }

    #[test]
    fn a_bad_enum_value_is_reported_at_its_line_and_column() {
        let text = "[peering]\nkind = \"Direct\"\ndirectPeeringType = \"IXRS\"\n";
        let error = load(text).unwrap_err();
        assert_eq!(error.line, Some(3));
        assert_eq!(error.column, Some(21));
        assert!(error.message.contains("IxRs"), "{}", error.message);
    }

    #[test]
    fn an_ipv6_address_in_an_ipv4_field_does_not_load() {
        let text = "[[connections]]\nbgpSession = { peerSessionIPv4Address = \"2001:db8::1\" }\n";
        let error = load(text).unwrap_err();
        assert_eq!(error.line, Some(2));
    }
}
