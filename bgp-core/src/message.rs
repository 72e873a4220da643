//! Whole messages: the owned [`Message`], decoding a [`Frame`] (its header checked by the
//! framer) and encoding with the header.
//!
//! ```text
//! marker (16 x 0xff) | length (2) | type (1) | body
//! ```

use crate::context::SessionContext;
use crate::error::{code, BgpError, Notification};
use crate::framer::Frame;
use crate::open::Open;
use crate::types::{msg_type, Family};
use crate::update::{Update, UpdateView};
use bytes::{BufMut, Bytes, BytesMut};

/// ROUTE-REFRESH (RFC 2918) with the RFC 7313 message subtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct RouteRefresh {
    /// AFI/SAFI to refresh.
    pub family: Family,
    /// 0: normal request, 1: Beginning of Route Refresh (BoRR), 2: End of Route Refresh (EoRR).
    pub subtype: u8,
}

impl RouteRefresh {
    /// Subtype 0: a route refresh request.
    pub const REQUEST: u8 = 0;
    /// Subtype 1: BoRR (RFC 7313).
    pub const BORR: u8 = 1;
    /// Subtype 2: EoRR (RFC 7313).
    pub const EORR: u8 = 2;

    /// `request`, `borr`, `eorr` or `reserved`.
    pub const fn subtype_name(&self) -> &'static str {
        match self.subtype {
            0 => "request",
            1 => "borr",
            2 => "eorr",
            _ => "reserved",
        }
    }
}

/// A BGP message, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// OPEN.
    Open(Open),
    /// UPDATE.
    Update(Update),
    /// NOTIFICATION.
    Notification(Notification),
    /// KEEPALIVE.
    Keepalive,
    /// ROUTE-REFRESH.
    RouteRefresh(RouteRefresh),
}

/// Why a message could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLong {
    /// The length it would have.
    pub len: usize,
    /// The maximum under the context.
    pub max: usize,
}

impl std::fmt::Display for TooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "message of {} octets exceeds the maximum of {}", self.len, self.max)
    }
}

impl std::error::Error for TooLong {}

impl Message {
    /// Decodes a whole frame (header included) into an owned message.
    ///
    /// UPDATEs with treat-as-withdraw or attribute-discard errors decode (the error is lost
    /// here; use [`Message::decode_with_error`] to keep it).
    pub fn decode(frame: Bytes, ctx: &SessionContext) -> Result<Message, BgpError> {
        Self::decode_with_error(frame, ctx)
            .0
            .ok_or_else(|| BgpError::reset_code(code::UPDATE, 0))
    }

    /// Decodes a frame (header included) and also returns the RFC 7606 error, if any:
    /// `(Some(msg), None)` when clean, `(Some(msg), Some(e))` for treat-as-withdraw /
    /// attribute discard (the message is what could still be decoded), `(None, Some(e))`
    /// when nothing is usable. The header is checked by [`Frame::parse`] first.
    pub fn decode_with_error(frame: Bytes, ctx: &SessionContext) -> (Option<Message>, Option<BgpError>) {
        match Frame::parse(frame, ctx.max_message_len()) {
            Ok(f) => Self::from_frame(f, ctx),
            Err(e) => (None, Some(e)),
        }
    }

    /// Decodes a [`Frame`], whose header the framer has already checked, like
    /// [`Message::decode_with_error`].
    pub fn from_frame(frame: Frame, ctx: &SessionContext) -> (Option<Message>, Option<BgpError>) {
        let body = frame.body();
        let r = match frame.kind() {
            msg_type::OPEN => Open::decode(&body).map(Message::Open),
            msg_type::UPDATE => {
                return match UpdateView::parse(frame.into_bytes(), ctx) {
                    Ok(v) => (Some(Message::Update(Update::from_view(&v))), v.error().cloned()),
                    Err(e) => (None, Some(e)),
                }
            }
            // The framer guarantees at least code and subcode.
            msg_type::NOTIFICATION => Ok(Message::Notification(Notification {
                code: body[0],
                subcode: body[1],
                data: body.slice(2..),
            })),
            msg_type::KEEPALIVE => Ok(Message::Keepalive),
            // The framer lets only these five types through.
            _ => route_refresh(&frame, &body),
        };
        match r {
            Ok(m) => (Some(m), None),
            Err(e) => (None, Some(e)),
        }
    }

    /// The message type code.
    pub fn type_code(&self) -> u8 {
        match self {
            Message::Open(_) => msg_type::OPEN,
            Message::Update(_) => msg_type::UPDATE,
            Message::Notification(_) => msg_type::NOTIFICATION,
            Message::Keepalive => msg_type::KEEPALIVE,
            Message::RouteRefresh(_) => msg_type::ROUTE_REFRESH,
        }
    }

    /// Appends the whole message, header included, to `out`. Fails (writing nothing) when
    /// it would exceed the context's maximum length.
    pub fn encode(&self, ctx: &SessionContext, out: &mut BytesMut) -> Result<(), TooLong> {
        let at = out.len();
        out.put_slice(&[0xff; 16]);
        out.put_u16(0);
        out.put_u8(self.type_code());
        match self {
            Message::Open(o) => o.encode_body(out),
            Message::Update(u) => u.encode_body(ctx, out),
            Message::Notification(n) => {
                out.put_u8(n.code);
                out.put_u8(n.subcode);
                out.put_slice(&n.data);
            }
            Message::Keepalive => {}
            Message::RouteRefresh(r) => {
                out.put_u16(r.family.afi);
                out.put_u8(r.subtype);
                out.put_u8(r.family.safi);
            }
        }
        let len = out.len() - at;
        let max = ctx.max_message_len();
        if len > max {
            out.truncate(at);
            return Err(TooLong { len, max });
        }
        out[at + 16..at + 18].copy_from_slice(&(len as u16).to_be_bytes());
        Ok(())
    }

    /// Encodes into a fresh buffer.
    pub fn to_bytes(&self, ctx: &SessionContext) -> Result<Bytes, TooLong> {
        let mut b = BytesMut::new();
        self.encode(ctx, &mut b)?;
        Ok(b.freeze())
    }
}

/// A ROUTE-REFRESH body: exactly 4 octets, else RFC 7313 §5 ROUTE-REFRESH Message Error /
/// Invalid Message Length with the whole message as data.
fn route_refresh(frame: &Frame, body: &Bytes) -> Result<Message, BgpError> {
    if body.len() != 4 {
        return Err(BgpError::reset(Notification::with_data(
            code::ROUTE_REFRESH,
            code::route_refresh::INVALID_MESSAGE_LENGTH,
            frame.bytes().clone(),
        )));
    }
    Ok(Message::RouteRefresh(RouteRefresh {
        family: Family::new(u16::from_be_bytes([body[0], body[1]]), body[3]),
        subtype: body[2],
    }))
}
