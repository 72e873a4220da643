//! OpenSent state (RFC 4271 §8.2.2): our OPEN is out; waiting for the peer's.

use super::action::{Action, Timer};
use super::event::{Event, EventName};
use super::machine::{Counter, Down, Fsm};
use super::state::State;
use super::transition::Reason;
use crate::error::{code, Notification};
use crate::message::Message;

impl Fsm {
    pub(super) fn on_open_sent(&mut self, event: Event, out: &mut Vec<Action>) {
        let name = event.name();
        match event {
            // Start events (1, 3–7) are ignored.
            Event::ManualStart
            | Event::AutomaticStart
            | Event::ManualStart_with_PassiveTcpEstablishment
            | Event::AutomaticStart_with_PassiveTcpEstablishment
            | Event::AutomaticStart_with_DampPeerOscillations
            | Event::AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment => {}
            Event::ManualStop(_) | Event::AutomaticStop(_) | Event::HoldTimer_Expires => {
                self.stop_with_notification(event, out);
            }
            // Events 14–17: a second connection, tracked by the driver for collision
            // detection until its OPEN arrives.
            Event::TcpConnection_Valid
            | Event::Tcp_CR_Invalid
            | Event::Tcp_CR_Acked
            | Event::TcpConnectionConfirmed => {}
            // Event 18: close, and listen again in Active.
            Event::TcpConnectionFails(failure) => {
                out.push(Action::DropTcp);
                self.stop_timer(Timer::Hold, out);
                self.start_connect_retry(out);
                self.change_state(State::Active, name, Reason::TcpConnectionFails(failure), out);
            }
            // Event 19: check the OPEN; an error turns it into event 22.
            Event::BGPOpen(open) => match self.accept_open(&open) {
                Err(rej) => self.go_idle(
                    EventName::BGP_OPEN_MSG_ERR,
                    rej.reason,
                    Down::new(Some(rej.notification), Counter::Increment, true),
                    out,
                ),
                Ok(()) => {
                    self.stop_timer(Timer::DelayOpen, out);
                    self.stop_timer(Timer::ConnectRetry, out);
                    out.push(Action::Send(Message::Keepalive));
                    self.arm_negotiated_timers(out);
                    self.change_state(State::OpenConfirm, name, Reason::OpenReceived, out);
                }
            },
            // Events 21 and 22.
            Event::BGPHeaderErr(e) | Event::BGPOpenMsgErr(e) => {
                let n = e.notification;
                let down = Down::new(Some(n.clone()), Counter::Increment, true);
                self.go_idle(name, Reason::NotificationSent(n), down, out);
            }
            // Event 23.
            Event::OpenCollisionDump => self.collision_dump(name, out),
            // Event 24.
            Event::NotifMsgVerErr(n) => {
                self.go_idle(
                    name,
                    Reason::NotificationReceived(n),
                    Down::new(None, Counter::Keep, false),
                    out,
                );
            }
            // Event 25 is among RFC 4271's "any other event" here: FSM Error (5/1) is sent,
            // but the record names the NOTIFICATION that ended the session.
            Event::NotifMsg(n) => self.fsm_error(name, Some(Reason::NotificationReceived(n)), out),
            // Any other event (9, 11–13, 20, 26–29, ROUTE-REFRESH): FSM Error.
            _ => self.fsm_error(name, None, out),
        }
    }

    /// ManualStop, AutomaticStop or HoldTimer_Expires from OpenSent, OpenConfirm or
    /// Established: the Cease (or 4/0 Hold Timer Expired) is sent, then Idle.
    pub(super) fn stop_with_notification(&mut self, event: Event, out: &mut Vec<Action>) {
        let name = event.name();
        let (n, reason, down) = match event {
            Event::ManualStop(c) => {
                let reason = Reason::AdminDown { message: c.message() };
                (c.notification(), reason, (Counter::Reset, false))
            }
            Event::AutomaticStop(c) => {
                let reason = Reason::AutomaticStop { subcode: c.subcode };
                (c.notification(), reason, (Counter::Increment, true))
            }
            _ => (
                Notification::new(code::HOLD_TIMER_EXPIRED, 0),
                Reason::HoldTimerExpired,
                (Counter::Increment, true),
            ),
        };
        self.go_idle(name, reason, Down::new(Some(n), down.0, down.1), out);
    }
}
