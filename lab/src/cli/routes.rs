//! Routes a speaker announces: from a file of UPDATE JSON lines (what `peerlab decode`
//! prints) and from command-line flags, encoded for the negotiated session.

use bgp_core::attr::{AsPath, AttrValue, Community, LargeCommunity, NextHop, Origin, PathAttribute};
use bgp_core::nlri::Nlri;
use bgp_core::{Message, SessionContext, UpdateBuilder};
use bytes::Bytes;
use clap::Args;
use ipnet::IpNet;
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
    /// Encodes every route for `ctx`: the file's UPDATEs first, then the flags' prefixes.
    pub fn encode(&self, ctx: &SessionContext, local_as: u32, local_addr: IpAddr) -> Result<Vec<Bytes>, String> {
        let mut out = Vec::new();
        if let Some(path) = &self.routes {
            let text = std::fs::read_to_string(path).map_err(|e| format!("--routes {}: {e}", path.display()))?;
            for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                let v: serde_json::Value =
                    serde_json::from_str(line).map_err(|e| format!("{}:{}: not JSON: {e}", path.display(), i + 1))?;
                let m = bgp_core::json::message_from_json(&v, ctx)
                    .map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
                if !matches!(m, Message::Update(_)) {
                    return Err(format!(
                        "{}:{}: only UPDATE messages can be announced",
                        path.display(),
                        i + 1
                    ));
                }
                out.push(
                    m.to_bytes(ctx)
                        .map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?,
                );
            }
        }
        if self.announce.is_empty() {
            return Ok(out);
        }
        let path = match &self.as_path {
            Some(p) => parse_as_path(p)?,
            None => vec![local_as],
        };
        let mut attrs = vec![
            PathAttribute::new(AttrValue::Origin(self.origin)),
            PathAttribute::new(AttrValue::AsPath(AsPath::sequence(path))),
        ];
        if let Some(m) = self.med {
            attrs.push(PathAttribute::new(AttrValue::Med(m)));
        }
        if let Some(l) = self.local_pref {
            attrs.push(PathAttribute::new(AttrValue::LocalPref(l)));
        }
        if !self.community.is_empty() {
            attrs.push(PathAttribute::new(AttrValue::Communities(self.community.clone())));
        }
        if !self.large_community.is_empty() {
            attrs.push(PathAttribute::new(AttrValue::LargeCommunities(
                self.large_community.clone(),
            )));
        }
        let mut b = UpdateBuilder::new(*ctx);
        let v4: Vec<_> = self
            .announce
            .iter()
            .filter_map(|p| {
                if let IpNet::V4(p) = p {
                    Some(Nlri::new(*p))
                } else {
                    None
                }
            })
            .collect();
        let v6: Vec<_> = self
            .announce
            .iter()
            .filter_map(|p| {
                if let IpNet::V6(p) = p {
                    Some(Nlri::new(*p))
                } else {
                    None
                }
            })
            .collect();
        let nh = self.next_hop.unwrap_or(local_addr);
        if !v4.is_empty() {
            let IpAddr::V4(nh4) = nh else {
                return Err("--next-hop must be an IPv4 address for IPv4 prefixes".into());
            };
            let mut a4 = attrs.clone();
            a4.push(PathAttribute::new(AttrValue::NextHop(nh4)));
            a4.sort_by_key(PathAttribute::type_code);
            b.announce_ipv4(&a4, v4, &mut out).map_err(|e| e.to_string())?;
        }
        if !v6.is_empty() {
            let IpAddr::V6(nh6) = nh else {
                return Err("--next-hop must be an IPv6 address for IPv6 prefixes".into());
            };
            attrs.sort_by_key(PathAttribute::type_code);
            b.announce_ipv6(
                &attrs,
                &NextHop::V6 {
                    global: nh6,
                    link_local: None,
                },
                v6,
                &mut out,
            )
            .map_err(|e| e.to_string())?;
        }
        Ok(out)
    }
}
