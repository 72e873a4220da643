//! Real BIRD 2 and GoBGP daemons for interop tests: configuration written by the test,
//! started on loopback only, stopped by their own pid when dropped.
//!
//! Network safety: every BGP protocol in a BIRD config says `strict bind on` with a
//! loopback `local` address; gobgpd gets `local-address-list` of loopback addresses and
//! `--api-hosts 127.0.0.1:PORT`. [`Daemon::assert_loopback_only`] checks it with `ss`.

use crate::sockets;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether CI asked for interop tests to be mandatory (`PEERLAB_REQUIRE_INTEROP=1`).
pub fn interop_required() -> bool {
    std::env::var("PEERLAB_REQUIRE_INTEROP").is_ok_and(|v| v == "1")
}

/// Finds an executable on `PATH` or in the sbin directories.
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    let found = path
        .split(':')
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"])
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file());
    found
}

/// The program for an interop test: `Some(path)` when installed; when missing, panics if
/// interop is required and otherwise says clearly on stderr that the test skipped.
pub fn require_program(name: &str, package: &str, test: &str) -> Option<PathBuf> {
    if let Some(p) = find_program(name) {
        return Some(p);
    }
    if interop_required() {
        panic!("{test}: `{name}` is not installed and PEERLAB_REQUIRE_INTEROP=1: apt-get install -y {package}");
    }
    eprintln!("SKIPPED {test}: `{name}` is not installed (apt-get install -y {package}); set PEERLAB_REQUIRE_INTEROP=1 to make this a failure");
    None
}

/// A free TCP port on 127.0.0.1 (bound and released; good enough for tests on one host).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

/// A fresh, empty scratch directory for one daemon.
pub fn scratch_dir(tag: &str) -> PathBuf {
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("peerlab-{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// One BGP neighbour as a daemon sees it.
#[derive(Clone, Debug)]
pub struct PeerSpec {
    /// The daemon's own address (loopback).
    pub local_addr: IpAddr,
    /// The daemon's listening port.
    pub local_port: u16,
    /// The daemon's AS.
    pub local_as: u32,
    /// The daemon's router id.
    pub router_id: Ipv4Addr,
    /// The neighbour's address (loopback).
    pub peer_addr: IpAddr,
    /// The neighbour's port.
    pub peer_port: u16,
    /// The neighbour's AS.
    pub peer_as: u32,
    /// Whether the daemon only waits for the neighbour to connect.
    pub passive: bool,
    /// Hold time proposed by the daemon.
    pub hold_time: u16,
    /// TCP-MD5 password.
    pub md5: Option<String>,
    /// BIRD only: the export filter of the BGP channels (`all` when `None`). BIRD sends a
    /// MED over eBGP only when the export filter sets it.
    pub bird_export: Option<String>,
}

/// A running daemon; dropping it kills it by its own pid and removes nothing else.
#[derive(Debug)]
pub struct Daemon {
    /// `bird` or `gobgpd`.
    pub name: &'static str,
    /// Its pid.
    pub pid: u32,
    /// Its scratch directory (config, socket, log).
    pub dir: PathBuf,
    /// gobgpd's API port.
    pub api_port: Option<u16>,
    child: Child,
}

impl Daemon {
    /// The daemon's log so far (for assertions on what it logged).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("daemon.log")).unwrap_or_default()
    }

    /// Freezes the daemon (SIGSTOP) — for hold-timer tests.
    pub fn freeze(&self) {
        let _ = Command::new("kill").args(["-STOP", &self.pid.to_string()]).status();
    }

    /// Thaws a frozen daemon (SIGCONT).
    pub fn thaw(&self) {
        let _ = Command::new("kill").args(["-CONT", &self.pid.to_string()]).status();
    }

    /// Panics if the daemon listens on anything but loopback. Waits (at most 10 s) until it
    /// listens at all, so that a daemon still starting is not taken as loopback-only.
    pub fn assert_loopback_only(&self) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10)
            && !sockets::listeners().is_ok_and(|v| v.iter().any(|l| l.pids.contains(&self.pid)))
        {
            std::thread::sleep(Duration::from_millis(50));
        }
        match sockets::non_loopback_listeners_of(self.pid) {
            Ok(v) => assert!(
                v.is_empty(),
                "{} (pid {}) listens outside loopback: {v:?}",
                self.name,
                self.pid
            ),
            Err(e) => panic!("cannot check {}'s sockets: {e}", self.name),
        }
    }

    /// Waits until the daemon listens on `port` (bounded by `timeout`).
    pub fn wait_listening(&self, port: u16, timeout: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if sockets::listeners().is_ok_and(|v| v.iter().any(|l| l.port == port && l.pids.contains(&self.pid))) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.thaw();
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::env::var_os("PEERLAB_KEEP_LOGS").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// BIRD 2 configuration for one BGP neighbour with the unicast family of its transport, importing and
/// exporting everything, plus `extra` (e.g. static routes to announce).
pub fn bird_config(spec: &PeerSpec, extra: &str) -> String {
    let mut c = String::new();
    let _ = writeln!(c, "router id {};", spec.router_id);
    let _ = writeln!(c, "protocol device {{ scan time 60; }}");
    let _ = writeln!(c, "{extra}");
    let _ = writeln!(c, "protocol bgp peerlab {{");
    let _ = writeln!(
        c,
        "  local {} port {} as {};",
        spec.local_addr, spec.local_port, spec.local_as
    );
    let _ = writeln!(
        c,
        "  neighbor {} port {} as {};",
        spec.peer_addr, spec.peer_port, spec.peer_as
    );
    let _ = writeln!(c, "  strict bind on;");
    // Loopback neighbours are not on a directly connected network in BIRD's eyes.
    let _ = writeln!(c, "  multihop;");
    let _ = writeln!(c, "  passive {};", if spec.passive { "on" } else { "off" });
    let _ = writeln!(c, "  hold time {};", spec.hold_time);
    let _ = writeln!(c, "  connect retry time 1;");
    let _ = writeln!(c, "  error wait time 1, 5;");
    if let Some(pw) = &spec.md5 {
        let _ = writeln!(c, "  password \"{pw}\";");
    }
    let export = spec.bird_export.as_deref().unwrap_or("all");
    // One family per session, as in the Azure model: IPv4 routes over the IPv4 session,
    // IPv6 routes over the IPv6 one. On IPv6 loopback both ends are ::1, so BIRD's own
    // address cannot be the next hop; a documentation address stands in as a label.
    if spec.local_addr.is_ipv6() {
        let _ = writeln!(
            c,
            "  ipv6 {{ import all; export {export}; next hop address 2001:db8::2; }};"
        );
    } else {
        let _ = writeln!(c, "  ipv4 {{ import all; export {export}; }};");
    }
    let _ = writeln!(c, "}}");
    c
}

/// Starts `bird` in the foreground on loopback with `config`.
pub fn start_bird(bird: &Path, config: &str) -> std::io::Result<Daemon> {
    let dir = scratch_dir("bird");
    let conf = dir.join("bird.conf");
    let log = dir.join("daemon.log");
    std::fs::write(&conf, format!("log \"{}\" all;\n{config}", log.display()))?;
    let child = Command::new(bird)
        .arg("-f")
        .arg("-c")
        .arg(&conf)
        .arg("-s")
        .arg(dir.join("bird.ctl"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("stderr.log"))?)
        .spawn()?;
    Ok(Daemon {
        name: "bird",
        pid: child.id(),
        dir,
        api_port: None,
        child,
    })
}

/// Runs `birdc` against a daemon started by [`start_bird`].
pub fn birdc(d: &Daemon, args: &[&str]) -> String {
    let out = Command::new(find_program("birdc").unwrap_or_else(|| PathBuf::from("birdc")))
        .arg("-s")
        .arg(d.dir.join("bird.ctl"))
        .args(args)
        .output();
    out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

/// gobgpd configuration (TOML) for one neighbour with the unicast family of its transport.
pub fn gobgp_config(spec: &PeerSpec) -> String {
    let mut c = String::new();
    let _ = writeln!(
        c,
        "[global.config]\n  as = {}\n  router-id = \"{}\"",
        spec.local_as, spec.router_id
    );
    let _ = writeln!(
        c,
        "  port = {}\n  local-address-list = [\"{}\"]",
        spec.local_port, spec.local_addr
    );
    let _ = writeln!(
        c,
        "[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \"{}\"",
        spec.peer_addr
    );
    let _ = writeln!(c, "    peer-as = {}", spec.peer_as);
    if let Some(pw) = &spec.md5 {
        let _ = writeln!(c, "    auth-password = \"{pw}\"");
    }
    let _ = writeln!(c, "  [neighbors.transport.config]\n    passive-mode = {}", spec.passive);
    let _ = writeln!(
        c,
        "    remote-port = {}\n    local-address = \"{}\"",
        spec.peer_port, spec.local_addr
    );
    let _ = writeln!(c, "  [neighbors.timers.config]\n    hold-time = {}", spec.hold_time);
    let _ = writeln!(
        c,
        "    keepalive-interval = {}\n    connect-retry = 1",
        (spec.hold_time / 3).max(1)
    );
    for fam in ["ipv4-unicast", "ipv6-unicast"] {
        let _ = writeln!(
            c,
            "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"{fam}\""
        );
    }
    c
}

/// Starts `gobgpd` on loopback with `config` (TOML) and its API on 127.0.0.1.
pub fn start_gobgp(gobgpd: &Path, config: &str) -> std::io::Result<Daemon> {
    let dir = scratch_dir("gobgp");
    let conf = dir.join("gobgpd.toml");
    std::fs::write(&conf, config)?;
    let api_port = free_port();
    let log = std::fs::File::create(dir.join("daemon.log"))?;
    let child = Command::new(gobgpd)
        .arg("-f")
        .arg(&conf)
        .arg("-t")
        .arg("toml")
        .arg("--api-hosts")
        .arg(format!("127.0.0.1:{api_port}"))
        .arg("--log-plain")
        .arg("-l")
        .arg("debug")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()?;
    Ok(Daemon {
        name: "gobgpd",
        pid: child.id(),
        dir,
        api_port: Some(api_port),
        child,
    })
}

/// Runs the `gobgp` client until it succeeds (the API may not be up yet), at most `timeout`.
pub fn gobgp_retry(d: &Daemon, args: &[&str], timeout: Duration) -> Result<String, String> {
    let port = d.api_port.unwrap_or(50051).to_string();
    let start = Instant::now();
    loop {
        let out = Command::new(find_program("gobgp").unwrap_or_else(|| PathBuf::from("gobgp")))
            .args(["-u", "127.0.0.1", "-p", &port])
            .args(args)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
        }
        if start.elapsed() > timeout {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs the `gobgp` client against a daemon started by [`start_gobgp`].
pub fn gobgp(d: &Daemon, args: &[&str]) -> String {
    let port = d.api_port.unwrap_or(50051).to_string();
    let out = Command::new(find_program("gobgp").unwrap_or_else(|| PathBuf::from("gobgp")))
        .args(["-u", "127.0.0.1", "-p", &port])
        .args(args)
        .output();
    out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}
