//! `peerlab`: the BGP session simulator and route-server lab on the command line.

mod cli;
mod hexinput;
mod peering;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// BGP session simulator and route-server lab.
#[derive(Parser)]
#[command(name = "peerlab", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode BGP messages (hex lines or a binary stream) into JSON, one object per line.
    Decode(cli::decode::DecodeArgs),
    /// Encode JSON messages (one object per line) into hex, one message per line.
    Encode(cli::encode::EncodeArgs),
    /// Check a peering file (TOML or Azure resource JSON) against the portal and Microsoft's peering policy.
    Validate(cli::validate::ValidateArgs),
    /// Run one BGP session with a real router: JSON lines for every state change and UPDATE.
    Speaker(Box<cli::speaker::SpeakerArgs>),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    match Cli::parse().command {
        Command::Decode(args) => cli::decode::run(&args),
        Command::Encode(args) => cli::encode::run(&args),
        Command::Validate(args) => cli::validate::run(&args),
        Command::Speaker(args) => cli::speaker::run(&args),
    }
}
