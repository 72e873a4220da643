//! The command-line flags of the routes `peerlab speaker` announces, turned into the library's
//! [`Announcement`] and a file of UPDATE JSON lines.

use bgp_core::attr::{Community, LargeCommunity, Origin};
use bgp_core::SessionContext;
use bytes::Bytes;
use clap::Args;
use ipnet::IpNet;
use peerlab::announce::{updates_from_file, Announcement};
use std::net::IpAddr;

/// Routes given on the command line; all share one attribute set.
#[derive(Args, Debug, Clone)]
pub struct RouteArgs {
    /// Prefixes to announce (IPv4 and IPv6), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "PREFIX[,PREFIX]")]
    pub announce: Vec<IpNet>,
    /// Next hop for the announced prefixes (default: the session's local address).
    #[arg(long, value_name = "ADDRESS")]
    pub next_hop: Option<IpAddr>,
    /// AS_PATH as space- or comma-separated ASNs (default: the local AS).
    #[arg(long, value_name = "ASNS")]
    pub as_path: Option<String>,
    /// ORIGIN: igp, egp or incomplete.
    #[arg(long, default_value = "igp", value_parser = parse_origin)]
    pub origin: Origin,
    /// MULTI_EXIT_DISC.
    #[arg(long)]
    pub med: Option<u32>,
    /// LOCAL_PREF (only meaningful on iBGP sessions).
    #[arg(long)]
    pub local_pref: Option<u32>,
    /// Communities, `ASN:value` or well-known names, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub community: Vec<Community>,
    /// Large communities, `global:local1:local2`, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub large_community: Vec<LargeCommunity>,
    /// A file of UPDATE messages as JSON lines (the format `peerlab decode` writes).
    #[arg(long, value_name = "FILE")]
    pub routes: Option<std::path::PathBuf>,
}

fn parse_origin(s: &str) -> Result<Origin, String> {
    Origin::from_name(s).ok_or_else(|| format!("origin `{s}`: use igp, egp or incomplete"))
}

fn parse_as_path(s: &str) -> Result<Vec<u32>, String> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<u32>()
                .map_err(|_| format!("--as-path: `{t}` is not an AS number"))
        })
        .collect()
}

impl RouteArgs {
    /// The flags' routes as the library's [`Announcement`].
    pub fn announcement(&self) -> Result<Announcement, String> {
        Ok(Announcement {
            prefixes: self.announce.clone(),
            next_hop: self.next_hop,
            as_path: self.as_path.as_deref().map(parse_as_path).transpose()?,
            origin: self.origin,
            med: self.med,
            local_pref: self.local_pref,
            communities: self.community.clone(),
            large_communities: self.large_community.clone(),
        })
    }

    /// Encodes every route for `ctx`: the file's UPDATEs first, then the flags' prefixes.
    pub fn encode(&self, ctx: &SessionContext, local_as: u32, local_addr: IpAddr) -> Result<Vec<Bytes>, String> {
        let mut out = match &self.routes {
            Some(path) => updates_from_file(path, ctx).map_err(|e| format!("--routes {e}"))?,
            None => Vec::new(),
        };
        out.extend(
            self.announcement()?
                .encode(ctx, local_as, local_addr)
                .map_err(|e| e.replace("the next hop", "--next-hop"))?,
        );
        Ok(out)
    }
}
