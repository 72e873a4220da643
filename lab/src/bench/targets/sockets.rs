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
}
