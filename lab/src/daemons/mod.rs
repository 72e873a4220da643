//! External BGP daemons that peerlab starts on loopback and stops by their own pid: BIRD 2,
//! GoBGP and peerlab's own route server as a separate process. Each daemon's launch line is
//! written here once and used by the bench (`peerlab bench --target bird`), the interop tests
//! and the lab.
//!
//! [`start`] takes a [`Launch`] — which daemon, its configuration text, the address its BGP
//! listens on — writes the configuration into a fresh scratch directory, starts the daemon in
//! the foreground with its logs there, waits (bounded) until it listens on that port and
//! refuses it when it listens anywhere but loopback. The [`Running`] handle kills it by its
//! pid when dropped and removes the scratch directory (kept with `PEERLAB_KEEP_LOGS=1`).
//!
//! Network safety: a `listen` address outside loopback is refused before anything starts;
//! the configuration binds BGP to loopback (BIRD: `strict bind on` with a loopback `local`;
//! gobgpd: a loopback `local-address-list`), which the check from /proc confirms once the
//! daemon listens; every control channel is local by its launch line (BIRD's control socket
//! in the scratch directory, gobgpd's gRPC API on `--api-hosts 127.0.0.1:PORT` with pprof off,
//! peerlab's HTTP API on `--api 127.0.0.1:PORT`).
//!
//! # Layout
//! - [`program`]: finding an installed program.
//! - [`bird`], [`gobgp`], [`peerlab`]: each daemon's command line and control client.
//! - [`running`]: the handle of a started daemon: its pid, logs, control, stop.
//! - [`proc_net`]: TCP sockets from /proc: who listens where, loopback checks, free ports.

pub mod bird;
pub mod gobgp;
pub mod peerlab;
pub mod proc_net;
pub mod program;
pub mod running;

pub use proc_net::free_port;
pub use program::find_program;
pub use running::{scratch_dir, Running};

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long a daemon gets from its start until it listens on its BGP port.
pub const START_LIMIT: Duration = Duration::from_secs(20);

/// An external BGP daemon peerlab can start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Daemon {
    /// BIRD 2 (`bird`, Debian package `bird2`), controlled with `birdc`.
    Bird,
    /// GoBGP (`gobgpd`, Debian package `gobgpd`), controlled with `gobgp`.
    Gobgp,
    /// peerlab's own route server as a separate process (`peerlab route-server --config
    /// FILE`), by default this very executable.
    Peerlab,
}

/// How much a daemon logs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogLevel {
    /// BIRD: info and above; gobgpd and peerlab: warnings and above (a bench's setting).
    #[default]
    Normal,
    /// Everything the daemon can say (a test that reads the log).
    Debug,
}

impl Daemon {
    /// A short name for messages and scratch directories.
    pub fn name(self) -> &'static str {
        match self {
            Daemon::Bird => "bird",
            Daemon::Gobgp => "gobgpd",
            Daemon::Peerlab => "peerlab route-server",
        }
    }

    /// The program that runs it and the Debian package that installs it (`None`: this
    /// executable).
    pub fn program(self) -> Option<(&'static str, &'static str)> {
        match self {
            Daemon::Bird => Some(("bird", "bird2")),
            Daemon::Gobgp => Some(("gobgpd", "gobgpd")),
            Daemon::Peerlab => None,
        }
    }

    /// Finds the installed program, or says how to install it.
    pub fn locate(self) -> Result<PathBuf, String> {
        match self.program() {
            Some((name, package)) => {
                find_program(name).ok_or_else(|| format!("`{name}` is not installed (apt-get install -y {package})"))
            }
            None => std::env::current_exe().map_err(|e| format!("finding this executable: {e}")),
        }
    }

    /// The name of its configuration file in the scratch directory.
    fn config_file(self) -> &'static str {
        match self {
            Daemon::Bird => "bird.conf",
            Daemon::Gobgp => "gobgpd.toml",
            Daemon::Peerlab => "route-server.toml",
        }
    }

    /// Whether its launch line gives it an API port on 127.0.0.1.
    fn has_api(self) -> bool {
        !matches!(self, Daemon::Bird)
    }

    /// The configuration as written to disk (BIRD's gets its log file prepended).
    fn config_text(self, config: &str, dir: &Path, log: LogLevel) -> String {
        match self {
            Daemon::Bird => bird::with_log(config, &dir.join(running::LOG), log),
            Daemon::Gobgp | Daemon::Peerlab => config.to_owned(),
        }
    }

    /// The launch line: `program` in the foreground with the configuration `conf`.
    fn command(self, program: &Path, dir: &Path, conf: &Path, log: LogLevel, api: Option<SocketAddr>) -> Command {
        match self {
            Daemon::Bird => bird::command(program, dir, conf),
            Daemon::Gobgp => gobgp::command(program, conf, log, api),
            Daemon::Peerlab => peerlab::command(program, conf, log, api),
        }
    }

    /// The file its stdout and stderr go to: BIRD's own log is a file of its configuration,
    /// the others log to stderr.
    fn output_file(self) -> &'static str {
        match self {
            Daemon::Bird => running::STDERR,
            Daemon::Gobgp | Daemon::Peerlab => running::LOG,
        }
    }
}

impl std::fmt::Display for Daemon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What to start.
#[derive(Clone, Debug)]
pub struct Launch {
    /// Which daemon.
    pub daemon: Daemon,
    /// Its configuration, written unchanged (BIRD: after a `log` line to its scratch
    /// directory).
    pub config: String,
    /// Where its configuration makes its BGP listen (a loopback address).
    pub listen: SocketAddr,
    /// The program to run; `None`: found with [`Daemon::locate`].
    pub program: Option<PathBuf>,
    /// How much it logs.
    pub log: LogLevel,
}

impl Launch {
    /// `daemon` with `config`, its BGP on `listen`, the program found on `PATH`, normal logs.
    pub fn new(daemon: Daemon, config: String, listen: SocketAddr) -> Launch {
        Launch {
            daemon,
            config,
            listen,
            program: None,
            log: LogLevel::Normal,
        }
    }
}

/// Starts the daemon, waits until it listens on `launch.listen`'s port (at most
/// [`START_LIMIT`]) and checks that it listens on loopback only; on any failure it is
/// stopped and the error says why, with the end of its log.
pub fn start(launch: &Launch) -> Result<Running, String> {
    let daemon = launch.daemon;
    if !launch.listen.ip().is_loopback() {
        return Err(format!(
            "{daemon}: listen address {} is outside loopback; use an address of 127.0.0.0/8 or ::1",
            launch.listen
        ));
    }
    let program = match &launch.program {
        Some(p) => p.clone(),
        None => daemon.locate()?,
    };
    let dir = running::scratch_dir(daemon_tag(daemon)).map_err(|e| format!("{daemon}: scratch directory: {e}"))?;
    let (child, api) = match spawn_in(launch, &program, &dir) {
        Ok(started) => started,
        Err(e) => {
            running::remove_scratch(&dir);
            return Err(e);
        }
    };
    let mut running = Running::new(daemon, dir, launch.listen, api, child);
    tracing::debug!(daemon = daemon.name(), pid = running.pid(), dir = %running.dir().display(), "started");
    running.wait_listening(START_LIMIT)?;
    running.check_loopback_only()?;
    Ok(running)
}

/// Writes the configuration into `dir` and spawns the daemon with its output there; returns
/// the child and its API address.
fn spawn_in(launch: &Launch, program: &Path, dir: &Path) -> Result<(Child, Option<SocketAddr>), String> {
    let daemon = launch.daemon;
    let conf = dir.join(daemon.config_file());
    std::fs::write(&conf, daemon.config_text(&launch.config, dir, launch.log))
        .map_err(|e| format!("{daemon}: writing {}: {e}", conf.display()))?;
    let api = if daemon.has_api() {
        let port = free_port(IpAddr::V4(Ipv4Addr::LOCALHOST)).map_err(|e| format!("{daemon}: API port: {e}"))?;
        Some(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
    } else {
        None
    };
    let out = std::fs::File::create(dir.join(daemon.output_file())).map_err(|e| format!("{daemon}: log file: {e}"))?;
    let err = out.try_clone().map_err(|e| format!("{daemon}: log file: {e}"))?;
    let child = daemon
        .command(program, dir, &conf, launch.log, api)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("starting {} ({daemon}): {e}", program.display()))?;
    Ok((child, api))
}

/// The tag of its scratch directory (no spaces).
fn daemon_tag(daemon: Daemon) -> &'static str {
    match daemon {
        Daemon::Bird => "bird",
        Daemon::Gobgp => "gobgp",
        Daemon::Peerlab => "peerlab",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This process's scratch directories for `tag`.
    fn scratch_dirs(tag: &str) -> Vec<PathBuf> {
        let prefix = format!("peerlab-{tag}-{}-", std::process::id());
        let mut v: Vec<PathBuf> = std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .map(|e| e.path())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_listen_address_outside_loopback_is_refused_before_anything_starts() {
        let launch = Launch {
            program: Some(PathBuf::from("/nonexistent/bird")),
            ..Launch::new(Daemon::Bird, String::new(), "192.0.2.1:179".parse().unwrap())
        };
        let e = start(&launch).unwrap_err();
        assert!(e.contains("outside loopback") && e.contains("192.0.2.1:179"), "{e}");
    }

    #[test]
    fn a_program_that_cannot_start_is_named_and_its_scratch_directory_removed() {
        let launch = Launch {
            program: Some(PathBuf::from("/nonexistent/gobgpd")),
            ..Launch::new(Daemon::Gobgp, String::new(), "127.0.0.1:1790".parse().unwrap())
        };
        let before = scratch_dirs("gobgp");
        let e = start(&launch).unwrap_err();
        assert!(e.contains("starting /nonexistent/gobgpd (gobgpd)"), "{e}");
        assert_eq!(scratch_dirs("gobgp"), before);
    }
}
