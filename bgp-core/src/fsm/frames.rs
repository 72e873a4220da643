//! Received frames to message events (19–28 and the ROUTE-REFRESH extension).

use super::action::{Action, Timer};
use super::event::Event;
use super::machine::Fsm;
use crate::error::{code, BgpError};
use crate::message::{check_header, Message};
use crate::types::msg_type;
use crate::update::UpdateView;
use bytes::Bytes;

impl Fsm {
    /// The message event (19–28, or the ROUTE-REFRESH extension) for a received frame
    /// (header included, e.g. from [`crate::framer::try_parse`]), decoded with
    /// [`Fsm::rx_context`]. An OPEN is event 20 while the DelayOpenTimer runs, else 19.
    pub fn event_for_frame(&self, frame: Bytes) -> Event {
        let rx = self.rx_context();
        let kind = match check_header(&frame, rx.max_message_len()) {
            Ok(k) => k,
            Err(e) => return Event::BGPHeaderErr(e),
        };
        if kind == msg_type::UPDATE {
            return match UpdateView::parse(frame, &rx) {
                Ok(v) => Event::UpdateMsg(v),
                Err(e) => Event::UpdateMsgErr(e),
            };
        }
        match Message::decode_with_error(frame, &rx) {
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
            // Header errors, and a ROUTE-REFRESH of bad length (7/1, RFC 7313 §5).
            (None, Some(e)) => Event::BGPHeaderErr(e),
            (Some(Message::Update(_)), _) | (None, None) => Event::BGPHeaderErr(BgpError::reset_code(
                code::MESSAGE_HEADER,
                code::header::BAD_MESSAGE_TYPE,
            )),
        }
    }

    /// [`Fsm::event_for_frame`] then [`Fsm::handle`].
    pub fn handle_frame(&mut self, now_ms: u64, frame: Bytes) -> Vec<Action> {
        let event = self.event_for_frame(frame);
        self.handle(now_ms, event)
    }
}
