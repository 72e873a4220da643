//! `peerlab deprovision`: deprovision the running lab's peering (DELETE /peerings/{name}):
//! every connection `PendingRemove`, Cease 6/3 on every session, then the lab ends.

use super::api_client::{fail, print_json, ApiTarget};
use clap::Args;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Arguments of `peerlab deprovision`.
#[derive(Args, Debug)]
pub struct DeprovisionArgs {
    /// Wait until the lab has ended (its API stops answering).
    #[arg(long)]
    pub wait: bool,
    /// The lab's API.
    #[command(flatten)]
    pub target: ApiTarget,
}

/// Runs `peerlab deprovision`.
pub fn run(args: &DeprovisionArgs) -> ExitCode {
    let result = args
        .target
        .peering()
        .and_then(|p| args.target.call("DELETE", &format!("/peerings/{p}"), None));
    let v = match result {
        Ok(v) => v,
        Err(e) => return fail("deprovision", &e),
    };
    print_json(&v);
    if args.wait {
        let start = Instant::now();
        while args.target.call("GET", "/peerings", None).is_ok() {
            if start.elapsed() >= Duration::from_secs(args.target.timeout) {
                eprintln!(
                    "peerlab deprovision: the lab still runs after {} s",
                    args.target.timeout
                );
                return ExitCode::from(super::EXIT_FAILED_INPUT);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    ExitCode::SUCCESS
}
