//! The run: plan the lab and start its route server, walk each connection through its life,
//! start the speakers, watch until converged (or the time is up, or Ctrl-C), report, and stop
//! every session with Cease 6/2.

use super::context::{Ctx, Done};
use super::control::{Control, Request};
use super::provisioning::Provisioning;
use super::report::Report;
use super::scenario::Setup;
use super::speakers::{self, Running, Tagged};
use super::state::Lab;
use super::topology::Topology;
use super::{api, events, live, max_prefix, ops, service_prefixes, session_update, summary, views};
use crate::peering::lab_section::Scenario;
use crate::peering::model::PeeringFile;
use bgp_core::fsm::{Cease, State};
use bgp_core::speaker::Command;
use route_server::runtime::{self, RouteServerHandle, RuntimeError, RuntimeOptions};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// How long a run goes on.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Stop as soon as the lab has converged.
    pub until_converged: bool,
    /// Upper bound of the whole run.
    pub limit: Duration,
    /// Print every FSM transition of the lab's speakers on stderr.
    pub trace: bool,
    /// Print progress lines on stderr.
    pub progress: bool,
    /// Serve the lab's HTTP JSON API on this loopback address (port 0: a free port).
    pub api: Option<SocketAddr>,
    /// Redraw the Connections view in place on stderr (a terminal) instead of progress lines.
    pub live: bool,
    /// The break-it scenarios to inject (planned in their declaration order).
    pub scenarios: BTreeSet<Scenario>,
}

/// How many times the lab plans its ports and starts its route server before giving up.
const START_ATTEMPTS: u32 = 5;

/// How long the run watches its sessions close after the Cease.
const DRAIN: Duration = Duration::from_secs(2);

/// The shutdown communication of the lab's own sessions.
const STOP_MESSAGE: &str = "peerlab run: lab stopping";

/// Runs the lab of `file`. The report, or why the lab could not start.
pub async fn run(file: &PeeringFile, opts: &RunOptions) -> Result<Report, String> {
    let mut run = Run::start(file, opts).await?;
    run.watch(opts).await;
    Ok(run.stop(opts.trace).await)
}

/// What the lab acts on outside its state: the route server, its running speakers, and where
/// new speakers and background work report.
struct Io {
    rs: RouteServerHandle,
    running: Vec<Running>,
    events: mpsc::Sender<Tagged>,
    done: mpsc::Sender<Done>,
}

impl Io {
    fn ctx(&mut self) -> Ctx<'_> {
        Ctx {
            rs: &self.rs,
            running: &mut self.running,
            events: &self.events,
            done: &self.done,
        }
    }
}

/// A lab brought up: its state, its scenarios, its outside, and what it listens to.
struct Run {
    lab: Lab,
    setup: Setup,
    provisioning: Provisioning,
    io: Io,
    events: mpsc::Receiver<Tagged>,
    done: mpsc::Receiver<Done>,
    requests: mpsc::Receiver<Request>,
    /// The API's side of the request channel, kept so that the channel stays open (the API
    /// holds a copy when it is served).
    _control: Control,
    stop_api: oneshot::Sender<()>,
}

impl Run {
    /// Starts the route server, plans the scenarios, walks the file's connections to
    /// provisioned, serves the API (with `--api`) and starts every speaker.
    async fn start(file: &PeeringFile, opts: &RunOptions) -> Result<Run, String> {
        let (top, rs) = start_route_server(file).await?;
        let mut lab = Lab::new(top, file, opts.progress);
        service_prefixes::start(&mut lab);
        let setup = match Setup::prepare(&mut lab, &opts.scenarios).await {
            Ok(s) => s,
            Err(e) => {
                rs.shutdown(Duration::from_secs(1)).await;
                return Err(e);
            }
        };
        if opts.live {
            lab.live_drawn = Some(0);
        }
        let provisioning = Provisioning::start(&mut lab);
        let (control, requests) = Control::channel();
        let (stop_api, api_stopped) = oneshot::channel::<()>();
        if let Some(addr) = opts.api {
            if let Err(e) = serve_api(&mut lab, addr, control.clone(), api_stopped).await {
                rs.shutdown(Duration::from_secs(1)).await;
                return Err(e);
            }
        }
        let (ev_tx, events) = mpsc::channel(1024);
        let (done_tx, done) = mpsc::channel::<Done>(16);
        let mut running = Vec::new();
        for (i, plan) in lab.top.speakers.iter().enumerate() {
            match speakers::start_tuned((i, 0), plan, lab.top.rs.asn, &lab.speakers[i].tuning, ev_tx.clone()) {
                Ok(r) => running.push(r),
                Err(e) => {
                    stop(&rs, &running).await;
                    return Err(format!("{}: {e}", plan.name));
                }
            }
        }
        Ok(Run {
            lab,
            setup,
            provisioning,
            io: Io {
                rs,
                running,
                events: ev_tx,
                done: done_tx,
            },
            events,
            done,
            requests,
            _control: control,
            stop_api,
        })
    }

    /// The run's loop: events, API requests and finished background work as they come, and a
    /// tick every 100 ms, until the run ends (converged with `--until converged`, the peering
    /// deprovisioned, the time up, or Ctrl-C).
    async fn watch(&mut self, opts: &RunOptions) {
        let deadline = self.lab.started + opts.limit;
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        loop {
            tokio::select! {
                e = self.events.recv() => match e {
                    Some(e) => events::on_event(&mut self.lab, e, &self.io.running, opts.trace),
                    None => break,
                },
                r = self.requests.recv() => if let Some(req) = r {
                    ops::handle(&mut self.lab, self.io.ctx(), req).await;
                },
                d = self.done.recv() => if let Some(d) = d {
                    ops::finish(&mut self.lab, self.io.ctx(), d);
                },
                _ = tick.tick() => {
                    if self.tick(opts.until_converged).await {
                        break;
                    }
                }
                _ = tokio::time::sleep_until(deadline) => break,
                _ = &mut ctrl_c => {
                    if opts.progress {
                        eprintln!("peerlab run: interrupted");
                    }
                    break;
                }
            }
        }
    }

    /// One tick: provisioning moves on, the edges enforce their max-prefix limits, the
    /// scenarios act, session updates settle, the Peering Service prefixes are judged again
    /// (when something changed), the live view is redrawn. Whether the run ends.
    async fn tick(&mut self, until_converged: bool) -> bool {
        self.provisioning.phase(&mut self.lab, &self.setup, &self.io.rs).await;
        max_prefix::enforce(&mut self.lab, &self.io.running);
        self.setup.tick(&self.lab);
        session_update::settle(&mut self.lab, self.io.ctx());
        service_prefixes::tick(&mut self.lab);
        draw(&mut self.lab);
        (until_converged && self.done_converging().await) || self.lab.ended
    }

    /// Whether `--until converged` is satisfied: with break-it scenarios, when each expected
    /// outcome was observed and the rest converged; otherwise when the lab converged.
    async fn done_converging(&self) -> bool {
        match self.setup.judge(&self.lab, &self.io.rs).await {
            Some(b) => b.passed,
            None => self.lab.converged(),
        }
    }

    /// The report, then Cease 6/2 on every session (watching them go down, bounded, so
    /// `--trace` shows the Cease too) and the route server's shutdown.
    async fn stop(mut self, trace: bool) -> Report {
        self.lab.note();
        service_prefixes::revalidate(&mut self.lab);
        draw(&mut self.lab);
        let _ = self.stop_api.send(());
        let report = summary::report(&self.lab, &self.setup, &self.io.rs).await;
        // Removed speakers end on the route server's Cease 6/3 instead.
        cease(&self.io.running, |i| self.lab.speakers.get(i).is_some_and(|s| s.gone)).await;
        let drain_until = Instant::now() + DRAIN;
        while self
            .lab
            .speakers
            .iter()
            .any(|s| !matches!(s.fsm, Some(State::Idle) | None))
        {
            match tokio::time::timeout_at(drain_until, self.events.recv()).await {
                Ok(Some(e)) => events::on_event(&mut self.lab, e, &self.io.running, trace),
                Ok(None) | Err(_) => break,
            }
        }
        stop(&self.io.rs, &self.io.running).await;
        report
    }
}

/// Redraws the live view when something changed.
fn draw(lab: &mut Lab) {
    if let Some(drawn) = lab.live_drawn {
        if lab.changed {
            lab.live_drawn = Some(live::redraw(
                &views::connection_rows(lab),
                &service_prefixes::rows(lab),
                drawn,
            ));
        }
    }
    lab.changed = false;
}

/// Binds the API on `addr` and serves it until `stopped` (the lab records its address).
async fn serve_api(
    lab: &mut Lab,
    addr: SocketAddr,
    control: Control,
    stopped: oneshot::Receiver<()>,
) -> Result<(), String> {
    let listener = api::bind(addr).await?;
    let bound = listener.local_addr().map_err(|e| format!("--api {addr}: {e}"))?;
    lab.api = Some(bound);
    eprintln!("peerlab run: API listening on http://{bound}");
    tokio::spawn(api::serve(listener, control, async {
        let _ = stopped.await;
    }));
    Ok(())
}

/// Plans the lab and starts its route server. The plan picks free loopback ports before the
/// route server binds them, so another process (a lab started alongside) can take one in
/// between: then the lab plans again with fresh ports, up to [`START_ATTEMPTS`] times.
async fn start_route_server(file: &PeeringFile) -> Result<(Topology, RouteServerHandle), String> {
    let mut attempt = 1;
    loop {
        let top = Topology::plan(file)?;
        let rs_opts = RuntimeOptions {
            transports: top.transports.clone(),
            ..RuntimeOptions::default()
        };
        match runtime::start(&top.rs, rs_opts).await {
            Ok(rs) => return Ok((top, rs)),
            Err(RuntimeError::Io(e)) if attempt < START_ATTEMPTS => {
                tracing::debug!(attempt, "the route server cannot bind its ports ({e}); planning again");
                attempt += 1;
            }
            Err(e) => return Err(format!("the route server cannot start: {e}")),
        }
    }
}

/// Cease 6/2 from every lab speaker but those `skip` names.
async fn cease(running: &[Running], skip: impl Fn(usize) -> bool) {
    for (i, r) in running.iter().enumerate() {
        if skip(i) {
            continue;
        }
        r.control(bgp_core::speaker::Control::Stop(Cease::admin_shutdown(Some(
            STOP_MESSAGE,
        ))));
    }
}

/// Cease 6/2 from every lab speaker, then the route server's own Cease 6/2 and shutdown.
async fn stop(rs: &RouteServerHandle, running: &[Running]) {
    cease(running, |_| false).await;
    rs.shutdown(Duration::from_secs(3)).await;
    for r in running {
        let _ = r.commands.send(Command::Shutdown).await;
        for t in &r.tasks {
            t.abort();
        }
    }
}
