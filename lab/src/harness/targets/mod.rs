//! The route servers a bench runs against: peerlab's own (in this process or as a separate
//! one), BIRD 2 and GoBGP started on loopback by [`crate::daemons`] with a route-server
//! configuration written here for the load, or one already running on a loopback address.

pub mod bird;
pub mod gobgp;
pub mod peerlab;

use super::load::{Load, NextHops, SessionTransport};
use crate::daemons::{self, Daemon, Launch};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;

/// A target as given on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// BIRD 2, started by peerlab.
    Bird,
    /// GoBGP, started by peerlab.
    Gobgp,
    /// peerlab's own route server, in this process.
    Peerlab,
    /// peerlab's own route server as a separate `peerlab route-server` process.
    PeerlabProcess,
    /// A route server already listening on this loopback address.
    External(SocketAddr),
}

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "bird" => Ok(Target::Bird),
            "gobgp" => Ok(Target::Gobgp),
            "peerlab" => Ok(Target::Peerlab),
            "peerlab-process" => Ok(Target::PeerlabProcess),
            _ => {
                let a: SocketAddr = s
                    .parse()
                    .map_err(|_| format!("target `{s}`: use peerlab, peerlab-process, bird, gobgp or HOST:PORT"))?;
                if !a.ip().is_loopback() {
                    return Err(format!("target `{s}`: only loopback route servers (127.0.0.0/8, ::1)"));
                }
                Ok(Target::External(a))
            }
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Bird => f.write_str("bird"),
            Target::Gobgp => f.write_str("gobgp"),
            Target::Peerlab => f.write_str("peerlab"),
            Target::PeerlabProcess => f.write_str("peerlab-process"),
            Target::External(a) => write!(f, "{a}"),
        }
    }
}

impl Target {
    /// An error when this target cannot carry `load`: the sessions over IPv6 need a listen
    /// port per session (peerlab in this process only); IPv6 prefixes need a second session
    /// per client, which peerlab's configuration file cannot describe.
    pub fn check(&self, load: &Load) -> Result<(), String> {
        if load.spec.transport == SessionTransport::Ipv6 && *self != Target::Peerlab {
            return Err(format!(
                "--transport ipv6 works with --target peerlab only: every client connects from ::1, and {self} \
                 cannot be given a listen port per session here"
            ));
        }
        if *self == Target::PeerlabProcess && load.carries(true) {
            return Err(
                "peerlab-process carries IPv4 prefixes only (its configuration file cannot give each client a \
                 second session for IPv6 on a shared loopback address): use --ipv6-share 0, or --target peerlab"
                    .into(),
            );
        }
        Ok(())
    }

    /// The IPv4 next hop the testers announce to this target.
    pub fn next_hops(&self) -> NextHops {
        match self {
            Target::Peerlab | Target::PeerlabProcess => NextHops::SessionAddress,
            _ => NextHops::Labels,
        }
    }
}

/// A target ready for a run: where to connect, and the process when peerlab started it.
#[derive(Debug)]
pub struct RunningTarget {
    /// The route server's BGP address.
    pub addr: SocketAddr,
    /// With one session per family (peerlab in this process): where the IPv6 sessions go;
    /// the sessions to `addr` then carry IPv4 only.
    pub v6_addr: Option<SocketAddr>,
    /// With IPv6 transport: per client, where its IPv4 (or only) and its IPv6 sessions
    /// connect (each session its own port); otherwise every client uses `addr`/`v6_addr`.
    pub client_ports: Option<Vec<(SocketAddr, Option<SocketAddr>)>>,
    /// The daemon peerlab started (stopped by its pid when this is dropped).
    pub process: Option<daemons::Running>,
    /// peerlab's route server in this process.
    pub in_process: Option<peerlab::InProcess>,
    /// A pid to measure for an external target (`--target-pid`).
    pub external_pid: Option<u32>,
}

impl RunningTarget {
    /// The pid whose CPU time and memory are measured (none in this process: the bench's
    /// own testers and monitors share it).
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(daemons::Running::pid).or(self.external_pid)
    }

    /// Where client `k`'s sessions connect: its IPv4 (or only) session, and its IPv6 one
    /// when the target wants one session per family.
    pub fn dests(&self, k: usize) -> (SocketAddr, Option<SocketAddr>) {
        match self.client_ports.as_ref().and_then(|p| p.get(k)) {
            Some(d) => *d,
            None => (self.addr, self.v6_addr),
        }
    }

    /// Stops the target: the in-process route server after a Cease to every session, a
    /// daemon by its pid.
    pub async fn stop(self) {
        if let Some(rs) = self.in_process {
            rs.stop().await;
        }
        drop(self.process);
    }
}

/// Starts (or, for an external target, just names) the target for `load`'s clients.
pub async fn start(target: &Target, load: &Load, external_pid: Option<u32>) -> Result<RunningTarget, String> {
    target.check(load)?;
    let mut running = RunningTarget {
        addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
        v6_addr: None,
        client_ports: None,
        process: None,
        in_process: None,
        external_pid: None,
    };
    match target {
        Target::Peerlab => {
            let rs = peerlab::start_in_process(load).await?;
            running.addr = rs.addr;
            running.v6_addr = rs.v6_addr;
            running.client_ports = rs.client_ports.clone();
            running.in_process = Some(rs);
        }
        Target::External(a) => {
            running.addr = *a;
            running.external_pid = external_pid;
        }
        Target::Bird | Target::Gobgp | Target::PeerlabProcess => {
            let process = start_daemon(target, load).await?;
            running.addr = process.listen();
            running.process = Some(process);
        }
    }
    Ok(running)
}

/// Writes the target's configuration for `load` and starts its daemon on a free port of
/// 127.0.0.1 (off the runtime's threads: the start waits until the daemon listens).
async fn start_daemon(target: &Target, load: &Load) -> Result<daemons::Running, String> {
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let port = daemons::free_port(ip).map_err(|e| format!("no free port on {ip}: {e}"))?;
    let listen = SocketAddr::new(ip, port);
    let (daemon, config) = match target {
        Target::Bird => (Daemon::Bird, bird::config(listen, &load.clients)),
        Target::Gobgp => (Daemon::Gobgp, gobgp::config(listen, &load.clients)),
        Target::PeerlabProcess => (Daemon::Peerlab, peerlab::config_toml(load, listen, false)),
        Target::Peerlab | Target::External(_) => return Err(format!("{target} is not a daemon peerlab starts")),
    };
    let launch = Launch::new(daemon, config, listen);
    tokio::task::spawn_blocking(move || daemons::start(&launch))
        .await
        .map_err(|e| format!("starting {daemon}: {e}"))?
}
