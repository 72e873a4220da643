//! The session driver: one tokio task per session that moves bytes and timers for the
//! sans-IO [`Fsm`] and carries out its actions. It reads with the length-checked framer,
//! writes from an [`Outbox`] whenever the socket takes data, and reports [`SessionEvent`]s.
//!
//! Nothing in the task waits on the peer's socket: reading, writing, timers, commands and
//! accepted connections are branches of one `select!`. A peer that stops reading (a full
//! socket) therefore never stops the reader or the timers — its KEEPALIVEs keep restarting
//! the HoldTimer, and the SendHoldTimer (RFC 9687), restarted whenever the socket takes
//! data, ends a connection that takes none for the SendHoldTime. While the outbox holds
//! more than [`super::writer::HIGH_WATER`] octets the task takes no commands, so the
//! owner's `send` waits: back-pressure on this session alone. Starts and stops come on their
//! own path ([`Control`]), taken first and whatever the outbox holds.

use super::handle::{Command, Control, Controller, SessionEvent, SessionHandle};
use super::transport::{BoxStream, ConnectFuture, Connected, Connector, Protection};
use super::writer::{Outbox, CLOSE_GRACE};
use crate::framer;
use crate::fsm::{Action, Event, Fsm, SessionConfig, State, TcpFailure, Timer};
use crate::message::{Message, RouteRefresh};
use bytes::BytesMut;
use std::io;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, ReadHalf, WriteHalf};
use tokio::sync::mpsc;
use tokio::time::{sleep_until, Instant};
use tracing::{debug, info, warn};

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

/// One TCP connection: its two halves, the read buffer, the outbox and what was set on its
/// socket.
struct Conn {
    read: ReadHalf<BoxStream>,
    write: WriteHalf<BoxStream>,
    buf: BytesMut,
    out: Outbox,
    protection: Protection,
}

impl Conn {
    fn new(c: Connected) -> Self {
        let (read, write) = tokio::io::split(c.stream);
        Conn {
            read,
            write,
            buf: BytesMut::with_capacity(64 * 1024),
            out: Outbox::new(),
            protection: c.protection,
        }
    }

    /// Closes the connection in the background: what is still queued (e.g. a NOTIFICATION)
    /// is written if the peer takes it within [`CLOSE_GRACE`], then the connection is shut
    /// down and closed either way.
    fn close(self, session: &str) {
        let Conn {
            read,
            mut write,
            mut out,
            ..
        } = self;
        drop(read);
        let session = session.to_owned();
        tokio::spawn(async move {
            match tokio::time::timeout(CLOSE_GRACE, out.flush_and_close(&mut write)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => debug!(%session, error = %e, "connection closed with a write error"),
                Err(_) => {
                    info!(%session, unwritten = out.pending(), "peer took nothing more; connection closed with data unwritten")
                }
            }
        });
    }
}

struct Driver {
    fsm: Fsm,
    opts: DriverOptions,
    connector: Box<dyn Connector>,
    incoming: mpsc::Receiver<Connected>,
    commands: mpsc::Receiver<Command>,
    control: mpsc::UnboundedReceiver<Control>,
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
    incoming: mpsc::Receiver<Connected>,
    opts: DriverOptions,
) -> SessionHandle {
    let (cmd_tx, cmd_rx) = mpsc::channel(64);
    let (control_tx, control_rx) = mpsc::unbounded_channel();
    let (ev_tx, ev_rx) = mpsc::channel(EVENT_QUEUE);
    let driver = Driver {
        fsm: Fsm::new(config),
        opts,
        connector,
        incoming,
        commands: cmd_rx,
        control: control_rx,
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
        control: Controller(control_tx),
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

async fn read_some(r: Option<(&mut ReadHalf<BoxStream>, &mut BytesMut)>) -> io::Result<usize> {
    match r {
        Some((read, buf)) => {
            if buf.capacity() - buf.len() < 4096 {
                buf.reserve(64 * 1024);
            }
            read.read_buf(buf).await
        }
        None => std::future::pending().await,
    }
}

async fn write_some(w: Option<(&mut Outbox, &mut WriteHalf<BoxStream>)>) -> io::Result<usize> {
    match w {
        Some((out, write)) => out.write_some(write).await,
        None => std::future::pending().await,
    }
}

async fn connect_done(f: &mut Option<ConnectFuture>) -> std::io::Result<Connected> {
    match f {
        Some(f) => f.await,
        None => std::future::pending().await,
    }
}

enum Wake {
    Control(Option<Control>),
    Command(Option<Command>),
    Incoming(Option<Connected>),
    Connected(std::io::Result<Connected>),
    Read(std::io::Result<usize>),
    Wrote(std::io::Result<usize>),
    Timer,
}

impl Driver {
    async fn run(mut self) {
        if self.opts.start {
            let e = self.fsm.start_event(false);
            self.feed(e).await;
        }
        let mut incoming_open = true;
        let mut control_open = true;
        loop {
            // Starts and stops already sent are taken before anything else.
            while let Ok(c) = self.control.try_recv() {
                self.control(c).await;
            }
            let deadline = self
                .timers
                .iter()
                .flatten()
                .chain(self.restart_at.iter())
                .min()
                .copied();
            // Commands wait while the peer has not taken what is queued (back-pressure).
            let take_commands = self.conn.as_ref().is_none_or(|c| c.out.has_room());
            let (reading, writing) = match self.conn.as_mut() {
                Some(c) => (
                    Some((&mut c.read, &mut c.buf)),
                    (!c.out.is_empty()).then_some((&mut c.out, &mut c.write)),
                ),
                None => (None, None),
            };
            let wake = tokio::select! {
                c = self.control.recv(), if control_open => Wake::Control(c),
                c = self.commands.recv(), if take_commands => Wake::Command(c),
                s = self.incoming.recv(), if incoming_open => Wake::Incoming(s),
                r = connect_done(&mut self.connecting) => Wake::Connected(r),
                r = read_some(reading) => Wake::Read(r),
                r = write_some(writing) => Wake::Wrote(r),
                _ = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => Wake::Timer,
            };
            match wake {
                Wake::Control(None) => control_open = false,
                Wake::Control(Some(c)) => self.control(c).await,
                Wake::Command(None) | Wake::Command(Some(Command::Shutdown)) => break,
                Wake::Command(Some(c)) => self.command(c).await,
                Wake::Incoming(None) => incoming_open = false,
                Wake::Incoming(Some(s)) => self.accept(s).await,
                Wake::Connected(r) => {
                    self.connecting = None;
                    match r {
                        Ok(s) => {
                            self.conn = Some(Conn::new(s));
                            self.feed(Event::Tcp_CR_Acked).await;
                        }
                        Err(e) => {
                            let _ = self.events.send(SessionEvent::ConnectFailed(e.to_string())).await;
                            self.feed(Event::tcp_closed()).await;
                        }
                    }
                }
                Wake::Read(Ok(0)) => self.connection_failed(TcpFailure::Closed).await,
                Wake::Read(Ok(_)) => self.frames().await,
                Wake::Read(Err(e)) => {
                    info!(session = %self.fsm.config().session, error = %e, "read from the peer failed");
                    self.connection_failed(TcpFailure::Read(e.kind())).await;
                }
                Wake::Wrote(Ok(_)) => {
                    let actions = self.fsm.data_sent();
                    self.apply(actions).await;
                }
                Wake::Wrote(Err(e)) => {
                    info!(session = %self.fsm.config().session, error = %e, "write to the peer failed");
                    self.connection_failed(TcpFailure::Write(e.kind())).await;
                }
                Wake::Timer => self.timers_due().await,
            }
        }
        self.drop_connection();
    }

    /// The connection is gone (closed or failed): forget it without writing more, and feed
    /// TcpConnectionFails with what is known.
    async fn connection_failed(&mut self, failure: TcpFailure) {
        self.conn = None;
        self.feed(Event::TcpConnectionFails(failure)).await;
    }

    /// Closes the connection, if any, writing what is queued first (bounded by
    /// [`CLOSE_GRACE`]).
    fn drop_connection(&mut self) {
        if let Some(c) = self.conn.take() {
            c.close(self.fsm.config().session.as_str());
        }
    }

    async fn accept(&mut self, s: Connected) {
        // RFC 4271 §8.2.2: Idle refuses connections; a session that already has a connection
        // keeps it (collision resolution between two live connections is left to
        // `fsm::collision` users with two FSMs).
        if self.fsm.state() == State::Idle || self.conn.is_some() {
            debug!(session = %self.fsm.config().session.as_str(), "incoming connection refused");
            return;
        }
        self.connecting = None;
        self.conn = Some(Conn::new(s));
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

    async fn control(&mut self, c: Control) {
        match c {
            Control::Start => {
                self.stopped_by_operator = false;
                self.restart_at = None;
                let e = self.fsm.start_event(false);
                self.feed(e).await;
            }
            Control::Stop(cease) => {
                self.stopped_by_operator = true;
                self.restart_at = None;
                self.feed(Event::ManualStop(cease)).await;
            }
            Control::AutomaticStop(cease) => self.feed(Event::AutomaticStop(cease)).await,
        }
    }

    async fn command(&mut self, c: Command) {
        match c {
            Command::SendUpdates(msgs) => {
                if self.fsm.state() != State::Established {
                    warn!(session = %self.fsm.config().session.as_str(), "UPDATEs dropped: session not Established");
                    return;
                }
                let Some(conn) = self.conn.as_mut() else { return };
                for m in msgs {
                    conn.out.push(m);
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
        let Some(conn) = self.conn.as_mut() else { return };
        match m.to_bytes(&ctx) {
            Ok(b) => conn.out.push(b),
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
                    self.drop_connection();
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
                    let protection = self.conn.as_ref().map(|c| c.protection).unwrap_or_default();
                    let _ = self.events.send(SessionEvent::Established(n, protection)).await;
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
