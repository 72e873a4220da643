//! FRR's launch line: FRR's `bgpd` (in `/usr/lib/frr`, not on `PATH`; OpenBGPD's `bgpd` is)
//! run directly, without zebra or watchfrr: `bgpd -f CONF -i PIDFILE -z ZSOCK --vty_socket
//! DIR -A 127.0.0.1 -P 0 -p PORT -l ADDR -Z -S --log stdout --log-level LEVEL`. BGP listens
//! on the launch's address and port (`-l` also keeps it off the kernel's routing table),
//! `-Z` needs no zebra, the vty is a Unix socket in the scratch directory (its TCP port off),
//! and `-S` keeps the user it was started as.

use super::line::{Line, LogLevel};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where FRR installs its daemons.
pub(super) const DIRS: [&str; 3] = ["/usr/lib/frr", "/usr/local/lib/frr", "/usr/libexec/frr"];

/// FRR's `bgpd`, when installed.
pub(super) fn find() -> Option<PathBuf> {
    DIRS.iter().map(|d| Path::new(d).join("bgpd")).find(|p| p.is_file())
}

/// FRR's `bgpd` with `conf`, everything it opens in the scratch directory or on loopback.
pub(super) fn command(line: &Line<'_>) -> Command {
    let level = match line.log {
        LogLevel::Normal => "warnings",
        LogLevel::Debug => "debugging",
    };
    let mut c = Command::new(line.program);
    c.arg("-f")
        .arg(line.conf)
        .arg("-i")
        .arg(line.dir.join("bgpd.pid"))
        .arg("-z")
        .arg(line.dir.join("zserv.api"))
        .arg("--vty_socket")
        .arg(line.dir)
        .args(["-A", "127.0.0.1", "-P", "0"])
        .arg("-p")
        .arg(line.listen.port().to_string())
        .arg("-l")
        .arg(line.listen.ip().to_string())
        .args(["-Z", "-S", "--log", "stdout", "--log-level", level]);
    c
}

/// `vtysh --vty_socket DIR -d bgpd -c "ARGS"` (one command, its words joined).
pub(super) fn control(program: PathBuf, dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.arg("--vty_socket")
        .arg(dir)
        .args(["-d", "bgpd", "-c"])
        .arg(args.join(" "));
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daemons::line::args_of;

    #[test]
    fn frr_bgpd_listens_where_the_launch_says_with_no_zebra_and_no_tcp_vty() {
        let line = Line {
            listen: "127.0.0.2:1790".parse().unwrap(),
            ..Line::example("/usr/lib/frr/bgpd", "/tmp/d/frr.conf", LogLevel::Normal, None)
        };
        let args = args_of(&command(&line));
        let joined = args.join(" ");
        assert!(joined.contains("-p 1790 -l 127.0.0.2 -Z -S"), "{joined}");
        assert!(joined.contains("-A 127.0.0.1 -P 0"), "{joined}");
        assert!(joined.contains("--vty_socket /tmp/d "), "{joined}");
    }
}
