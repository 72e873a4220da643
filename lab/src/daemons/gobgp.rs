//! gobgpd's launch line: `gobgpd -f CONF -t toml --api-hosts 127.0.0.1:PORT --pprof-disable`
//! with a plain log on stderr. Its BGP listens where the configuration's `[global.config]`
//! says (`port`, a loopback `local-address-list`).

use super::{Line, LogLevel};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;

/// `gobgpd` with its TOML configuration, its gRPC API on the launch's API address
/// (127.0.0.1).
pub(super) fn command(line: &Line<'_>) -> Command {
    let level = match line.log {
        LogLevel::Normal => "warn",
        LogLevel::Debug => "debug",
    };
    let mut c = Command::new(line.program);
    c.arg("-f")
        .arg(line.conf)
        .args(["-t", "toml", "--log-plain", "-l", level, "--pprof-disable"]);
    if let Some(api) = line.api {
        c.arg("--api-hosts").arg(api.to_string());
    }
    c
}

/// `gobgp -u ADDR -p PORT`.
pub(super) fn control(program: PathBuf, api: SocketAddr) -> Command {
    let mut c = Command::new(program);
    c.args(["-u", &api.ip().to_string(), "-p", &api.port().to_string()]);
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn gobgpd_gets_its_api_on_loopback_and_no_pprof() {
        let api: SocketAddr = "127.0.0.1:50099".parse().unwrap();
        let line = Line {
            program: Path::new("gobgpd"),
            dir: Path::new("/tmp"),
            conf: Path::new("/tmp/g.toml"),
            log: LogLevel::Normal,
            api: Some(api),
            listen: "127.0.0.1:1790".parse().unwrap(),
        };
        let args: Vec<_> = command(&line)
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "-f",
                "/tmp/g.toml",
                "-t",
                "toml",
                "--log-plain",
                "-l",
                "warn",
                "--pprof-disable",
                "--api-hosts",
                "127.0.0.1:50099"
            ]
        );
    }
}
