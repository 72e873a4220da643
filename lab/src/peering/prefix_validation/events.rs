//! The events a prefix validation records: their types, the outcome each stands for, and the
//! log that turns them into the resource's state, `errorMessage` and `events`.

use crate::peering::enums::{LearnedType, PrefixValidationState};
use crate::peering::peering_service::PrefixEvent;

/// The read-only fields of a `peeringServices/{name}/prefixes` resource, as validation sets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixValidation {
    /// `prefixValidationState`.
    pub prefix_validation_state: PrefixValidationState,
    /// `learnedType`: `ViaSession` when an edge holds the prefix, else `None`.
    pub learned_type: LearnedType,
    /// `errorMessage`: the summaries of what decided a `Failed`, `Invalid` or `Warning` state.
    pub error_message: Option<String>,
    /// `events`: one per check, in the order checked, without timestamps.
    pub events: Vec<PrefixEvent>,
}

/// The `eventType` of each check's event; each stands for one outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrefixEventType {
    /// The prefix is missing, has host bits, is a default route, not public or too specific.
    PrefixInvalid,
    /// The key leads to no registered ASN of the peering.
    PrefixKeyMismatch,
    /// The key's registered ASN is not (or no longer) `Succeeded`.
    RegisteredAsnNotProvisioned,
    /// The key belongs to a registered ASN.
    PrefixKeyMatched,
    /// No session of the prefix's family is Established: nothing to judge by yet.
    SessionsNotEstablished,
    /// No edge holds the prefix.
    PrefixNotReceived,
    /// Received from another origin than the key's ASN.
    OriginAsnMismatch,
    /// Received with an AS path longer than [`MAX_AS_PATH_LEN`].
    AsPathTooLong,
    /// Received with a private, reserved or documentation ASN in the path.
    PrivateAsnInPath,
    /// Received with an empty AS path.
    AsPathEmpty,
    /// Received with a prepended AS path.
    AsPathPrepended,
    /// Every received path meets the rules.
    AsPathAccepted,
    /// Not received on every connection (primary and backups).
    NotReceivedOnAllConnections,
    /// The provider has a single connection.
    NoBackupConnection,
    /// Received on every connection.
    ReceivedOnAllConnections,
}

impl PrefixEventType {
    /// Every event type, in the order checks run.
    pub const ALL: [PrefixEventType; 15] = [
        PrefixEventType::PrefixInvalid,
        PrefixEventType::PrefixKeyMismatch,
        PrefixEventType::RegisteredAsnNotProvisioned,
        PrefixEventType::PrefixKeyMatched,
        PrefixEventType::SessionsNotEstablished,
        PrefixEventType::PrefixNotReceived,
        PrefixEventType::OriginAsnMismatch,
        PrefixEventType::AsPathTooLong,
        PrefixEventType::PrivateAsnInPath,
        PrefixEventType::AsPathEmpty,
        PrefixEventType::AsPathPrepended,
        PrefixEventType::AsPathAccepted,
        PrefixEventType::NotReceivedOnAllConnections,
        PrefixEventType::NoBackupConnection,
        PrefixEventType::ReceivedOnAllConnections,
    ];

    /// The `eventType` string.
    pub fn as_str(self) -> &'static str {
        match self {
            PrefixEventType::PrefixInvalid => "PrefixInvalid",
            PrefixEventType::PrefixKeyMismatch => "PrefixKeyMismatch",
            PrefixEventType::RegisteredAsnNotProvisioned => "RegisteredAsnNotProvisioned",
            PrefixEventType::PrefixKeyMatched => "PrefixKeyMatched",
            PrefixEventType::SessionsNotEstablished => "SessionsNotEstablished",
            PrefixEventType::PrefixNotReceived => "PrefixNotReceived",
            PrefixEventType::OriginAsnMismatch => "OriginAsnMismatch",
            PrefixEventType::AsPathTooLong => "AsPathTooLong",
            PrefixEventType::PrivateAsnInPath => "PrivateAsnInPath",
            PrefixEventType::AsPathEmpty => "AsPathEmpty",
            PrefixEventType::AsPathPrepended => "AsPathPrepended",
            PrefixEventType::AsPathAccepted => "AsPathAccepted",
            PrefixEventType::NotReceivedOnAllConnections => "NotReceivedOnAllConnections",
            PrefixEventType::NoBackupConnection => "NoBackupConnection",
            PrefixEventType::ReceivedOnAllConnections => "ReceivedOnAllConnections",
        }
    }

    /// The state this event stands for (the prefix's state is the worst of its events').
    pub fn state(self) -> PrefixValidationState {
        self.outcome().state()
    }

    /// `Information`, `Warning` or `Error`.
    pub fn level(self) -> &'static str {
        self.outcome().level()
    }

    fn outcome(self) -> Outcome {
        use PrefixEventType as T;
        match self {
            T::PrefixKeyMatched | T::AsPathAccepted | T::ReceivedOnAllConnections => Outcome::Pass,
            T::AsPathPrepended | T::NotReceivedOnAllConnections | T::NoBackupConnection => Outcome::Warning,
            T::SessionsNotEstablished => Outcome::Pending,
            T::PrefixKeyMismatch
            | T::RegisteredAsnNotProvisioned
            | T::PrefixNotReceived
            | T::OriginAsnMismatch
            | T::AsPathTooLong
            | T::PrivateAsnInPath
            | T::AsPathEmpty => Outcome::Failed,
            T::PrefixInvalid => Outcome::Invalid,
        }
    }
}

/// What a check concluded, from harmless to worst (the state is the worst of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Pass,
    Warning,
    Pending,
    Failed,
    Invalid,
}

impl Outcome {
    fn level(self) -> &'static str {
        match self {
            Outcome::Pass | Outcome::Pending => "Information",
            Outcome::Warning => "Warning",
            Outcome::Failed | Outcome::Invalid => "Error",
        }
    }

    fn state(self) -> PrefixValidationState {
        match self {
            Outcome::Pass => PrefixValidationState::Verified,
            Outcome::Warning => PrefixValidationState::Warning,
            Outcome::Pending => PrefixValidationState::Pending,
            Outcome::Failed => PrefixValidationState::Failed,
            Outcome::Invalid => PrefixValidationState::Invalid,
        }
    }
}

/// Events of one validation, each with the outcome it stands for.
#[derive(Default)]
pub(super) struct Log {
    entries: Vec<(Outcome, PrefixEvent)>,
}

impl Log {
    pub(super) fn push(&mut self, event_type: PrefixEventType, summary: String, description: String) {
        let outcome = event_type.outcome();
        self.entries.push((
            outcome,
            PrefixEvent {
                event_timestamp: None,
                event_type: event_type.as_str().into(),
                event_summary: summary,
                event_level: outcome.level().into(),
                event_description: description,
            },
        ));
    }

    /// How many events are recorded so far.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(super) fn finish(self, learned_type: LearnedType) -> PrefixValidation {
        let worst = self.entries.iter().map(|(o, _)| *o).max().unwrap_or(Outcome::Pending);
        let error_message = matches!(worst, Outcome::Warning | Outcome::Failed | Outcome::Invalid).then(|| {
            self.entries
                .iter()
                .filter(|(o, _)| *o == worst)
                .map(|(_, e)| e.event_summary.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        });
        PrefixValidation {
            prefix_validation_state: worst.state(),
            learned_type,
            error_message,
            events: self.entries.into_iter().map(|(_, e)| e).collect(),
        }
    }
}
