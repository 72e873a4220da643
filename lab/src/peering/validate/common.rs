//! Checks several parts of the peering share: an ASN that must be public and not
//! Microsoft's, an identifier shaped like a GUID, unique resource names, a failed
//! provisioning state.

use std::collections::HashMap;

use crate::peering::asn::AsnClass;
use crate::peering::enums::ProvisioningState;
use crate::peering::finding::Finding;

/// An error finding `{subject}-{class}` when `asn` is not a public, non-Microsoft ASN.
pub(super) fn check_public_asn(subject: &str, asn: u32, path: String, fix: &str, out: &mut Vec<Finding>) {
    let class = AsnClass::of(asn);
    if let Some(suffix) = class.code_suffix() {
        out.push(Finding::error(
            format!("{subject}-{suffix}"),
            path,
            class.describe(asn),
            fix,
        ));
    }
}

/// Whether `text` is shaped like a GUID: 8-4-4-4-12 hexadecimal digits.
pub(super) fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    groups.len() == lengths.len()
        && groups
            .iter()
            .zip(lengths)
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Records the resource name of item `index` of the list at `list` (e.g. `registeredAsns`);
/// an error `code` when an earlier item has the same name (compared case-insensitively).
pub(super) fn check_unique_name(
    seen: &mut HashMap<String, usize>,
    name: Option<&str>,
    (list, index): (&str, usize),
    code: &str,
    fix: &str,
    out: &mut Vec<Finding>,
) {
    let Some(name) = name else { return };
    if let Some(first) = seen.insert(name.to_ascii_lowercase(), index) {
        out.push(Finding::error(
            code,
            format!("{list}[{index}].name"),
            format!("the name \"{name}\" is also used by {list}[{first}]"),
            fix,
        ));
    }
}

/// An error `code` at `{path}.provisioningState` when the resource's provisioning `Failed`.
pub(super) fn check_provisioning(
    state: Option<ProvisioningState>,
    code: &str,
    path: &str,
    (message, fix): (&str, &str),
    out: &mut Vec<Finding>,
) {
    if state == Some(ProvisioningState::Failed) {
        out.push(Finding::error(code, format!("{path}.provisioningState"), message, fix));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_recognised_by_shape() {
        assert!(is_guid("5F4CB5C7-6B43-4444-9338-9ABC72606C16"));
        assert!(is_guid("8ab00818-d533-4504-a25a-03a17f61201c"));
        assert!(!is_guid("8ab00818d5334504a25a03a17f61201c"));
        assert!(!is_guid("{8ab00818-d533-4504-a25a-03a17f61201c}"));
        assert!(!is_guid("8ab00818-d533-4504-a25a-03a17f61201g"));
        assert!(!is_guid(""));
    }

    #[test]
    fn a_public_asn_raises_nothing_and_a_private_one_an_error_named_by_class() {
        let mut out = Vec::new();
        check_public_asn("peer-asn", 210000, "peerAsn.peerAsn".into(), "fix", &mut out);
        assert!(out.is_empty());
        check_public_asn("peer-asn", 65000, "peerAsn.peerAsn".into(), "fix", &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, "peer-asn-private");
    }
}
