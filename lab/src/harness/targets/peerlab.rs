//! peerlab's own route server as the target: in this process (`route_server::runtime`
//! on the bench's tokio runtime) or as a separate `peerlab route-server --config FILE`.
//!
//! Every route of the load must pass the route server's import chain, so the generated
//! configuration switches off the two checks the load does not meet: bogon ASNs (the
//! clients have private 32-bit ASNs and the paths random ones) and registered origins (the
//! AS8075 rule: private ASNs cannot be registered). Testers announce their own session
//! address as IPv4 NEXT_HOP (see [`crate::harness::load::NextHops`]). The route server carries
//! one family per session, so in this process each client has a second session for IPv6
//! (its session address the IPv6 next-hop label, accepted on a port of its own from the
//! client's IPv4 address through a runtime [`Transport`] override); the configuration file of
//! the separate process has no such override, so that variant carries IPv4 only.

use crate::daemons::free_port;
use crate::harness::load::{client_addr, next_hop_label, Load, SessionTransport, TARGET_AS};
use route_server::runtime::{self, RouteServerHandle, RuntimeOptions, Transport};
use route_server::RouteServerConfig;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// Where the IPv4 sessions are accepted in this process (port 0: any free port).
const LISTEN_V4: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
/// Where the IPv6-family sessions are accepted in this process (a second listener).
const LISTEN_V6: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)), 0);
/// How long the sessions get to close when the in-process route server stops.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// The route server configuration (TOML) for `load`: one client per bench client, its
/// IPv4 session address its loopback address, plus its IPv6 next-hop label with `v6`.
pub fn config_toml(load: &Load, listen: SocketAddr, v6: bool) -> String {
    let mut c = String::new();
    let _ = writeln!(
        c,
        "asn = {TARGET_AS}\nrouter_id = \"10.255.255.1\"\nlisten = [\"{listen}\"]"
    );
    let _ = writeln!(
        c,
        "\n[import]\n# The load's clients have private ASNs and its paths random ones; private ASNs\n# cannot be registered: every route must pass, so both checks are off.\nreject_bogon_asns = false\nrequire_registered_origin = false"
    );
    for cl in &load.clients {
        let mut addrs = format!("\"{}\"", cl.addr);
        if v6 {
            let _ = write!(addrs, ", \"{}\"", next_hop_label(cl.index, true));
        }
        let _ = writeln!(
            c,
            "\n[[clients]]\nname = \"c{}\"\nasn = {}\naddresses = [{addrs}]",
            cl.index, cl.asn
        );
    }
    c
}

/// The route server started in this process and where its sessions connect.
pub struct InProcess {
    /// The handle (stopped with [`InProcess::stop`]).
    pub handle: RouteServerHandle,
    /// Where the clients' IPv4 (or only) sessions connect.
    pub addr: SocketAddr,
    /// Where the clients' IPv6-family sessions connect, when the load has IPv6 prefixes.
    pub v6_addr: Option<SocketAddr>,
    /// With IPv6 transport: per client, where its IPv4 (or only) session and its IPv6
    /// session connect (a port of their own on `::1`).
    pub client_ports: Option<Vec<(SocketAddr, Option<SocketAddr>)>>,
}

impl std::fmt::Debug for InProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcess")
            .field("addr", &self.addr)
            .field("v6_addr", &self.v6_addr)
            .finish_non_exhaustive()
    }
}

impl InProcess {
    /// Sends every session a Cease and stops the route server.
    pub async fn stop(self) {
        self.handle.shutdown(STOP_GRACE).await;
    }
}

/// Starts the route server for `load` on the current (multi-threaded) tokio runtime.
pub async fn start_in_process(load: &Load) -> Result<InProcess, String> {
    let v6 = load.carries(true);
    let text = config_toml(load, LISTEN_V4, v6);
    let config: RouteServerConfig = toml::from_str(&text).map_err(|e| format!("generated configuration: {e}"))?;
    if load.spec.transport == SessionTransport::Ipv6 {
        return start_over_ipv6(load, config, v6).await;
    }
    let transports = if v6 {
        load.clients
            .iter()
            .map(|cl| Transport {
                session_address: next_hop_label(cl.index, true),
                listen: LISTEN_V6,
                peer: client_addr(cl.index),
            })
            .collect()
    } else {
        Vec::new()
    };
    let opts = RuntimeOptions {
        transports,
        ..RuntimeOptions::default()
    };
    let handle = runtime::start(&config, opts).await.map_err(|e| e.to_string())?;
    let bound = handle.listen_addrs();
    let find = |want: SocketAddr| bound.iter().find(|(c, _)| *c == want).map(|(_, b)| *b);
    let addr = find(LISTEN_V4).ok_or("the route server has no IPv4 listener")?;
    let v6_addr = if v6 {
        Some(find(LISTEN_V6).ok_or("the route server has no listener for the IPv6 sessions")?)
    } else {
        None
    };
    Ok(InProcess {
        handle,
        addr,
        v6_addr,
        client_ports: None,
    })
}

/// IPv6 transport: every client connects from `::1`, so every session gets a listen port of
/// its own on `::1` (a runtime [`Transport`] override); the session addresses stay the
/// client's 127.1.x.y and IPv6 next-hop label.
async fn start_over_ipv6(load: &Load, mut config: RouteServerConfig, v6: bool) -> Result<InProcess, String> {
    let port = || free_port(IpAddr::V6(Ipv6Addr::LOCALHOST)).map_err(|e| format!("no free port on ::1: {e}"));
    let mut transports = Vec::new();
    let mut client_ports = Vec::with_capacity(load.clients.len());
    for cl in &load.clients {
        let a = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port()?);
        transports.push(Transport {
            session_address: cl.addr,
            listen: a,
            peer: cl.source,
        });
        let b = if v6 {
            let b = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port()?);
            transports.push(Transport {
                session_address: next_hop_label(cl.index, true),
                listen: b,
                peer: cl.source,
            });
            Some(b)
        } else {
            None
        };
        client_ports.push((a, b));
    }
    config.listen.clear();
    let opts = RuntimeOptions {
        transports,
        ..RuntimeOptions::default()
    };
    let handle = runtime::start(&config, opts).await.map_err(|e| e.to_string())?;
    let first = client_ports.first().map(|(a, _)| *a).ok_or("no clients")?;
    Ok(InProcess {
        handle,
        addr: first,
        v6_addr: client_ports.first().and_then(|(_, b)| *b),
        client_ports: Some(client_ports),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::load::{LoadSpec, NextHops, Shape};

    #[test]
    fn the_generated_configuration_is_valid_and_lets_every_route_pass() {
        let load = Load::new(LoadSpec {
            shape: Shape::Ixp,
            testers: 3,
            prefixes: 10,
            ipv6_share: 0.5,
            seed: 1,
            next_hops: NextHops::SessionAddress,
            transport: SessionTransport::Ipv4,
        })
        .unwrap();
        let c: RouteServerConfig = toml::from_str(&config_toml(&load, LISTEN_V4, true)).unwrap();
        assert!(c.validate().is_empty(), "{:?}", c.validate());
        assert!(!c.import.reject_bogon_asns && !c.import.require_registered_origin);
        assert_eq!(c.clients.len(), 3);
        assert_eq!(c.clients[2].addresses, vec![client_addr(2), next_hop_label(2, true)]);
        assert_eq!(c.sessions().len(), 6);
    }
}
