//! `peerlab run [FILE]`: the exchange of a peering file (the built-in example without FILE)
//! brought up on loopback in one process: its route server, an AS8075 edge per connection and
//! its customers, each connection walked from `PendingApproval` to `Active`. With `--api` (on
//! by default with `--until interrupted`) it serves the lab's HTTP JSON API on loopback, for
//! the modify operations (`peerlab connection|session|asn|deprovision|status`).
//!
//! The file is checked first as `peerlab validate` checks it: an error stops the run before
//! anything is brought up (exit 1, the same findings printed); warnings are shown and the run
//! goes on.

use super::validate::auto_colour;
use super::{EXIT_FAILED_INPUT, EXIT_USAGE};
use clap::{Args, ValueEnum};
use peerlab::lab::report::Report;
use peerlab::lab::runner::{self, RunOptions};
use peerlab::peering::check::Checked;
use peerlab::peering::example::EXAMPLE_TOML;
use peerlab::peering::lab_section::Scenario;
use peerlab::peering::load::Format;
use peerlab::peering::model::PeeringFile;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// When the run ends by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Until {
    /// Every session Established and AS8075 holding every registered customer's route.
    Converged,
    /// Ctrl-C, or the peering deprovisioned through the API (serves the API on
    /// 127.0.0.1:8180 unless --api says otherwise).
    Interrupted,
}

/// The API address `--until interrupted` uses when `--api` is not given.
pub const DEFAULT_API: &str = "127.0.0.1:8180";

/// Arguments of `peerlab run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The peering file (TOML or Azure resource JSON); default: the built-in example exchange.
    pub file: Option<PathBuf>,
    /// Print the result as one JSON document.
    #[arg(long)]
    pub json: bool,
    /// Print every FSM transition of the lab's sessions (RFC event and reason) on stderr.
    #[arg(long)]
    pub trace: bool,
    /// Stop when this condition holds (bounded by --timeout). The default without --duration.
    #[arg(long, value_enum)]
    pub until: Option<Until>,
    /// Longest wait for --until, in seconds (default 60 for converged, 86400 for interrupted).
    #[arg(long)]
    pub timeout: Option<f64>,
    /// Serve the lab's HTTP JSON API on this loopback address (port 0: any free port; the
    /// address is printed on stderr). `--api` alone: 127.0.0.1:8180.
    #[arg(long, num_args = 0..=1, default_missing_value = DEFAULT_API)]
    pub api: Option<std::net::SocketAddr>,
    /// Run this many seconds, then report and stop.
    #[arg(long, conflicts_with_all = ["until"])]
    pub duration: Option<f64>,
    /// Inject a break-it scenario (repeatable; added to the file's `lab.breakIt`).
    #[arg(long = "break", value_enum, value_name = "NAME")]
    pub breaks: Vec<Scenario>,
}

/// The peering file (the built-in example without FILE), loaded and validated.
fn load(args: &RunArgs) -> Result<Checked, String> {
    let (text, name, format) = match &args.file {
        None => (EXAMPLE_TOML.to_owned(), "the built-in example".to_owned(), Format::Toml),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
            let format = Format::detect(Some(p), &text);
            (text, p.display().to_string(), format)
        }
    };
    Checked::parse(&name, &text, format).map_err(|e| format!("{name}: {e}"))
}

fn seconds(v: f64, flag: &str) -> Result<Duration, String> {
    Duration::try_from_secs_f64(v).map_err(|_| format!("{flag} {v}: a number of seconds, 0 or more"))
}

/// The run's options from the arguments and the file (its `lab.breakIt`).
fn options(args: &RunArgs, file: &PeeringFile) -> Result<RunOptions, String> {
    let interrupted = args.until == Some(Until::Interrupted);
    let api = match args.api {
        Some(a) if !a.ip().is_loopback() => {
            return Err(format!(
                "--api {a}: the lab's API binds loopback only; use 127.0.0.1:PORT or [::1]:PORT"
            ))
        }
        Some(a) => Some(a),
        None if interrupted => DEFAULT_API.parse().ok(),
        None => None,
    };
    let from_file = file.lab.as_ref().map(|l| l.break_it.clone()).unwrap_or_default();
    let base = RunOptions {
        until_converged: !interrupted,
        limit: Duration::ZERO,
        trace: args.trace,
        progress: true,
        api,
        live: peerlab::lab::live::stderr_is_terminal(),
        scenarios: from_file.into_iter().chain(args.breaks.iter().copied()).collect(),
    };
    Ok(match args.duration {
        Some(d) => RunOptions {
            until_converged: false,
            limit: seconds(d, "--duration")?,
            ..base
        },
        None => {
            let default = if interrupted { 86_400.0 } else { 60.0 };
            RunOptions {
                limit: seconds(args.timeout.unwrap_or(default), "--timeout")?,
                ..base
            }
        }
    })
}

/// Shows the file's findings as `peerlab validate` shows them. With an error the run stops:
/// the findings go to stdout as `peerlab validate --json` prints them with `--json`, else to
/// stderr for people. Warnings go to stderr and the run goes on. Whether it goes on.
fn findings_allow_running(checked: &Checked, json: bool) -> bool {
    if checked.findings.is_empty() {
        return true;
    }
    let errors = checked.has_errors();
    if errors && json {
        println!("{:#}", checked.report().json());
    } else {
        let colour = auto_colour(std::io::stderr().is_terminal());
        eprint!("{}", checked.report().human(colour));
    }
    if errors {
        eprintln!(
            "peerlab run: {} has errors (`peerlab validate` lists the same); nothing was brought up",
            checked.name
        );
    }
    !errors
}

/// Runs the lab; exit 0 when every session reached Established (and the lab converged when
/// `--until converged`), 1 otherwise or when the file has validation errors (nothing runs
/// then), 2 for an unusable file or arguments. With break-it scenarios: exit 0 when every
/// scenario's expected outcome was observed and everything they do not break converged.
pub fn run(args: &RunArgs) -> ExitCode {
    let prepared = load(args).and_then(|checked| {
        let opts = options(args, checked.file())?;
        Ok((checked, opts))
    });
    let (checked, opts) = match prepared {
        Ok(p) => p,
        Err(e) => {
            eprintln!("peerlab run: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if !findings_allow_running(&checked, args.json) {
        return ExitCode::from(EXIT_FAILED_INPUT);
    }
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("peerlab run: cannot start the runtime: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let report = match rt.block_on(runner::run(checked.file(), &opts)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("peerlab run: {e}");
            return ExitCode::from(EXIT_FAILED_INPUT);
        }
    };
    print(&report, args.json);
    let ok = match &report.break_it {
        Some(b) => b.passed,
        None => report.all_established && (!opts.until_converged || report.converged),
    };
    super::status(!ok)
}

fn print(report: &Report, json: bool) {
    if json {
        match serde_json::to_string_pretty(report) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("peerlab run: cannot write JSON: {e}"),
        }
    } else {
        print!("{}", report.render());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn every_break_value_names_the_scenario_of_the_peering_file() {
        for s in Scenario::value_variants() {
            let name = s.to_possible_value().unwrap().get_name().to_owned();
            assert_eq!(s.as_str(), name);
        }
    }
}
