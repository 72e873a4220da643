//! BIRD 2's configuration as the target route server: `rs client` per neighbour, `strict
//! bind on` to a loopback address, `multihop`, passive, import and export of everything
//! learned by BGP. Started by [`crate::daemons`] (which adds the `log` line).

use crate::harness::load::{Client, TARGET_AS};
use std::fmt::Write as _;
use std::net::SocketAddr;

/// BIRD's configuration for a route server on `listen` serving `clients`.
pub fn config(listen: SocketAddr, clients: &[Client]) -> String {
    let mut c = String::new();
    let _ = writeln!(c, "router id 10.255.255.1;");
    let _ = writeln!(c, "protocol device {{ scan time 60; }}");
    // The testers' next hops are labels on no network: routes to them via `lo` make them
    // resolvable in BIRD's own tables (nothing is exported to the kernel).
    let _ = writeln!(
        c,
        "protocol static nh4 {{ ipv4; route 100.64.0.0/10 via \"lo\"; }}\nprotocol static nh6 {{ ipv6; route 2001:db8::/32 via \"lo\"; }}"
    );
    let _ = writeln!(c, "template bgp rsclient {{");
    let _ = writeln!(c, "  local {} port {} as {TARGET_AS};", listen.ip(), listen.port());
    let _ = writeln!(c, "  strict bind on;\n  multihop;\n  rs client;\n  passive on;");
    let _ = writeln!(c, "  hold time 90;\n  connect retry time 1;\n  error wait time 1, 5;");
    let _ = writeln!(c, "  ipv4 {{ import all; export where source = RTS_BGP; }};");
    let _ = writeln!(c, "  ipv6 {{ import all; export where source = RTS_BGP; }};");
    let _ = writeln!(c, "}}");
    for cl in clients {
        let _ = writeln!(
            c,
            "protocol bgp c{} from rsclient {{ neighbor {} as {}; }}",
            cl.index, cl.addr, cl.asn
        );
    }
    c
}
