//! External BGP daemons that peerlab starts on loopback and stops by their own pid: BIRD 2,
//! GoBGP, OpenBGPD, FRR's bgpd and peerlab's own route server as a separate process. Each
//! daemon's launch line is written here once and used by the bench (`peerlab bench --target
//! bird`), the interop tests and the lab.
//!
//! [`start`] takes a [`Launch`] — which daemon, its configuration text, the address its BGP
//! listens on — writes the configuration into a fresh scratch directory, starts the daemon in
//! the foreground with its logs there, waits (bounded) until it listens on that port and
//! refuses it when it listens anywhere but loopback. The [`Running`] handle kills it (and the
//! processes it forked) by pid when dropped and removes the scratch directory (kept with
//! `PEERLAB_KEEP_LOGS=1`).
//!
//! Network safety: a `listen` address outside loopback is refused before anything starts;
//! the configuration binds BGP to loopback (BIRD: `strict bind on` with a loopback `local`;
//! gobgpd: a loopback `local-address-list`; OpenBGPD: `listen on` a loopback address, checked
//! before it starts; FRR: `-l ADDR` on its launch line), which the check from /proc confirms
//! once the daemon listens; every control channel is local by its launch line (BIRD's,
//! OpenBGPD's and FRR's control sockets in the scratch directory, gobgpd's gRPC API on
//! `--api-hosts 127.0.0.1:PORT` with pprof off, peerlab's HTTP API on `--api 127.0.0.1:PORT`);
//! no daemon touches the kernel's routing table (BIRD and GoBGP have no kernel protocol in
//! peerlab's configurations, OpenBGPD gets `fib-update no`, FRR runs without zebra).
//!
//! # Layout
//! - [`launch`]: what to start ([`Launch`]) and [`start`].
//! - [`program`]: finding an installed program.
//! - [`bird`], [`gobgp`], [`openbgpd`], [`frr`], [`peerlab`]: each daemon's command line and
//!   control client.
//! - [`running`]: the handle of a started daemon: its pids, logs, control, stop.
//! - [`procfs`]: processes and TCP sockets from /proc: a process's descendants, who listens
//!   where, loopback checks, free ports.

pub mod bird;
pub mod frr;
pub mod gobgp;
pub mod launch;
pub mod openbgpd;
pub mod peerlab;
pub mod procfs;
pub mod program;
pub mod running;

pub use launch::{start, Launch, START_LIMIT};
pub use procfs::free_port;
pub use program::find_program;
pub use running::{scratch_dir, Running};

use launch::Line;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// An external BGP daemon peerlab can start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Daemon {
    /// BIRD 2 (`bird`, Debian package `bird2`), controlled with `birdc`.
    Bird,
    /// GoBGP (`gobgpd`, Debian package `gobgpd`), controlled with `gobgp`.
    Gobgp,
    /// OpenBGPD (`bgpd`, Debian package `openbgpd`), controlled with `bgpctl`.
    Openbgpd,
    /// FRR's `bgpd` alone (Debian package `frr`), controlled with `vtysh`.
    Frr,
    /// peerlab's own route server as a separate process (`peerlab route-server --config
    /// FILE`), by default this very executable.
    Peerlab,
}

/// How much a daemon logs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogLevel {
    /// BIRD: info and above; the others: warnings and above (a bench's setting).
    #[default]
    Normal,
    /// Everything the daemon can say (a test that reads the log).
    Debug,
}

impl LogLevel {
    /// The level as `gobgpd -l` and `RUST_LOG` name it.
    fn filter(self) -> &'static str {
        match self {
            LogLevel::Normal => "warn",
            LogLevel::Debug => "debug",
        }
    }
}

impl Daemon {
    /// A short name for messages and scratch directories.
    pub fn name(self) -> &'static str {
        match self {
            Daemon::Bird => "bird",
            Daemon::Gobgp => "gobgpd",
            Daemon::Openbgpd => "openbgpd",
            Daemon::Frr => "frr",
            Daemon::Peerlab => "peerlab",
        }
    }

    /// The program that runs it and the Debian package that installs it (`None`: this
    /// executable).
    pub fn program(self) -> Option<(&'static str, &'static str)> {
        match self {
            Daemon::Bird => Some(("bird", "bird2")),
            Daemon::Gobgp => Some(("gobgpd", "gobgpd")),
            Daemon::Openbgpd => Some(("bgpd", "openbgpd")),
            Daemon::Frr => Some(("bgpd", "frr")),
            Daemon::Peerlab => None,
        }
    }

    /// Finds the installed program (FRR's `bgpd` in FRR's own directory, not OpenBGPD's on
    /// `PATH`), or says how to install it.
    pub fn locate(self) -> Result<PathBuf, String> {
        let found = match (self, self.program()) {
            (Daemon::Frr, _) => frr::find(),
            (_, Some((name, _))) => find_program(name),
            (_, None) => return std::env::current_exe().map_err(|e| format!("finding this executable: {e}")),
        };
        found.ok_or_else(|| {
            let (name, package) = self.program().unwrap_or(("peerlab", "peerlab"));
            format!("{self}: `{name}` is not installed (apt-get install -y {package})")
        })
    }

    /// The name of its configuration file in the scratch directory.
    fn config_file(self) -> &'static str {
        match self {
            Daemon::Bird => "bird.conf",
            Daemon::Gobgp => "gobgpd.toml",
            Daemon::Openbgpd => "bgpd.conf",
            Daemon::Frr => "frr.conf",
            Daemon::Peerlab => "route-server.toml",
        }
    }

    /// Whether its launch line gives it an API port on 127.0.0.1.
    fn has_api(self) -> bool {
        matches!(self, Daemon::Gobgp | Daemon::Peerlab)
    }

    /// The configuration as written to disk (BIRD's gets its log file, OpenBGPD's its
    /// control socket and `fib-update no`), or why it is refused.
    fn config_text(self, config: &str, dir: &Path, log: LogLevel) -> Result<String, String> {
        match self {
            Daemon::Bird => Ok(bird::with_log(config, &dir.join(running::LOG), log)),
            Daemon::Openbgpd => openbgpd::prepare(config, dir),
            Daemon::Gobgp | Daemon::Frr | Daemon::Peerlab => Ok(config.to_owned()),
        }
    }

    /// An error when it cannot start on this machine as this user (OpenBGPD: not root);
    /// creates what it needs that its package's service unit would (OpenBGPD's chroot).
    pub fn prerequisites(self) -> Result<(), String> {
        match self {
            Daemon::Openbgpd => openbgpd::ensure_chroot(),
            _ => Ok(()),
        }
    }

    /// The launch line.
    fn command(self, line: &Line<'_>) -> Command {
        match self {
            Daemon::Bird => bird::command(line),
            Daemon::Gobgp => gobgp::command(line),
            Daemon::Openbgpd => openbgpd::command(line),
            Daemon::Frr => frr::command(line),
            Daemon::Peerlab => peerlab::command(line),
        }
    }

    /// Its control client with `args`, talking to the daemon whose files are in `dir`.
    fn control(self, dir: &Path, api: Option<SocketAddr>, args: &[&str]) -> Result<Command, String> {
        let client = |name: &str, package: &str| {
            find_program(name).ok_or_else(|| format!("`{name}` is not installed (apt-get install -y {package})"))
        };
        let mut c = match (self, api) {
            (Daemon::Bird, _) => bird::control(client("birdc", "bird2")?, dir),
            (Daemon::Gobgp, Some(api)) => gobgp::control(client("gobgp", "gobgpd")?, api),
            (Daemon::Openbgpd, _) => openbgpd::control(client("bgpctl", "openbgpd")?, dir),
            (Daemon::Frr, _) => return Ok(frr::control(client("vtysh", "frr")?, dir, args)),
            _ => return Err(format!("{self} has no control client here")),
        };
        c.args(args);
        Ok(c)
    }

    /// The file its stdout and stderr go to: BIRD's own log is a file of its configuration,
    /// the others log to stderr or stdout.
    fn output_file(self) -> &'static str {
        match self {
            Daemon::Bird => running::STDERR,
            _ => running::LOG,
        }
    }
}

impl std::fmt::Display for Daemon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
