//! The peering's basics, which cannot change after creation: kind, Microsoft network
//! (`directPeeringType`) and SKU; plus its location and provisioning state.

use super::common::check_provisioning;
use crate::peering::enums::{DirectPeeringType, Kind, SkuName};
use crate::peering::finding::Finding;
use crate::peering::model::PeeringFile;

/// Checks kind `Direct`, type `IxRs`, SKU `Premium_Direct_Free`, a peering location, and that
/// provisioning has not failed.
pub fn check(file: &PeeringFile, out: &mut Vec<Finding>) {
    let peering = &file.peering;
    if peering.kind != Some(Kind::Direct) {
        out.push(Finding::error(
            "peering-kind-not-direct",
            "peering.kind",
            format!(
                "the peering kind is {}; an exchange with route server is a Direct peering",
                shown(peering.kind)
            ),
            "set kind = \"Direct\" (it cannot be changed later: create a new peering)",
        ));
    }
    if peering.direct_peering_type != Some(DirectPeeringType::IxRs) {
        out.push(Finding::error(
            "peering-type-not-ixrs",
            "peering.directPeeringType",
            format!(
                "the Microsoft network is {}; the route-server product is \"AS8075 (with exchange route server)\"",
                shown(peering.direct_peering_type)
            ),
            "set directPeeringType = \"IxRs\"",
        ));
    }
    if peering.sku != Some(SkuName::PremiumDirectFree) {
        out.push(Finding::error(
            "peering-sku-not-premium-free",
            "peering.sku",
            format!(
                "the SKU is {}; an exchange with route server uses Premium Free",
                shown(peering.sku)
            ),
            "set sku = \"Premium_Direct_Free\"",
        ));
    }
    if peering.peering_location.as_deref().is_none_or(|l| l.trim().is_empty()) {
        out.push(Finding::error(
            "peering-location-missing",
            "peering.peeringLocation",
            "the peering has no peering location (metro)",
            "set peeringLocation to the metro of the exchange, e.g. \"Amsterdam\"",
        ));
    }
    check_provisioning(
        peering.provisioning_state,
        "peering-provisioning-failed",
        "peering",
        (
            "provisioning of the peering failed",
            "read the connections' errorMessage, correct the peering and update it",
        ),
        out,
    );
}

/// An optional enum value for a message: its Azure string, or "not set".
fn shown<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "not set".to_string(), |v| format!("\"{v}\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peering::model::Peering;

    fn codes(peering: Peering) -> Vec<String> {
        let file = PeeringFile {
            peering,
            ..PeeringFile::default()
        };
        let mut out = Vec::new();
        check(&file, &mut out);
        out.into_iter().map(|f| f.code).collect()
    }

    #[test]
    fn a_direct_ixrs_premium_free_peering_with_a_location_passes() {
        let peering = Peering {
            kind: Some(Kind::Direct),
            direct_peering_type: Some(DirectPeeringType::IxRs),
            sku: Some(SkuName::PremiumDirectFree),
            peering_location: Some("Amsterdam".into()),
            ..Peering::default()
        };
        assert!(codes(peering).is_empty());
    }

    #[test]
    fn an_exchange_peering_with_basic_sku_fails_on_kind_type_and_sku() {
        let peering = Peering {
            kind: Some(Kind::Exchange),
            sku: Some(SkuName::BasicExchangeFree),
            peering_location: Some("Amsterdam".into()),
            ..Peering::default()
        };
        assert_eq!(
            codes(peering),
            [
                "peering-kind-not-direct",
                "peering-type-not-ixrs",
                "peering-sku-not-premium-free"
            ]
        );
    }
}
