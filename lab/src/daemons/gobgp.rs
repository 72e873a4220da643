//! gobgpd's launch line: `gobgpd -f CONF -t toml --api-hosts 127.0.0.1:PORT --pprof-disable`
//! with a plain log on stderr. Its BGP listens where the configuration's `[global.config]`
//! says (`port`, a loopback `local-address-list`).

use super::LogLevel;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

/// `gobgpd` with the TOML configuration `conf`, its gRPC API on `api` (127.0.0.1).
pub(super) fn command(program: &Path, conf: &Path, log: LogLevel, api: Option<SocketAddr>) -> Command {
    let level = match log {
        LogLevel::Normal => "warn",
        LogLevel::Debug => "debug",
    };
    let mut c = Command::new(program);
    c.arg("-f")
        .arg(conf)
        .args(["-t", "toml", "--log-plain", "-l", level, "--pprof-disable"]);
    if let Some(api) = api {
        c.arg("--api-hosts").arg(api.to_string());
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gobgpd_gets_its_api_on_loopback_and_no_pprof() {
        let api: SocketAddr = "127.0.0.1:50099".parse().unwrap();
        let c = command(
            Path::new("gobgpd"),
            Path::new("/tmp/g.toml"),
            LogLevel::Normal,
            Some(api),
        );
        let args: Vec<_> = c.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
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
