//! `peerlab speaker`: one BGP session with a real router, on the command line. It writes a
//! JSON line for every state change (with its RFC event and reason), every UPDATE received
//! (the same JSON as `peerlab decode`), and every NOTIFICATION sent; `--until` and
//! `--timeout` make it scriptable.

use super::routes::RouteArgs;
use bgp_core::fsm::{Cease, PeerAs, SessionConfig, State};
use bgp_core::speaker::{
    self, Command, Control, DriverOptions, Listener, NoConnector, SessionEvent, SessionHandle, TcpConnector,
};
use bgp_core::{Family, Update};
use clap::{Args, ValueEnum};
use serde_json::json;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

/// When `peerlab speaker` may exit successfully.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
    /// The session reached Established.
    Established,
    /// End-of-RIB arrived for every negotiated family.
    Eor,
    /// At least this many prefixes were announced to us.
    Routes(usize),
}

impl FromStr for Until {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "established" => Ok(Until::Established),
            "eor" => Ok(Until::Eor),
            _ => s
                .strip_prefix("routes=")
                .and_then(|n| n.parse().ok())
                .map(Until::Routes)
                .ok_or_else(|| format!("--until `{s}`: use established, eor or routes=N")),
        }
    }
}

/// Families a session offers.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FamilyArg {
    /// IPv4 unicast.
    Ipv4Unicast,
    /// IPv6 unicast.
    Ipv6Unicast,
}

/// Arguments of `peerlab speaker`.
#[derive(Args, Debug)]
pub struct SpeakerArgs {
    /// Our AS number.
    #[arg(long)]
    pub local_as: u32,
    /// The peer's AS number (`any` to accept whatever it says).
    #[arg(long)]
    pub peer_as: String,
    /// Our BGP identifier (default 10.255.255.1).
    #[arg(long, default_value = "10.255.255.1")]
    pub router_id: Ipv4Addr,
    /// Local address to bind (and with --passive, the address:port to listen on).
    #[arg(long, value_name = "ADDRESS[:PORT]")]
    pub local: Option<String>,
    /// The peer: ADDRESS:PORT to connect to, or with --passive the ADDRESS to accept from.
    #[arg(long, value_name = "ADDRESS[:PORT]")]
    pub peer: String,
    /// Wait for the peer to connect instead of connecting.
    #[arg(long)]
    pub passive: bool,
    /// Families to offer.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [FamilyArg::Ipv4Unicast, FamilyArg::Ipv6Unicast])]
    pub family: Vec<FamilyArg>,
    /// Hold time to propose, seconds (0, or at least 3).
    #[arg(long, default_value_t = 90)]
    pub hold_time: u16,
    /// Seconds between connection attempts.
    #[arg(long, default_value_t = 5)]
    pub connect_retry: u16,
    /// TCP-MD5 key (RFC 2385).
    #[arg(long)]
    pub md5: Option<String>,
    /// GTSM (RFC 5082): the number of hops allowed.
    #[arg(long, value_name = "HOPS")]
    pub gtsm: Option<u8>,
    /// Routes to announce once Established.
    #[command(flatten)]
    pub routes: RouteArgs,
    /// Exit 0 as soon as this holds: established, eor, routes=N.
    #[arg(long)]
    pub until: Option<Until>,
    /// Give up after this many seconds (exit 1 when --until was not met).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
}

fn parse_endpoint(s: &str, default_port: u16) -> Result<SocketAddr, String> {
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Ok(a);
    }
    s.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, default_port))
        .map_err(|_| format!("`{s}` is not ADDRESS or ADDRESS:PORT (IPv6 with a port: [::1]:179)"))
}

fn emit(out: &mut impl Write, v: serde_json::Value) {
    let _ = writeln!(out, "{v}");
    let _ = out.flush();
}

/// Runs the subcommand.
pub fn run(args: &SpeakerArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("peerlab speaker: cannot start the runtime: {e}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    match rt.block_on(session(args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(super::EXIT_FAILED_INPUT),
        Err(e) => {
            eprintln!("peerlab speaker: {e}");
            ExitCode::from(super::EXIT_USAGE)
        }
    }
}

/// The session's configuration from the arguments.
fn config(args: &SpeakerArgs) -> Result<SessionConfig, String> {
    let peer_as = match args.peer_as.as_str() {
        "any" => PeerAs::Any,
        s => PeerAs::Exact(
            s.parse()
                .map_err(|_| format!("--peer-as `{s}`: an AS number or `any`"))?,
        ),
    };
    let mut cfg = SessionConfig::new("speaker", args.local_as, peer_as, args.router_id);
    cfg.hold_time = args.hold_time;
    cfg.connect_retry_time = args.connect_retry;
    cfg.passive = args.passive;
    cfg.families = args
        .family
        .iter()
        .map(|f| match f {
            FamilyArg::Ipv4Unicast => Family::IPV4_UNICAST,
            FamilyArg::Ipv6Unicast => Family::IPV6_UNICAST,
        })
        .collect();
    cfg.validate()?;
    Ok(cfg)
}

/// A session started: its handle, the listener it accepts on (with `--passive`, kept open
/// while the session runs) and our address (the NEXT_HOP of what we announce).
struct Started {
    handle: SessionHandle,
    _listener: Option<Listener>,
    local_ip: IpAddr,
}

/// Starts the session: listening on `--local` for the peer with `--passive`, otherwise
/// connecting to it.
async fn start(args: &SpeakerArgs, cfg: SessionConfig) -> Result<Started, String> {
    let opts = DriverOptions {
        start: true,
        restart_after: Some(Duration::from_secs(args.connect_retry.max(1) as u64)),
    };
    let peer = parse_endpoint(&args.peer, 179)?;
    if args.passive {
        let local = parse_endpoint(
            args.local
                .as_deref()
                .ok_or("--passive needs --local ADDRESS:PORT to listen on")?,
            179,
        )?;
        let l = Listener::bind(local)
            .await
            .map_err(|e| format!("cannot listen on {local}: {e}"))?;
        let rx = l
            .register(peer.ip(), args.md5.as_deref())
            .map_err(|e| format!("TCP-MD5 on the listener: {e}"))?;
        return Ok(Started {
            handle: speaker::spawn_session(cfg, Box::new(NoConnector), rx, opts),
            _listener: Some(l),
            local_ip: local.ip(),
        });
    }
    let mut c = TcpConnector::new(peer);
    c.local = args.local.as_deref().map(|l| parse_endpoint(l, 0)).transpose()?;
    c.md5 = args.md5.clone();
    c.gtsm_hops = args.gtsm;
    let local_ip = c.local.map(|l| l.ip()).unwrap_or(if peer.is_ipv4() {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)
    });
    let (_, rx) = tokio::sync::mpsc::channel(1);
    Ok(Started {
        handle: speaker::spawn_session(cfg, Box::new(c), rx, opts),
        _listener: None,
        local_ip,
    })
}

/// What the session has done so far, against `--until`.
#[derive(Debug, Default)]
struct Progress {
    established: bool,
    received: usize,
    families: Vec<Family>,
    eor: Vec<Family>,
}

impl Progress {
    /// Whether `until` holds.
    fn met(&self, until: Option<Until>) -> bool {
        match until {
            Some(Until::Established) => self.established,
            Some(Until::Routes(n)) => self.received >= n,
            Some(Until::Eor) => {
                self.established && !self.families.is_empty() && self.families.iter().all(|f| self.eor.contains(f))
            }
            None => false,
        }
    }
}

/// Writes `event`'s JSON line, notes what it means for `--until`, and once Established sends
/// our routes and End-of-RIB.
async fn on_event(
    args: &SpeakerArgs,
    s: &Started,
    event: SessionEvent,
    progress: &mut Progress,
    out: &mut impl Write,
) -> Result<(), String> {
    match event {
        SessionEvent::Transition(t) => {
            progress.established = t.to == State::Established;
            emit(out, json!({"type": "state", "transition": t}));
        }
        SessionEvent::Established(n, _) => {
            progress.families = n.families.clone();
            progress.eor.clear();
            emit(
                out,
                json!({"type": "established", "peer-as": n.peer_asn, "peer-id": n.peer_id.to_string(),
                    "hold-time": n.hold_time, "families": n.families.iter().map(|f| f.to_string()).collect::<Vec<_>>()}),
            );
            let mut msgs = args.routes.encode(&n.tx, args.local_as, s.local_ip)?;
            for f in &n.families {
                let m = bgp_core::Message::Update(Update::end_of_rib(*f));
                msgs.push(m.to_bytes(&n.tx).map_err(|e| e.to_string())?);
            }
            s.handle.command(Command::SendUpdates(msgs)).await;
        }
        SessionEvent::Update(v) => {
            if let Some(f) = v.end_of_rib() {
                progress.eor.push(f);
            }
            progress.received += v.announced_ipv4().count();
            if let Some(mp) = v.mp_reach() {
                progress.received += mp.ipv4().count() + mp.ipv6().count();
            }
            emit(out, bgp_core::json::update_view_to_json(&v));
        }
        SessionEvent::NotificationSent(n) => {
            let m = bgp_core::Message::Notification(n);
            let mut v = bgp_core::json::message_to_json(&m, &bgp_core::SessionContext::default());
            if let Some(o) = v.as_object_mut() {
                o.insert("direction".into(), json!("sent"));
            }
            emit(out, v);
        }
        SessionEvent::ConnectFailed(e) => emit(out, json!({"type": "connect-failed", "error": e})),
        SessionEvent::RouteRefresh(r) => emit(out, json!({"type": "route-refresh", "family": r.family.to_string()})),
        SessionEvent::Down { .. } => {}
    }
    Ok(())
}

/// `--until` holds: Cease 6/2, and a bounded wait for the session to go Idle so the Cease
/// goes out before the process ends.
async fn finish(handle: &mut SessionHandle) {
    handle.control(Control::Stop(Cease::admin_shutdown(Some("peerlab speaker: done"))));
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(e) = handle.events.recv().await {
            if matches!(e, SessionEvent::Transition(ref t) if t.to == State::Idle) {
                break;
            }
        }
    })
    .await;
}

/// Runs the session until `--until` holds (`true`), or the time is up or the session ends
/// (`true` only without `--until`).
async fn session(args: &SpeakerArgs) -> Result<bool, String> {
    let mut s = start(args, config(args)?).await?;
    let deadline = args
        .timeout
        .map(|t| tokio::time::Instant::now() + Duration::from_secs_f64(t.max(0.0)));
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut progress = Progress::default();
    loop {
        let next = match deadline {
            Some(d) => match tokio::time::timeout_at(d, s.handle.events.recv()).await {
                Ok(e) => e,
                Err(_) => break,
            },
            None => s.handle.events.recv().await,
        };
        let Some(event) = next else { break };
        on_event(args, &s, event, &mut progress, &mut out).await?;
        if progress.met(args.until) {
            finish(&mut s.handle).await;
            return Ok(true);
        }
    }
    Ok(args.until.is_none())
}
