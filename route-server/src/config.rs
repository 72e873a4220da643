//! Typed configuration, read from TOML by `peerlab route-server --config FILE`: listen
//! addresses, clients (ASN, session addresses, MD5 key, limits), registered customer ASNs and
//! the policy switches. Every field has a default where one makes sense; [`RouteServerConfig::validate`]
//! names the field and the fix for every problem it finds.

use crate::asn::is_bogon_asn;
use crate::session::SessionConfig;
use bgp_core::Family;
use serde::Deserialize;
use std::collections::HashSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

/// The whole route server configuration.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RouteServerConfig {
    /// The route server's own ASN (`RS` in the announcement-control communities). It is never
    /// added to AS_PATH (RFC 7947).
    pub asn: u32,
    /// BGP identifier of the route server.
    pub router_id: Ipv4Addr,
    /// Addresses to listen on (loopback in the lab).
    #[serde(default)]
    pub listen: Vec<SocketAddr>,
    /// Import policy switches and limits.
    #[serde(default)]
    pub import: ImportConfig,
    /// Best-path and export switches.
    #[serde(default)]
    pub export: ExportConfig,
    /// The exchange's registered customer ASNs (the AS8075 rule).
    #[serde(default)]
    pub registered_asns: Vec<u32>,
    /// The clients.
    #[serde(default)]
    pub clients: Vec<ClientConfig>,
}

/// The import chain's limits and switches.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ImportConfig {
    /// Shortest accepted IPv4 prefix (default 8).
    pub ipv4_min_length: u8,
    /// Longest accepted IPv4 prefix (default 24).
    pub ipv4_max_length: u8,
    /// Shortest accepted IPv6 prefix (default 19).
    pub ipv6_min_length: u8,
    /// Longest accepted IPv6 prefix (default 48).
    pub ipv6_max_length: u8,
    /// Longest accepted AS_PATH, in ASNs (default 64).
    pub max_as_path_length: u32,
    /// Accept a NEXT_HOP that is the session address of another session whose client has the
    /// same ASN (default false).
    pub allow_same_as_next_hop: bool,
    /// Reject routes with a bogon ASN anywhere in the path (default true).
    pub reject_bogon_asns: bool,
    /// Reject routes whose origin ASN is not registered (the AS8075 rule; default true).
    pub require_registered_origin: bool,
    /// Microsoft Peering Service checks: path of at most 3 ASNs, no prepending, no private
    /// ASNs (default false).
    pub peering_service: bool,
    /// RPKI origin validation.
    pub rpki: RpkiConfig,
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            ipv4_min_length: 8,
            ipv4_max_length: 24,
            ipv6_min_length: 19,
            ipv6_max_length: 48,
            max_as_path_length: 64,
            allow_same_as_next_hop: false,
            reject_bogon_asns: true,
            require_registered_origin: true,
            peering_service: false,
            rpki: RpkiConfig::default(),
        }
    }
}

/// RPKI origin validation against a local ROA file.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct RpkiConfig {
    /// Reject RPKI-invalid routes (default false).
    pub reject_invalid: bool,
    /// The ROA file: the JSON routinator and rpki-client export.
    pub roa_file: Option<PathBuf>,
}

/// Best-path and export switches.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ExportConfig {
    /// Compare MED between routes from different neighbour ASes too (default false: only
    /// between routes from the same neighbour AS, RFC 4271 §9.1.2.2 (c)).
    pub always_compare_med: bool,
}

/// One client of the route server: one network, with one session per address.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// A name unique among clients.
    pub name: String,
    /// The client's ASN.
    pub asn: u32,
    /// Session addresses of the client; each is its own session (IPv4 and IPv6 are separate
    /// sessions, as in the Azure model).
    pub addresses: Vec<IpAddr>,
    /// TCP-MD5 key (RFC 2385), carried to the session driver.
    #[serde(default)]
    pub md5_key: Option<String>,
    /// Most IPv4 prefixes the client may announce (Azure `maxPrefixesAdvertisedV4`).
    #[serde(default)]
    pub max_prefixes_v4: Option<u32>,
    /// Most IPv6 prefixes the client may announce (Azure `maxPrefixesAdvertisedV6`).
    #[serde(default)]
    pub max_prefixes_v6: Option<u32>,
    /// Offer ADD-PATH send (all allowed paths) to this client.
    #[serde(default)]
    pub add_path: bool,
    /// After a max-prefix shutdown, restart after this many seconds; absent: stay down.
    #[serde(default)]
    pub restart_after_secs: Option<u64>,
}

/// A configuration problem: the field, what is wrong, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The field's path, e.g. `clients[1].asn`.
    pub field: String,
    /// What is wrong.
    pub problem: String,
    /// How to fix it.
    pub fix: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}; fix: {}", self.field, self.problem, self.fix)
    }
}

impl std::error::Error for ConfigError {}

fn err(field: impl Into<String>, problem: impl Into<String>, fix: impl Into<String>) -> ConfigError {
    ConfigError {
        field: field.into(),
        problem: problem.into(),
        fix: fix.into(),
    }
}

impl ImportConfig {
    fn validate(&self, out: &mut Vec<ConfigError>) {
        let lengths = [
            (
                "import.ipv4_min_length",
                "import.ipv4_max_length",
                self.ipv4_min_length,
                self.ipv4_max_length,
                32,
            ),
            (
                "import.ipv6_min_length",
                "import.ipv6_max_length",
                self.ipv6_min_length,
                self.ipv6_max_length,
                128,
            ),
        ];
        for (min_name, max_name, min, max, bits) in lengths {
            if max > bits {
                out.push(err(
                    max_name,
                    format!("{max} is longer than a {bits}-bit prefix"),
                    format!("use at most {bits}"),
                ));
            }
            if min > max {
                out.push(err(
                    min_name,
                    format!("{min} is above `{max_name}` ({max})"),
                    format!("make `{min_name}` ≤ `{max_name}`"),
                ));
            }
        }
        if self.max_as_path_length == 0 {
            out.push(err(
                "import.max_as_path_length",
                "0 would reject every route",
                "use 64, the usual IXP limit",
            ));
        }
    }
}

impl RouteServerConfig {
    /// A configuration with defaults, no clients and no registered ASNs.
    pub fn new(asn: u32, router_id: Ipv4Addr) -> Self {
        RouteServerConfig {
            asn,
            router_id,
            listen: Vec::new(),
            import: ImportConfig::default(),
            export: ExportConfig::default(),
            registered_asns: Vec::new(),
            clients: Vec::new(),
        }
    }

    /// Every problem found, each naming the field and the fix; empty when the configuration
    /// can be used.
    pub fn validate(&self) -> Vec<ConfigError> {
        let mut out = Vec::new();
        if self.asn == 0 {
            out.push(err("asn", "0 is reserved (RFC 7607)", "set the route server's ASN"));
        }
        for (i, l) in self.listen.iter().enumerate() {
            if !l.ip().is_loopback() && !l.ip().is_unspecified() {
                tracing::debug!(listen = %l, "non-loopback listen address configured");
            }
            if self.listen[..i].contains(l) {
                out.push(err(
                    format!("listen[{i}]"),
                    format!("{l} is listed twice"),
                    "remove the duplicate",
                ));
            }
        }
        self.import.validate(&mut out);
        if self.import.rpki.reject_invalid && self.import.rpki.roa_file.is_none() {
            out.push(err(
                "import.rpki.roa_file",
                "RPKI rejection is on but no ROA file is given",
                "set `roa_file` to routinator's or rpki-client's JSON export, or turn `reject_invalid` off",
            ));
        }
        let mut seen_asns = HashSet::new();
        for (i, asn) in self.registered_asns.iter().enumerate() {
            if *asn == 0 || is_bogon_asn(*asn) {
                out.push(err(
                    format!("registered_asns[{i}]"),
                    format!("{asn} is a reserved or private ASN"),
                    "register public customer ASNs only",
                ));
            }
            if !seen_asns.insert(*asn) {
                out.push(err(
                    format!("registered_asns[{i}]"),
                    format!("{asn} is registered twice"),
                    "remove the duplicate (Azure refuses duplicate registrations)",
                ));
            }
        }
        self.validate_clients(&mut out);
        out
    }

    /// The clients' problems: names, ASNs, addresses, limits and keys.
    fn validate_clients(&self, out: &mut Vec<ConfigError>) {
        let mut names = HashSet::new();
        let mut addresses = HashSet::new();
        for (i, c) in self.clients.iter().enumerate() {
            let at = |f: &str| format!("clients[{i}].{f}");
            if c.name.trim().is_empty() {
                out.push(err(at("name"), "empty", "give the client a unique name"));
            } else if !names.insert(c.name.as_str()) {
                out.push(err(
                    at("name"),
                    format!("`{}` is used by another client", c.name),
                    "give each client a unique name",
                ));
            }
            if c.asn == 0 || c.asn == 23456 {
                out.push(err(
                    at("asn"),
                    format!("{} cannot be a client's ASN", c.asn),
                    "use the client's own ASN",
                ));
            }
            if c.asn == self.asn {
                out.push(err(
                    at("asn"),
                    "equals the route server's ASN",
                    "route server clients are eBGP peers: use the client's ASN",
                ));
            }
            if c.addresses.is_empty() {
                out.push(err(
                    at("addresses"),
                    "no session address",
                    "add the client's IPv4 and/or IPv6 session address",
                ));
            }
            for (j, a) in c.addresses.iter().enumerate() {
                if !addresses.insert(*a) {
                    out.push(err(
                        format!("clients[{i}].addresses[{j}]"),
                        format!("{a} is used by another session"),
                        "each session needs its own address",
                    ));
                }
            }
            for (f, v) in [
                ("max_prefixes_v4", c.max_prefixes_v4),
                ("max_prefixes_v6", c.max_prefixes_v6),
            ] {
                if v == Some(0) {
                    out.push(err(
                        at(f),
                        "0 would take the session down at its first route",
                        "omit it for no limit, or use e.g. 2000 (IPv4) / 500 (IPv6)",
                    ));
                }
            }
            if c.md5_key.as_ref().is_some_and(|k| k.len() > 80) {
                out.push(err(
                    at("md5_key"),
                    "longer than 80 octets (the TCP-MD5 key limit)",
                    "use a shorter key",
                ));
            }
        }
    }

    /// The sessions the clients describe: one per client address, with the family of the
    /// address and that family's max-prefix limit.
    pub fn sessions(&self) -> Vec<SessionConfig> {
        let mut out = Vec::new();
        for c in &self.clients {
            for a in &c.addresses {
                let family = match a {
                    IpAddr::V4(_) => Family::IPV4_UNICAST,
                    IpAddr::V6(_) => Family::IPV6_UNICAST,
                };
                let mut s = SessionConfig::new(&c.name, c.asn, *a);
                s.families = vec![family];
                s.max_prefixes_v4 = c.max_prefixes_v4;
                s.max_prefixes_v6 = c.max_prefixes_v6;
                s.md5_key.clone_from(&c.md5_key);
                s.add_path = c.add_path;
                s.restart_after = c.restart_after_secs.map(std::time::Duration::from_secs);
                out.push(s);
            }
        }
        out
    }
}
