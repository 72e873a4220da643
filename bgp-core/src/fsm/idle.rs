//! Idle state (RFC 4271 §8.2.2): refuses connections; start events begin a session.

use super::action::{Action, Timer};
use super::event::{Event, EventName};
use super::machine::Fsm;
use super::state::State;
use super::transition::Reason;

impl Fsm {
    pub(super) fn on_idle(&mut self, event: Event, out: &mut Vec<Action>) {
        let name = event.name();
        match event {
            // Events 1 and 4: an operator start also cancels any damping back-off.
            Event::ManualStart | Event::ManualStart_with_PassiveTcpEstablishment => {
                let passive = matches!(event, Event::ManualStart_with_PassiveTcpEstablishment);
                self.cancel_restart(out);
                self.start(passive, None, Reason::ManualStart { passive }, name, out);
            }
            // Events 3 and 5.
            Event::AutomaticStart | Event::AutomaticStart_with_PassiveTcpEstablishment => {
                let passive = matches!(event, Event::AutomaticStart_with_PassiveTcpEstablishment);
                self.warn_if_not_allowed(name);
                self.start(passive, None, Reason::AutomaticStart { passive }, name, out);
            }
            // Events 6 and 7: while the IdleHoldTimer holds the peer in Idle the start waits
            // for its expiry (event 13); otherwise it happens now.
            Event::AutomaticStart_with_DampPeerOscillations
            | Event::AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment => {
                let passive = matches!(
                    event,
                    Event::AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment
                );
                self.warn_if_not_allowed(name);
                if self.timer_running(Timer::IdleHold) {
                    self.set_start_attributes(passive, Some(true));
                    self.defer_start(passive);
                    tracing::debug!(session = %self.config().session, "automatic start deferred until IdleHoldTimer expires");
                } else {
                    self.start(passive, Some(true), Reason::AutomaticStart { passive }, name, out);
                }
            }
            // Event 13: the damping back-off is over; restart automatically.
            Event::IdleHoldTimer_Expires if self.damp_peer_oscillations() && self.config().allow_automatic_start => {
                let passive = self.take_pending_passive();
                self.start(passive, None, Reason::IdleHoldTimerExpired, name, out);
            }
            // Event 2 is ignored in Idle, except that it cancels a pending automatic restart.
            Event::ManualStop(_) => self.cancel_restart(out),
            // Idle refuses connections: one that completed anyway is closed.
            Event::Tcp_CR_Acked | Event::TcpConnectionConfirmed => out.push(Action::DropTcp),
            // Events 8–12, 14–15, 18–28: no change.
            _ => {}
        }
    }

    fn warn_if_not_allowed(&self, name: EventName) {
        if !self.config().allow_automatic_start {
            tracing::warn!(session = %self.config().session, event = %name, "automatic start while AllowAutomaticStart is FALSE");
        }
    }

    /// The common start: ConnectRetryCounter to zero, ConnectRetryTimer started, then
    /// Connect (initiating TCP) or, passively, Active.
    fn start(&mut self, passive: bool, damp: Option<bool>, reason: Reason, name: EventName, out: &mut Vec<Action>) {
        self.set_start_attributes(passive, damp);
        self.reset_counter();
        self.stop_timer(Timer::IdleHold, out);
        self.start_connect_retry(out);
        if passive {
            self.change_state(State::Active, name, reason, out);
        } else {
            out.push(Action::Connect);
            self.change_state(State::Connect, name, reason, out);
        }
    }
}
