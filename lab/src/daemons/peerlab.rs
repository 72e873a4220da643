//! peerlab's route server as a separate process: `peerlab route-server --config CONF --api
//! 127.0.0.1:PORT`, its log level from `RUST_LOG`.

use super::line::Line;
use std::process::Command;

/// `peerlab route-server` with its TOML configuration and its HTTP API on the launch's API
/// address.
pub(super) fn command(line: &Line<'_>) -> Command {
    let level = line.log.filter();
    let mut c = Command::new(line.program);
    c.arg("route-server")
        .arg("--config")
        .arg(line.conf)
        .env("RUST_LOG", level);
    if let Some(api) = line.api {
        c.arg("--api").arg(api.to_string());
    }
    c
}
