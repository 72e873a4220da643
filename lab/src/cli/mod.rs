//! One module per subcommand, plus what they share.

pub mod api_client;
pub mod asn;
pub mod bench;
pub mod connection;
pub mod context;
pub mod decode;
pub mod deprovision;
pub mod encode;
pub mod hexinput;
pub mod input;
pub mod prefix;
pub mod route_server;
pub mod routes;
pub mod run;
pub mod session;
pub mod session_update;
pub mod speaker;
pub mod status;
pub mod validate;

use std::process::ExitCode;

/// Exit status 1: some input line or message failed.
pub const EXIT_FAILED_INPUT: u8 = 1;
/// Exit status 2: unusable arguments or an unreadable file (clap uses 2 for its errors too).
pub const EXIT_USAGE: u8 = 2;

/// `0` when every line went through, `1` otherwise.
pub fn status(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(EXIT_FAILED_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}
