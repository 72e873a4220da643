//! Connect and Active states (RFC 4271 §8.2.2): waiting for the TCP connection, actively
//! (Connect) or passively (Active). The two differ in a few events only.

use super::action::{Action, Timer};
use super::event::{Event, EventName, TcpFailure};
use super::machine::{Counter, Down, Fsm};
use super::state::State;
use super::transition::Reason;
use crate::error::Notification;
use crate::message::Message;

impl Fsm {
    pub(super) fn on_connecting(&mut self, event: Event, out: &mut Vec<Action>) {
        let name = event.name();
        let active = self.state() == State::Active;
        match event {
            // Start events (1, 3–7) are ignored.
            Event::ManualStart
            | Event::AutomaticStart
            | Event::ManualStart_with_PassiveTcpEstablishment
            | Event::AutomaticStart_with_PassiveTcpEstablishment
            | Event::AutomaticStart_with_DampPeerOscillations
            | Event::AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment => {}
            // Event 2. Active sends a Cease only if the DelayOpenTimer runs (a connection
            // exists) and SendNOTIFICATIONwithoutOPEN is set.
            Event::ManualStop(cease) => {
                let notify =
                    (active && self.timer_running(Timer::DelayOpen) && self.config().send_notification_without_open)
                        .then(|| cease.notification());
                let reason = Reason::AdminDown {
                    message: cease.message(),
                };
                self.go_idle(name, reason, Down::new(notify, Counter::Reset, false), out);
            }
            // Event 9.
            Event::ConnectRetryTimer_Expires => {
                if active {
                    self.start_connect_retry(out);
                    out.push(Action::Connect);
                    self.change_state(State::Connect, name, Reason::ConnectRetryTimerExpired, out);
                } else {
                    out.push(Action::DropTcp);
                    self.start_connect_retry(out);
                    self.stop_timer(Timer::DelayOpen, out);
                    out.push(Action::Connect);
                }
            }
            // Event 12: send the delayed OPEN.
            Event::DelayOpenTimer_Expires => {
                self.stop_timer(Timer::ConnectRetry, out);
                self.send_open(out);
                self.start_large_hold(out);
                self.change_state(State::OpenSent, name, Reason::DelayOpenTimerExpired, out);
            }
            // Events 14 and 15: the driver processes or refuses the request; no change.
            Event::TcpConnection_Valid | Event::Tcp_CR_Invalid => {}
            // Events 16 and 17: the connection is up.
            Event::Tcp_CR_Acked | Event::TcpConnectionConfirmed => {
                self.stop_timer(Timer::ConnectRetry, out);
                if self.config().delay_open {
                    self.start_delay_open(out);
                } else {
                    self.send_open(out);
                    self.start_large_hold(out);
                    self.change_state(State::OpenSent, name, Reason::TcpEstablished, out);
                }
            }
            // Event 18.
            Event::TcpConnectionFails(failure) => self.connecting_tcp_fails(active, failure, name, out),
            // Event 20: the peer's OPEN arrived while ours is delayed.
            Event::BGPOpen_with_DelayOpenTimer_running(open) => match self.accept_open(&open) {
                Err(rej) => self.connecting_error(EventName::BGP_OPEN_MSG_ERR, rej.notification, rej.reason, out),
                Ok(()) => {
                    self.stop_timer(Timer::ConnectRetry, out);
                    self.stop_timer(Timer::DelayOpen, out);
                    self.send_open(out);
                    out.push(Action::Send(Message::Keepalive));
                    self.arm_negotiated_timers(out);
                    self.change_state(State::OpenConfirm, name, Reason::OpenReceived, out);
                }
            },
            // Events 21 and 22.
            Event::BGPHeaderErr(e) | Event::BGPOpenMsgErr(e) => {
                let n = e.notification;
                self.connecting_error(name, n.clone(), Reason::NotificationSent(n), out);
            }
            // Event 24: a version error while the DelayOpenTimer runs is not counted.
            Event::NotifMsgVerErr(n) => {
                let down = if self.timer_running(Timer::DelayOpen) {
                    Down::new(None, Counter::Keep, false)
                } else {
                    Down::new(None, Counter::Increment, true)
                };
                self.go_idle(name, Reason::NotificationReceived(n), down, out);
            }
            // Any other event (8, 10–11, 13, 19, 23, 25–29, ROUTE-REFRESH).
            other => {
                let reason = match other {
                    Event::AutomaticStop(c) => Reason::AutomaticStop { subcode: c.subcode },
                    Event::NotifMsg(n) => Reason::NotificationReceived(n),
                    Event::HoldTimer_Expires => Reason::HoldTimerExpired,
                    Event::SendHoldTimer_Expires => Reason::SendHoldTimerExpired,
                    Event::OpenCollisionDump => Reason::CollisionDump,
                    _ => Reason::UnexpectedEvent(name),
                };
                self.go_idle(name, reason, Down::new(None, Counter::Increment, true), out);
            }
        }
    }

    fn connecting_tcp_fails(&mut self, active: bool, failure: TcpFailure, name: EventName, out: &mut Vec<Action>) {
        if active {
            // RFC 4271 also "restarts the ConnectRetryTimer" here, then goes Idle, where its
            // expiry is ignored; stopping it instead is observably the same.
            self.go_idle(
                name,
                Reason::TcpConnectionFails(failure),
                Down::new(None, Counter::Increment, true),
                out,
            );
        } else if self.timer_running(Timer::DelayOpen) {
            self.start_connect_retry(out);
            self.stop_timer(Timer::DelayOpen, out);
            self.change_state(State::Active, name, Reason::TcpConnectionFails(failure), out);
        } else {
            self.go_idle(
                name,
                Reason::TcpConnectionFails(failure),
                Down::new(None, Counter::Keep, false),
                out,
            );
        }
    }

    /// Events 21 and 22 before an OPEN was sent: the NOTIFICATION goes out only with
    /// SendNOTIFICATIONwithoutOPEN.
    fn connecting_error(&mut self, name: EventName, n: Notification, reason: Reason, out: &mut Vec<Action>) {
        let send = self.config().send_notification_without_open;
        let reason = match reason {
            Reason::NotificationSent(n) if !send => Reason::ErrorNotSent(n),
            r => r,
        };
        self.go_idle(
            name,
            reason,
            Down::new(send.then_some(n), Counter::Increment, true),
            out,
        );
    }
}
