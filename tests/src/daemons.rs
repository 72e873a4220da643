//! Real BIRD 2, GoBGP, OpenBGPD and FRR daemons for interop tests: the test's configuration for one
//! neighbour, started on loopback and stopped by its own pid through [`peerlab::daemons`]
//! (the one launch line of the bench, the tests and the lab), and the test policy: a missing
//! program skips the test with a note on stderr, or fails it under
//! `PEERLAB_REQUIRE_INTEROP=1`.
//!
//! Network safety: every BGP protocol in a BIRD config says `strict bind on` with a
//! loopback `local` address; gobgpd gets `local-address-list` of loopback addresses (its API
//! is put on 127.0.0.1 by the launch line); OpenBGPD `listen on` a loopback address; FRR's
//! listen address is on its launch line. [`peerlab::daemons::start`] refuses a daemon
//! that listens outside loopback (from /proc); [`assert_loopback_only`] checks it again,
//! independently, with `ss`.

use crate::sockets;
use peerlab::daemons::{self as launch, Launch, LogLevel};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use peerlab::daemons::{Daemon, Running};

/// Whether CI asked for interop tests to be mandatory (`PEERLAB_REQUIRE_INTEROP=1`).
pub fn interop_required() -> bool {
    std::env::var("PEERLAB_REQUIRE_INTEROP").is_ok_and(|v| v == "1")
}

/// The program for an interop test: `Some(path)` when installed; when missing, panics if
/// interop is required and otherwise says clearly on stderr that the test skipped.
pub fn require_program(name: &str, package: &str, test: &str) -> Option<PathBuf> {
    launch::find_program(name).or_else(|| {
        missing(
            test,
            &format!("`{name}` is not installed (apt-get install -y {package})"),
        )
    })
}

/// [`require_program`] for a daemon peerlab starts (found where it installs: FRR's `bgpd`
/// is not the one on `PATH`), which must also be able to run here (OpenBGPD: as root).
pub fn require_daemon(daemon: Daemon, test: &str) -> Option<PathBuf> {
    match daemon.locate().and_then(|p| daemon.prerequisites().map(|()| p)) {
        Ok(p) => Some(p),
        Err(why) => missing(test, &why),
    }
}

/// Fails the test under `PEERLAB_REQUIRE_INTEROP=1`, else notes on stderr that it skipped.
fn missing(test: &str, why: &str) -> Option<PathBuf> {
    if interop_required() {
        panic!("{test}: {why} and PEERLAB_REQUIRE_INTEROP=1");
    }
    eprintln!("SKIPPED {test}: {why}; set PEERLAB_REQUIRE_INTEROP=1 to make this a failure");
    None
}

/// A TCP port free on 127.0.0.1 and ::1, below the ephemeral range ([`crate::ports`]), so
/// that a parallel test's outgoing connection cannot take it before the daemon binds it.
pub fn free_port() -> u16 {
    crate::ports::free_port()
        .or_else(|| launch::free_port(IpAddr::V4(Ipv4Addr::LOCALHOST)).ok())
        .expect("a free port on loopback")
}

/// A fresh, empty scratch directory for a test's files.
pub fn scratch_dir(tag: &str) -> PathBuf {
    launch::scratch_dir(tag).expect("a scratch directory in the temporary directory")
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

/// OpenBGPD configuration for one neighbour with the unicast family of its transport,
/// accepting and announcing everything (RFC 8212: an EBGP neighbour gets nothing without an
/// `allow`), plus `extra` (e.g. `network` statements) among the global settings.
/// `peerlab::daemons` puts the control socket and `fib-update no` before it.
pub fn openbgpd_config(spec: &PeerSpec, extra: &str) -> String {
    let mut c = String::new();
    let _ = writeln!(c, "AS {}\nrouter-id {}", spec.local_as, spec.router_id);
    let _ = writeln!(c, "listen on {} port {}", spec.local_addr, spec.local_port);
    let _ = writeln!(c, "holdtime {}\nholdtime min 3\nconnect-retry 1", spec.hold_time);
    let _ = writeln!(c, "{extra}");
    let _ = writeln!(c, "neighbor {} {{", spec.peer_addr);
    let _ = writeln!(c, "  remote-as {}\n  port {}", spec.peer_as, spec.peer_port);
    let _ = writeln!(c, "  local-address {}", spec.local_addr);
    if spec.passive {
        let _ = writeln!(c, "  passive");
    }
    if let Some(pw) = &spec.md5 {
        let _ = writeln!(c, "  tcp md5sig password {pw}");
    }
    let (on, off) = if spec.local_addr.is_ipv6() {
        ("IPv6", "IPv4")
    } else {
        ("IPv4", "IPv6")
    };
    let _ = writeln!(c, "  announce {on} unicast\n  announce {off} none");
    let _ = writeln!(c, "}}\nallow from any\nallow to any");
    c
}

/// FRR `bgpd` configuration for one neighbour with the unicast family of its transport
/// (without zebra: no connected check, no import check for `network`), plus `af` inside
/// that family's section (e.g. `network` lines) and `extra` after it (e.g. route-maps).
/// Its listen address and port are on the launch line.
pub fn frr_config(spec: &PeerSpec, af: &str, extra: &str) -> String {
    let n = spec.peer_addr;
    let mut c = String::new();
    let _ = writeln!(c, "frr defaults traditional\nhostname peerlab-test");
    let _ = writeln!(c, "router bgp {}", spec.local_as);
    let _ = writeln!(c, " bgp router-id {}", spec.router_id);
    let _ = writeln!(
        c,
        " no bgp ebgp-requires-policy\n no bgp network import-check\n no bgp default ipv4-unicast"
    );
    // NOTIFICATIONs (with a shutdown message) are logged only with this.
    let _ = writeln!(c, " bgp log-neighbor-changes");
    let _ = writeln!(
        c,
        " neighbor {n} remote-as {}\n neighbor {n} port {}",
        spec.peer_as, spec.peer_port
    );
    let _ = writeln!(c, " neighbor {n} update-source {}", spec.local_addr);
    let _ = writeln!(c, " neighbor {n} disable-connected-check");
    let keepalive = (spec.hold_time / 3).max(1);
    let _ = writeln!(
        c,
        " neighbor {n} timers {keepalive} {}\n neighbor {n} timers connect 1",
        spec.hold_time
    );
    if spec.passive {
        let _ = writeln!(c, " neighbor {n} passive");
    }
    if let Some(pw) = &spec.md5 {
        let _ = writeln!(c, " neighbor {n} password {pw}");
    }
    let family = if spec.local_addr.is_ipv6() { "ipv6" } else { "ipv4" };
    let _ = writeln!(c, " address-family {family} unicast\n  neighbor {n} activate");
    let _ = writeln!(c, "{af}\n exit-address-family\n{extra}");
    c
}

/// Starts `daemon` (`program`, from [`require_daemon`]) with the test's `config`, its BGP
/// on `spec`'s local address and port, logging everything (tests read the log).
pub fn start(daemon: Daemon, program: &Path, spec: &PeerSpec, config: String) -> Result<Running, String> {
    launch::start(&Launch {
        program: Some(program.to_owned()),
        log: LogLevel::Debug,
        ..Launch::new(daemon, config, SocketAddr::new(spec.local_addr, spec.local_port))
    })
}

/// The output of the daemon's control client (`birdc`, `gobgp`) for `args`, or what went
/// wrong, for assertions and their messages.
pub fn control(d: &Running, args: &[&str]) -> String {
    d.control(args).unwrap_or_else(|e| e)
}

/// Panics if the daemon or a process it forked listens on anything but loopback (as `ss`
/// sees it).
pub fn assert_loopback_only(d: &Running) {
    let pids = d.pids();
    let start = Instant::now();
    loop {
        let all = sockets::listeners().unwrap_or_else(|e| panic!("cannot check {}'s sockets: {e}", d.name()));
        let own: Vec<_> = all
            .into_iter()
            .filter(|l| l.pids.iter().any(|p| pids.contains(p)))
            .collect();
        if !own.is_empty() {
            let outside: Vec<_> = own
                .iter()
                .filter(|l| !l.addr.is_some_and(|a| a.is_loopback()))
                .collect();
            assert!(
                outside.is_empty(),
                "{} (pids {pids:?}) listens outside loopback: {outside:?}",
                d.name()
            );
            return;
        }
        // A daemon still starting listens nowhere yet: an empty answer would prove nothing.
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{} (pids {pids:?}) listens on no TCP socket: nothing to check",
            d.name()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
