//! What to start and the start itself: the scratch directory, the configuration written
//! there (readable by its owner only: it may hold TCP-MD5 keys), the launch line, the wait
//! until the daemon listens and the loopback check.

use super::kind::Daemon;
use super::line::{Line, LogLevel};
use super::procfs::free_port;
use super::running::{self, Running};
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

/// How long a daemon gets from its start until it listens on its BGP port.
pub const START_LIMIT: Duration = Duration::from_secs(20);

/// What to start.
#[derive(Clone, Debug)]
pub struct Launch {
    /// Which daemon.
    pub daemon: Daemon,
    /// Its configuration, written unchanged (BIRD: after a `log` line to its scratch
    /// directory; OpenBGPD: after its control socket and `fib-update no`).
    pub config: String,
    /// Where its BGP listens (a loopback address): where its configuration makes it listen,
    /// or (FRR) where its launch line does.
    pub listen: SocketAddr,
    /// The program to run; `None`: found with [`Daemon::locate`].
    pub program: Option<PathBuf>,
    /// How much it logs.
    pub log: LogLevel,
}

impl Launch {
    /// `daemon` with `config`, its BGP on `listen`, the program found where it is
    /// installed, normal logs.
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

#[cfg(test)]
impl Line<'static> {
    /// A launch line's parts for a command-line test: files in `/tmp/d`, BGP on
    /// 127.0.0.1:1790.
    pub(super) fn example(program: &'static str, conf: &'static str, log: LogLevel, api: Option<SocketAddr>) -> Self {
        Line {
            program: Path::new(program),
            dir: Path::new("/tmp/d"),
            conf: Path::new(conf),
            log,
            api,
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 1790),
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
    daemon.prerequisites()?;
    let dir = running::scratch_dir(daemon.name()).map_err(|e| format!("{daemon}: scratch directory: {e}"))?;
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
    let text = daemon.config_text(&launch.config, dir, launch.log)?;
    write_private(&conf, &text).map_err(|e| format!("{daemon}: writing {}: {e}", conf.display()))?;
    let api = if daemon.has_api() {
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let port = free_port(ip).map_err(|e| format!("{daemon}: API port: {e}"))?;
        Some(SocketAddr::new(ip, port))
    } else {
        None
    };
    let out = std::fs::File::create(dir.join(daemon.output_file())).map_err(|e| format!("{daemon}: log file: {e}"))?;
    let err = out.try_clone().map_err(|e| format!("{daemon}: log file: {e}"))?;
    let line = Line {
        program,
        dir,
        conf: &conf,
        log: launch.log,
        api,
        listen: launch.listen,
    };
    let child = daemon
        .command(&line)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("starting {} ({daemon}): {e}", program.display()))?;
    Ok((child, api))
}

/// Writes `text` to a new file readable and writable by its owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
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
        let before = scratch_dirs("gobgpd");
        let e = start(&launch).unwrap_err();
        assert!(e.contains("starting /nonexistent/gobgpd (gobgpd)"), "{e}");
        assert_eq!(scratch_dirs("gobgpd"), before);
    }
}
