//! Established state (RFC 4271 §8.2.2): UPDATE, NOTIFICATION and KEEPALIVE flow.

use super::action::Action;
use super::event::Event;
use super::machine::{Counter, Down, Fsm};
use super::transition::Reason;
use crate::error::{code, Notification};
use crate::message::Message;

impl Fsm {
    pub(super) fn on_established(&mut self, event: Event, out: &mut Vec<Action>) {
        let name = event.name();
        let detect = self.config().collision_detect_established_state;
        match event {
            // Start events (1, 3–7) are ignored.
            Event::ManualStart
            | Event::AutomaticStart
            | Event::ManualStart_with_PassiveTcpEstablishment
            | Event::AutomaticStart_with_PassiveTcpEstablishment
            | Event::AutomaticStart_with_DampPeerOscillations
            | Event::AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment => {}
            // Events 2, 8, 10 (routes are deleted: `ReleaseResources { delete_routes }`).
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
            // Event 23, processed only with CollisionDetectEstablishedState.
            Event::OpenCollisionDump => {
                if detect {
                    self.collision_dump(name, out);
                } else {
                    tracing::warn!(session = %self.config().session, "OpenCollisionDump in Established ignored: CollisionDetectEstablishedState is FALSE");
                }
            }
            // Events 18, 24 and 25. RFC 4271 names no damping step here, but a session that
            // comes up and is closed by its peer again and again is the oscillation damping
            // exists for; like OpenBGPD, every fall from Established but an operator's stop
            // counts (RFC 4271 §8.1.1 leaves the method to the implementation).
            Event::TcpConnectionFails(failure) => {
                let down = Down::new(None, Counter::Increment, true);
                self.go_idle(name, Reason::TcpConnectionFails(failure), down, out);
            }
            Event::NotifMsgVerErr(n) | Event::NotifMsg(n) => {
                let down = Down::new(None, Counter::Increment, true);
                self.go_idle(name, Reason::NotificationReceived(n), down, out);
            }
            // Event 26.
            Event::KeepAliveMsg => {
                self.restart_hold(out);
                self.note_established_message();
            }
            // Event 27.
            Event::UpdateMsg(update) => {
                out.push(Action::ProcessUpdate(update));
                self.restart_hold(out);
                self.note_established_message();
            }
            // ROUTE-REFRESH (RFC 2918): processed like an UPDATE for the HoldTimer.
            Event::RouteRefreshMsg(rr) => {
                out.push(Action::ProcessRouteRefresh(rr));
                self.restart_hold(out);
                self.note_established_message();
            }
            // Event 28, and event 21: a header error is reported as itself (RFC 4271 §6.1
            // requires the Message Header Error code) rather than as an FSM Error.
            Event::UpdateMsgErr(e) | Event::BGPHeaderErr(e) => {
                let n = e.notification;
                let down = Down::new(Some(n.clone()), Counter::Increment, true);
                self.go_idle(name, Reason::NotificationSent(n), down, out);
            }
            // Event 29 (RFC 9687 §4.3): the peer accepted nothing for the SendHoldTime.
            // NOTIFICATION 8 is queued behind what the peer did not take; the driver closes
            // the connection whether or not it gets out.
            Event::SendHoldTimer_Expires => {
                tracing::warn!(session = %self.config().session, "send hold timer expired: the peer accepts no data (RFC 9687)");
                let n = Notification::new(code::SEND_HOLD_TIMER_EXPIRED, 0);
                let down = Down::new(Some(n), Counter::Increment, true);
                self.go_idle(name, Reason::SendHoldTimerExpired, down, out);
            }
            // Any other event (9, 12–13, 19–20, 22): FSM Error (5/3 for messages). An OPEN
            // (19) fed to this FSM came on its own, established connection: RFC 6608's
            // "Receive Unexpected Message in Established State". (An OPEN on a second
            // connection belongs to that connection's FSM; with
            // CollisionDetectEstablishedState the driver resolves the collision with
            // `collision::resolve` and feeds OpenCollisionDump, event 23, to the loser.)
            _ => self.fsm_error(name, None, out),
        }
    }
}
