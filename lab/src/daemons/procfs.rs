//! What /proc tells about processes and TCP sockets: a process's parent, CPU times and start
//! (/proc/PID/stat) and its descendants; the sockets as the kernel lists them in
//! /proc/net/tcp and /proc/net/tcp6 and those a process holds (/proc/PID/fd): who listens
//! where, whether only on loopback; and free loopback ports. Read without connecting to
//! anything.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};

/// The state column's value for a listening socket (TCP_LISTEN).
const LISTEN: &str = "0A";

/// One line of /proc/net/tcp{,6}.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpSocket {
    /// Local address and port.
    pub local: SocketAddr,
    /// Remote address and port (unspecified for a listener).
    pub remote: SocketAddr,
    /// Whether it is a listening socket.
    pub listening: bool,
    /// Octets written but not yet acknowledged by the other end's kernel.
    pub tx_queue: u64,
    /// The socket's inode (as /proc/PID/fd links name it).
    pub inode: u64,
}

/// Every socket of one table: /proc/net/tcp, or /proc/net/tcp6 when `v6`.
pub fn tcp_table(v6: bool) -> Result<Vec<TcpSocket>, String> {
    let path = if v6 { "/proc/net/tcp6" } else { "/proc/net/tcp" };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    Ok(text.lines().skip(1).filter_map(parse_line).collect())
}

/// Every TCP socket of both tables.
pub fn tcp_sockets() -> Result<Vec<TcpSocket>, String> {
    let mut v = tcp_table(false)?;
    v.extend(tcp_table(true)?);
    Ok(v)
}

/// One line: `sl local remote st tx_queue:rx_queue tr:when retrnsmt uid timeout inode ...`.
fn parse_line(line: &str) -> Option<TcpSocket> {
    let cols: Vec<&str> = line.split_whitespace().collect();
    let (local, remote, state, queues, inode) = (cols.get(1)?, cols.get(2)?, cols.get(3)?, cols.get(4)?, cols.get(9)?);
    let tx = queues.split(':').next()?;
    Some(TcpSocket {
        local: parse_addr(local)?,
        remote: parse_addr(remote)?,
        listening: *state == LISTEN,
        tx_queue: u64::from_str_radix(tx, 16).ok()?,
        inode: inode.parse().ok()?,
    })
}

/// `ADDR:PORT` in hex, the address as 32-bit words each in host (little-endian) order.
fn parse_addr(s: &str) -> Option<SocketAddr> {
    let (addr, port) = s.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let word = |i: usize| -> Option<[u8; 4]> {
        let w = u32::from_str_radix(addr.get(i * 8..i * 8 + 8)?, 16).ok()?;
        Some(w.to_le_bytes())
    };
    let ip = match addr.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(0)?)),
        32 => {
            let mut o = [0u8; 16];
            for i in 0..4 {
                o[i * 4..i * 4 + 4].copy_from_slice(&word(i)?);
            }
            IpAddr::V6(Ipv6Addr::from(o))
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// Whether `ip` is loopback, also as an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`).
pub fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => a.is_loopback(),
        IpAddr::V6(a) => a.is_loopback() || a.to_ipv4_mapped().is_some_and(|m| m.is_loopback()),
    }
}

/// The fields of /proc/PID/stat that peerlab reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcStat {
    /// Its state: `R` running, `S` sleeping, `T` stopped, `Z` zombie (dead, not yet reaped),
    /// ...
    pub state: char,
    /// The parent's pid.
    pub ppid: u32,
    /// CPU time in user mode, in clock ticks.
    pub utime: u64,
    /// CPU time in kernel mode, in clock ticks.
    pub stime: u64,
    /// When it started, in clock ticks after boot (with the pid, names a process uniquely).
    pub start_time: u64,
}

/// /proc/PID/stat of `pid`; `None` when it is gone.
pub fn stat(pid: u32) -> Option<ProcStat> {
    parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

fn parse_stat(text: &str) -> Option<ProcStat> {
    // The fields after the command name, which is in parentheses and may hold spaces:
    // field 3 (state) is the first, so field N is at N - 3.
    let rest = text.get(text.rfind(')')? + 2..)?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(ProcStat {
        state: f.first()?.chars().next()?,
        ppid: f.get(1)?.parse().ok()?,
        utime: f.get(11)?.parse().ok()?,
        stime: f.get(12)?.parse().ok()?,
        start_time: f.get(19)?.parse().ok()?,
    })
}

/// Whether the process `pid` that started at `start_time` still runs (a zombie does not).
pub fn alive(pid: u32, start_time: u64) -> bool {
    stat(pid).is_some_and(|s| s.start_time == start_time && s.state != 'Z')
}

/// Every descendant of `pid` (children, their children, ...), each with its start time.
pub fn descendants(pid: u32) -> Vec<(u32, u64)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let all: Vec<(u32, ProcStat)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|p| Some((p, stat(p)?)))
        .collect();
    let mut found: Vec<(u32, u64)> = Vec::new();
    let mut parents = vec![pid];
    while let Some(parent) = parents.pop() {
        for (p, s) in &all {
            if s.ppid == parent && !found.iter().any(|(q, _)| q == p) {
                found.push((*p, s.start_time));
                parents.push(*p);
            }
        }
    }
    found
}

/// The socket inodes `pid` holds open.
fn socket_inodes(pid: u32) -> Result<HashSet<u64>, String> {
    let dir = format!("/proc/{pid}/fd");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{dir}: {e}"))?;
    Ok(entries
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .filter_map(|l| l.to_str()?.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok())
        .collect())
}

/// The addresses on which any of `pids` listens (TCP).
pub fn listeners_of(pids: &[u32]) -> Result<Vec<SocketAddr>, String> {
    let mut inodes = HashSet::new();
    for pid in pids {
        inodes.extend(socket_inodes(*pid)?);
    }
    Ok(tcp_sockets()?
        .into_iter()
        .filter(|s| s.listening && inodes.contains(&s.inode))
        .map(|s| s.local)
        .collect())
}

/// The addresses on which any of `pids` listens outside loopback.
pub fn non_loopback_listeners(pids: &[u32]) -> Result<Vec<SocketAddr>, String> {
    Ok(listeners_of(pids)?
        .into_iter()
        .filter(|a| !is_loopback(a.ip()))
        .collect())
}

/// A free TCP port on `ip` (bound and released; good enough on one host).
pub fn free_port(ip: IpAddr) -> std::io::Result<u16> {
    Ok(TcpListener::bind(SocketAddr::new(ip, 0))?.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_net_tcp_lines_parse_for_both_families() {
        let v4 = "   0: 0100007F:0B3D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0";
        let s = parse_line(v4).unwrap();
        assert_eq!(s.local, "127.0.0.1:2877".parse().unwrap());
        assert!(s.listening);
        assert_eq!((s.tx_queue, s.inode), (0, 4242));
        let v6 = "   1: 00000000000000000000000001000000:06FE 00000000000000000000000001000000:C350 01 0000002A:00000000 00:00000000 00000000     0        0 77 1";
        let s = parse_line(v6).unwrap();
        assert_eq!(s.local, "[::1]:1790".parse().unwrap());
        assert_eq!(s.remote.port(), 50000);
        assert!(!s.listening);
        assert_eq!(s.tx_queue, 42);
    }

    #[test]
    fn loopback_addresses_are_recognised_in_proc_net_tcp_notation() {
        let ip = |hex: &str| parse_addr(&format!("{hex}:00B3")).unwrap().ip();
        assert!(is_loopback(ip("0100007F")));
        assert!(is_loopback(ip("0201017F")));
        assert!(!is_loopback(ip("00000000")));
        assert!(!is_loopback(ip("0100000A")));
        assert!(is_loopback(ip("00000000000000000000000001000000")));
        assert!(!is_loopback(ip("00000000000000000000000000000000")));
        assert!(is_loopback(ip("0000000000000000FFFF00000100007F")));
        assert_eq!(ip("0302017F"), IpAddr::V4(Ipv4Addr::new(127, 1, 2, 3)));
    }

    #[test]
    fn a_listener_of_this_process_is_seen_on_its_port() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let me = [std::process::id()];
        let mine = listeners_of(&me).unwrap();
        assert!(mine.iter().any(|a| a.port() == port), "{mine:?}");
        assert!(non_loopback_listeners(&me).unwrap().iter().all(|a| a.port() != port));
    }

    #[test]
    fn proc_stat_fields_are_read_after_a_command_name_with_spaces() {
        let line = "4242 (a (b) c) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 30 0 0 20 0 1 0 987654 1000 10 18446744073709551615";
        let s = parse_stat(line).unwrap();
        assert_eq!(
            (s.state, s.ppid, s.utime, s.stime, s.start_time),
            ('S', 17, 250, 30, 987654)
        );
        let me = stat(std::process::id()).unwrap();
        assert_eq!(me.ppid, std::os::unix::process::parent_id());
        assert!(alive(std::process::id(), me.start_time));
        assert!(!alive(std::process::id(), me.start_time + 1));
    }

    #[test]
    fn a_child_is_among_the_descendants_with_its_start_time_until_it_ends() {
        let mut child = std::process::Command::new("sleep").arg("5").spawn().unwrap();
        let found = descendants(std::process::id());
        let start = stat(child.id()).map(|s| s.start_time).unwrap();
        let _ = child.kill();
        let _ = child.wait();
        assert!(found.contains(&(child.id(), start)), "{found:?}");
        assert!(!alive(child.id(), start));
    }
}
