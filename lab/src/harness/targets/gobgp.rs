//! GoBGP as the target route server: `route-server-client = true` per neighbour, passive,
//! a loopback `local-address-list`, the gRPC API on 127.0.0.1 and pprof off.

use super::process::{find_program, free_port, scratch_dir, DaemonProcess};
use crate::harness::load::{Client, TARGET_AS};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::process::{Command, Stdio};

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

/// Writes the configuration and starts `gobgpd` on loopback.
pub fn start(listen: SocketAddr, clients: &[Client]) -> Result<DaemonProcess, String> {
    let gobgpd = find_program("gobgpd").ok_or("`gobgpd` is not installed (apt-get install -y gobgpd)")?;
    let dir = scratch_dir("gobgp").map_err(|e| format!("scratch directory: {e}"))?;
    let conf = dir.join("gobgpd.toml");
    std::fs::write(&conf, config(listen, clients)).map_err(|e| format!("writing {}: {e}", conf.display()))?;
    let api_port = free_port().map_err(|e| format!("API port: {e}"))?;
    let log = std::fs::File::create(dir.join("daemon.log")).map_err(|e| e.to_string())?;
    let log2 = log.try_clone().map_err(|e| e.to_string())?;
    let child = Command::new(gobgpd)
        .arg("-f")
        .arg(&conf)
        .args(["-t", "toml", "--log-plain", "-l", "warn", "--pprof-disable"])
        .arg("--api-hosts")
        .arg(format!("127.0.0.1:{api_port}"))
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .spawn()
        .map_err(|e| format!("starting gobgpd: {e}"))?;
    Ok(DaemonProcess::new("gobgpd", dir, child))
}
