//! OpenConfirm state (RFC 4271 §8.2.2): OPENs exchanged; waiting for the peer's KEEPALIVE.

use super::action::Action;
use super::event::Event;
use super::machine::{Counter, Down, Fsm};
use super::state::State;
use super::transition::Reason;
use crate::message::Message;

impl Fsm {
    pub(super) fn on_open_confirm(&mut self, event: Event, out: &mut Vec<Action>) {
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
            // Event 11.
            Event::KeepaliveTimer_Expires => {
                out.push(Action::Send(Message::Keepalive));
                self.start_keepalive(out);
            }
            // Events 14–17: a second connection, tracked by the driver.
            Event::TcpConnection_Valid
            | Event::Tcp_CR_Invalid
            | Event::Tcp_CR_Acked
            | Event::TcpConnectionConfirmed => {}
            // Events 18 and 25.
            Event::TcpConnectionFails(failure) => {
                let down = Down::new(None, Counter::Increment, true);
                self.go_idle(name, Reason::TcpConnectionFails(failure), down, out);
            }
            Event::NotifMsg(n) => {
                let down = Down::new(None, Counter::Increment, true);
                self.go_idle(name, Reason::NotificationReceived(n), down, out);
            }
            // Event 24.
            Event::NotifMsgVerErr(n) => {
                let down = Down::new(None, Counter::Keep, false);
                self.go_idle(name, Reason::NotificationReceived(n), down, out);
            }
            // Event 19: an OPEN for this peer on another connection (RFC 4271 §6.8). This,
            // the older connection, is closed if the remote speaker has the higher
            // identifier; otherwise the driver closes the new one and this stays.
            Event::BGPOpen(open) => {
                if self.existing_loses_collision(&open) {
                    self.collision_dump(name, out);
                } else {
                    tracing::debug!(session = %self.config().session, "collision: keeping this connection");
                }
            }
            // Events 21 and 22.
            Event::BGPHeaderErr(e) | Event::BGPOpenMsgErr(e) => {
                let n = e.notification;
                let down = Down::new(Some(n.clone()), Counter::Increment, true);
                self.go_idle(name, Reason::NotificationSent(n), down, out);
            }
            // Event 23.
            Event::OpenCollisionDump => self.collision_dump(name, out),
            // Event 26: the session is up; RFC 9687 §4.3 starts the SendHoldTimer here.
            Event::KeepAliveMsg => {
                self.restart_hold(out);
                self.restart_send_hold(out);
                self.note_established();
                self.change_state(State::Established, name, Reason::KeepaliveReceived, out);
                if let Some(n) = self.negotiated_boxed() {
                    out.push(Action::SessionReady(n));
                }
            }
            // Any other event (9, 12–13, 20, 27–29, ROUTE-REFRESH): FSM Error (5/2 for
            // messages).
            _ => self.fsm_error(name, None, out),
        }
    }
}
