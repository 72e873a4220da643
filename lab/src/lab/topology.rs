//! Who runs in a lab and where: the route server's configuration, one AS8075 edge speaker per
//! connection (an IPv4 and an IPv6 session), one speaker per customer and address family, and
//! the loopback socket behind every session address.
//!
//! The file's session addresses are labels: the route server knows each session by its label
//! (and checks NEXT_HOP against it), while the TCP connection runs on loopback. IPv4 sessions
//! come from their own 127.0.x.y source address to one shared listen socket; IPv6 sessions all
//! come from `::1`, each to a listen port of its own. Customers, who have no addresses in the
//! file, get labels from the documentation ranges 198.51.100.0/24 and 2001:db8:100::/64.

use crate::peering::model::{DirectConnection, PeeringFile};
use bgp_core::Family;
use ipnet::IpNet;
use route_server::runtime::Transport;
use route_server::{ClientConfig, RouteServerConfig};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Microsoft's ASN.
pub const MICROSOFT_ASN: u32 = 8075;

/// Most connections or customers a lab holds (one loopback source address each).
const MAX_MEMBERS: usize = 200;

/// What a speaker is in the lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Microsoft's edge on connection `connection` (index into [`Topology::connections`]).
    Edge {
        /// The connection's index.
        connection: usize,
    },
    /// A customer of the exchange.
    Customer {
        /// Whether its ASN is one of the peering's registered ASNs.
        registered: bool,
    },
}

/// One lab speaker: one BGP session to the route server.
#[derive(Debug, Clone)]
pub struct SpeakerPlan {
    /// E.g. `AS8075-1 v4` or `fjordcloud v6`.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Its ASN.
    pub asn: u32,
    /// Its BGP identifier.
    pub router_id: Ipv4Addr,
    /// The address family of the session.
    pub family: Family,
    /// The session address shown to the user (the route server's name for the session).
    pub label: IpAddr,
    /// The loopback address the connection comes from.
    pub source: IpAddr,
    /// The route server's loopback socket for this session.
    pub listen: SocketAddr,
    /// The route server's name for the session, `client@label`.
    pub rs_session: String,
    /// Prefixes announced (customers only).
    pub prefixes: Vec<IpNet>,
    /// AS_PATH of the announcements, ending in the origin ASN.
    pub as_path: Vec<u32>,
    /// TCP-MD5 key of the session (the connection's `md5AuthenticationKey`; edges only).
    pub md5: Option<String>,
}

/// One connection of the file (or added while running), as shown in the Connections view.
#[derive(Debug, Clone)]
pub struct ConnectionPlan {
    /// `connectionIdentifier`, or `connection N`.
    pub name: String,
    /// `peeringDBFacilityId`.
    pub facility: Option<u32>,
    /// Index of its IPv4 edge speaker; `None` without an IPv4 session.
    pub v4: Option<usize>,
    /// Index of its IPv6 edge speaker; `None` without an IPv6 session.
    pub v6: Option<usize>,
    /// The route server's client of this connection, e.g. `AS8075-1`.
    pub client: String,
    /// Why provisioning failed (`ProvisioningFailed`); no session is started then.
    pub error_message: Option<String>,
    /// Removed (de-configured): its addresses are free again.
    pub removed: bool,
    /// The `DirectConnection` resource as given.
    pub resource: DirectConnection,
}

/// Everything a lab runs.
#[derive(Debug, Clone)]
pub struct Topology {
    /// The route server, started with no registered ASN (deny-all).
    pub rs: RouteServerConfig,
    /// The loopback transport of every session.
    pub transports: Vec<Transport>,
    /// Every lab speaker.
    pub speakers: Vec<SpeakerPlan>,
    /// The connections.
    pub connections: Vec<ConnectionPlan>,
}

/// A free TCP port on `ip` (bound and released at once).
pub(super) fn free_port(ip: IpAddr) -> Result<u16, String> {
    crate::daemons::free_port(ip).map_err(|e| format!("cannot find a free port on {ip}: {e}"))
}

pub(super) fn v4_source(net: u8, index: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, net, (index + 1) as u8))
}

impl Topology {
    /// Plans the lab of `file`: fails (naming the field) when something it needs is missing.
    pub fn plan(file: &PeeringFile) -> Result<Topology, String> {
        let rs_asn = file
            .peer_asn
            .as_ref()
            .and_then(|p| p.peer_asn)
            .ok_or("`peerAsn.peerAsn`: the exchange's ASN is needed to run its route server")?;
        let customers = file.lab.as_ref().map(|l| l.customers.clone()).unwrap_or_default();
        if file.connections.len() > MAX_MEMBERS || customers.len() > MAX_MEMBERS {
            return Err(format!(
                "a lab runs at most {MAX_MEMBERS} connections and {MAX_MEMBERS} customers"
            ));
        }
        let lo4 = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let lo6 = IpAddr::V6(Ipv6Addr::LOCALHOST);
        let listen4 = SocketAddr::new(lo4, free_port(lo4)?);
        let mut rs = RouteServerConfig::new(rs_asn, Ipv4Addr::new(10, 255, 255, 1));
        rs.listen = vec![listen4];
        let mut top = Topology {
            rs,
            transports: Vec::new(),
            speakers: Vec::new(),
            connections: Vec::new(),
        };
        for conn in &file.connections {
            if let Some(client) = top.plan_connection(conn)?.client {
                top.rs.clients.push(client);
            }
        }
        for (i, cu) in customers.iter().enumerate() {
            let registered = file.is_registered(cu.asn);
            let origin = cu.origins().first().copied().unwrap_or(cu.asn);
            let as_path = if origin == cu.asn {
                vec![cu.asn]
            } else {
                vec![cu.asn, origin]
            };
            let l4 = IpAddr::V4(Ipv4Addr::new(198, 51, 100, (i + 10) as u8));
            let l6 = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0x100, 0, 0, 0, 0, (i + 10) as u16));
            top.rs.clients.push(ClientConfig {
                name: cu.name.clone(),
                asn: cu.asn,
                addresses: vec![l4, l6],
                md5_key: None,
                max_prefixes_v4: None,
                max_prefixes_v6: None,
                add_path: false,
                restart_after_secs: None,
            });
            top.add(SpeakerPlan {
                name: format!("{} v4", cu.name),
                role: Role::Customer { registered },
                asn: cu.asn,
                router_id: Ipv4Addr::new(10, 211, 0, (i + 1) as u8),
                family: Family::IPV4_UNICAST,
                label: l4,
                source: v4_source(2, i),
                listen: listen4,
                rs_session: format!("{}@{l4}", cu.name),
                prefixes: cu.prefixes_v4.iter().map(|p| IpNet::V4(*p)).collect(),
                as_path: as_path.clone(),
                md5: None,
            });
            top.add(SpeakerPlan {
                name: format!("{} v6", cu.name),
                role: Role::Customer { registered },
                asn: cu.asn,
                router_id: Ipv4Addr::new(10, 211, 0, (i + 1) as u8),
                family: Family::IPV6_UNICAST,
                label: l6,
                source: lo6,
                listen: SocketAddr::new(lo6, free_port(lo6)?),
                rs_session: format!("{}@{l6}", cu.name),
                prefixes: cu.prefixes_v6.iter().map(|p| IpNet::V6(*p)).collect(),
                as_path,
                md5: None,
            });
        }
        Ok(top)
    }

    pub(super) fn add(&mut self, s: SpeakerPlan) -> usize {
        self.transports.push(Transport {
            session_address: s.label,
            listen: s.listen,
            peer: s.source,
        });
        self.speakers.push(s);
        self.speakers.len() - 1
    }

    /// Every prefix a registered customer announces: what AS8075 must hold to be converged.
    pub fn expected_at_edge(&self) -> Vec<IpNet> {
        let mut v: Vec<IpNet> = self
            .speakers
            .iter()
            .filter(|s| matches!(s.role, Role::Customer { registered: true }))
            .flat_map(|s| s.prefixes.iter().copied())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peering::example::EXAMPLE_TOML;
    use crate::peering::load::{parse, Format};

    #[test]
    fn the_example_plans_two_edge_sessions_per_connection_and_two_per_customer() {
        let file = parse(EXAMPLE_TOML, Format::Toml).unwrap().file;
        let top = Topology::plan(&file).unwrap();
        let customers = file.lab.as_ref().unwrap().customers.len();
        assert_eq!(top.speakers.len(), 2 * file.connections.len() + 2 * customers);
        assert!(top.rs.validate().is_empty(), "{:?}", top.rs.validate());
        assert!(top.rs.registered_asns.is_empty());
        for s in &top.speakers {
            assert!(s.source.is_loopback() && s.listen.ip().is_loopback(), "{s:?}");
            assert!(top.transports.iter().any(|t| t.session_address == s.label));
        }
        let edge = top.expected_at_edge();
        assert!(edge.contains(&"185.42.136.0/22".parse().unwrap()));
        assert!(!edge.contains(&"91.220.14.0/24".parse().unwrap()));
    }
}
