//! The FSM value: state, session attributes and timers, the entry points, and the one
//! function that changes state.

use super::action::{Action, Timer};
use super::collision::local_initiator_wins;
use super::config::SessionConfig;
use super::damping::Damping;
use super::event::{Event, EventName};
use super::jitter::Jitter;
use super::negotiate::Negotiated;
use super::open_check::{check_open, OpenRejection};
use super::open_msg::build_open;
use super::state::State;
use super::transition::{History, Reason, Transition};
use crate::context::SessionContext;
use crate::error::{code, Notification};
use crate::message::Message;
use crate::open::Open;

/// What happens to the ConnectRetryCounter on the way to Idle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Counter {
    /// "sets the ConnectRetryCounter to zero".
    Reset,
    /// "increments the ConnectRetryCounter by 1".
    Increment,
    /// Not mentioned.
    Keep,
}

/// How a transition to Idle is carried out.
#[derive(Clone, Debug)]
pub(super) struct Down {
    /// NOTIFICATION to send first.
    pub notify: Option<Notification>,
    /// ConnectRetryCounter update.
    pub counter: Counter,
    /// "performs peer oscillation damping if the DampPeerOscillations attribute is TRUE".
    pub damp: bool,
}

impl Down {
    pub(super) const fn new(notify: Option<Notification>, counter: Counter, damp: bool) -> Self {
        Down { notify, counter, damp }
    }
}

/// The BGP FSM of one session (one TCP connection at a time), sans IO.
///
/// Feed it [`Event`]s with [`Fsm::handle`]; carry out the returned [`Action`]s in order. See
/// the [module documentation](super) for the driver's side.
#[derive(Clone, Debug)]
pub struct Fsm {
    config: SessionConfig,
    state: State,
    connect_retry_counter: u32,
    running: [bool; Timer::COUNT],
    passive: bool,
    damp: bool,
    pending_passive: Option<bool>,
    jitter: Jitter,
    damping: Damping,
    negotiated: Option<Box<Negotiated>>,
    our_open: Open,
    history: History,
    now_ms: u64,
}

impl Fsm {
    /// A session in Idle (call [`SessionConfig::validate`] first to catch bad values).
    pub fn new(config: SessionConfig) -> Fsm {
        Fsm {
            state: State::Idle,
            connect_retry_counter: 0,
            running: [false; Timer::COUNT],
            passive: config.passive,
            damp: config.damp_peer_oscillations,
            pending_passive: None,
            jitter: Jitter::new(config.jitter_seed, config.jitter),
            damping: Damping::new(config.idle_hold_time, config.idle_hold_time_max),
            negotiated: None,
            our_open: build_open(&config),
            history: History::default(),
            now_ms: 0,
            config,
        }
    }

    /// The current state.
    pub const fn state(&self) -> State {
        self.state
    }

    /// The configuration.
    pub const fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// ConnectRetryCounter: connection attempts since the last start or manual stop.
    pub const fn connect_retry_counter(&self) -> u32 {
        self.connect_retry_counter
    }

    /// Whether the FSM considers `timer` running (started and neither stopped nor expired).
    pub const fn timer_running(&self, timer: Timer) -> bool {
        self.running[timer.index()]
    }

    /// What the OPEN exchange negotiated (from OpenConfirm until the session goes Idle).
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.negotiated.as_deref()
    }

    /// The OPEN we send.
    pub const fn our_open(&self) -> &Open {
        &self.our_open
    }

    /// The last transitions, oldest first.
    pub const fn history(&self) -> &History {
        &self.history
    }

    /// PassiveTcpEstablishment as the last start event set it.
    pub const fn passive(&self) -> bool {
        self.passive
    }

    /// DampPeerOscillations as configured or set by events 6 and 7.
    pub const fn damp_peer_oscillations(&self) -> bool {
        self.damp
    }

    /// The IdleHoldTime the next automatic restart waits, in milliseconds.
    pub fn idle_hold_ms(&self) -> u64 {
        self.damping.idle_hold_ms()
    }

    /// Oscillations counted by the damping back-off.
    pub const fn damping_level(&self) -> u32 {
        self.damping.level()
    }

    /// The start event matching the configuration: ManualStart (1) or
    /// ManualStart_with_PassiveTcpEstablishment (4) when `automatic` is false; otherwise
    /// AutomaticStart (3), its passive (5), damped (6) or damped passive (7) variant.
    pub fn start_event(&self, automatic: bool) -> Event {
        match (automatic, self.config.damp_peer_oscillations, self.config.passive) {
            (false, _, false) => Event::ManualStart,
            (false, _, true) => Event::ManualStart_with_PassiveTcpEstablishment,
            (true, false, false) => Event::AutomaticStart,
            (true, false, true) => Event::AutomaticStart_with_PassiveTcpEstablishment,
            (true, true, false) => Event::AutomaticStart_with_DampPeerOscillations,
            (true, true, true) => Event::AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment,
        }
    }

    /// Reseeds the jitter generator (e.g. from the driver's random source).
    pub fn reseed_jitter(&mut self, seed: u64) {
        self.jitter.reseed(seed);
    }

    /// The context before negotiation: 4,096-octet messages, nothing else matters for OPEN,
    /// KEEPALIVE and NOTIFICATION.
    fn pre_open_context() -> SessionContext {
        SessionContext {
            extended_message: false,
            ..SessionContext::default()
        }
    }

    /// Context for decoding received messages (negotiated once the peer's OPEN is accepted).
    pub fn rx_context(&self) -> SessionContext {
        self.negotiated.as_ref().map_or_else(Self::pre_open_context, |n| n.rx)
    }

    /// Context for encoding the messages we send.
    pub fn tx_context(&self) -> SessionContext {
        self.negotiated.as_ref().map_or_else(Self::pre_open_context, |n| n.tx)
    }

    /// Handles one event; `now_ms` is the driver's clock, used only in transition records.
    pub fn handle(&mut self, now_ms: u64, event: Event) -> Vec<Action> {
        let mut out = Vec::new();
        self.handle_into(now_ms, event, &mut out);
        out
    }

    /// Like [`Fsm::handle`], appending the actions to `out`.
    pub fn handle_into(&mut self, now_ms: u64, event: Event, out: &mut Vec<Action>) {
        self.now_ms = now_ms;
        if let Some(t) = Timer::of_expiry(&event) {
            let was_running = self.running[t.index()];
            self.running[t.index()] = false;
            // An IdleHoldTimer stopped by ManualStop must not restart the session if its
            // expiry was already on its way.
            if t == Timer::IdleHold && !was_running && self.state == State::Idle {
                tracing::debug!(session = %self.config.session, "stale IdleHoldTimer expiry ignored");
                return;
            }
        }
        tracing::debug!(session = %self.config.session, state = %self.state, event = %event.name(), "bgp fsm event");
        if matches!(event, Event::AutomaticStop(_)) && !self.config.allow_automatic_stop {
            // RFC 4271 §8.1.2: the attribute SHOULD be TRUE for event 8; log and go on.
            tracing::warn!(session = %self.config.session, "AutomaticStop while AllowAutomaticStop is FALSE");
        }
        match self.state {
            State::Idle => self.on_idle(event, out),
            State::Connect | State::Active => self.on_connecting(event, out),
            State::OpenSent => self.on_open_sent(event, out),
            State::OpenConfirm => self.on_open_confirm(event, out),
            State::Established => self.on_established(event, out),
        }
    }

    /// The driver sent an UPDATE: in Established the KeepaliveTimer restarts (RFC 4271
    /// §8.2.2, "each time the local system sends a KEEPALIVE or UPDATE message").
    pub fn update_sent(&mut self) -> Vec<Action> {
        let mut out = Vec::new();
        if self.state == State::Established {
            self.start_keepalive(&mut out);
        }
        out
    }

    /// The peer accepted data: the socket took bytes of our messages. In Established the
    /// SendHoldTimer restarts (RFC 9687 §4.3, "each time the local system sends a BGP
    /// message"); a write that the socket does not take is no progress.
    pub fn data_sent(&mut self) -> Vec<Action> {
        let mut out = Vec::new();
        if self.state == State::Established {
            self.restart_send_hold(&mut out);
        }
        out
    }

    /// The SendHoldTime in milliseconds under the negotiated hold time, `None` when the
    /// SendHoldTimer must not run (RFC 9687 §4.3: SendHoldTime or negotiated HoldTime 0).
    pub fn send_hold_ms(&self) -> Option<u64> {
        let hold = u64::from(self.negotiated_hold());
        let secs = match self.config.send_hold_time {
            _ if hold == 0 => return None,
            Some(0) => return None,
            Some(s) => u64::from(s),
            // RFC 9687 §6: the greater of 8 minutes and twice the negotiated HoldTime.
            None => (2 * hold).max(480),
        };
        Some(secs * 1000)
    }

    // ---- timers ----

    pub(super) fn start_timer(&mut self, timer: Timer, duration_ms: u64, out: &mut Vec<Action>) {
        self.running[timer.index()] = true;
        out.push(Action::StartTimer { timer, duration_ms });
    }

    pub(super) fn stop_timer(&mut self, timer: Timer, out: &mut Vec<Action>) {
        if self.running[timer.index()] {
            self.running[timer.index()] = false;
            out.push(Action::StopTimer(timer));
        }
    }

    /// (Re)starts the ConnectRetryTimer with ConnectRetryTime, jittered (RFC 4271 §10).
    pub(super) fn start_connect_retry(&mut self, out: &mut Vec<Action>) {
        let ms = self.jitter.apply(u64::from(self.config.connect_retry_time) * 1000);
        self.start_timer(Timer::ConnectRetry, ms, out);
    }

    /// Sets the HoldTimer to the "large value" used until the peer's OPEN arrives.
    pub(super) fn start_large_hold(&mut self, out: &mut Vec<Action>) {
        let ms = u64::from(self.config.large_hold_time) * 1000;
        self.start_timer(Timer::Hold, ms, out);
    }

    /// Sets the DelayOpenTimer to DelayOpenTime.
    pub(super) fn start_delay_open(&mut self, out: &mut Vec<Action>) {
        let ms = u64::from(self.config.delay_open_time) * 1000;
        self.start_timer(Timer::DelayOpen, ms, out);
    }

    fn negotiated_hold(&self) -> u16 {
        self.negotiated.as_ref().map_or(0, |n| n.hold_time)
    }

    /// (Re)starts the KeepaliveTimer, jittered, unless the negotiated hold time is zero.
    pub(super) fn start_keepalive(&mut self, out: &mut Vec<Action>) {
        let ka = self.negotiated.as_ref().map_or(0, |n| n.keepalive_time);
        if ka == 0 {
            self.stop_timer(Timer::Keepalive, out);
        } else {
            let ms = self.jitter.apply(u64::from(ka) * 1000);
            self.start_timer(Timer::Keepalive, ms, out);
        }
    }

    /// Restarts the HoldTimer with the negotiated hold time, unless it is zero.
    pub(super) fn restart_hold(&mut self, out: &mut Vec<Action>) {
        let hold = self.negotiated_hold();
        if hold == 0 {
            self.stop_timer(Timer::Hold, out);
        } else {
            self.start_timer(Timer::Hold, u64::from(hold) * 1000, out);
        }
    }

    /// (Re)starts the SendHoldTimer, or stops it when it must not run.
    pub(super) fn restart_send_hold(&mut self, out: &mut Vec<Action>) {
        match self.send_hold_ms() {
            Some(ms) => self.start_timer(Timer::SendHold, ms, out),
            None => self.stop_timer(Timer::SendHold, out),
        }
    }

    /// KeepaliveTimer and HoldTimer after the OPEN exchange: started with the negotiated
    /// values, or both stopped when the negotiated hold time is zero.
    pub(super) fn arm_negotiated_timers(&mut self, out: &mut Vec<Action>) {
        self.start_keepalive(out);
        self.restart_hold(out);
    }

    // ---- messages and OPEN ----

    pub(super) fn send_open(&self, out: &mut Vec<Action>) {
        out.push(Action::Send(Message::Open(self.our_open.clone())));
    }

    /// Checks the peer's OPEN and keeps what was negotiated.
    pub(super) fn accept_open(&mut self, open: &Open) -> Result<(), OpenRejection> {
        let n = check_open(&self.config, open)?;
        tracing::debug!(session = %self.config.session, hold = n.hold_time, peer_as = n.peer_asn, "open accepted");
        self.negotiated = Some(Box::new(n));
        Ok(())
    }

    /// RFC 4271 §6.8 seen from a connection in OpenConfirm (or Established) that learns of
    /// another connection's OPEN: this one, the older, is closed when the remote speaker
    /// wins the identifier comparison.
    pub(super) fn existing_loses_collision(&self, open: &Open) -> bool {
        !local_initiator_wins(self.config.router_id, self.config.local_as, open.bgp_id, open.asn())
    }

    pub(super) fn negotiated_boxed(&self) -> Option<Box<Negotiated>> {
        self.negotiated.clone()
    }

    /// A message received in Established: the session may have proved stable by now.
    pub(super) fn note_established_message(&mut self) {
        self.damping.check_stable(self.now_ms);
    }

    /// The session reaches Established now (the start of its stability for damping).
    pub(super) fn note_established(&mut self) {
        self.damping.established(self.now_ms);
    }

    pub(super) fn set_start_attributes(&mut self, passive: bool, damp: Option<bool>) {
        self.passive = passive;
        if let Some(d) = damp {
            self.damp = d;
        }
    }

    pub(super) fn reset_counter(&mut self) {
        self.connect_retry_counter = 0;
    }

    /// Cancels automatic restarts: stops the IdleHoldTimer and resets the back-off.
    pub(super) fn cancel_restart(&mut self, out: &mut Vec<Action>) {
        self.stop_timer(Timer::IdleHold, out);
        self.pending_passive = None;
        self.damping.reset();
    }

    pub(super) fn take_pending_passive(&mut self) -> bool {
        self.pending_passive.take().unwrap_or(self.passive)
    }

    pub(super) fn defer_start(&mut self, passive: bool) {
        self.pending_passive = Some(passive);
    }

    // ---- state changes ----

    /// The one function that changes state: records the transition, reports it and keeps it
    /// in the history.
    pub(super) fn change_state(&mut self, to: State, event: EventName, reason: Reason, out: &mut Vec<Action>) {
        let t = Transition {
            at_ms: self.now_ms,
            session: self.config.session.clone(),
            from: self.state,
            to,
            event,
            reason,
        };
        tracing::info!(session = %t.session, from = %t.from, to = %t.to, event = %t.event, reason = %t.reason, "bgp state change");
        self.state = to;
        self.history.push(t.clone());
        out.push(Action::StateChange(t));
    }

    /// Every way to Idle from a started state: optional NOTIFICATION, all timers stopped
    /// ("sets the ConnectRetryTimer to zero"), resources released (routes deleted when
    /// Established), TCP dropped, ConnectRetryCounter updated, damping, state change. With
    /// DampPeerOscillations and AllowAutomaticStart, the IdleHoldTimer then schedules the
    /// automatic restart (not after ManualStop).
    pub(super) fn go_idle(&mut self, event: EventName, reason: Reason, down: Down, out: &mut Vec<Action>) {
        if let Some(n) = down.notify {
            out.push(Action::Send(Message::Notification(n)));
        }
        for t in [
            Timer::ConnectRetry,
            Timer::DelayOpen,
            Timer::Hold,
            Timer::Keepalive,
            Timer::SendHold,
        ] {
            self.stop_timer(t, out);
        }
        out.push(Action::ReleaseResources {
            delete_routes: self.state == State::Established,
        });
        out.push(Action::DropTcp);
        match down.counter {
            Counter::Reset => self.connect_retry_counter = 0,
            Counter::Increment => self.connect_retry_counter = self.connect_retry_counter.saturating_add(1),
            Counter::Keep => {}
        }
        if down.damp && self.damp {
            self.damping.bump(self.now_ms);
        } else {
            self.damping.down();
        }
        self.negotiated = None;
        let restart = self.damp && self.config.allow_automatic_start && !matches!(reason, Reason::AdminDown { .. });
        self.change_state(State::Idle, event, reason, out);
        if restart {
            let ms = self.damping.idle_hold_ms();
            self.start_timer(Timer::IdleHold, ms, out);
        }
    }

    /// FSM Error (RFC 4271 §6.6) with the RFC 6608 subcode for unexpected messages in
    /// OpenSent (1), OpenConfirm (2) and Established (3), 0 for other events; then Idle.
    /// `reason` overrides the recorded reason (e.g. a NOTIFICATION received in OpenSent).
    pub(super) fn fsm_error(&mut self, event: EventName, reason: Option<Reason>, out: &mut Vec<Action>) {
        let subcode = if event.is_message() {
            match self.state {
                State::OpenSent => code::fsm::UNEXPECTED_IN_OPEN_SENT,
                State::OpenConfirm => code::fsm::UNEXPECTED_IN_OPEN_CONFIRM,
                State::Established => code::fsm::UNEXPECTED_IN_ESTABLISHED,
                _ => code::fsm::UNSPECIFIED,
            }
        } else {
            code::fsm::UNSPECIFIED
        };
        let reason = reason.unwrap_or(Reason::FsmError { subcode, event });
        let n = Notification::new(code::FSM, subcode);
        self.go_idle(event, reason, Down::new(Some(n), Counter::Increment, true), out);
    }

    /// OpenCollisionDump: Cease 6/7 Connection Collision Resolution, then Idle.
    pub(super) fn collision_dump(&mut self, event: EventName, out: &mut Vec<Action>) {
        let n = Notification::new(code::CEASE, code::cease::CONNECTION_COLLISION);
        self.go_idle(
            event,
            Reason::CollisionDump,
            Down::new(Some(n), Counter::Increment, true),
            out,
        );
    }
}
