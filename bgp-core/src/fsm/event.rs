//! The inputs of the FSM: the 28 events of RFC 4271 §8.1 and event 29 of RFC 9687 under
//! their RFC names and numbers, each carrying its data, plus one extension for ROUTE-REFRESH
//! (RFC 2918).

use crate::error::{code, BgpError, Notification};
use crate::message::RouteRefresh;
use crate::open::Open;
use crate::types::Family;
use crate::update::UpdateView;
use bytes::{BufMut, Bytes};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::fmt;
use std::io;

/// How the local system closes a session on ManualStop or AutomaticStop: the Cease subcode
/// (RFC 4486) and its data, e.g. an RFC 8203/9003 shutdown communication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cease {
    /// Cease subcode ([`crate::error::code::cease`]).
    pub subcode: u8,
    /// NOTIFICATION data.
    pub data: Bytes,
}

impl Default for Cease {
    /// Administrative Shutdown without a message.
    fn default() -> Self {
        Cease::new(code::cease::ADMIN_SHUTDOWN)
    }
}

impl Cease {
    /// A Cease with `subcode` and no data.
    pub const fn new(subcode: u8) -> Self {
        Cease {
            subcode,
            data: Bytes::new(),
        }
    }

    /// 6/2 Administrative Shutdown, with an optional shutdown communication (RFC 9003).
    pub fn admin_shutdown(message: Option<&str>) -> Self {
        Self::with_message(code::cease::ADMIN_SHUTDOWN, message)
    }

    /// 6/4 Administrative Reset, with an optional shutdown communication (RFC 9003).
    pub fn admin_reset(message: Option<&str>) -> Self {
        Self::with_message(code::cease::ADMIN_RESET, message)
    }

    /// 6/3 Peer De-configured.
    pub const fn peer_deconfigured() -> Self {
        Cease::new(code::cease::PEER_DECONFIGURED)
    }

    /// 6/6 Other Configuration Change (RFC 4486 §4), e.g. the session's TCP-MD5 key changed.
    pub const fn other_configuration_change() -> Self {
        Cease::new(code::cease::OTHER_CONFIG_CHANGE)
    }

    /// 6/1 Maximum Number of Prefixes Reached with the RFC 4486 §4 data: AFI (2 octets),
    /// SAFI (1 octet), prefix upper bound (4 octets).
    pub fn max_prefixes(family: Family, limit: u32) -> Self {
        let mut data = Vec::with_capacity(7);
        data.put_u16(family.afi);
        data.put_u8(family.safi);
        data.put_u32(limit);
        Cease {
            subcode: code::cease::MAX_PREFIXES,
            data: Bytes::from(data),
        }
    }

    fn with_message(subcode: u8, message: Option<&str>) -> Self {
        match message {
            Some(m) => Cease {
                subcode,
                data: Notification::cease_with_message(subcode, m).data,
            },
            None => Cease::new(subcode),
        }
    }

    /// The NOTIFICATION this Cease sends.
    pub fn notification(&self) -> Notification {
        Notification::with_data(code::CEASE, self.subcode, self.data.clone())
    }

    /// The shutdown communication, if the data holds one (subcodes 2 and 4).
    pub fn message(&self) -> Option<String> {
        self.notification().shutdown_communication().map(str::to_owned)
    }
}

/// What the driver knows of a TCP connection failure: the data of event 18, recorded in
/// the transition's [`super::Reason::TcpConnectionFails`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpFailure {
    /// The peer closed the connection (end of stream), or our connection attempt failed
    /// (the driver reports why separately, e.g. `SessionEvent::ConnectFailed`).
    Closed,
    /// Reading from the connection failed, e.g. `ConnectionReset` after the peer's RST.
    Read(io::ErrorKind),
    /// Writing to the connection failed, e.g. `BrokenPipe` or `ConnectionReset`.
    Write(io::ErrorKind),
}

impl fmt::Display for TcpFailure {
    /// `tcp-connection-fails`, `tcp-read-error (connection reset)`,
    /// `tcp-write-error (broken pipe)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TcpFailure::Closed => f.write_str("tcp-connection-fails"),
            TcpFailure::Read(kind) => write!(f, "tcp-read-error ({kind})"),
            TcpFailure::Write(kind) => write!(f, "tcp-write-error ({kind})"),
        }
    }
}

/// An input of the FSM: one of the events of RFC 4271 §8.1 (and RFC 9687's event 29),
/// named as in the RFCs.
///
/// Timer events are fed by the driver when a timer it started on [`super::Action::StartTimer`]
/// fires (and was not stopped since); TCP events when the connection changes; message events
/// for every received message ([`super::Fsm::event_for_frame`] classifies a frame).
#[allow(non_camel_case_types)]
#[derive(Clone, Debug)]
pub enum Event {
    /// Event 1: the operator starts the session (active TCP establishment).
    ManualStart,
    /// Event 2: the operator stops the session; the Cease to send, e.g. 6/2 with a message.
    ManualStop(Cease),
    /// Event 3: implementation logic (re)starts the session.
    AutomaticStart,
    /// Event 4: the operator starts the session, passively waiting for the peer's connection.
    ManualStart_with_PassiveTcpEstablishment,
    /// Event 5: automatic start, passive TCP establishment.
    AutomaticStart_with_PassiveTcpEstablishment,
    /// Event 6: automatic start with damping of peer oscillations.
    AutomaticStart_with_DampPeerOscillations,
    /// Event 7: automatic start with damping and passive TCP establishment.
    AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment,
    /// Event 8: implementation logic stops the session (e.g. maximum prefixes, 6/1).
    AutomaticStop(Cease),
    /// Event 9: the ConnectRetryTimer expired.
    ConnectRetryTimer_Expires,
    /// Event 10: the HoldTimer expired.
    HoldTimer_Expires,
    /// Event 11: the KeepaliveTimer expired.
    KeepaliveTimer_Expires,
    /// Event 12: the DelayOpenTimer expired.
    DelayOpenTimer_Expires,
    /// Event 13: the IdleHoldTimer expired.
    IdleHoldTimer_Expires,
    /// Event 14: a TCP connection request (SYN) with valid addresses and ports arrived.
    TcpConnection_Valid,
    /// Event 15: a TCP connection request with invalid addresses or ports arrived (the
    /// driver refuses it itself).
    Tcp_CR_Invalid,
    /// Event 16: our outgoing TCP connection is established (SYN, SYN/ACK, ACK).
    Tcp_CR_Acked,
    /// Event 17: an incoming TCP connection is established.
    TcpConnectionConfirmed,
    /// Event 18: the TCP connection failed or was closed by the peer, and what is known of
    /// why.
    TcpConnectionFails(TcpFailure),
    /// Event 19: a valid OPEN was received (as far as [`Open::decode`] checks; the FSM checks
    /// the rest against the session configuration).
    BGPOpen(Open),
    /// Event 20: a valid OPEN was received while the DelayOpenTimer runs.
    BGPOpen_with_DelayOpenTimer_running(Open),
    /// Event 21: a received message header is invalid (the error to send).
    BGPHeaderErr(BgpError),
    /// Event 22: a received OPEN has errors (the error to send).
    BGPOpenMsgErr(BgpError),
    /// Event 23: collision detection chose this connection to be closed (RFC 4271 §6.8).
    OpenCollisionDump,
    /// Event 24: a NOTIFICATION with 2/1 Unsupported Version Number was received.
    NotifMsgVerErr(Notification),
    /// Event 25: any other NOTIFICATION was received.
    NotifMsg(Notification),
    /// Event 26: a KEEPALIVE was received.
    KeepAliveMsg,
    /// Event 27: a valid UPDATE was received (RFC 7606 treat-as-withdraw and attribute
    /// discard still count as valid: the view reports them).
    UpdateMsg(UpdateView),
    /// Event 28: an UPDATE whose error resets the session was received (the error to send).
    UpdateMsgErr(BgpError),
    /// Event 29 (RFC 9687): the SendHoldTimer expired — the peer has accepted no data for
    /// the SendHoldTime.
    SendHoldTimer_Expires,
    /// Extension, not in RFC 4271 (number 0): a ROUTE-REFRESH was received (RFC 2918,
    /// RFC 7313). Processed in Established, an unexpected message (RFC 6608) before.
    RouteRefreshMsg(RouteRefresh),
}

impl Event {
    /// The RFC name and number of this event.
    pub const fn name(&self) -> EventName {
        EventName(match self {
            Event::ManualStart => 1,
            Event::ManualStop(_) => 2,
            Event::AutomaticStart => 3,
            Event::ManualStart_with_PassiveTcpEstablishment => 4,
            Event::AutomaticStart_with_PassiveTcpEstablishment => 5,
            Event::AutomaticStart_with_DampPeerOscillations => 6,
            Event::AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment => 7,
            Event::AutomaticStop(_) => 8,
            Event::ConnectRetryTimer_Expires => 9,
            Event::HoldTimer_Expires => 10,
            Event::KeepaliveTimer_Expires => 11,
            Event::DelayOpenTimer_Expires => 12,
            Event::IdleHoldTimer_Expires => 13,
            Event::TcpConnection_Valid => 14,
            Event::Tcp_CR_Invalid => 15,
            Event::Tcp_CR_Acked => 16,
            Event::TcpConnectionConfirmed => 17,
            Event::TcpConnectionFails(_) => 18,
            Event::BGPOpen(_) => 19,
            Event::BGPOpen_with_DelayOpenTimer_running(_) => 20,
            Event::BGPHeaderErr(_) => 21,
            Event::BGPOpenMsgErr(_) => 22,
            Event::OpenCollisionDump => 23,
            Event::NotifMsgVerErr(_) => 24,
            Event::NotifMsg(_) => 25,
            Event::KeepAliveMsg => 26,
            Event::UpdateMsg(_) => 27,
            Event::UpdateMsgErr(_) => 28,
            Event::SendHoldTimer_Expires => 29,
            Event::RouteRefreshMsg(_) => 0,
        })
    }

    /// ManualStop with 6/2 Administrative Shutdown and no message.
    pub fn manual_stop() -> Event {
        Event::ManualStop(Cease::default())
    }

    /// TcpConnectionFails for a connection the peer closed (or that could not be opened).
    pub const fn tcp_closed() -> Event {
        Event::TcpConnectionFails(TcpFailure::Closed)
    }
}

/// The RFC 4271 §8.1 and RFC 9687 names, indexed by event number (0 is the ROUTE-REFRESH
/// extension).
const NAMES: [&str; 30] = [
    "RouteRefreshMsg",
    "ManualStart",
    "ManualStop",
    "AutomaticStart",
    "ManualStart_with_PassiveTcpEstablishment",
    "AutomaticStart_with_PassiveTcpEstablishment",
    "AutomaticStart_with_DampPeerOscillations",
    "AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment",
    "AutomaticStop",
    "ConnectRetryTimer_Expires",
    "HoldTimer_Expires",
    "KeepaliveTimer_Expires",
    "DelayOpenTimer_Expires",
    "IdleHoldTimer_Expires",
    "TcpConnection_Valid",
    "Tcp_CR_Invalid",
    "Tcp_CR_Acked",
    "TcpConnectionConfirmed",
    "TcpConnectionFails",
    "BGPOpen",
    "BGPOpen_with_DelayOpenTimer_running",
    "BGPHeaderErr",
    "BGPOpenMsgErr",
    "OpenCollisionDump",
    "NotifMsgVerErr",
    "NotifMsg",
    "KeepAliveMsg",
    "UpdateMsg",
    "UpdateMsgErr",
    "SendHoldTimer_Expires",
];

/// An event's identity without its data: the RFC 4271 §8.1 number (1–28; 29 is RFC 9687's
/// SendHoldTimer_Expires; 0 the ROUTE-REFRESH extension) and name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventName(u8);

impl EventName {
    /// Event 22, BGPOpenMsgErr: recorded when an OPEN fails the session's checks.
    pub const BGP_OPEN_MSG_ERR: EventName = EventName(22);

    /// The name of event `number`, if it is 0–29.
    pub const fn from_number(number: u8) -> Option<EventName> {
        if number <= 29 {
            Some(EventName(number))
        } else {
            None
        }
    }

    /// The RFC event number (0 for the ROUTE-REFRESH extension).
    pub const fn number(self) -> u8 {
        self.0
    }

    /// The RFC event name, e.g. `BGPOpen_with_DelayOpenTimer_running`.
    pub const fn name(self) -> &'static str {
        NAMES[self.0 as usize]
    }

    /// Whether the event is the receipt of a message (events 19–28 and ROUTE-REFRESH): the
    /// events for which RFC 6608 gives a state-specific FSM error subcode.
    pub const fn is_message(self) -> bool {
        self.0 == 0 || (self.0 >= 19 && self.0 <= 28)
    }
}

impl fmt::Display for EventName {
    /// `BGPOpen (19)`; the extension shows as `RouteRefreshMsg (RFC 2918)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            write!(f, "{} (RFC 2918)", self.name())
        } else {
            write!(f, "{} ({})", self.name(), self.0)
        }
    }
}

impl Serialize for EventName {
    /// As `{"number": 19, "name": "BGPOpen"}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("EventName", 2)?;
        st.serialize_field("number", &self.number())?;
        st.serialize_field("name", self.name())?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::Cease;
    use crate::error::Notification;

    #[test]
    fn other_configuration_change_is_cease_6_6_without_data() {
        let c = Cease::other_configuration_change();
        assert_eq!(c.notification(), Notification::new(6, 6));
        assert!(c.data.is_empty());
        assert_eq!(c.message(), None);
    }
}
