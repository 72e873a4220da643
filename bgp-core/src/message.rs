//! Whole messages: the owned [`Message`], decoding a frame and encoding with the header.
//!
//! ```text
//! marker (16 x 0xff) | length (2) | type (1) | body
//! ```

use crate::context::SessionContext;
use crate::error::{code, BgpError, Notification};
use crate::open::Open;
use crate::types::{msg_type, Family, HEADER_LEN};
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

/// Checks the header of a complete frame: marker, length field equal to the frame's
/// length, type. Returns the type.
pub fn check_header(frame: &[u8], max_len: usize) -> Result<u8, BgpError> {
    if frame.len() < HEADER_LEN {
        return Err(BgpError::reset(Notification::with_data(
            code::MESSAGE_HEADER,
            code::header::BAD_MESSAGE_LENGTH,
            (frame.len() as u16).to_be_bytes().to_vec(),
        )));
    }
    if frame[..16].iter().any(|&b| b != 0xff) {
        return Err(BgpError::reset_code(
            code::MESSAGE_HEADER,
            code::header::CONNECTION_NOT_SYNCHRONIZED,
        ));
    }
    let len = u16::from_be_bytes([frame[16], frame[17]]) as usize;
    let t = frame[18];
    let bad_len = || {
        BgpError::reset(Notification::with_data(
            code::MESSAGE_HEADER,
            code::header::BAD_MESSAGE_LENGTH,
            frame[16..18].to_vec(),
        ))
    };
    if len < HEADER_LEN || len > max_len || len != frame.len() {
        return Err(bad_len());
    }
    // RFC 4271 §6.1: per-type minimum lengths (and KEEPALIVE exactly 19).
    let ok = match t {
        msg_type::OPEN => len >= 29,
        msg_type::UPDATE => len >= 23,
        msg_type::NOTIFICATION => len >= 21,
        msg_type::KEEPALIVE => len == 19,
        msg_type::ROUTE_REFRESH => true,
        _ => {
            return Err(BgpError::reset(Notification::with_data(
                code::MESSAGE_HEADER,
                code::header::BAD_MESSAGE_TYPE,
                vec![t],
            )))
        }
    };
    if !ok {
        return Err(bad_len());
    }
    Ok(t)
}

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

    /// Decodes a frame and also returns the RFC 7606 error, if any: `(Some(msg), None)` when
    /// clean, `(Some(msg), Some(e))` for treat-as-withdraw / attribute discard (the message is
    /// what could still be decoded), `(None, Some(e))` when nothing is usable.
    pub fn decode_with_error(frame: Bytes, ctx: &SessionContext) -> (Option<Message>, Option<BgpError>) {
        let t = match check_header(&frame, ctx.max_message_len()) {
            Ok(t) => t,
            Err(e) => return (None, Some(e)),
        };
        let body = frame.slice(HEADER_LEN..);
        let r = match t {
            msg_type::OPEN => Open::decode(&body).map(Message::Open),
            msg_type::UPDATE => {
                return match UpdateView::parse(frame, ctx) {
                    Ok(v) => (Some(Message::Update(Update::from_view(&v))), v.error().cloned()),
                    Err(e) => (None, Some(e)),
                }
            }
            msg_type::NOTIFICATION => Ok(Message::Notification(Notification {
                code: body[0],
                subcode: body[1],
                data: body.slice(2..),
            })),
            msg_type::KEEPALIVE => Ok(Message::Keepalive),
            msg_type::ROUTE_REFRESH => {
                if body.len() != 4 {
                    // RFC 7313 §5: ROUTE-REFRESH Message Error / Invalid Message Length, with
                    // the whole message as data.
                    Err(BgpError::reset(Notification::with_data(
                        code::ROUTE_REFRESH,
                        code::route_refresh::INVALID_MESSAGE_LENGTH,
                        frame.clone(),
                    )))
                } else {
                    Ok(Message::RouteRefresh(RouteRefresh {
                        family: Family::new(u16::from_be_bytes([body[0], body[1]]), body[3]),
                        subtype: body[2],
                    }))
                }
            }
            _ => Err(BgpError::reset_code(
                code::MESSAGE_HEADER,
                code::header::BAD_MESSAGE_TYPE,
            )),
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
