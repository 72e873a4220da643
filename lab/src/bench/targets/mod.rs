//! The route servers a bench runs against: BIRD 2 and GoBGP started by peerlab on loopback,
//! or one already running on a loopback address.

pub mod bird;
pub mod gobgp;
pub mod process;
pub mod sockets;

use super::load::Client;
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
    /// peerlab's own route server (not yet available here).
    Peerlab,
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
            _ => {
                let a: SocketAddr = s
                    .parse()
                    .map_err(|_| format!("target `{s}`: use bird, gobgp, peerlab or HOST:PORT"))?;
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
            Target::External(a) => write!(f, "{a}"),
        }
    }
}

/// A target ready for a run: where to connect, and the process when peerlab started it.
#[derive(Debug)]
pub struct RunningTarget {
    /// The route server's BGP address.
    pub addr: SocketAddr,
    /// The daemon peerlab started (stopped by its pid when this is dropped).
    pub process: Option<DaemonProcess>,
    /// A pid to measure for an external target (`--target-pid`).
    pub external_pid: Option<u32>,
}

impl RunningTarget {
    /// The pid whose CPU time and memory are measured.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(DaemonProcess::pid).or(self.external_pid)
    }
}

/// Starts (or, for an external target, just names) the target for `clients`.
pub fn start(target: &Target, clients: &[Client], external_pid: Option<u32>) -> Result<RunningTarget, String> {
    let listen = || -> Result<SocketAddr, String> {
        let port = process::free_port().map_err(|e| format!("no free port on 127.0.0.1: {e}"))?;
        Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
    };
    let (addr, mut process) = match target {
        Target::Peerlab => {
            return Err(
                "not yet: `--target peerlab` waits for the route-server runtime; run `peerlab route-server` and give its address as --target 127.0.0.1:PORT"
                    .into(),
            )
        }
        Target::External(a) => {
            return Ok(RunningTarget {
                addr: *a,
                process: None,
                external_pid,
            })
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
        process: Some(process),
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
