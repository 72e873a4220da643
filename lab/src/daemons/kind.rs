//! Which daemon ([`Daemon`]): the program to look for, its launch line and its control client,
//! dispatched to each daemon's own module.

use super::line::{Line, LogLevel, LOG, STDERR};
use super::program::find_program;
use super::{bird, frr, gobgp, openbgpd, peerlab};
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
    pub(super) fn config_file(self) -> &'static str {
        match self {
            Daemon::Bird => "bird.conf",
            Daemon::Gobgp => "gobgpd.toml",
            Daemon::Openbgpd => "bgpd.conf",
            Daemon::Frr => "frr.conf",
            Daemon::Peerlab => "route-server.toml",
        }
    }

    /// Whether its launch line gives it an API port on 127.0.0.1.
    pub(super) fn has_api(self) -> bool {
        matches!(self, Daemon::Gobgp | Daemon::Peerlab)
    }

    /// The configuration as written to disk (BIRD's gets its log file, OpenBGPD's its
    /// control socket and `fib-update no`), or why it is refused.
    pub(super) fn config_text(self, config: &str, dir: &Path, log: LogLevel) -> Result<String, String> {
        match self {
            Daemon::Bird => Ok(bird::with_log(config, &dir.join(LOG), log)),
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
    pub(super) fn command(self, line: &Line<'_>) -> Command {
        match self {
            Daemon::Bird => bird::command(line),
            Daemon::Gobgp => gobgp::command(line),
            Daemon::Openbgpd => openbgpd::command(line),
            Daemon::Frr => frr::command(line),
            Daemon::Peerlab => peerlab::command(line),
        }
    }

    /// Its control client with `args`, talking to the daemon whose files are in `dir`.
    pub(super) fn control(self, dir: &Path, api: Option<SocketAddr>, args: &[&str]) -> Result<Command, String> {
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
    pub(super) fn output_file(self) -> &'static str {
        match self {
            Daemon::Bird => STDERR,
            _ => LOG,
        }
    }
}

impl std::fmt::Display for Daemon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
