//! Planning one connection's AS8075 edge sessions, at start or while the lab runs: the route
//! server client `AS8075-N` with the Microsoft session addresses, an edge speaker per
//! session, and the check that no session address is already configured elsewhere (else the
//! connection is `ProvisioningFailed` with an `errorMessage`, and no session starts).

use super::topology::{free_port, v4_source, ConnectionPlan, Role, SpeakerPlan, Topology, MICROSOFT_ASN};
use crate::peering::model::DirectConnection;
use bgp_core::Family;
use route_server::runtime::Transport;
use route_server::ClientConfig;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Most connections a lab holds over its life (one loopback source address each).
const MAX_CONNECTIONS: usize = 250;

/// A connection or session just planned.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The connection's index.
    pub connection: usize,
    /// The route server client to add (`None` when provisioning failed).
    pub client: Option<ClientConfig>,
    /// The new edge speakers' indices.
    pub speakers: Vec<usize>,
}

fn family_name(a: IpAddr) -> &'static str {
    if a.is_ipv4() {
        "IPv4"
    } else {
        "IPv6"
    }
}

impl Topology {
    /// Who already uses `addr` in the lab: (ASN, description), for a live connection's
    /// session addresses (either end) or a customer's session address.
    pub fn holder_of(&self, addr: IpAddr, skip: Option<usize>) -> Option<(u32, String)> {
        for (i, c) in self.connections.iter().enumerate() {
            if Some(i) == skip || c.error_message.is_some() || c.removed {
                continue;
            }
            let Some(s) = &c.resource.bgp_session else { continue };
            let ms = [
                s.microsoft_session_ipv4_address.map(IpAddr::V4),
                s.microsoft_session_ipv6_address.map(IpAddr::V6),
            ];
            let peer = [
                s.peer_session_ipv4_address.map(IpAddr::V4),
                s.peer_session_ipv6_address.map(IpAddr::V6),
            ];
            if ms.contains(&Some(addr)) {
                return Some((MICROSOFT_ASN, format!("Microsoft's end of connection {}", c.name)));
            }
            if peer.contains(&Some(addr)) {
                return Some((self.rs.asn, format!("the peer's end of connection {}", c.name)));
            }
        }
        self.speakers
            .iter()
            .find(|s| matches!(s.role, Role::Customer { .. }) && s.label == addr)
            .map(|s| (s.asn, format!("customer {}", s.name)))
    }

    /// Why `conn`'s session addresses cannot be provisioned, if one is already configured.
    fn conflict(&self, conn: &DirectConnection, skip: Option<usize>) -> Option<String> {
        let s = conn.bgp_session.as_ref()?;
        let ours = [
            (s.peer_session_ipv4_address.map(IpAddr::V4), self.rs.asn),
            (s.peer_session_ipv6_address.map(IpAddr::V6), self.rs.asn),
            (s.microsoft_session_ipv4_address.map(IpAddr::V4), MICROSOFT_ASN),
            (s.microsoft_session_ipv6_address.map(IpAddr::V6), MICROSOFT_ASN),
        ];
        for (addr, asn) in ours {
            let Some(addr) = addr else { continue };
            if let Some((other, who)) = self.holder_of(addr, skip) {
                let family = family_name(addr);
                return Some(if other == asn {
                    format!("{family} address {addr} is already configured on {who}; give this connection its own session addresses")
                } else {
                    format!("{family} address {addr} is already configured with a different ASN (AS{other}, {who}); give this connection its own session addresses")
                });
            }
        }
        None
    }

    /// Plans `conn`: its edge speakers and route server client, or `ProvisioningFailed` when a
    /// session address is already configured. Fails (naming the field) when the connection
    /// has no Microsoft session address at all.
    pub fn plan_connection(&mut self, conn: &DirectConnection) -> Result<Planned, String> {
        let c = self.connections.len();
        if c >= MAX_CONNECTIONS {
            return Err(format!("a lab runs at most {MAX_CONNECTIONS} connections"));
        }
        let s = conn
            .bgp_session
            .as_ref()
            .ok_or_else(|| format!("`connections[{c}].bgpSession`: the lab needs the session addresses"))?;
        if s.microsoft_session_ipv4_address.is_none() && s.microsoft_session_ipv6_address.is_none() {
            return Err(format!(
                "`connections[{c}].bgpSession.microsoftSessionIPv4Address`: missing (and no IPv6 session either); \
                 give at least one session"
            ));
        }
        let name = conn
            .connection_identifier
            .clone()
            .unwrap_or_else(|| format!("connection {}", c + 1));
        let mut plan = ConnectionPlan {
            name,
            facility: conn.peering_db_facility_id,
            v4: None,
            v6: None,
            client: format!("AS8075-{}", c + 1),
            error_message: None,
            removed: false,
            resource: conn.clone(),
        };
        if let Some(e) = self.conflict(conn, None) {
            plan.error_message = Some(e);
            self.connections.push(plan);
            return Ok(Planned {
                connection: c,
                client: None,
                speakers: Vec::new(),
            });
        }
        let mut client = ClientConfig {
            name: plan.client.clone(),
            asn: MICROSOFT_ASN,
            addresses: Vec::new(),
            md5_key: s.md5_authentication_key.clone(),
            max_prefixes_v4: s.max_prefixes_advertised_v4,
            max_prefixes_v6: s.max_prefixes_advertised_v6,
            add_path: false,
            restart_after_secs: None,
        };
        self.connections.push(plan);
        let mut speakers = Vec::new();
        if let Some(a) = s.microsoft_session_ipv4_address {
            let i = self.plan_edge(c, IpAddr::V4(a))?;
            client.addresses.push(IpAddr::V4(a));
            self.connections[c].v4 = Some(i);
            speakers.push(i);
        }
        if let Some(a) = s.microsoft_session_ipv6_address {
            let i = self.plan_edge(c, IpAddr::V6(a))?;
            client.addresses.push(IpAddr::V6(a));
            self.connections[c].v6 = Some(i);
            speakers.push(i);
        }
        Ok(Planned {
            connection: c,
            client: Some(client),
            speakers,
        })
    }

    /// Plans one more session on connection `c` at Microsoft's address `ms` (the family it
    /// lacks). The client returned carries only the new address.
    pub fn plan_session(&mut self, c: usize, ms: IpAddr) -> Result<Planned, String> {
        let conn = self.connections.get(c).ok_or("no such connection")?;
        let family = family_name(ms);
        let has = if ms.is_ipv4() { conn.v4 } else { conn.v6 };
        if has.is_some() {
            return Err(format!("the connection already has an {family} session"));
        }
        if let Some((asn, who)) = self.holder_of(ms, Some(c)) {
            return Err(format!(
                "{family} address {ms} is already configured on {who} (AS{asn}); choose another address"
            ));
        }
        let client = ClientConfig {
            name: conn.client.clone(),
            asn: MICROSOFT_ASN,
            addresses: vec![ms],
            md5_key: conn
                .resource
                .bgp_session
                .as_ref()
                .and_then(|s| s.md5_authentication_key.clone()),
            max_prefixes_v4: conn
                .resource
                .bgp_session
                .as_ref()
                .and_then(|s| s.max_prefixes_advertised_v4),
            max_prefixes_v6: conn
                .resource
                .bgp_session
                .as_ref()
                .and_then(|s| s.max_prefixes_advertised_v6),
            add_path: false,
            restart_after_secs: None,
        };
        let i = self.plan_edge(c, ms)?;
        if ms.is_ipv4() {
            self.connections[c].v4 = Some(i);
        } else {
            self.connections[c].v6 = Some(i);
        }
        Ok(Planned {
            connection: c,
            client: Some(client),
            speakers: vec![i],
        })
    }

    /// The edge speaker of connection `c` for Microsoft's session address `ms`.
    fn plan_edge(&mut self, c: usize, ms: IpAddr) -> Result<usize, String> {
        let client = self.connections[c].client.clone();
        let lo6 = IpAddr::V6(Ipv6Addr::LOCALHOST);
        let (family, source, listen, suffix) = match ms {
            IpAddr::V4(_) => {
                let listen4 = self
                    .rs
                    .listen
                    .iter()
                    .find(|l| l.is_ipv4())
                    .copied()
                    .ok_or("the route server has no IPv4 listen address")?;
                (Family::IPV4_UNICAST, v4_source(1, c), listen4, "v4")
            }
            IpAddr::V6(_) => (Family::IPV6_UNICAST, lo6, SocketAddr::new(lo6, free_port(lo6)?), "v6"),
        };
        Ok(self.add(SpeakerPlan {
            name: format!("{client} {suffix}"),
            role: Role::Edge { connection: c },
            asn: MICROSOFT_ASN,
            router_id: Ipv4Addr::new(10, 80, 75, (c + 1) as u8),
            family,
            label: ms,
            source,
            listen,
            rs_session: format!("{client}@{ms}"),
            prefixes: Vec::new(),
            as_path: Vec::new(),
            md5: self.connections[c]
                .resource
                .bgp_session
                .as_ref()
                .and_then(|s| s.md5_authentication_key.clone()),
        }))
    }

    /// The loopback transports of speakers `idx`.
    pub fn transports_of(&self, idx: &[usize]) -> Vec<Transport> {
        idx.iter()
            .filter_map(|i| self.speakers.get(*i))
            .filter_map(|s| self.transports.iter().find(|t| t.session_address == s.label).cloned())
            .collect()
    }
}
