//! What is listening, from `ss -ltnp`: the network-safety check every interop test makes.

use std::net::IpAddr;
use std::process::Command;

/// One listening TCP socket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    /// Local address (`None` for a wildcard such as `*` or `0.0.0.0`).
    pub addr: Option<IpAddr>,
    /// Local port.
    pub port: u16,
    /// Process ids that own it.
    pub pids: Vec<u32>,
}

fn parse_local(s: &str) -> Option<(Option<IpAddr>, u16)> {
    let (host, port) = s.rsplit_once(':')?;
    let port = port.parse().ok()?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = host.split('%').next().unwrap_or(host);
    if host == "*" {
        return Some((None, port));
    }
    let addr: IpAddr = host.parse().ok()?;
    Some((if addr.is_unspecified() { None } else { Some(addr) }, port))
}

/// Every listening TCP socket on the machine with its owning pids (`ss -ltnpH`).
pub fn listeners() -> Result<Vec<Listener>, String> {
    let out = Command::new("ss")
        .args(["-ltnpH"])
        .output()
        .map_err(|e| format!("cannot run ss: {e}"))?;
    if !out.status.success() {
        return Err(format!("ss failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut v = Vec::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let Some((addr, port)) = cols.get(3).and_then(|c| parse_local(c)) else {
            continue;
        };
        let pids = line
            .split("pid=")
            .skip(1)
            .filter_map(|s| s.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
            .collect();
        v.push(Listener { addr, port, pids });
    }
    Ok(v)
}

/// The sockets owned by `pid` that listen anywhere but loopback. An error when `pid` listens
/// on no TCP socket at all: an empty answer then would prove nothing, and the check is meant
/// to be made while the process serves.
pub fn non_loopback_listeners_of(pid: u32) -> Result<Vec<Listener>, String> {
    outside_loopback(pid, listeners()?)
}

fn outside_loopback(pid: u32, all: Vec<Listener>) -> Result<Vec<Listener>, String> {
    let own: Vec<Listener> = all.into_iter().filter(|l| l.pids.contains(&pid)).collect();
    if own.is_empty() {
        return Err(format!(
            "pid {pid} listens on no TCP socket: checking that it listens on loopback only would prove nothing"
        ));
    }
    Ok(own
        .into_iter()
        .filter(|l| !l.addr.is_some_and(|a| a.is_loopback()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ss_local_addresses_parse_for_both_families() {
        assert_eq!(
            parse_local("127.0.0.1:179"),
            Some((Some("127.0.0.1".parse().unwrap()), 179))
        );
        assert_eq!(parse_local("[::1]:1790"), Some((Some("::1".parse().unwrap()), 1790)));
        assert_eq!(parse_local("*:179"), Some((None, 179)));
        assert_eq!(parse_local("0.0.0.0:22"), Some((None, 22)));
        assert_eq!(parse_local("[::]:22"), Some((None, 22)));
    }

    fn l(addr: &str, port: u16, pid: u32) -> Listener {
        let (addr, _) = parse_local(&format!("{addr}:{port}")).expect("address");
        Listener {
            addr,
            port,
            pids: vec![pid],
        }
    }

    #[test]
    fn a_process_that_listens_nowhere_is_not_reported_as_loopback_only() {
        let all = vec![l("127.0.0.1", 179, 7)];
        assert!(outside_loopback(8, all).is_err());
    }

    #[test]
    fn wildcard_and_other_addresses_are_outside_loopback_and_loopback_ones_are_not() {
        let all = vec![
            l("127.0.0.2", 1790, 7),
            l("[::1]", 1791, 7),
            l("0.0.0.0", 22, 7),
            l("192.0.2.1", 179, 7),
            l("0.0.0.0", 80, 9),
        ];
        let out = outside_loopback(7, all).expect("pid 7 listens");
        let ports: Vec<u16> = out.iter().map(|l| l.port).collect();
        assert_eq!(ports, vec![22, 179]);
    }
}
