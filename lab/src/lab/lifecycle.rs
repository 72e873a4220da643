//! The life of a connection as the Azure portal shows it, derived from what the lab has done
//! and what the sessions report.
//!
//! `PendingApproval` → `Approved` → `ProvisioningStarted` (sessions `PendingAdd`, then the
//! RFC 4271 states) → `ProvisioningCompleted` (both sessions Established, deny-all: no customer
//! ASN registered yet) → `Validating` → `Active` (registered ASNs applied; routes flow).

use crate::peering::enums::{ConnectionState, SessionState};
use bgp_core::fsm::State;

/// What is known about one connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// Microsoft approved the connection.
    pub approved: bool,
    /// The sessions exist (the route server and the AS8075 edge are configured).
    pub provisioned: bool,
    /// FSM state of the IPv4 session at the AS8075 edge; `None` before it exists.
    pub v4: Option<State>,
    /// FSM state of the IPv6 session at the AS8075 edge; `None` before it exists.
    pub v6: Option<State>,
    /// End-to-end validation has started.
    pub validating: bool,
    /// The registered customer ASNs are applied at the route server.
    pub registered_applied: bool,
    /// The connection has no IPv4 session (none was given; one may be added later).
    pub no_v4: bool,
    /// The connection has no IPv6 session.
    pub no_v6: bool,
}

impl Facts {
    /// Whether every session the connection has is Established.
    pub fn sessions_up(&self) -> bool {
        (self.no_v4 || self.v4 == Some(State::Established)) && (self.no_v6 || self.v6 == Some(State::Established))
    }
}

/// The Azure `sessionStateV4` / `sessionStateV6` of a session: `PendingAdd` before it exists,
/// then its RFC 4271 state.
pub fn session_state(state: Option<State>) -> SessionState {
    match state {
        None => SessionState::PendingAdd,
        Some(State::Idle) => SessionState::Idle,
        Some(State::Connect) => SessionState::Connect,
        Some(State::Active) => SessionState::Active,
        Some(State::OpenSent) => SessionState::OpenSent,
        Some(State::OpenConfirm) => SessionState::OpenConfirm,
        Some(State::Established) => SessionState::Established,
    }
}

/// The Azure `connectionState` of a connection with these facts.
pub fn connection_state(f: &Facts) -> ConnectionState {
    if !f.approved {
        ConnectionState::PendingApproval
    } else if !f.provisioned {
        ConnectionState::Approved
    } else if !f.sessions_up() && !f.registered_applied {
        ConnectionState::ProvisioningStarted
    } else if !f.validating {
        ConnectionState::ProvisioningCompleted
    } else if !f.registered_applied {
        ConnectionState::Validating
    } else {
        ConnectionState::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_that_does_not_exist_yet_is_pending_add() {
        assert_eq!(session_state(None), SessionState::PendingAdd);
        assert_eq!(session_state(Some(State::OpenSent)), SessionState::OpenSent);
        assert_eq!(session_state(Some(State::Established)).as_str(), "Established");
    }

    #[test]
    fn a_connection_walks_the_documented_life_in_order() {
        let mut f = Facts::default();
        let mut seen = vec![connection_state(&f)];
        f.approved = true;
        seen.push(connection_state(&f));
        f.provisioned = true;
        f.v4 = Some(State::Active);
        seen.push(connection_state(&f));
        f.v4 = Some(State::Established);
        f.v6 = Some(State::Established);
        seen.push(connection_state(&f));
        f.validating = true;
        seen.push(connection_state(&f));
        f.registered_applied = true;
        seen.push(connection_state(&f));
        let names: Vec<&str> = seen.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "PendingApproval",
                "Approved",
                "ProvisioningStarted",
                "ProvisioningCompleted",
                "Validating",
                "Active"
            ]
        );
    }

    #[test]
    fn a_connection_with_only_an_ipv4_session_is_up_when_that_session_is() {
        let f = Facts {
            v4: Some(State::Established),
            no_v6: true,
            ..Facts::default()
        };
        assert!(f.sessions_up());
        assert!(!Facts { no_v6: false, ..f }.sessions_up());
    }

    #[test]
    fn provisioning_is_not_complete_while_one_session_is_down() {
        let f = Facts {
            approved: true,
            provisioned: true,
            v4: Some(State::Established),
            v6: Some(State::OpenConfirm),
            ..Facts::default()
        };
        assert_eq!(connection_state(&f), ConnectionState::ProvisioningStarted);
    }
}
