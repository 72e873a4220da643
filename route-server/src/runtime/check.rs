//! The one check a configuration passes before it runs, shared by [`super::start`] and
//! `peerlab route-server --check` so that a file `--check` calls usable is one the start
//! accepts: the fields ([`RouteServerConfig::validate`], the session count first), a listen
//! address for every session, one session per (listen address, peer address), what the BGP
//! FSM refuses (the hold time), and the ROA file, read and parsed. Each problem names the
//! field and the fix. Nothing is bound or spawned here.

use super::client_session::fsm_config;
use super::options::RuntimeOptions;
use super::roas::{self, LoadedRoas};
use crate::config::{err, ConfigError, RouteServerConfig, MAX_SESSIONS};
use crate::session::SessionConfig;
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// One session as it will run: its configuration, the listen address (as configured) that
/// accepts it and the address its client connects from.
#[derive(Clone, Debug)]
pub(crate) struct PlannedSession {
    pub session: SessionConfig,
    pub listen: SocketAddr,
    pub peer: IpAddr,
}

/// A configuration that passed [`check`] with the options it was checked with: the sessions
/// as they will run and the ROAs read. [`super::start_checked`] runs it.
#[derive(Debug)]
pub struct CheckedConfig {
    pub(crate) config: RouteServerConfig,
    pub(crate) opts: RuntimeOptions,
    pub(crate) sessions: Vec<PlannedSession>,
    pub(crate) roas: Option<LoadedRoas>,
}

impl CheckedConfig {
    /// The configuration.
    pub fn config(&self) -> &RouteServerConfig {
        &self.config
    }

    /// How many sessions will run.
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }

    /// How many ROAs `import.rpki.roa_file` holds (`None` without a ROA file).
    pub fn roa_count(&self) -> Option<usize> {
        self.roas.as_ref().map(|r| r.table.len())
    }
}

/// Checks `config` for running with `opts`; every problem found, or the checked
/// configuration (with its ROA file read) ready for [`super::start_checked`].
pub fn check(config: &RouteServerConfig, opts: &RuntimeOptions) -> Result<CheckedConfig, Vec<ConfigError>> {
    let mut problems = config.validate();
    if config.session_count() > MAX_SESSIONS {
        return Err(problems);
    }
    let mut sessions = Vec::new();
    let mut routed = HashSet::new();
    for s in config.sessions() {
        let listen = match listen_of(config, opts, &s) {
            Ok(l) => l,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let peer = opts.transport(s.address).map_or(s.address, |t| t.peer);
        if !routed.insert((listen, peer)) {
            problems.push(err(
                "transports",
                format!(
                    "session {} of client `{}`: another session already accepts connections from {peer} on {listen}",
                    s.address, s.name
                ),
                "give each session on a shared address its own listen port (a transport override)",
            ));
        }
        sessions.push(PlannedSession {
            session: s,
            listen,
            peer,
        });
    }
    if problems.is_empty() {
        // The fields are sound, so what the FSM still refuses is the hold time.
        let probe = SessionConfig::new("check", 1, IpAddr::V4(Ipv4Addr::LOCALHOST));
        if let Err(e) = fsm_config(config, &probe, "check", opts).validate() {
            problems.push(err(
                "hold_time",
                e,
                "offer 0 (no KEEPALIVEs) or at least 3 s (RFC 4271 §4.2)",
            ));
        }
    }
    let roas = match &config.import.rpki.roa_file {
        Some(path) => {
            let (_, read) = roas::read(path);
            match read {
                Ok(r) => Some(r),
                Err(e) => {
                    problems.push(e);
                    None
                }
            }
        }
        None => None,
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(CheckedConfig {
        config: config.clone(),
        opts: opts.clone(),
        sessions,
        roas,
    })
}

/// Which listen address serves `s`: its transport override, else the first configured listen
/// address of its family.
pub(crate) fn listen_of(
    config: &RouteServerConfig,
    opts: &RuntimeOptions,
    s: &SessionConfig,
) -> Result<SocketAddr, ConfigError> {
    if let Some(t) = opts.transport(s.address) {
        return Ok(t.listen);
    }
    let v4 = s.address.is_ipv4();
    config
        .listen
        .iter()
        .find(|l| l.is_ipv4() == v4)
        .copied()
        .ok_or_else(|| {
            err(
                "listen",
                format!(
                    "no {} listen address for session {} of client `{}`",
                    if v4 { "IPv4" } else { "IPv6" },
                    s.address,
                    s.name
                ),
                format!(
                    "add one to `listen`, e.g. {}, or remove the address from the client",
                    if v4 { "\"127.0.0.1:1179\"" } else { "\"[::1]:1179\"" }
                ),
            )
        })
}
