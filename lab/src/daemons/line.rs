//! What every daemon's launch line is made of ([`Line`]), how much a daemon logs
//! ([`LogLevel`]) and the names of its log files: the leaf every daemon module reads.

use std::net::SocketAddr;
use std::path::Path;

/// How much a daemon logs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogLevel {
    /// BIRD: info and above; the others: warnings and above (a bench's setting).
    #[default]
    Normal,
    /// Everything the daemon can say (a test that reads the log).
    Debug,
}

impl LogLevel {
    /// The level as `gobgpd -l` and `RUST_LOG` name it.
    pub(super) fn filter(self) -> &'static str {
        match self {
            LogLevel::Normal => "warn",
            LogLevel::Debug => "debug",
        }
    }
}

/// Everything a launch line is made of.
pub(super) struct Line<'a> {
    /// The program.
    pub(super) program: &'a Path,
    /// The scratch directory.
    pub(super) dir: &'a Path,
    /// The configuration file in it.
    pub(super) conf: &'a Path,
    /// How much it logs.
    pub(super) log: LogLevel,
    /// Its API address on 127.0.0.1 (gobgpd, peerlab).
    pub(super) api: Option<SocketAddr>,
    /// Where its BGP listens.
    pub(super) listen: SocketAddr,
}

/// The daemon's log in its scratch directory.
pub(super) const LOG: &str = "daemon.log";
/// Where BIRD's stdout and stderr go (its log is [`LOG`]).
pub(super) const STDERR: &str = "stderr.log";

/// A command's arguments as strings (for command-line tests).
#[cfg(test)]
pub(super) fn args_of(c: &std::process::Command) -> Vec<String> {
    c.get_args().map(|a| a.to_string_lossy().into_owned()).collect()
}
