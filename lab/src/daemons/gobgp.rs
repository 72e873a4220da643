//! gobgpd's launch line: `gobgpd -f CONF -t toml --api-hosts 127.0.0.1:PORT --pprof-disable`
//! with a plain log on stderr. Its BGP listens where the configuration's `[global.config]`
//! says (`port`, a loopback `local-address-list`).

use super::line::Line;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;

/// `gobgpd` with its TOML configuration, its gRPC API on the launch's API address
/// (127.0.0.1).
pub(super) fn command(line: &Line<'_>) -> Command {
    let level = line.log.filter();
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
    use crate::daemons::line::args_of;
    use crate::daemons::line::LogLevel;

    #[test]
    fn gobgpd_gets_its_api_on_loopback_and_no_pprof() {
        let api: SocketAddr = "127.0.0.1:50099".parse().unwrap();
        let line = Line::example("gobgpd", "/tmp/g.toml", LogLevel::Normal, Some(api));
        let args = args_of(&command(&line));
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
