//! The length-checked framer: splits a byte stream into whole messages.
//!
//! `try_parse` checks the marker and `19 ≤ length ≤ maximum` before it waits for the rest of
//! a message, so a peer cannot make us buffer more than one maximum-size message.

use crate::error::{code, BgpError, Notification};
use crate::types::HEADER_LEN;
use bytes::{Bytes, BytesMut};

/// One complete message as it came off the wire (header included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Message type.
    pub kind: u8,
    /// The whole message.
    pub bytes: Bytes,
}

/// Splits one message off the front of `buf`.
///
/// `Ok(None)`: more bytes are needed. `Err`: a Message Header Error (RFC 4271 §6.1); the
/// session must send it and close.
pub fn try_parse(buf: &mut BytesMut, max_len: usize) -> Result<Option<Frame>, BgpError> {
    if buf.len() < HEADER_LEN {
        // Check the marker early so garbage is refused without waiting for 19 octets.
        if buf.iter().take(16).any(|&b| b != 0xff) {
            return Err(BgpError::reset_code(
                code::MESSAGE_HEADER,
                code::header::CONNECTION_NOT_SYNCHRONIZED,
            ));
        }
        return Ok(None);
    }
    if buf[..16].iter().any(|&b| b != 0xff) {
        return Err(BgpError::reset_code(
            code::MESSAGE_HEADER,
            code::header::CONNECTION_NOT_SYNCHRONIZED,
        ));
    }
    let len = u16::from_be_bytes([buf[16], buf[17]]) as usize;
    if !(HEADER_LEN..=max_len).contains(&len) {
        return Err(BgpError::reset(Notification::with_data(
            code::MESSAGE_HEADER,
            code::header::BAD_MESSAGE_LENGTH,
            buf[16..18].to_vec(),
        )));
    }
    if buf.len() < len {
        buf.reserve(len - buf.len());
        return Ok(None);
    }
    let kind = buf[18];
    Ok(Some(Frame {
        kind,
        bytes: buf.split_to(len).freeze(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_for_the_whole_message() {
        let mut b = BytesMut::from(&[0xffu8; 16][..]);
        b.extend_from_slice(&[0, 19]);
        assert_eq!(try_parse(&mut b, 4096), Ok(None));
        b.extend_from_slice(&[4, 0xff]);
        let f = try_parse(&mut b, 4096).ok().flatten().map(|f| (f.kind, f.bytes.len()));
        assert_eq!(f, Some((4, 19)));
        assert_eq!(b.len(), 1);
    }

    #[test]
    fn length_above_the_maximum_is_bad_message_length() {
        let mut b = BytesMut::from(&[0xffu8; 16][..]);
        b.extend_from_slice(&[0x10, 0x01, 2]);
        let e = try_parse(&mut b, 4096).err().map(|e| {
            (
                e.notification.code,
                e.notification.subcode,
                e.notification.data.to_vec(),
            )
        });
        assert_eq!(e, Some((1, 2, vec![0x10, 0x01])));
    }

    #[test]
    fn bad_marker_is_connection_not_synchronized() {
        let mut b = BytesMut::from(&[0xfeu8; 3][..]);
        assert_eq!(try_parse(&mut b, 4096).err().map(|e| e.notification.subcode), Some(1));
    }
}
