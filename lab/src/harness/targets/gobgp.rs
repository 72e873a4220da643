//! GoBGP's configuration as the target route server: `route-server-client = true` per
//! neighbour, passive, a loopback `local-address-list`. Started by [`crate::daemons`] (its
//! gRPC API on 127.0.0.1, pprof off).

use crate::harness::load::{Client, TARGET_AS};
use std::fmt::Write as _;
use std::net::SocketAddr;

/// gobgpd's configuration (TOML) for a route server on `listen` serving `clients`.
pub fn config(listen: SocketAddr, clients: &[Client]) -> String {
    let mut c = String::new();
    let _ = writeln!(c, "[global.config]\n  as = {TARGET_AS}\n  router-id = \"10.255.255.1\"");
    let _ = writeln!(
        c,
        "  port = {}\n  local-address-list = [\"{}\"]",
        listen.port(),
        listen.ip()
    );
    for cl in clients {
        let _ = writeln!(
            c,
            "[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \"{}\"\n    peer-as = {}",
            cl.addr, cl.asn
        );
        let _ = writeln!(c, "  [neighbors.transport.config]\n    passive-mode = true");
        let _ = writeln!(c, "  [neighbors.route-server.config]\n    route-server-client = true");
        for fam in ["ipv4-unicast", "ipv6-unicast"] {
            let _ = writeln!(
                c,
                "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"{fam}\""
            );
        }
    }
    c
}
