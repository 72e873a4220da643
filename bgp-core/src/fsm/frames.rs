//! Received frames to message events (19–28 and the ROUTE-REFRESH extension).

use super::action::{Action, Timer};
use super::event::Event;
use super::machine::Fsm;
use crate::error::{code, BgpError};
use crate::framer::Frame;
use crate::message::Message;
use crate::types::msg_type;
use crate::update::UpdateView;

impl Fsm {
    /// The message event (19–28, or the ROUTE-REFRESH extension) for a received frame,
    /// decoded with [`Fsm::rx_context`]. The header was checked once, by the framer that made
    /// the [`Frame`] ([`crate::framer::try_parse`] with `rx_context().max_message_len()`);
    /// its errors are event 21, fed by the driver. An OPEN is event 20 while the
    /// DelayOpenTimer runs, else 19.
    pub fn event_for_frame(&self, frame: Frame) -> Event {
        let rx = self.rx_context();
        let kind = frame.kind();
        if kind == msg_type::UPDATE {
            return match UpdateView::parse(frame.into_bytes(), &rx) {
                Ok(v) => Event::UpdateMsg(v),
                Err(e) => Event::UpdateMsgErr(e),
            };
        }
        match Message::from_frame(frame, &rx) {
            (Some(Message::Open(o)), _) if self.timer_running(Timer::DelayOpen) => {
                Event::BGPOpen_with_DelayOpenTimer_running(o)
            }
            (Some(Message::Open(o)), _) => Event::BGPOpen(o),
            (Some(Message::Notification(n)), _)
                if n.code == code::OPEN && n.subcode == code::open::UNSUPPORTED_VERSION =>
            {
                Event::NotifMsgVerErr(n)
            }
            (Some(Message::Notification(n)), _) => Event::NotifMsg(n),
            (Some(Message::Keepalive), _) => Event::KeepAliveMsg,
            (Some(Message::RouteRefresh(r)), _) => Event::RouteRefreshMsg(r),
            (None, Some(e)) if kind == msg_type::OPEN && e.notification.code == code::OPEN => Event::BGPOpenMsgErr(e),
            // A ROUTE-REFRESH of bad length (7/1, RFC 7313 §5): an error in a message that
            // is not an OPEN or UPDATE, reported like a header error.
            (None, Some(e)) => Event::BGPHeaderErr(e),
            // Not produced for non-UPDATE frames; kept as a header error rather than a panic.
            (Some(Message::Update(_)), _) | (None, None) => Event::BGPHeaderErr(BgpError::reset_code(
                code::MESSAGE_HEADER,
                code::header::BAD_MESSAGE_TYPE,
            )),
        }
    }

    /// [`Fsm::event_for_frame`] then [`Fsm::handle`].
    pub fn handle_frame(&mut self, now_ms: u64, frame: Frame) -> Vec<Action> {
        let event = self.event_for_frame(frame);
        self.handle(now_ms, event)
    }
}
