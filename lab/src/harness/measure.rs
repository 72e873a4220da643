//! What a run measures from /proc: the target's CPU time and peak memory (by its pid), and
//! the octets the testers wrote that the target's kernel has not acknowledged yet.

use crate::daemons::procfs;
use std::collections::HashSet;
use std::net::IpAddr;

/// Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// User plus system CPU seconds of `pid` so far (from /proc/PID/stat).
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let s = procfs::stat(pid)?;
    Some((s.utime + s.stime) as f64 / TICKS_PER_SECOND)
}

/// Peak resident set size of `pid` in KiB (VmHWM from /proc/PID/status).
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Octets written but not yet acknowledged by the receiving kernel (`tx_queue`) over every
/// TCP connection from one of `locals` to one of `ports`; `None` when /proc/net/tcp cannot
/// be read.
pub fn unacked_bytes(locals: &HashSet<IpAddr>, ports: &[u16]) -> Option<u64> {
    let mut sockets = procfs::tcp_table(false).ok()?;
    if locals.iter().any(IpAddr::is_ipv6) {
        sockets.extend(procfs::tcp_table(true).ok()?);
    }
    Some(
        sockets
            .iter()
            .filter(|s| locals.contains(&s.local.ip()) && ports.contains(&s.remote.port()))
            .map(|s| s.tx_queue)
            .sum(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_cpu_time_and_a_peak_rss() {
        let pid = std::process::id();
        assert!(cpu_seconds(pid).is_some_and(|s| s >= 0.0));
        assert!(peak_rss_kib(pid).is_some_and(|k| k > 0));
    }
}
