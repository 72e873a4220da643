//! A daemon peerlab started: its pid (and those of the processes it forked), scratch
//! directory and logs, its control client, and its stop — by those pids only, when the handle
//! is dropped.

use super::kind::Daemon;
use super::line::{LOG, STDERR};
use super::procfs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

/// Lines of log an error message quotes.
const TAIL_LINES: usize = 15;
/// How long a stop waits for the processes a daemon forked to end.
const STOP_LIMIT: Duration = Duration::from_secs(2);
/// How often a starting daemon's sockets are looked at.
const POLL: Duration = Duration::from_millis(50);

/// A started daemon; dropping it kills it by its own pid and removes its scratch directory
/// (kept with `PEERLAB_KEEP_LOGS=1`). Nothing else is touched.
#[derive(Debug)]
pub struct Running {
    daemon: Daemon,
    dir: PathBuf,
    listen: SocketAddr,
    api: Option<SocketAddr>,
    child: Child,
}

impl Running {
    /// Wraps a child started with its files in `dir`.
    pub(super) fn new(
        daemon: Daemon,
        dir: PathBuf,
        listen: SocketAddr,
        api: Option<SocketAddr>,
        child: Child,
    ) -> Running {
        Running {
            daemon,
            dir,
            listen,
            api,
            child,
        }
    }

    /// Which daemon it is.
    pub fn daemon(&self) -> Daemon {
        self.daemon
    }

    /// Its name for messages (`bird`, `gobgpd`, `peerlab route-server`).
    pub fn name(&self) -> &'static str {
        self.daemon.name()
    }

    /// Its pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its scratch directory (configuration, logs, BIRD's control socket).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where its BGP listens.
    pub fn listen(&self) -> SocketAddr {
        self.listen
    }

    /// Its API on 127.0.0.1 (gobgpd's gRPC, peerlab's HTTP); none for BIRD.
    pub fn api(&self) -> Option<SocketAddr> {
        self.api
    }

    /// `Some(status)` when it has already exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Its log so far (BIRD: its log file, then what it wrote to stderr).
    pub fn log(&self) -> String {
        let mut text = std::fs::read_to_string(self.dir.join(LOG)).unwrap_or_default();
        text.push_str(&std::fs::read_to_string(self.dir.join(STDERR)).unwrap_or_default());
        text
    }

    /// The last lines of its log, for error messages.
    pub fn log_tail(&self) -> String {
        let text = self.log();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n")
    }

    /// Its pid and those of the processes it forked (OpenBGPD's engines), still running.
    pub fn pids(&self) -> Vec<u32> {
        let mut v = vec![self.pid()];
        v.extend(procfs::descendants(self.pid()).into_iter().map(|(p, _)| p));
        v
    }

    /// Freezes it and the processes it forked (SIGSTOP), e.g. to let a peer's hold timer
    /// expire.
    pub fn freeze(&self) -> Result<(), String> {
        self.signal("STOP")
    }

    /// Thaws them after [`Running::freeze`] (SIGCONT).
    pub fn thaw(&self) -> Result<(), String> {
        self.signal("CONT")
    }

    fn signal(&self, name: &str) -> Result<(), String> {
        self.pids().into_iter().try_for_each(|p| signal(p, name))
    }

    /// Runs its control client with `args` (`birdc -s SOCKET ARGS`, `gobgp -u 127.0.0.1 -p
    /// PORT ARGS`, `bgpctl -s SOCKET ARGS`, `vtysh --vty_socket DIR -d bgpd -c "ARGS"`): its
    /// stdout when it succeeds, else what it said.
    pub fn control(&self, args: &[&str]) -> Result<String, String> {
        let out = self
            .daemon
            .control(&self.dir, self.api, args)?
            .output()
            .map_err(|e| format!("{} control: {e}", self.name()))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            let mut said = String::from_utf8_lossy(&out.stderr).into_owned();
            said.push_str(&String::from_utf8_lossy(&out.stdout));
            Err(format!("{} control {args:?}: {}: {said}", self.name(), out.status))
        }
    }

    /// [`Running::control`] until it succeeds (an API may answer a moment after the BGP
    /// port listens), for at most `limit`.
    pub fn control_until_ok(&self, args: &[&str], limit: Duration) -> Result<String, String> {
        let start = Instant::now();
        loop {
            match self.control(args) {
                Ok(out) => return Ok(out),
                Err(e) if start.elapsed() >= limit => return Err(e),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Waits (at most `limit`) until it listens on its BGP port; fails when it exits first.
    pub(super) fn wait_listening(&mut self, limit: Duration) -> Result<(), String> {
        let start = Instant::now();
        let port = self.listen.port();
        while start.elapsed() < limit {
            if let Some(status) = self.exited() {
                return Err(format!("{} exited ({status}):\n{}", self.name(), self.log_tail()));
            }
            if procfs::listeners_of(&self.pids()).is_ok_and(|v| v.iter().any(|a| a.port() == port)) {
                return Ok(());
            }
            std::thread::sleep(POLL);
        }
        Err(format!(
            "{} did not listen on {} within {} s:\n{}",
            self.name(),
            self.listen,
            limit.as_secs(),
            self.log_tail()
        ))
    }

    /// An error when it listens anywhere but loopback.
    pub fn check_loopback_only(&self) -> Result<(), String> {
        let bad = procfs::non_loopback_listeners(&self.pids())?;
        if bad.is_empty() {
            Ok(())
        } else {
            Err(format!("{} listens outside loopback ({bad:?}); stopped", self.name()))
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // The processes it forked, known by pid and start time before it dies (they are
        // re-parented then); SIGKILL ends frozen (SIGSTOPped) processes too.
        let forked = procfs::descendants(self.pid());
        let _ = self.child.kill();
        let _ = self.child.wait();
        for (pid, started) in &forked {
            if procfs::alive(*pid, *started) {
                let _ = signal(*pid, "KILL");
            }
        }
        // Bounded: until none of them runs any more (their new parent reaps them).
        let start = Instant::now();
        while forked.iter().any(|(p, t)| procfs::alive(*p, *t)) && start.elapsed() < STOP_LIMIT {
            std::thread::sleep(Duration::from_millis(10));
        }
        tracing::debug!(daemon = self.name(), pid = self.child.id(), "stopped");
        remove_scratch(&self.dir);
    }
}

/// Sends signal `name` (`STOP`, `CONT`, `KILL`) to `pid` with kill(1).
fn signal(pid: u32, name: &str) -> Result<(), String> {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()
        .map_err(|e| format!("kill -{name} {pid}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("kill -{name} {pid}: {status}"))
    }
}

/// A fresh, empty scratch directory for one daemon, `peerlab-TAG-PID-N` in the temporary
/// directory.
pub fn scratch_dir(tag: &str) -> std::io::Result<PathBuf> {
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("peerlab-{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Removes a daemon's scratch directory unless `PEERLAB_KEEP_LOGS` is set.
pub(super) fn remove_scratch(dir: &Path) {
    if std::env::var_os("PEERLAB_KEEP_LOGS").is_none() {
        let _ = std::fs::remove_dir_all(dir);
    }
}
