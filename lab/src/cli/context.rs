//! The session-context flags shared by `decode` and `encode`.

use bgp_core::{Family, SessionContext};
use clap::Args;

/// What the session negotiated; the same message bytes mean different things under
/// different contexts.
#[derive(Args, Debug, Clone)]
pub struct ContextArgs {
    /// A 2-octet AS session (no 4-octet AS capability): AS_PATH and AGGREGATOR carry 2-octet ASNs.
    #[arg(long)]
    pub asn2: bool,
    /// ADD-PATH path identifiers on these families (ipv4-unicast, ipv6-unicast).
    #[arg(long, value_name = "FAMILY[,FAMILY]", value_delimiter = ',', value_parser = parse_add_path_family)]
    pub add_path: Vec<Family>,
    /// Extended messages (RFC 8654): up to 65,535 octets.
    #[arg(long)]
    pub extended_message: bool,
    /// Extended next hop (RFC 8950): IPv4 unicast routes may have an IPv6 next hop.
    #[arg(long)]
    pub extended_next_hop: bool,
}

fn parse_add_path_family(s: &str) -> Result<Family, String> {
    let f: Family = s.parse()?;
    if f == Family::IPV4_UNICAST || f == Family::IPV6_UNICAST {
        Ok(f)
    } else {
        Err(format!(
            "ADD-PATH is modelled for ipv4-unicast and ipv6-unicast only (other families are opaque), not `{s}`"
        ))
    }
}

impl ContextArgs {
    /// The session context these flags describe.
    pub fn context(&self) -> SessionContext {
        let mut ctx = SessionContext {
            four_octet_as: !self.asn2,
            extended_message: self.extended_message,
            extended_next_hop: self.extended_next_hop,
            ..SessionContext::default()
        };
        for f in &self.add_path {
            ctx.set_add_path(*f, true);
        }
        ctx
    }
}
