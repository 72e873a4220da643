//! Errors that are the protocol's own: every decode error is the NOTIFICATION to send
//! (RFC 4271 §6) together with the RFC 7606 action to take.

use bytes::Bytes;
use std::fmt;

/// NOTIFICATION error codes and subcodes (RFC 4271 §4.5, RFC 4486, RFC 6608, RFC 7313,
/// RFC 5492, RFC 8538, RFC 9234, RFC 9687).
pub mod code {
    /// 1: Message Header Error.
    pub const MESSAGE_HEADER: u8 = 1;
    /// 2: OPEN Message Error.
    pub const OPEN: u8 = 2;
    /// 3: UPDATE Message Error.
    pub const UPDATE: u8 = 3;
    /// 4: Hold Timer Expired.
    pub const HOLD_TIMER_EXPIRED: u8 = 4;
    /// 5: Finite State Machine Error.
    pub const FSM: u8 = 5;
    /// 6: Cease.
    pub const CEASE: u8 = 6;
    /// 7: ROUTE-REFRESH Message Error (RFC 7313).
    pub const ROUTE_REFRESH: u8 = 7;
    /// 8: Send Hold Timer Expired (RFC 9687).
    pub const SEND_HOLD_TIMER_EXPIRED: u8 = 8;

    /// Message Header Error subcodes.
    pub mod header {
        /// 1: Connection Not Synchronized (bad marker).
        pub const CONNECTION_NOT_SYNCHRONIZED: u8 = 1;
        /// 2: Bad Message Length.
        pub const BAD_MESSAGE_LENGTH: u8 = 2;
        /// 3: Bad Message Type.
        pub const BAD_MESSAGE_TYPE: u8 = 3;
    }
    /// OPEN Message Error subcodes.
    pub mod open {
        /// 1: Unsupported Version Number.
        pub const UNSUPPORTED_VERSION: u8 = 1;
        /// 2: Bad Peer AS.
        pub const BAD_PEER_AS: u8 = 2;
        /// 3: Bad BGP Identifier.
        pub const BAD_BGP_IDENTIFIER: u8 = 3;
        /// 4: Unsupported Optional Parameter.
        pub const UNSUPPORTED_OPTIONAL_PARAMETER: u8 = 4;
        /// 6: Unacceptable Hold Time.
        pub const UNACCEPTABLE_HOLD_TIME: u8 = 6;
        /// 7: Unsupported Capability (RFC 5492).
        pub const UNSUPPORTED_CAPABILITY: u8 = 7;
        /// 11: Role Mismatch (RFC 9234).
        pub const ROLE_MISMATCH: u8 = 11;
    }
    /// UPDATE Message Error subcodes.
    pub mod update {
        /// 1: Malformed Attribute List.
        pub const MALFORMED_ATTRIBUTE_LIST: u8 = 1;
        /// 2: Unrecognized Well-known Attribute.
        pub const UNRECOGNIZED_WELL_KNOWN: u8 = 2;
        /// 3: Missing Well-known Attribute.
        pub const MISSING_WELL_KNOWN: u8 = 3;
        /// 4: Attribute Flags Error.
        pub const ATTRIBUTE_FLAGS: u8 = 4;
        /// 5: Attribute Length Error.
        pub const ATTRIBUTE_LENGTH: u8 = 5;
        /// 6: Invalid ORIGIN Attribute.
        pub const INVALID_ORIGIN: u8 = 6;
        /// 8: Invalid NEXT_HOP Attribute.
        pub const INVALID_NEXT_HOP: u8 = 8;
        /// 9: Optional Attribute Error.
        pub const OPTIONAL_ATTRIBUTE: u8 = 9;
        /// 10: Invalid Network Field.
        pub const INVALID_NETWORK_FIELD: u8 = 10;
        /// 11: Malformed AS_PATH.
        pub const MALFORMED_AS_PATH: u8 = 11;
    }
    /// Finite State Machine Error subcodes (RFC 6608).
    pub mod fsm {
        /// 0: Unspecified Error.
        pub const UNSPECIFIED: u8 = 0;
        /// 1: Receive Unexpected Message in OpenSent State.
        pub const UNEXPECTED_IN_OPEN_SENT: u8 = 1;
        /// 2: Receive Unexpected Message in OpenConfirm State.
        pub const UNEXPECTED_IN_OPEN_CONFIRM: u8 = 2;
        /// 3: Receive Unexpected Message in Established State.
        pub const UNEXPECTED_IN_ESTABLISHED: u8 = 3;
    }
    /// Cease subcodes (RFC 4486, RFC 8538, RFC 9384).
    pub mod cease {
        /// 1: Maximum Number of Prefixes Reached.
        pub const MAX_PREFIXES: u8 = 1;
        /// 2: Administrative Shutdown.
        pub const ADMIN_SHUTDOWN: u8 = 2;
        /// 3: Peer De-configured.
        pub const PEER_DECONFIGURED: u8 = 3;
        /// 4: Administrative Reset.
        pub const ADMIN_RESET: u8 = 4;
        /// 5: Connection Rejected.
        pub const CONNECTION_REJECTED: u8 = 5;
        /// 6: Other Configuration Change.
        pub const OTHER_CONFIG_CHANGE: u8 = 6;
        /// 7: Connection Collision Resolution.
        pub const CONNECTION_COLLISION: u8 = 7;
        /// 8: Out of Resources.
        pub const OUT_OF_RESOURCES: u8 = 8;
        /// 9: Hard Reset (RFC 8538).
        pub const HARD_RESET: u8 = 9;
        /// 10: BFD Down (RFC 9384).
        pub const BFD_DOWN: u8 = 10;
    }
    /// ROUTE-REFRESH Message Error subcodes (RFC 7313).
    pub mod route_refresh {
        /// 1: Invalid Message Length.
        pub const INVALID_MESSAGE_LENGTH: u8 = 1;
    }
}

/// A NOTIFICATION: code, subcode and data (RFC 4271 §4.5).
///
/// It is both the message on the wire and the error value of every decoder.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Notification {
    /// Error code.
    pub code: u8,
    /// Error subcode.
    pub subcode: u8,
    /// Data; its meaning depends on code and subcode.
    pub data: Bytes,
}

impl Notification {
    /// A NOTIFICATION with no data.
    pub const fn new(code: u8, subcode: u8) -> Self {
        Notification {
            code,
            subcode,
            data: Bytes::new(),
        }
    }

    /// A NOTIFICATION with data.
    pub fn with_data(code: u8, subcode: u8, data: impl Into<Bytes>) -> Self {
        Notification {
            code,
            subcode,
            data: data.into(),
        }
    }

    /// The name of the error code, e.g. `"UPDATE Message Error"`.
    pub fn code_name(&self) -> &'static str {
        code_name(self.code)
    }

    /// The name of the subcode, e.g. `"Malformed AS_PATH"`.
    pub fn subcode_name(&self) -> &'static str {
        subcode_name(self.code, self.subcode)
    }

    /// For Cease 2 (Administrative Shutdown) and 4 (Administrative Reset), the RFC 8203/9003
    /// shutdown communication, when the data holds a well-formed one.
    pub fn shutdown_communication(&self) -> Option<&str> {
        if self.code != code::CEASE
            || !(self.subcode == code::cease::ADMIN_SHUTDOWN || self.subcode == code::cease::ADMIN_RESET)
        {
            return None;
        }
        let (&len, rest) = self.data.split_first()?;
        let text = rest.get(..len as usize)?;
        std::str::from_utf8(text).ok()
    }

    /// Cease with a shutdown communication (RFC 9003: at most 255 octets of UTF-8; longer
    /// text is cut at a character boundary).
    pub fn cease_with_message(subcode: u8, message: &str) -> Self {
        let mut end = message.len().min(255);
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        let mut data = Vec::with_capacity(end + 1);
        data.push(end as u8);
        data.extend_from_slice(&message.as_bytes()[..end]);
        Notification::with_data(code::CEASE, subcode, data)
    }
}

impl fmt::Display for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{} {} / {}",
            self.code,
            self.subcode,
            self.code_name(),
            self.subcode_name()
        )?;
        if let Some(text) = self.shutdown_communication() {
            write!(f, " \"{text}\"")?;
        }
        Ok(())
    }
}

impl std::error::Error for Notification {}

/// Name of a NOTIFICATION error code.
pub fn code_name(c: u8) -> &'static str {
    match c {
        code::MESSAGE_HEADER => "Message Header Error",
        code::OPEN => "OPEN Message Error",
        code::UPDATE => "UPDATE Message Error",
        code::HOLD_TIMER_EXPIRED => "Hold Timer Expired",
        code::FSM => "Finite State Machine Error",
        code::CEASE => "Cease",
        code::ROUTE_REFRESH => "ROUTE-REFRESH Message Error",
        code::SEND_HOLD_TIMER_EXPIRED => "Send Hold Timer Expired",
        _ => "Unknown",
    }
}

/// Name of a NOTIFICATION subcode under `c`.
pub fn subcode_name(c: u8, s: u8) -> &'static str {
    match (c, s) {
        (code::MESSAGE_HEADER, 1) => "Connection Not Synchronized",
        (code::MESSAGE_HEADER, 2) => "Bad Message Length",
        (code::MESSAGE_HEADER, 3) => "Bad Message Type",
        (code::OPEN, 1) => "Unsupported Version Number",
        (code::OPEN, 2) => "Bad Peer AS",
        (code::OPEN, 3) => "Bad BGP Identifier",
        (code::OPEN, 4) => "Unsupported Optional Parameter",
        (code::OPEN, 5) => "Authentication Failure (deprecated)",
        (code::OPEN, 6) => "Unacceptable Hold Time",
        (code::OPEN, 7) => "Unsupported Capability",
        (code::OPEN, 11) => "Role Mismatch",
        (code::UPDATE, 1) => "Malformed Attribute List",
        (code::UPDATE, 2) => "Unrecognized Well-known Attribute",
        (code::UPDATE, 3) => "Missing Well-known Attribute",
        (code::UPDATE, 4) => "Attribute Flags Error",
        (code::UPDATE, 5) => "Attribute Length Error",
        (code::UPDATE, 6) => "Invalid ORIGIN Attribute",
        (code::UPDATE, 7) => "AS Routing Loop (deprecated)",
        (code::UPDATE, 8) => "Invalid NEXT_HOP Attribute",
        (code::UPDATE, 9) => "Optional Attribute Error",
        (code::UPDATE, 10) => "Invalid Network Field",
        (code::UPDATE, 11) => "Malformed AS_PATH",
        (code::HOLD_TIMER_EXPIRED | code::SEND_HOLD_TIMER_EXPIRED, _) => "Unspecific",
        (code::FSM, 0) => "Unspecified Error",
        (code::FSM, 1) => "Receive Unexpected Message in OpenSent State",
        (code::FSM, 2) => "Receive Unexpected Message in OpenConfirm State",
        (code::FSM, 3) => "Receive Unexpected Message in Established State",
        (code::CEASE, 1) => "Maximum Number of Prefixes Reached",
        (code::CEASE, 2) => "Administrative Shutdown",
        (code::CEASE, 3) => "Peer De-configured",
        (code::CEASE, 4) => "Administrative Reset",
        (code::CEASE, 5) => "Connection Rejected",
        (code::CEASE, 6) => "Other Configuration Change",
        (code::CEASE, 7) => "Connection Collision Resolution",
        (code::CEASE, 8) => "Out of Resources",
        (code::CEASE, 9) => "Hard Reset",
        (code::CEASE, 10) => "BFD Down",
        (code::ROUTE_REFRESH, 1) => "Invalid Message Length",
        (_, 0) => "Unspecific",
        _ => "Unknown",
    }
}

/// What to do about a malformed UPDATE (RFC 7606 §2), weakest first so that `max` picks
/// the strongest action when several errors occur (RFC 7606 §3 (i)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorAction {
    /// Drop the malformed attribute and go on with the UPDATE.
    AttributeDiscard,
    /// Treat every route the UPDATE announces as withdrawn; the session stays up.
    TreatAsWithdraw,
    /// Disable the AFI/SAFI of the malformed MP attribute (RFC 4760 §7); other families stay.
    AfiSafiDisable,
    /// Send the NOTIFICATION and close the session.
    SessionReset,
}

impl ErrorAction {
    /// `attribute-discard`, `treat-as-withdraw`, `afi-safi-disable` or `session-reset`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorAction::AttributeDiscard => "attribute-discard",
            ErrorAction::TreatAsWithdraw => "treat-as-withdraw",
            ErrorAction::AfiSafiDisable => "afi-safi-disable",
            ErrorAction::SessionReset => "session-reset",
        }
    }
}

impl fmt::Display for ErrorAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A decode error: the NOTIFICATION that describes it and the RFC 7606 action.
///
/// For anything but UPDATE the action is always [`ErrorAction::SessionReset`]. For
/// [`ErrorAction::TreatAsWithdraw`] and [`ErrorAction::AttributeDiscard`] the NOTIFICATION is
/// not sent: it names the error for logs and for `peerlab decode`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BgpError {
    /// The RFC 7606 action.
    pub action: ErrorAction,
    /// The NOTIFICATION that describes the error (sent only on session reset).
    pub notification: Notification,
}

impl BgpError {
    /// A session-reset error.
    pub fn reset(notification: Notification) -> Self {
        BgpError {
            action: ErrorAction::SessionReset,
            notification,
        }
    }

    /// An error with an explicit action.
    pub fn new(action: ErrorAction, notification: Notification) -> Self {
        BgpError { action, notification }
    }

    /// Shorthand for a session reset with code/subcode and no data.
    pub fn reset_code(code: u8, subcode: u8) -> Self {
        BgpError::reset(Notification::new(code, subcode))
    }
}

impl fmt::Display for BgpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.notification, self.action)
    }
}

impl std::error::Error for BgpError {}
