//! The enumerations of the `Microsoft.Peering` resource provider, spelled exactly as Azure
//! spells them (API versions 2022-10-01 and 2025-05-01).
//!
//! Each enum (de)serializes to the Azure string and prints it with `Display`, so a finding, a
//! JSON document and the UI all show the same word the portal shows.

use std::fmt;

/// Declares an Azure enumeration: serde renames and `Display` with the exact Azure strings.
macro_rules! azure_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// The exact string Azure uses for this value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

azure_enum! {
    /// `kind` of a peering resource.
    Kind {
        /// A direct peering (the route-server product is a direct peering).
        Direct => "Direct",
        /// A peering over an internet exchange's shared fabric.
        Exchange => "Exchange",
    }
}

azure_enum! {
    /// `sku.name` of a peering. The portal calls `Premium_Direct_Free` "Premium Free".
    SkuName {
        /// Basic exchange peering, free.
        BasicExchangeFree => "Basic_Exchange_Free",
        /// Basic direct peering, free.
        BasicDirectFree => "Basic_Direct_Free",
        /// Premium direct peering, free: the SKU of an exchange with route server.
        PremiumDirectFree => "Premium_Direct_Free",
        /// Premium exchange peering, metered (older API versions).
        PremiumExchangeMetered => "Premium_Exchange_Metered",
        /// Premium direct peering, metered (older API versions).
        PremiumDirectMetered => "Premium_Direct_Metered",
        /// Premium direct peering, unlimited (older API versions).
        PremiumDirectUnlimited => "Premium_Direct_Unlimited",
    }
}

azure_enum! {
    /// `provisioningState` of a peering or a registered ASN.
    ProvisioningState {
        /// Provisioned.
        Succeeded => "Succeeded",
        /// A change is being applied.
        Updating => "Updating",
        /// Being deleted.
        Deleting => "Deleting",
        /// Provisioning failed.
        Failed => "Failed",
        /// Provisioning was cancelled.
        Canceled => "Canceled",
    }
}

azure_enum! {
    /// `properties.direct.directPeeringType`: which Microsoft network the peering is with.
    DirectPeeringType {
        /// AS8075 edge peering.
        Edge => "Edge",
        /// Transit.
        Transit => "Transit",
        /// Content delivery network.
        Cdn => "Cdn",
        /// Internal.
        Internal => "Internal",
        /// Internet exchange.
        Ix => "Ix",
        /// AS8075 with an exchange route server: the product peerlab simulates.
        IxRs => "IxRs",
        /// Voice (Azure Communication Services).
        Voice => "Voice",
        /// Edge zone for operators.
        EdgeZoneForOperators => "EdgeZoneForOperators",
        /// Peer-proprietary.
        PeerProp => "PeerProp",
    }
}

azure_enum! {
    /// `sessionAddressProvider` of a connection: who supplies the session addresses.
    SessionAddressProvider {
        /// Microsoft supplies the addresses.
        Microsoft => "Microsoft",
        /// The peer supplies the addresses (required for an exchange with route server).
        Peer => "Peer",
    }
}

azure_enum! {
    /// `connectionState` of a direct connection.
    ConnectionState {
        /// No state.
        None => "None",
        /// Submitted, waiting for Microsoft's review.
        PendingApproval => "PendingApproval",
        /// Approved by Microsoft.
        Approved => "Approved",
        /// Microsoft is provisioning; the peer configures BGP on its side.
        ProvisioningStarted => "ProvisioningStarted",
        /// Provisioning failed; see `errorMessage`.
        ProvisioningFailed => "ProvisioningFailed",
        /// Provisioned; sessions up with a deny-all policy.
        ProvisioningCompleted => "ProvisioningCompleted",
        /// End-to-end validation in progress.
        Validating => "Validating",
        /// In service: routes flow.
        Active => "Active",
        /// A change of type was requested.
        TypeChangeRequested => "TypeChangeRequested",
        /// A change of type is in progress.
        TypeChangeInProgress => "TypeChangeInProgress",
        /// Blocked by something outside Microsoft.
        ExternalBlocker => "ExternalBlocker",
        /// Being deprovisioned (shown by the docs, absent from the API enum).
        PendingRemove => "PendingRemove",
    }
}

azure_enum! {
    /// `sessionStateV4` / `sessionStateV6` of a BGP session.
    SessionState {
        /// No state.
        None => "None",
        /// RFC 4271 Idle.
        Idle => "Idle",
        /// RFC 4271 Connect.
        Connect => "Connect",
        /// RFC 4271 Active.
        Active => "Active",
        /// RFC 4271 OpenSent.
        OpenSent => "OpenSent",
        /// RFC 4271 OpenConfirm.
        OpenConfirm => "OpenConfirm",
        /// OPEN received (Azure's addition to the RFC 4271 states).
        OpenReceived => "OpenReceived",
        /// RFC 4271 Established.
        Established => "Established",
        /// The session is being added.
        PendingAdd => "PendingAdd",
        /// The session is being changed.
        PendingUpdate => "PendingUpdate",
        /// The session is being removed.
        PendingRemove => "PendingRemove",
    }
}

azure_enum! {
    /// `validationState` of a peer ASN.
    ValidationState {
        /// Not validated.
        None => "None",
        /// Waiting for Microsoft's validation.
        Pending => "Pending",
        /// Validated: peerings may use this ASN.
        Approved => "Approved",
        /// Validation failed; see `errorMessage`.
        Failed => "Failed",
    }
}

azure_enum! {
    /// `role` of a peer contact.
    Role {
        /// Network operations centre.
        Noc => "Noc",
        /// Peering policy contact.
        Policy => "Policy",
        /// Technical contact.
        Technical => "Technical",
        /// Service contact.
        Service => "Service",
        /// Escalation contact.
        Escalation => "Escalation",
        /// Any other role.
        Other => "Other",
    }
}

azure_enum! {
    /// `prefixValidationState` of a Peering Service prefix: what Microsoft concluded from the
    /// routes it receives over the provider's sessions.
    PrefixValidationState {
        /// Not validated.
        None => "None",
        /// The prefix itself cannot be validated (not public, too specific, malformed).
        Invalid => "Invalid",
        /// Received from the key's ASN over the provider's sessions, within the rules.
        Verified => "Verified",
        /// Not received, received from another origin, or against the rules; see `errorMessage`.
        Failed => "Failed",
        /// Validation has not concluded yet (e.g. the provider's sessions are not up).
        Pending => "Pending",
        /// Received and usable, but against a recommendation (e.g. not on every session).
        Warning => "Warning",
        /// Microsoft could not tell.
        Unknown => "Unknown",
    }
}

azure_enum! {
    /// `learnedType` of a Peering Service prefix: how Microsoft learned it.
    LearnedType {
        /// Not learned at all.
        None => "None",
        /// Learned from a Peering Service provider (an ISP partner's registered prefix).
        ViaServiceProvider => "ViaServiceProvider",
        /// Learned over the provider's BGP sessions (what an exchange's route server passes on).
        ViaSession => "ViaSession",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_round_trips_through_its_exact_azure_string() {
        let cases = [
            (
                serde_json::to_string(&SkuName::PremiumDirectFree).unwrap(),
                "\"Premium_Direct_Free\"",
            ),
            (serde_json::to_string(&DirectPeeringType::IxRs).unwrap(), "\"IxRs\""),
            (
                serde_json::to_string(&ConnectionState::PendingRemove).unwrap(),
                "\"PendingRemove\"",
            ),
            (
                serde_json::to_string(&SessionState::OpenReceived).unwrap(),
                "\"OpenReceived\"",
            ),
            (
                serde_json::to_string(&ValidationState::Approved).unwrap(),
                "\"Approved\"",
            ),
            (
                serde_json::to_string(&PrefixValidationState::Verified).unwrap(),
                "\"Verified\"",
            ),
            (
                serde_json::to_string(&LearnedType::ViaSession).unwrap(),
                "\"ViaSession\"",
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
        let parsed: DirectPeeringType = serde_json::from_str("\"EdgeZoneForOperators\"").unwrap();
        assert_eq!(parsed, DirectPeeringType::EdgeZoneForOperators);
        assert_eq!(SkuName::BasicExchangeFree.to_string(), "Basic_Exchange_Free");
    }

    #[test]
    fn a_value_in_the_wrong_case_is_refused() {
        assert!(serde_json::from_str::<DirectPeeringType>("\"ixrs\"").is_err());
        assert!(serde_json::from_str::<Kind>("\"direct\"").is_err());
    }
}
