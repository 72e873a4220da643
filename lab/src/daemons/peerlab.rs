//! peerlab's route server as a separate process: `peerlab route-server --config CONF --api
//! 127.0.0.1:PORT`, its log level from `RUST_LOG`.

use super::LogLevel;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

/// `peerlab route-server` with the TOML configuration `conf` and its HTTP API on `api`.
pub(super) fn command(program: &Path, conf: &Path, log: LogLevel, api: Option<SocketAddr>) -> Command {
    let level = match log {
        LogLevel::Normal => "warn",
        LogLevel::Debug => "debug",
    };
    let mut c = Command::new(program);
    c.arg("route-server").arg("--config").arg(conf).env("RUST_LOG", level);
    if let Some(api) = api {
        c.arg("--api").arg(api.to_string());
    }
    c
}
