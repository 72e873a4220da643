//! `peerlab route-server --config FILE`: runs the RFC 7947 route server of a TOML file with
//! passive sessions for its clients and a local HTTP JSON API, until Ctrl-C / SIGTERM (every
//! session then gets Cease 6/2 "route server shutting down") or `--duration`; SIGHUP reads
//! the ROA file again. `--check` runs the same check as the start and stops there.

use super::EXIT_USAGE;
use clap::Args;
use peerlab::http::{limits, ApiLimits};
use peerlab::route_server_api as api;
use route_server::runtime::{self, CheckedConfig, RouteServerHandle, RuntimeOptions};
use route_server::RouteServerConfig;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use tokio::signal::unix::{signal, Signal, SignalKind};
use tracing::{info, warn};

/// How long sessions get to send their Cease and close at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Arguments of `peerlab route-server`.
#[derive(Args, Debug)]
pub struct RouteServerArgs {
    /// The configuration file (TOML; see docs/route-server.md).
    #[arg(long)]
    pub config: PathBuf,
    /// Address of the HTTP JSON API (loopback unless --api-allow-remote).
    #[arg(long, default_value = "127.0.0.1:8179")]
    pub api: SocketAddr,
    /// Allow the API on a non-loopback address (it has no authentication).
    #[arg(long)]
    pub api_allow_remote: bool,
    /// Stop after this many seconds (default: run until Ctrl-C or SIGTERM).
    #[arg(long)]
    pub duration: Option<u64>,
    /// Hold time offered to clients, in seconds (0, or at least 3).
    #[arg(long, default_value_t = 90)]
    pub hold_time: u16,
    /// Only run the start's checks on the configuration (the ROA file included), then exit
    /// (0 when usable).
    #[arg(long)]
    pub check: bool,
    /// API connections served at once; beyond it the API accepts nothing more, so it never
    /// takes the file descriptors BGP needs.
    #[arg(long, default_value_t = limits::DEFAULT_MAX_CONNECTIONS, value_parser = clap::value_parser!(u16).range(1..))]
    pub api_max_connections: u16,
    /// Seconds an API client has to send a request's header; also the idle timeout of a
    /// keep-alive connection.
    #[arg(long, default_value_t = limits::DEFAULT_HEADER_TIMEOUT_SECS, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub api_header_timeout_secs: u64,
    /// Seconds one API request may take once its header is in (503 after).
    #[arg(long, default_value_t = limits::DEFAULT_REQUEST_TIMEOUT_SECS, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub api_request_timeout_secs: u64,
}

impl RouteServerArgs {
    /// The API's limits from the flags.
    fn api_limits(&self) -> ApiLimits {
        ApiLimits {
            max_connections: usize::from(self.api_max_connections),
            header_timeout: Duration::from_secs(self.api_header_timeout_secs),
            request_timeout: Duration::from_secs(self.api_request_timeout_secs),
        }
    }
}

/// Reads a configuration file and runs the route server's one check on it
/// ([`runtime::check`], the same the start runs): errors name the file, the field (with the
/// line and column where the file has it) and the fix. A relative `import.rpki.roa_file` is
/// taken relative to the file's directory.
pub fn load(path: &Path, opts: &RuntimeOptions) -> Result<CheckedConfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let mut config: RouteServerConfig = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if let Some(roas) = config.import.rpki.roa_file.as_mut().filter(|p| p.is_relative()) {
        let dir = path.parent().unwrap_or(Path::new(""));
        *roas = dir.join(&*roas);
    }
    runtime::check(&config, opts).map_err(|problems| {
        problems
            .iter()
            .map(|p| match locate(&text, &p.field) {
                // The one runtime option the check looks at comes from the command line.
                _ if p.field == "hold_time" => format!("--hold-time {}: {}; fix: {}", opts.hold_time, p.problem, p.fix),
                Some((line, column)) => format!("{}:{line}:{column}: invalid configuration: {p}", path.display()),
                None => format!("{}: invalid configuration: {p}", path.display()),
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The line and column (1-based) of a field named like `clients[1].asn`,
/// `import.ipv4_max_length` or `registered_asns[2]` in a TOML text written with plain
/// `[table]` / `[[array]]` headers and `key = value` lines; `None` when not found.
pub fn locate(text: &str, field: &str) -> Option<(usize, usize)> {
    let segments: Vec<(&str, Option<usize>)> = field
        .split('.')
        .map(|seg| match seg.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse().ok()),
            None => (seg, None),
        })
        .collect();
    let (key, tables) = segments.split_last()?;
    let want_header = tables.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(".");
    let want_index = tables.last().and_then(|(_, i)| *i);
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut header = String::new();
    let mut index = None;
    let mut header_line = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_start();
        if let Some(name) = line
            .strip_prefix("[[")
            .and_then(|l| l.split_once("]]"))
            .map(|(h, _)| h.trim())
        {
            let c = counts.entry(name.to_owned()).or_insert(0);
            header = name.to_owned();
            index = Some(*c);
            *c += 1;
        } else if let Some(name) = line
            .strip_prefix('[')
            .and_then(|l| l.split_once(']'))
            .map(|(h, _)| h.trim())
        {
            header = name.to_owned();
            index = None;
        } else if header == want_header && index == want_index {
            if let Some(rest) = line.strip_prefix(key.0) {
                if rest.trim_start().starts_with('=') {
                    return Some((n + 1, raw.len() - line.len() + 1));
                }
            }
            continue;
        } else {
            continue;
        }
        if header == want_header && index == want_index {
            header_line = Some((n + 1, 1));
        }
    }
    header_line
}

/// Runs `peerlab route-server`.
pub fn run(args: &RouteServerArgs) -> ExitCode {
    if !args.api.ip().is_loopback() && !args.api_allow_remote {
        eprintln!(
            "--api {}: not a loopback address; the API has no authentication: use 127.0.0.1 or ::1, or add --api-allow-remote",
            args.api
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let opts = RuntimeOptions {
        hold_time: args.hold_time,
        ..RuntimeOptions::default()
    };
    let checked = match load(&args.config, &opts) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if args.check {
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let roas = checked
            .roa_count()
            .map_or_else(String::new, |n| format!(", {}", plural(n, "ROA")));
        eprintln!(
            "{}: configuration is usable ({}{roas})",
            args.config.display(),
            plural(checked.session_count(), "session")
        );
        return ExitCode::SUCCESS;
    }
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(serve(checked, args))
}

async fn serve(checked: CheckedConfig, args: &RouteServerArgs) -> ExitCode {
    // Installed before anything listens: SIGHUP's default action would end the process.
    let hangup = match signal(SignalKind::hangup()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot handle SIGHUP: {e}");
            return ExitCode::FAILURE;
        }
    };
    let rs = match runtime::start_checked(checked).await {
        Ok(rs) => rs,
        Err(e) => {
            eprintln!("cannot start the route server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(args.api).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("--api {}: cannot listen: {e}", args.api);
            rs.shutdown(SHUTDOWN_GRACE).await;
            return ExitCode::FAILURE;
        }
    };
    let api_addr = listener.local_addr().unwrap_or(args.api);
    for (configured, bound) in rs.listen_addrs() {
        info!(%configured, %bound, "BGP listening");
    }
    info!(api = %api_addr, "HTTP API listening");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let api_task = tokio::spawn(api::serve(listener, rs.clone(), args.api_limits(), async {
        let _ = stop_rx.await;
    }));
    let reload_task = tokio::spawn(reload_on_hangup(hangup, rs.clone()));
    let why = wait_for_stop(args.duration).await;
    info!(why, "stopping: Cease 6/2 to every session");
    reload_task.abort();
    stop(&rs).await;
    let _ = stop_tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(2), api_task).await;
    ExitCode::SUCCESS
}

/// On each SIGHUP, reads the ROA file again (a bad file keeps the ROAs in use).
async fn reload_on_hangup(mut hangup: Signal, rs: RouteServerHandle) {
    while hangup.recv().await.is_some() {
        match rs.reload_roas().await {
            Ok(roas) => info!(roas, "SIGHUP: ROA file reloaded"),
            Err(e) => warn!(error = %e, "SIGHUP: ROA file not reloaded"),
        }
    }
}

async fn stop(rs: &RouteServerHandle) {
    rs.shutdown(SHUTDOWN_GRACE).await;
}

/// Waits for Ctrl-C, SIGTERM or the end of `duration`; says which.
async fn wait_for_stop(duration: Option<u64>) -> &'static str {
    let timer = async {
        match duration {
            Some(s) => tokio::time::sleep(Duration::from_secs(s)).await,
            None => std::future::pending().await,
        }
    };
    let term = async {
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "SIGINT",
        _ = term => "SIGTERM",
        _ = timer => "--duration elapsed",
    }
}

#[cfg(test)]
mod tests {
    use super::locate;

    const TEXT: &str = "asn = 64999\nregistered_asns = [1]\n\n[import]\nipv4_max_length = 24\n\n[[clients]]\nname = \"a\"\nasn = 64100\n\n[[clients]]\nname = \"b\"\n  asn = 64200\n";

    #[test]
    fn fields_are_located_by_table_array_index_and_key() {
        assert_eq!(locate(TEXT, "asn"), Some((1, 1)));
        assert_eq!(locate(TEXT, "registered_asns[0]"), Some((2, 1)));
        assert_eq!(locate(TEXT, "import.ipv4_max_length"), Some((5, 1)));
        assert_eq!(locate(TEXT, "clients[0].asn"), Some((9, 1)));
        assert_eq!(locate(TEXT, "clients[1].asn"), Some((13, 3)));
    }

    #[test]
    fn a_missing_key_points_at_its_table_and_an_unknown_table_at_nothing() {
        assert_eq!(locate(TEXT, "clients[1].addresses"), Some((11, 1)));
        assert_eq!(locate(TEXT, "export.always_compare_med"), None);
    }
}
