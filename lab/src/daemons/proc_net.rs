//! TCP sockets as the kernel lists them in /proc/net/tcp and /proc/net/tcp6, and the sockets
//! a process holds (/proc/PID/fd): who listens where, whether only on loopback, and free
//! loopback ports. Read without connecting to anything.

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

/// The addresses on which `pid` listens (TCP).
pub fn listeners_of(pid: u32) -> Result<Vec<SocketAddr>, String> {
    let inodes = socket_inodes(pid)?;
    Ok(tcp_sockets()?
        .into_iter()
        .filter(|s| s.listening && inodes.contains(&s.inode))
        .map(|s| s.local)
        .collect())
}

/// The addresses on which `pid` listens outside loopback.
pub fn non_loopback_listeners(pid: u32) -> Result<Vec<SocketAddr>, String> {
    Ok(listeners_of(pid)?
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
        let mine = listeners_of(std::process::id()).unwrap();
        assert!(mine.iter().any(|a| a.port() == port), "{mine:?}");
        assert!(non_loopback_listeners(std::process::id())
            .unwrap()
            .iter()
            .all(|a| a.port() != port));
    }
}
