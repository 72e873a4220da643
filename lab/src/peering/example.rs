//! The built-in example exchange, compiled into the binary.

/// The example peering file: Kestrel Internet Exchange, a Direct/IxRs/Premium_Direct_Free
/// peering with two dual-stack connections, three registered customers and one unregistered.
pub const EXAMPLE_TOML: &str = include_str!("example.toml");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peering::load::{parse, Format};
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
}
