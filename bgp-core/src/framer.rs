//! The length-checked framer: splits a byte stream into whole messages, and the one place
//! where a message header is checked (RFC 4271 §6.1).
//!
//! `try_parse` checks the header — marker, `19 ≤ length ≤ maximum`, a known type and the
//! type's minimum length — before it waits for the rest of a message, so a peer cannot make
//! us buffer more than one maximum-size message. A [`Frame`] can only be made here (by
//! [`try_parse`] or [`Frame::parse`]), so whoever decodes one knows its header is sound and
//! never checks it again.
//!
//! ```text
//! marker (16 x 0xff) | length (2) | type (1) | body
//! ```

use crate::error::{code, BgpError, Notification};
use crate::types::{msg_type, HEADER_LEN};
use bytes::{Bytes, BytesMut};

/// One complete message as it came off the wire (header included), its header checked:
/// marker, length within the maximum it was framed with, a known type, and at least the
/// type's minimum length (exactly 19 for KEEPALIVE).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    kind: u8,
    bytes: Bytes,
}

impl Frame {
    /// Checks `bytes` as exactly one whole message (e.g. one hex line of `peerlab decode`):
    /// the header as [`try_parse`] checks it, and a length field equal to the number of
    /// octets. A wrong length is 1/2 Bad Message Length with the length field as data (or,
    /// below 19 octets, the number of octets).
    pub fn parse(bytes: Bytes, max_len: usize) -> Result<Frame, BgpError> {
        if bytes.len() < HEADER_LEN {
            return Err(bad_length(&(bytes.len() as u16).to_be_bytes()));
        }
        let kind = check_header(&bytes[..HEADER_LEN], max_len, Some(bytes.len()))?;
        Ok(Frame { kind, bytes })
    }

    /// The message type ([`msg_type`]).
    pub const fn kind(&self) -> u8 {
        self.kind
    }

    /// The whole message, header included.
    pub const fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The whole message, header included.
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }

    /// Everything after the 19-octet header.
    pub fn body(&self) -> Bytes {
        self.bytes.slice(HEADER_LEN..)
    }
}

fn not_synchronized() -> BgpError {
    BgpError::reset_code(code::MESSAGE_HEADER, code::header::CONNECTION_NOT_SYNCHRONIZED)
}

fn bad_length(length_field: &[u8]) -> BgpError {
    BgpError::reset(Notification::with_data(
        code::MESSAGE_HEADER,
        code::header::BAD_MESSAGE_LENGTH,
        length_field.to_vec(),
    ))
}

/// The header checks of RFC 4271 §6.1, in this order: marker (1/1), length within
/// `19..=max_len` and equal to `whole` when the message's size is known (1/2, data: the
/// length field), type (1/3, data: the type), the type's minimum length (1/2). `head` is
/// the 19-octet header. Returns the type.
fn check_header(head: &[u8], max_len: usize, whole: Option<usize>) -> Result<u8, BgpError> {
    if head[..16].iter().any(|&b| b != 0xff) {
        return Err(not_synchronized());
    }
    let len = u16::from_be_bytes([head[16], head[17]]) as usize;
    if !(HEADER_LEN..=max_len).contains(&len) || whole.is_some_and(|w| w != len) {
        return Err(bad_length(&head[16..18]));
    }
    let kind = head[18];
    let long_enough = match kind {
        msg_type::OPEN => len >= 29,
        msg_type::UPDATE => len >= 23,
        msg_type::NOTIFICATION => len >= 21,
        msg_type::KEEPALIVE => len == HEADER_LEN,
        msg_type::ROUTE_REFRESH => true,
        _ => {
            return Err(BgpError::reset(Notification::with_data(
                code::MESSAGE_HEADER,
                code::header::BAD_MESSAGE_TYPE,
                vec![kind],
            )))
        }
    };
    if !long_enough {
        return Err(bad_length(&head[16..18]));
    }
    Ok(kind)
}

/// Splits one message off the front of `buf`.
///
/// `Ok(None)`: more bytes are needed. `Err`: a Message Header Error (RFC 4271 §6.1); the
/// session must send it and close.
pub fn try_parse(buf: &mut BytesMut, max_len: usize) -> Result<Option<Frame>, BgpError> {
    if buf.len() < HEADER_LEN {
        // Check the marker early so garbage is refused without waiting for 19 octets.
        if buf.iter().take(16).any(|&b| b != 0xff) {
            return Err(not_synchronized());
        }
        return Ok(None);
    }
    let kind = check_header(&buf[..HEADER_LEN], max_len, None)?;
    let len = u16::from_be_bytes([buf[16], buf[17]]) as usize;
    if buf.len() < len {
        buf.reserve(len - buf.len());
        return Ok(None);
    }
    Ok(Some(Frame {
        kind,
        bytes: buf.split_to(len).freeze(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(r: Result<Option<Frame>, BgpError>) -> Option<(u8, u8, Vec<u8>)> {
        r.err().map(|e| {
            (
                e.notification.code,
                e.notification.subcode,
                e.notification.data.to_vec(),
            )
        })
    }

    #[test]
    fn waits_for_the_whole_message() {
        let mut b = BytesMut::from(&[0xffu8; 16][..]);
        b.extend_from_slice(&[0, 19]);
        assert_eq!(try_parse(&mut b, 4096), Ok(None));
        b.extend_from_slice(&[4, 0xff]);
        let f = try_parse(&mut b, 4096)
            .ok()
            .flatten()
            .map(|f| (f.kind(), f.bytes().len()));
        assert_eq!(f, Some((4, 19)));
        assert_eq!(b.len(), 1);
    }

    /// A buffer holding just a header with this length field and type.
    fn header(len: u16, kind: u8) -> BytesMut {
        let mut b = BytesMut::from(&[0xffu8; 16][..]);
        b.extend_from_slice(&len.to_be_bytes());
        b.extend_from_slice(&[kind]);
        b
    }

    #[test]
    fn length_above_the_maximum_is_bad_message_length() {
        assert_eq!(
            error(try_parse(&mut header(4097, 2), 4096)),
            Some((1, 2, vec![0x10, 0x01]))
        );
    }

    #[test]
    fn bad_marker_is_connection_not_synchronized() {
        let mut b = BytesMut::from(&[0xfeu8; 3][..]);
        assert_eq!(try_parse(&mut b, 4096).err().map(|e| e.notification.subcode), Some(1));
    }

    #[test]
    fn an_unknown_type_is_refused_from_the_header_alone() {
        // Length 100, type 9: refused before the body arrives.
        assert_eq!(error(try_parse(&mut header(100, 9), 4096)), Some((1, 3, vec![9])));
    }

    #[test]
    fn a_type_below_its_minimum_length_is_bad_message_length() {
        // A NOTIFICATION of 20 octets: no room for code and subcode.
        assert_eq!(error(try_parse(&mut header(20, 3), 4096)), Some((1, 2, vec![0, 20])));
    }

    #[test]
    fn a_whole_message_must_be_as_long_as_its_length_field() {
        let mut m = header(19, 4);
        m.extend_from_slice(&[0]);
        let e = Frame::parse(m.freeze(), 4096)
            .err()
            .map(|e| e.notification.data.to_vec());
        assert_eq!(e, Some(vec![0, 19]));
        let short = Frame::parse(Bytes::from_static(&[0xff; 5]), 4096);
        assert_eq!(short.err().map(|e| e.notification.data.to_vec()), Some(vec![0, 5]));
    }
}
