//! The session driver: one tokio task per session that moves bytes and timers for the
//! sans-IO [`Fsm`] and carries out its actions. It reads with the length-checked framer,
//! writes through a coalescing, bounded queue, and reports [`SessionEvent`]s.

use super::handle::{Command, SessionEvent, SessionHandle};
use super::transport::{BoxStream, ConnectFuture, Connector};
use super::writer::{spawn_writer, WriteQueue};
use crate::framer;
use crate::fsm::{Action, Event, Fsm, SessionConfig, State, TcpFailure, Timer};
use crate::message::{Message, RouteRefresh};
use bytes::BytesMut;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, ReadHalf};
use tokio::sync::mpsc;
use tokio::time::{sleep_until, Instant};
use tracing::{debug, warn};

/// Events buffered towards the owner before the session stops reading (back-pressure).
pub const EVENT_QUEUE: usize = 1024;

/// How a session runs, beyond the FSM's own configuration.
#[derive(Debug, Clone)]
pub struct DriverOptions {
    /// Start the session as soon as it is spawned.
    pub start: bool,
    /// After falling to Idle for any reason but an operator stop, start again after this
    /// delay (an AutomaticStart). `None`: stay Idle until told.
    pub restart_after: Option<Duration>,
}

impl Default for DriverOptions {
    fn default() -> Self {
        DriverOptions {
            start: true,
            restart_after: Some(Duration::from_secs(5)),
        }
    }
}

struct Conn {
    read: ReadHalf<BoxStream>,
    buf: BytesMut,
    write: WriteQueue,
}

struct Driver {
    fsm: Fsm,
    opts: DriverOptions,
    connector: Box<dyn Connector>,
    incoming: mpsc::Receiver<BoxStream>,
    commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<SessionEvent>,
    timers: [Option<Instant>; Timer::COUNT],
    restart_at: Option<Instant>,
    stopped_by_operator: bool,
    connecting: Option<ConnectFuture>,
    conn: Option<Conn>,
}

/// Spawns a session. `incoming` delivers accepted connections for this peer (from a
/// [`super::Listener`] registration, or a test pipe).
pub fn spawn_session(
    config: SessionConfig,
    connector: Box<dyn Connector>,
    incoming: mpsc::Receiver<BoxStream>,
    opts: DriverOptions,
) -> SessionHandle {
    let (cmd_tx, cmd_rx) = mpsc::channel(64);
    let (ev_tx, ev_rx) = mpsc::channel(EVENT_QUEUE);
    let driver = Driver {
        fsm: Fsm::new(config),
        opts,
        connector,
        incoming,
        commands: cmd_rx,
        events: ev_tx,
        timers: [None; Timer::COUNT],
        restart_at: None,
        stopped_by_operator: false,
        connecting: None,
        conn: None,
    };
    let task = tokio::spawn(driver.run());
    SessionHandle {
        commands: cmd_tx,
        events: ev_rx,
        task,
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

async fn read_some(conn: &mut Option<Conn>) -> std::io::Result<usize> {
    match conn {
        Some(c) => {
            if c.buf.capacity() - c.buf.len() < 4096 {
                c.buf.reserve(64 * 1024);
            }
            c.read.read_buf(&mut c.buf).await
        }
        None => std::future::pending().await,
    }
}

async fn connect_done(f: &mut Option<ConnectFuture>) -> std::io::Result<BoxStream> {
    match f {
        Some(f) => f.await,
        None => std::future::pending().await,
    }
}

enum Wake {
    Command(Option<Command>),
    Incoming(Option<BoxStream>),
    Connected(std::io::Result<BoxStream>),
    Read(std::io::Result<usize>),
    Timer,
}

impl Driver {
    async fn run(mut self) {
        if self.opts.start {
            let e = self.fsm.start_event(false);
            self.feed(e).await;
        }
        let mut incoming_open = true;
        loop {
            let deadline = self
                .timers
                .iter()
                .flatten()
                .chain(self.restart_at.iter())
                .min()
                .copied();
            let wake = tokio::select! {
                c = self.commands.recv() => Wake::Command(c),
                s = self.incoming.recv(), if incoming_open => Wake::Incoming(s),
                r = connect_done(&mut self.connecting) => Wake::Connected(r),
                r = read_some(&mut self.conn) => Wake::Read(r),
                _ = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => Wake::Timer,
            };
            match wake {
                Wake::Command(None) | Wake::Command(Some(Command::Shutdown)) => break,
                Wake::Command(Some(c)) => self.command(c).await,
                Wake::Incoming(None) => incoming_open = false,
                Wake::Incoming(Some(s)) => self.accept(s).await,
                Wake::Connected(r) => {
                    self.connecting = None;
                    match r {
                        Ok(s) => {
                            self.attach(s);
                            self.feed(Event::Tcp_CR_Acked).await;
                        }
                        Err(e) => {
                            let _ = self.events.send(SessionEvent::ConnectFailed(e.to_string())).await;
                            self.feed(Event::tcp_closed()).await;
                        }
                    }
                }
                Wake::Read(Ok(0)) => {
                    self.conn = None;
                    self.feed(Event::TcpConnectionFails(TcpFailure::Closed)).await;
                }
                Wake::Read(Err(e)) => {
                    tracing::info!(session = %self.fsm.config().session, error = %e, "read from the peer failed");
                    self.conn = None;
                    self.feed(Event::TcpConnectionFails(TcpFailure::Read(e.kind()))).await;
                }
                Wake::Read(Ok(_)) => self.frames().await,
                Wake::Timer => self.timers_due().await,
            }
        }
        self.conn = None;
    }

    fn attach(&mut self, s: BoxStream) {
        let (read, write) = tokio::io::split(s);
        let (queue, _task) = spawn_writer(write);
        self.conn = Some(Conn {
            read,
            buf: BytesMut::with_capacity(64 * 1024),
            write: queue,
        });
    }

    async fn accept(&mut self, s: BoxStream) {
        // RFC 4271 §8.2.2: Idle refuses connections; a session that already has a connection
        // keeps it (collision resolution between two live connections is left to
        // `fsm::collision` users with two FSMs).
        if self.fsm.state() == State::Idle || self.conn.is_some() {
            debug!(session = %self.fsm.config().session.as_str(), "incoming connection refused");
            return;
        }
        self.connecting = None;
        self.attach(s);
        self.feed(Event::TcpConnectionConfirmed).await;
    }

    async fn frames(&mut self) {
        loop {
            let Some(conn) = self.conn.as_mut() else { return };
            let max = self.fsm.rx_context().max_message_len();
            match framer::try_parse(&mut conn.buf, max) {
                Ok(Some(frame)) => {
                    let actions = self.fsm.handle_frame(now_ms(), frame);
                    self.apply(actions).await;
                }
                Ok(None) => return,
                Err(e) => {
                    self.feed(Event::BGPHeaderErr(e)).await;
                    return;
                }
            }
        }
    }

    async fn timers_due(&mut self) {
        let now = Instant::now();
        if self.restart_at.is_some_and(|t| t <= now) {
            self.restart_at = None;
            if self.fsm.state() == State::Idle {
                let e = self.fsm.start_event(true);
                self.feed(e).await;
            }
        }
        for t in Timer::ALL {
            if self.timers[t.index()].is_some_and(|d| d <= now) {
                self.timers[t.index()] = None;
                self.feed(t.expiry()).await;
            }
        }
    }

    async fn command(&mut self, c: Command) {
        match c {
            Command::Start => {
                self.stopped_by_operator = false;
                self.restart_at = None;
                let e = self.fsm.start_event(false);
                self.feed(e).await;
            }
            Command::Stop(cease) => {
                self.stopped_by_operator = true;
                self.restart_at = None;
                self.feed(Event::ManualStop(cease)).await;
            }
            Command::AutomaticStop(cease) => self.feed(Event::AutomaticStop(cease)).await,
            Command::SendUpdates(msgs) => {
                if self.fsm.state() != State::Established {
                    warn!(session = %self.fsm.config().session.as_str(), "UPDATEs dropped: session not Established");
                    return;
                }
                let Some(conn) = self.conn.as_ref() else { return };
                let queue = conn.write.clone();
                for m in msgs {
                    if queue.send(m).await.is_err() {
                        return;
                    }
                }
                let actions = self.fsm.update_sent();
                self.apply(actions).await;
            }
            Command::Send(m) => self.send(m).await,
            Command::RequestRefresh(family) => {
                self.send(Message::RouteRefresh(RouteRefresh {
                    family,
                    subtype: RouteRefresh::REQUEST,
                }))
                .await
            }
            Command::Shutdown => {}
        }
    }

    async fn send(&mut self, m: Message) {
        let ctx = self.fsm.tx_context();
        let Some(conn) = self.conn.as_ref() else { return };
        match m.to_bytes(&ctx) {
            Ok(b) => {
                let _ = conn.write.send(b).await;
            }
            Err(e) => warn!(error = %e, "message not sent"),
        }
        if let Message::Notification(n) = m {
            let _ = self.events.send(SessionEvent::NotificationSent(n)).await;
        }
    }

    async fn feed(&mut self, event: Event) {
        let actions = self.fsm.handle(now_ms(), event);
        self.apply(actions).await;
    }

    async fn apply(&mut self, actions: Vec<crate::fsm::Action>) {
        // Actions may not produce further events here, so a plain loop keeps their order.
        for a in actions {
            match a {
                Action::Connect => self.connecting = Some(self.connector.connect()),
                Action::Send(m) => self.send(m).await,
                Action::StartTimer { timer, duration_ms } => {
                    self.timers[timer.index()] = Some(Instant::now() + Duration::from_millis(duration_ms))
                }
                Action::StopTimer(timer) => self.timers[timer.index()] = None,
                Action::DropTcp => {
                    self.connecting = None;
                    // Dropping the queue lets the writer flush what was sent, then close.
                    self.conn = None;
                }
                Action::ReleaseResources { delete_routes } => {
                    let _ = self.events.send(SessionEvent::Down { delete_routes }).await;
                }
                Action::ProcessUpdate(v) => {
                    let _ = self.events.send(SessionEvent::Update(v)).await;
                }
                Action::ProcessRouteRefresh(r) => {
                    let _ = self.events.send(SessionEvent::RouteRefresh(r)).await;
                }
                Action::SessionReady(n) => {
                    let _ = self.events.send(SessionEvent::Established(n)).await;
                }
                Action::StateChange(t) => {
                    if t.to == State::Idle && !self.stopped_by_operator && !self.fsm.damp_peer_oscillations() {
                        self.restart_at = self.opts.restart_after.map(|d| Instant::now() + d);
                    }
                    let _ = self.events.send(SessionEvent::Transition(t)).await;
                }
            }
        }
    }
}
