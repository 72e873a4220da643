//! The route servers a bench runs against: peerlab's own (in this process or as a separate
//! one), BIRD 2 and GoBGP started by peerlab on loopback, or one already running on a
//! loopback address.

pub mod bird;
pub mod gobgp;
pub mod peerlab;
pub mod process;
pub mod sockets;

use super::load::{Load, NextHops, SessionTransport};
use process::DaemonProcess;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::{Duration, Instant};

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
    pub process: Option<DaemonProcess>,
    /// peerlab's route server in this process.
    pub in_process: Option<peerlab::InProcess>,
    /// A pid to measure for an external target (`--target-pid`).
    pub external_pid: Option<u32>,
}

impl RunningTarget {
    /// The pid whose CPU time and memory are measured (none in this process: the bench's
    /// own testers and monitors share it).
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(DaemonProcess::pid).or(self.external_pid)
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
    let listen = || -> Result<SocketAddr, String> {
        let port = process::free_port().map_err(|e| format!("no free port on 127.0.0.1: {e}"))?;
        Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
    };
    let clients = &load.clients;
    if load.spec.transport == SessionTransport::Ipv6 && *target != Target::Peerlab {
        return Err(format!(
            "--transport ipv6 works with --target peerlab only: every client connects from ::1, and {target} cannot \
             be given a listen port per session here"
        ));
    }
    let (addr, mut process) = match target {
        Target::Peerlab => {
            let rs = peerlab::start_in_process(load).await?;
            return Ok(RunningTarget {
                addr: rs.addr,
                v6_addr: rs.v6_addr,
                client_ports: rs.client_ports.clone(),
                process: None,
                in_process: Some(rs),
                external_pid: None,
            });
        }
        Target::External(a) => {
            return Ok(RunningTarget {
                addr: *a,
                v6_addr: None,
                client_ports: None,
                process: None,
                in_process: None,
                external_pid,
            })
        }
        Target::PeerlabProcess => {
            let a = listen()?;
            (a, peerlab::start_process(load, a)?)
        }
        Target::Bird => {
            let a = listen()?;
            (a, bird::start(a, clients)?)
        }
        Target::Gobgp => {
            let a = listen()?;
            (a, gobgp::start(a, clients)?)
        }
    };
    wait_listening(&mut process, addr, Duration::from_secs(20))?;
    // Network safety: a daemon listening anywhere but loopback is stopped at once.
    let bad = sockets::non_loopback_listeners(process.pid())?;
    if !bad.is_empty() {
        return Err(format!("{} listens outside loopback ({bad:?}); stopped", process.name));
    }
    Ok(RunningTarget {
        addr,
        v6_addr: None,
        client_ports: None,
        process: Some(process),
        in_process: None,
        external_pid: None,
    })
}

/// Waits (bounded) until the daemon accepts TCP connections on `addr`.
fn wait_listening(p: &mut DaemonProcess, addr: SocketAddr, limit: Duration) -> Result<(), String> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = p.exited() {
            return Err(format!("{} exited ({status}):\n{}", p.name, p.log_tail()));
        }
        if is_listening(addr.port()) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("{} did not listen on {addr}:\n{}", p.name, p.log_tail()))
}

/// Whether something listens on TCP `port` (from /proc/net/tcp, without connecting).
fn is_listening(port: u16) -> bool {
    let want = format!(":{port:04X} ");
    ["/proc/net/tcp", "/proc/net/tcp6"].iter().any(|f| {
        std::fs::read_to_string(f).is_ok_and(|t| {
            t.lines().skip(1).any(|l| {
                let cols: Vec<&str> = l.split_whitespace().collect();
                cols.get(1).is_some_and(|a| format!("{a} ").ends_with(&want)) && cols.get(3) == Some(&"0A")
            })
        })
    })
}
