//! Routes a speaker announces: one attribute set over a list of prefixes, or a file of UPDATE
//! JSON lines (what `peerlab decode` prints), encoded for the negotiated session.

use bgp_core::attr::{AsPath, AttrValue, Community, LargeCommunity, NextHop, Origin, PathAttribute};
use bgp_core::nlri::Nlri;
use bgp_core::{Message, SessionContext, UpdateBuilder};
use bytes::Bytes;
use ipnet::IpNet;
use std::net::IpAddr;
use std::path::Path;

/// Prefixes announced with one attribute set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// Prefixes to announce (IPv4 and IPv6).
    pub prefixes: Vec<IpNet>,
    /// NEXT_HOP (default: the session's local address).
    pub next_hop: Option<IpAddr>,
    /// AS_PATH as one AS_SEQUENCE, left to right (default: the local AS).
    pub as_path: Option<Vec<u32>>,
    /// ORIGIN.
    pub origin: Origin,
    /// MULTI_EXIT_DISC.
    pub med: Option<u32>,
    /// LOCAL_PREF (only meaningful on iBGP sessions).
    pub local_pref: Option<u32>,
    /// COMMUNITIES.
    pub communities: Vec<Community>,
    /// LARGE_COMMUNITY.
    pub large_communities: Vec<LargeCommunity>,
}

impl Announcement {
    /// `prefixes` with ORIGIN IGP and nothing else set.
    pub fn new(prefixes: Vec<IpNet>) -> Self {
        Announcement {
            prefixes,
            next_hop: None,
            as_path: None,
            origin: Origin::Igp,
            med: None,
            local_pref: None,
            communities: Vec::new(),
            large_communities: Vec::new(),
        }
    }

    fn attributes(&self, local_as: u32) -> Vec<PathAttribute> {
        let path = self.as_path.clone().unwrap_or_else(|| vec![local_as]);
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
        if !self.communities.is_empty() {
            attrs.push(PathAttribute::new(AttrValue::Communities(self.communities.clone())));
        }
        if !self.large_communities.is_empty() {
            attrs.push(PathAttribute::new(AttrValue::LargeCommunities(
                self.large_communities.clone(),
            )));
        }
        attrs
    }

    /// The UPDATEs announcing every prefix for `ctx`, packed; IPv4 prefixes with NEXT_HOP,
    /// IPv6 ones in MP_REACH_NLRI.
    pub fn encode(&self, ctx: &SessionContext, local_as: u32, local_addr: IpAddr) -> Result<Vec<Bytes>, String> {
        let mut out = Vec::new();
        if self.prefixes.is_empty() {
            return Ok(out);
        }
        let mut attrs = self.attributes(local_as);
        let mut b = UpdateBuilder::new(*ctx);
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for p in &self.prefixes {
            match p {
                IpNet::V4(p) => v4.push(Nlri::new(*p)),
                IpNet::V6(p) => v6.push(Nlri::new(*p)),
            }
        }
        let nh = self.next_hop.unwrap_or(local_addr);
        if !v4.is_empty() {
            let IpAddr::V4(nh4) = nh else {
                return Err("the next hop must be an IPv4 address for IPv4 prefixes".into());
            };
            let mut a4 = attrs.clone();
            a4.push(PathAttribute::new(AttrValue::NextHop(nh4)));
            a4.sort_by_key(PathAttribute::type_code);
            b.announce_ipv4(&a4, v4, &mut out).map_err(|e| e.to_string())?;
        }
        if !v6.is_empty() {
            let IpAddr::V6(nh6) = nh else {
                return Err("the next hop must be an IPv6 address for IPv6 prefixes".into());
            };
            attrs.sort_by_key(PathAttribute::type_code);
            let nh = NextHop::V6 {
                global: nh6,
                link_local: None,
            };
            b.announce_ipv6(&attrs, &nh, v6, &mut out).map_err(|e| e.to_string())?;
        }
        Ok(out)
    }
}

/// The UPDATE messages of a file of JSON lines (the format `peerlab decode` writes), encoded
/// for `ctx`; any other message type, or a line that is not such JSON, is an error naming the
/// line.
pub fn updates_from_file(path: &Path, ctx: &SessionContext) -> Result<Vec<Bytes>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let at = format!("{}:{}", path.display(), i + 1);
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("{at}: not JSON: {e}"))?;
        let m = bgp_core::json::message_from_json(&v, ctx).map_err(|e| format!("{at}: {e}"))?;
        if !matches!(m, Message::Update(_)) {
            return Err(format!("{at}: only UPDATE messages can be announced"));
        }
        out.push(m.to_bytes(ctx).map_err(|e| format!("{at}: {e}"))?);
    }
    Ok(out)
}
