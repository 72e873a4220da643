//! `peerlab`: the BGP session simulator and route-server lab on the command line.

//!
//! The binary is the command line only: argument parsing (clap) and printing, in [`cli`]; the
//! work is done by the `peerlab` library (`lab/src/lib.rs`).

mod cli;

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
    /// Run the RFC 7947 route server of a TOML file, with a local HTTP JSON API.
    RouteServer(cli::route_server::RouteServerArgs),
    /// Route-server throughput: testers and monitors against BIRD, GoBGP or a loopback route server.
    Bench(Box<cli::bench::BenchArgs>),
    /// Bring a peering file's exchange (default: the built-in example) up on loopback and walk it to Active.
    Run(Box<cli::run::RunArgs>),
    /// Add or remove a connection of a running lab (`peerlab run --until interrupted`).
    Connection(Box<cli::connection::ConnectionArgs>),
    /// Add an IPv4 or IPv6 session to an Active connection of a running lab.
    Session(Box<cli::session::SessionArgs>),
    /// Register or deregister a customer ASN on a running lab's peering.
    Asn(Box<cli::asn::AsnArgs>),
    /// Register, list or remove a customer's Peering Service prefixes on a running lab.
    Prefix(Box<cli::prefix::PrefixArgs>),
    /// Deprovision a running lab's peering: Cease 6/3 on every connection's sessions, then the lab ends.
    Deprovision(cli::deprovision::DeprovisionArgs),
    /// A running lab's Connections view (or its status as JSON).
    Status(cli::status::StatusArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The route server logs its state changes by default; RUST_LOG overrides.
    let default_level = if matches!(cli.command, Command::RouteServer(_)) {
        "info"
    } else {
        "error"
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colour codes only for a terminal: a file or a pipe gets plain lines.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level)),
        )
        .init();
    match cli.command {
        Command::Decode(args) => cli::decode::run(&args),
        Command::Encode(args) => cli::encode::run(&args),
        Command::Validate(args) => cli::validate::run(&args),
        Command::Speaker(args) => cli::speaker::run(&args),
        Command::RouteServer(args) => cli::route_server::run(&args),
        Command::Bench(args) => cli::bench::run(&args),
        Command::Run(args) => cli::run::run(&args),
        Command::Connection(args) => cli::connection::run(&args),
        Command::Session(args) => cli::session::run(&args),
        Command::Asn(args) => cli::asn::run(&args),
        Command::Prefix(args) => cli::prefix::run(&args),
        Command::Deprovision(args) => cli::deprovision::run(&args),
        Command::Status(args) => cli::status::run(&args),
    }
}
