//! Ports for the daemons and speakers a test starts: below the kernel's ephemeral range, so
//! that no outgoing connection of a test running alongside can take a port between the check
//! here and the daemon's own bind (a port the kernel handed out with `bind(0)` comes from that
//! range, and a parallel test's `connect` can get it a moment later), and free on both
//! 127.0.0.1 and ::1, so one port serves either family.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU32, Ordering};

/// The lowest port handed out.
const LOW: u32 = 10_000;

/// The start of the ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`, default 32768).
fn ephemeral_start() -> u32 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .filter(|&p: &u32| p > LOW + 1_000)
        .unwrap_or(32_768)
}

/// Whether `port` can be bound now on 127.0.0.1 and on ::1 (where IPv6 is there).
fn bindable(port: u16) -> bool {
    let v4 = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).is_ok();
    let v6 = match TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port))) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::AddrNotAvailable,
    };
    v4 && v6
}

/// A port free on both loopback addresses, outside the ephemeral range. Each call in a process
/// moves on from the last one (from a start that differs per process), so the tests of one
/// binary never get the same port twice.
pub fn free_port() -> Option<u16> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let span = ephemeral_start() - LOW;
    let _ = NEXT.compare_exchange(0, seed() % span + 1, Ordering::SeqCst, Ordering::SeqCst);
    for _ in 0..span {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let port = LOW + n % span;
        if let Ok(p) = u16::try_from(port) {
            if bindable(p) {
                return Some(p);
            }
        }
    }
    None
}

/// A start that differs between processes and runs.
fn seed() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    std::process::id().wrapping_mul(7_919).wrapping_add(nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_below_the_ephemeral_range_bindable_and_not_repeated() {
        let a = free_port().expect("a port");
        let b = free_port().expect("another port");
        assert_ne!(a, b);
        for p in [a, b] {
            assert!(u32::from(p) >= LOW && u32::from(p) < ephemeral_start(), "{p}");
            assert!(bindable(p));
        }
    }
}
