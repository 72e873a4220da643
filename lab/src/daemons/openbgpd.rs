//! OpenBGPD's launch line: `bgpd -d -f CONF` — in the foreground, logging to stderr. Its
//! configuration gets two first lines: its control socket in the scratch directory and
//! `fib-update no` (the kernel's routing table is never touched). bgpd listens on every
//! address unless told, so a configuration without `listen on` a loopback address is
//! refused. bgpd forks a session engine (which holds the BGP socket), a route decision
//! engine and an RTR process; they are its descendants and stop with it.
//!
//! bgpd chroots its engines into its user's home directory (`/run/openbgpd` for Debian's
//! `_openbgpd`), which the package's systemd unit creates at start (`RuntimeDirectory`);
//! started without the unit, that directory is created here when missing.

use super::line::{Line, LogLevel};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// bgpd's control socket in the scratch directory (for `bgpctl -s`).
pub const CONTROL_SOCKET: &str = "bgpd.sock";
/// The users bgpd runs its engines as (Debian's, then OpenBSD's).
const USERS: [&str; 2] = ["_openbgpd", "_bgpd"];

/// The configuration as written: the control socket and `fib-update no` first; an error
/// when it would listen outside loopback or update the kernel's routing table.
pub(super) fn prepare(config: &str, dir: &Path) -> Result<String, String> {
    let mut listens = 0;
    for line in config.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.starts_with(&["listen", "on"]) {
            listens += 1;
            let addr = words.get(2).copied().unwrap_or("");
            if !addr.parse::<IpAddr>().is_ok_and(|a| a.is_loopback()) {
                return Err(format!(
                    "openbgpd: `{line}`: listen on a loopback address (127.0.0.0/8 or ::1), e.g. `listen on 127.0.0.1 port 1790`"
                ));
            }
        }
        if words.starts_with(&["fib-update", "yes"]) {
            return Err(format!("openbgpd: `{line}`: peerlab never lets a daemon change the kernel's routing table; use `fib-update no`"));
        }
    }
    if listens == 0 {
        return Err("openbgpd: the configuration has no `listen on` line, so bgpd would listen on every address: add `listen on 127.0.0.1 port PORT`".into());
    }
    Ok(format!(
        "socket \"{}\"\nfib-update no\n{config}",
        dir.join(CONTROL_SOCKET).display()
    ))
}

/// `bgpd` in the foreground with `conf` (`-v`: verbose, with [`LogLevel::Debug`]).
pub(super) fn command(line: &Line<'_>) -> Command {
    let mut c = Command::new(line.program);
    c.arg("-d").arg("-f").arg(line.conf);
    if line.log == LogLevel::Debug {
        c.arg("-v");
    }
    c
}

/// `bgpctl -s SOCKET ARGS`.
pub(super) fn control(program: PathBuf, dir: &Path) -> Command {
    let mut c = Command::new(program);
    c.arg("-s").arg(dir.join(CONTROL_SOCKET));
    c
}

/// Checks that bgpd can start here — as root, since it chroots its engines and drops to its
/// own user — and creates its chroot directory (that user's home) when it is missing.
pub(super) fn ensure_chroot() -> Result<(), String> {
    if !is_root() {
        return Err("openbgpd: bgpd must be started as root (it chroots its engines and drops to its own user)".into());
    }
    let passwd = std::fs::read_to_string("/etc/passwd").map_err(|e| format!("openbgpd: /etc/passwd: {e}"))?;
    let home = passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 5 && USERS.contains(&f[0])).then(|| PathBuf::from(f[5]))
    });
    let Some(home) = home else {
        return Err(format!(
            "openbgpd: none of the users {USERS:?} exists (apt-get install -y openbgpd creates `_openbgpd`)"
        ));
    };
    if !home.is_dir() {
        std::fs::create_dir_all(&home).map_err(|e| format!("openbgpd: creating its chroot {}: {e}", home.display()))?;
        tracing::info!(dir = %home.display(), "created OpenBGPD's chroot directory");
    }
    Ok(())
}

/// Whether this process's effective user is root (from /proc/self/status).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1).map(|e| e == "0"))
            .unwrap_or(false)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_control_socket_and_fib_update_no_come_first() {
        let text = prepare("AS 64999\nlisten on 127.0.0.1 port 1790\n", Path::new("/tmp/d")).unwrap();
        assert!(
            text.starts_with("socket \"/tmp/d/bgpd.sock\"\nfib-update no\nAS 64999\n"),
            "{text}"
        );
    }

    #[test]
    fn a_configuration_that_would_listen_outside_loopback_or_touch_the_fib_is_refused() {
        let dir = Path::new("/tmp/d");
        let e = prepare("AS 64999\n", dir).unwrap_err();
        assert!(e.contains("no `listen on`"), "{e}");
        let e = prepare("AS 64999\nlisten on 192.0.2.1\n", dir).unwrap_err();
        assert!(e.contains("listen on 192.0.2.1") && e.contains("loopback"), "{e}");
        let e = prepare("AS 64999\nlisten on ::1 port 1790\nfib-update yes\n", dir).unwrap_err();
        assert!(e.contains("fib-update no"), "{e}");
    }
}
