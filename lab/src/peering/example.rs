//! The built-in example exchange, compiled into the binary.

/// The example peering file: Kestrel Internet Exchange, a Direct/IxRs/Premium_Direct_Free
/// peering with two dual-stack connections, three registered customers and one unregistered,
/// and two customers' Peering Services whose registered prefixes all validate but one that the
/// customer does not announce.
pub const EXAMPLE_TOML: &str = include_str!("example.toml");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peering::enums::{LearnedType, PrefixValidationState};
    use crate::peering::load::{parse, Format};
    use crate::peering::model::PeeringFile;
    use crate::peering::prefix_validation::{validate_prefix, EdgeConnection, EdgeRoutes, ReceivedRoute};
    use crate::peering::validate::validate;

    #[test]
    fn the_example_loads_and_validates_without_any_finding() {
        let loaded = parse(EXAMPLE_TOML, Format::Toml).unwrap();
        assert!(loaded.findings.is_empty(), "{:?}", loaded.findings);
        let findings = validate(&loaded.file);
        assert!(findings.is_empty(), "{findings:#?}");
    }

    #[test]
    fn the_example_has_registered_and_unregistered_customers() {
        let file = parse(EXAMPLE_TOML, Format::Toml).unwrap().file;
        let lab = file.lab.as_ref().unwrap();
        let registered = lab.customers.iter().filter(|c| file.is_registered(c.asn)).count();
        assert_eq!(file.registered_asns.len(), 3);
        assert_eq!(registered, 3);
        assert!(lab.customers.len() > registered);
        assert_eq!(file.connections.len(), 2);
    }

    /// What AS8075's edges hold once the example's lab has converged: every registered
    /// customer's prefixes on both connections, with the path the transparent route server
    /// passes on (the customer's ASN, then its origin when that differs).
    fn converged(file: &PeeringFile) -> EdgeRoutes {
        let connections: Vec<EdgeConnection> = file
            .connections
            .iter()
            .map(|c| EdgeConnection {
                name: c.connection_identifier.clone().unwrap_or_default(),
                ipv4_established: true,
                ipv6_established: true,
            })
            .collect();
        let mut routes = Vec::new();
        for customer in file.lab.iter().flat_map(|l| &l.customers) {
            let origin = customer.origins()[0];
            if !file.is_registered(origin) {
                continue;
            }
            let as_path = if origin == customer.asn {
                vec![customer.asn]
            } else {
                vec![customer.asn, origin]
            };
            let prefixes = customer
                .prefixes_v4
                .iter()
                .map(|p| ipnet::IpNet::V4(*p))
                .chain(customer.prefixes_v6.iter().map(|p| ipnet::IpNet::V6(*p)));
            for prefix in prefixes {
                for connection in 0..connections.len() {
                    routes.push(ReceivedRoute {
                        connection,
                        prefix,
                        as_path: as_path.clone(),
                    });
                }
            }
        }
        EdgeRoutes { connections, routes }
    }

    #[test]
    fn the_examples_registered_prefixes_verify_but_the_one_tundra_net_does_not_announce() {
        let file = parse(EXAMPLE_TOML, Format::Toml).unwrap().file;
        let edges = converged(&file);
        let mut states = Vec::new();
        for prefix in file.peering_services.iter().flat_map(|s| &s.prefixes) {
            let v = validate_prefix(&file.registered_asns, prefix, &edges);
            states.push((
                prefix.name.clone().unwrap_or_default(),
                v.prefix_validation_state,
                v.learned_type,
            ));
            if v.prefix_validation_state == PrefixValidationState::Failed {
                assert_eq!(
                    v.error_message.as_deref(),
                    Some("prefix not received from the provider")
                );
            }
        }
        use PrefixValidationState::{Failed, Verified};
        assert_eq!(
            states,
            [
                ("fjordcloud-v4".to_string(), Verified, LearnedType::ViaSession),
                ("fjordcloud-v6".to_string(), Verified, LearnedType::ViaSession),
                ("tundra-net-main".to_string(), Verified, LearnedType::ViaSession),
                ("tundra-net-new".to_string(), Failed, LearnedType::None),
            ]
        );
    }

    #[test]
    fn announcing_the_missing_prefix_is_the_fix_the_example_teaches() {
        let mut file = parse(EXAMPLE_TOML, Format::Toml).unwrap().file;
        let tundra = file
            .lab
            .as_mut()
            .and_then(|l| l.customers.iter_mut().find(|c| c.name == "tundra-net"))
            .unwrap();
        tundra.prefixes_v4.push("194.110.220.0/24".parse().unwrap());
        assert!(validate(&file).is_empty());
        let edges = converged(&file);
        let new = &file.peering_services[1].prefixes[1];
        let v = validate_prefix(&file.registered_asns, new, &edges);
        assert_eq!(v.prefix_validation_state, PrefixValidationState::Verified);
    }
}
