//! Break-it scenarios: faults injected into a lab run, each showing what an operator would
//! see. Selected by the file's `lab.breakIt` and by `peerlab run --break NAME`.
//!
//! # Layout
//! - [`plan`]: which connection or customer each scenario breaks and how (the speakers'
//!   [`Tuning`]).
//! - [`watch`]: what each lab speaker went through (states, NOTIFICATIONs).
//! - [`judge`]: whether each expected outcome was observed and the rest converged.
//! - [`report`]: the "Break it" section of the report.
//!
//! [`Setup`] is what the runner holds: the per-speaker tuning (always, TCP-MD5 keys and
//! max-prefix limits come from it), the planned scenarios, the relay of `hold-timer-expiry`,
//! and the record of every speaker.

pub mod judge;
pub mod plan;
pub mod report;
pub mod watch;

use super::relay::{Relay, RelayConfig};
use super::speakers::{EdgeRib, Running};
use super::topology::{SpeakerPlan, Topology};
use super::tuning::Tuning;
use crate::peering::enums::ConnectionState;
use crate::peering::lab_section::Scenario;
use bgp_core::fsm::{Cease, State};
use bgp_core::speaker::{Command, SessionEvent};
use bgp_core::Family;
use clap::ValueEnum;
use judge::LabState;
use plan::Planned;
use report::BreakItReport;
use route_server::runtime::RouteServerHandle;
use std::time::Duration;
use tracing::info;
use watch::Seen;

/// How long the relay of `hold-timer-expiry` stays silent: longer than the short hold time,
/// so both ends' hold timers expire, then it heals.
pub const STALL: Duration = Duration::from_secs(5);

/// A break-it scenario as a `--break` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BreakArg {
    /// Microsoft's edge expects another peer ASN: NOTIFICATION 2/2.
    WrongPeerAsn,
    /// The two ends use different TCP-MD5 keys: TCP never completes.
    Md5Mismatch,
    /// A switch port goes silent: NOTIFICATION 4/0, then the session comes back.
    HoldTimerExpiry,
    /// More prefixes than the max-prefix limit: Cease 6/1.
    MaxPrefixExceeded,
    /// An unregistered customer's routes reach AS8075.
    UnregisteredCustomer,
    /// A customer announces a foreign NEXT_HOP: filtered as next-hop-not-client.
    NextHopMismatch,
}

impl From<BreakArg> for Scenario {
    fn from(b: BreakArg) -> Scenario {
        match b {
            BreakArg::WrongPeerAsn => Scenario::WrongPeerAsn,
            BreakArg::Md5Mismatch => Scenario::Md5Mismatch,
            BreakArg::HoldTimerExpiry => Scenario::HoldTimerExpiry,
            BreakArg::MaxPrefixExceeded => Scenario::MaxPrefixExceeded,
            BreakArg::UnregisteredCustomer => Scenario::UnregisteredCustomer,
            BreakArg::NextHopMismatch => Scenario::NextHopMismatch,
        }
    }
}

/// A set of scenarios (copyable, so run options stay `Copy`), iterated in a fixed order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scenarios(u8);

impl Scenarios {
    /// Every scenario, in the order they are planned.
    pub const ORDER: [Scenario; 6] = [
        Scenario::WrongPeerAsn,
        Scenario::Md5Mismatch,
        Scenario::HoldTimerExpiry,
        Scenario::MaxPrefixExceeded,
        Scenario::UnregisteredCustomer,
        Scenario::NextHopMismatch,
    ];

    fn bit(s: Scenario) -> u8 {
        1 << Self::ORDER.iter().position(|x| *x == s).unwrap_or(0)
    }

    /// Adds one.
    pub fn insert(&mut self, s: Scenario) {
        self.0 |= Self::bit(s);
    }

    /// The scenarios of `list`.
    pub fn of(list: impl IntoIterator<Item = Scenario>) -> Scenarios {
        let mut set = Scenarios::default();
        for s in list {
            set.insert(s);
        }
        set
    }

    /// The scenarios, in [`Scenarios::ORDER`].
    pub fn list(self) -> Vec<Scenario> {
        Self::ORDER
            .iter()
            .copied()
            .filter(|s| self.0 & Self::bit(*s) != 0)
            .collect()
    }
}

/// Everything the runner needs beyond the topology: tuning, scenarios, their record.
#[derive(Debug, Default)]
pub struct Setup {
    /// Per speaker, by index.
    pub tuning: Vec<Tuning>,
    planned: Vec<Planned>,
    seen: Vec<Seen>,
    relay: Option<(usize, usize, Relay)>,
    stalled_once: bool,
    tripped: Vec<bool>,
}

impl Setup {
    /// Tunes every speaker of `top` from the file and plans `scenarios` (starting the relay
    /// `hold-timer-expiry` needs).
    pub async fn prepare(top: &Topology, scenarios: Scenarios) -> Result<Setup, String> {
        let n = top.speakers.len();
        let mut tuning: Vec<Tuning> = (0..n).map(|i| Tuning::of(top, i)).collect();
        let planned = plan::plan(top, &scenarios.list(), &mut tuning)?;
        let mut relay = None;
        if let Some(p) = planned.iter().find(|p| p.scenario == Scenario::HoldTimerExpiry) {
            let i = p.sessions[0];
            let s = &top.speakers[i];
            let r = Relay::start(RelayConfig {
                upstream: s.listen,
                source: s.source,
                md5: tuning[i].md5.clone(),
            })
            .await
            .map_err(|e| format!("the relay of hold-timer-expiry cannot start: {e}"))?;
            tuning[i].connect_to = Some(r.local_addr());
            relay = Some((i, p.connection.unwrap_or(0), r));
        }
        Ok(Setup {
            tuning,
            planned,
            seen: vec![Seen::default(); n],
            relay,
            stalled_once: false,
            tripped: vec![false; n],
        })
    }

    /// Whether any scenario is active.
    pub fn is_active(&self) -> bool {
        !self.planned.is_empty()
    }

    /// Records an event of speaker `i`.
    pub fn observe(&mut self, i: usize, e: &SessionEvent) {
        if let Some(s) = self.seen.get_mut(i) {
            s.observe(e);
        }
        if let (SessionEvent::Transition(t), Some(tripped)) = (e, self.tripped.get_mut(i)) {
            if t.to == State::Established {
                *tripped = false;
            }
        }
    }

    /// Whether a scenario keeps connection `c` from being provisioned (its sessions never
    /// come up), so the lab registers the customers without waiting for it.
    pub fn blocks_provisioning(&self, c: usize) -> bool {
        judge::blocks_provisioning(&self.planned, c)
    }

    /// ASNs the route server registers beyond the peering's registered ASNs.
    pub fn extra_registrations(&self) -> Vec<u32> {
        self.planned
            .iter()
            .filter(|p| p.scenario == Scenario::UnregisteredCustomer)
            .flat_map(|p| p.customer_asns.iter().copied())
            .collect()
    }

    /// Speaker `i`'s plan as its announcements see it (a NEXT_HOP override applied).
    pub fn announcing(&self, i: usize, plan: &SpeakerPlan) -> SpeakerPlan {
        self.tuning.get(i).map_or_else(|| plan.clone(), |t| t.announcing(plan))
    }

    /// Every 100 ms or so: each AS8075 edge enforces its max-prefix limit (Cease 6/1, then
    /// the session stays down), and the relay goes silent once its connection is Active.
    pub fn tick(
        &mut self,
        top: &Topology,
        fsm: &[Option<State>],
        states: &[Option<ConnectionState>],
        ribs: &[EdgeRib],
        running: &[Running],
    ) {
        let n = top.speakers.len();
        if self.seen.len() < n {
            // Speakers added while the lab runs (the API's add connection / add session).
            self.seen.resize(n, Seen::default());
            self.tripped.resize(n, false);
        }
        for i in 0..n {
            let limit = match self.tuning.get(i) {
                Some(t) => t.max_prefixes,
                None => Tuning::of(top, i).max_prefixes,
            };
            let (Some(limit), Some(r), Some(rib)) = (limit, running.get(i), ribs.get(i)) else {
                continue;
            };
            let up = fsm.get(i).copied().flatten() == Some(State::Established);
            if !up || self.tripped[i] || rib.routes.len() <= limit as usize {
                continue;
            }
            let family = if top.speakers[i].label.is_ipv4() {
                Family::IPV4_UNICAST
            } else {
                Family::IPV6_UNICAST
            };
            info!(speaker = %top.speakers[i].name, limit, received = rib.routes.len(), "max-prefix limit exceeded");
            let cease = Cease::max_prefixes(family, limit);
            let _ = r.commands.try_send(Command::AutomaticStop(cease.clone()));
            let _ = r.commands.try_send(Command::Stop(cease));
            self.tripped[i] = true;
        }
        if let Some((i, c, relay)) = &self.relay {
            let active = states.get(*c).copied().flatten() == Some(ConnectionState::Active);
            if !self.stalled_once
                && !relay.is_stalled()
                && active
                && fsm.get(*i).copied().flatten() == Some(State::Established)
            {
                info!(speaker = %top.speakers[*i].name, "the switch port stops forwarding");
                relay.stall(STALL);
                self.stalled_once = true;
            }
        }
    }

    /// The verdict now, `None` without scenarios. `gone`: per speaker, removed while running.
    pub async fn judge(
        &self,
        top: &Topology,
        fsm: &[Option<State>],
        ribs: &[EdgeRib],
        states: &[Option<ConnectionState>],
        gone: &[bool],
        rs: &RouteServerHandle,
    ) -> Option<BreakItReport> {
        if !self.is_active() {
            return None;
        }
        let filtered = rs.rejected_all().await.unwrap_or_default();
        let rs_sessions = rs.sessions().await.unwrap_or_default();
        let state = LabState {
            top,
            fsm,
            ribs,
            states,
            filtered: &filtered,
            rs_sessions: &rs_sessions,
            gone,
        };
        Some(judge::judge(&self.planned, &self.seen, &state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_set_lists_each_scenario_once_in_planning_order() {
        let set = Scenarios::of([
            Scenario::NextHopMismatch,
            Scenario::WrongPeerAsn,
            Scenario::NextHopMismatch,
        ]);
        assert_eq!(set.list(), [Scenario::WrongPeerAsn, Scenario::NextHopMismatch]);
        assert!(Scenarios::default().list().is_empty());
    }

    #[test]
    fn every_break_value_names_the_scenario_of_the_peering_file() {
        for b in BreakArg::value_variants() {
            let name = b.to_possible_value().unwrap().get_name().to_owned();
            assert_eq!(Scenario::from(*b).as_str(), name);
        }
    }
}
