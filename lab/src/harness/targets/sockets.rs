//! The network-safety check on a started daemon: every TCP socket it listens on must be on
//! loopback. Read from /proc (the process's socket inodes and /proc/net/tcp{,6}).

use std::collections::HashSet;

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

/// Whether a /proc/net/tcp{,6} local address (hex, host byte order per 32-bit word) is loopback.
fn is_loopback_hex(addr: &str) -> bool {
    match addr.len() {
        // IPv4: the first octet is the last byte of the little-endian word.
        8 => addr.ends_with("7F"),
        32 => {
            addr == "00000000000000000000000001000000"
                || (addr.starts_with("0000000000000000FFFF0000") && addr.ends_with("7F"))
        }
        _ => false,
    }
}

/// The local addresses (as /proc shows them) on which `pid` listens outside loopback.
pub fn non_loopback_listeners(pid: u32) -> Result<Vec<String>, String> {
    let inodes = socket_inodes(pid)?;
    let mut bad = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).map_err(|e| format!("{table}: {e}"))?;
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state), Some(inode)) = (cols.get(1), cols.get(3), cols.get(9)) else {
                continue;
            };
            let listening = *state == "0A";
            let ours = inode.parse::<u64>().is_ok_and(|i| inodes.contains(&i));
            let addr = local.split(':').next().unwrap_or("");
            if listening && ours && !is_loopback_hex(addr) {
                bad.push((*local).to_owned());
            }
        }
    }
    Ok(bad)
}

/// The /proc/net/tcp{,6} notation of an address (hex of each little-endian 32-bit word).
pub fn proc_hex(a: std::net::IpAddr) -> String {
    let octets = match a {
        std::net::IpAddr::V4(a) => a.octets().to_vec(),
        std::net::IpAddr::V6(a) => a.octets().to_vec(),
    };
    octets
        .chunks(4)
        .map(|w| format!("{:08X}", u32::from_le_bytes([w[0], w[1], w[2], w[3]])))
        .collect()
}

/// Octets written but not yet acknowledged by the receiving kernel (`tx_queue`) over every
/// TCP connection from one of `locals` (in [`proc_hex`] notation) to one of `ports`;
/// `None` when /proc/net/tcp cannot be read.
pub fn unacked_bytes(locals: &HashSet<String>, ports: &[u16]) -> Option<u64> {
    let mut text = std::fs::read_to_string("/proc/net/tcp").ok()?;
    if locals.iter().any(|l| l.len() == 32) {
        text.push_str(&std::fs::read_to_string("/proc/net/tcp6").ok()?);
    }
    let mut sum = 0;
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let (Some(local), Some(remote), Some(queues)) = (cols.get(1), cols.get(2), cols.get(4)) else {
            continue;
        };
        let ip = local.split(':').next().unwrap_or("");
        let port = remote.split(':').nth(1).and_then(|p| u16::from_str_radix(p, 16).ok());
        if locals.contains(ip) && port.is_some_and(|p| ports.contains(&p)) {
            let tx = queues.split(':').next().unwrap_or("0");
            sum += u64::from_str_radix(tx, 16).unwrap_or(0);
        }
    }
    Some(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_addresses_are_recognised_in_proc_net_tcp_notation() {
        assert!(is_loopback_hex("0100007F"));
        assert!(is_loopback_hex("0201017F"));
        assert!(!is_loopback_hex("00000000"));
        assert!(!is_loopback_hex("0100000A"));
        assert!(is_loopback_hex("00000000000000000000000001000000"));
        assert!(!is_loopback_hex("00000000000000000000000000000000"));
        assert!(is_loopback_hex("0000000000000000FFFF00000100007F"));
    }

    #[test]
    fn ipv4_addresses_are_written_as_proc_net_tcp_writes_them() {
        assert_eq!(proc_hex(std::net::Ipv4Addr::new(127, 1, 2, 3).into()), "0302017F");
        assert!(is_loopback_hex(&proc_hex(std::net::Ipv4Addr::LOCALHOST.into())));
        assert!(is_loopback_hex(&proc_hex(std::net::Ipv6Addr::LOCALHOST.into())));
    }
}
