//! Break-it scenarios: faults injected into a lab run, each showing what an operator would
//! see. Selected by the file's `lab.breakIt` and by `peerlab run --break NAME`.
//!
//! # Layout
//! - [`plan`]: which connection or customer each scenario breaks and how (the speakers'
//!   [`Tuning`]).
//! - [`prefix_key`]: `wrong-prefix-key`, planned on the registrations, and its verdict.
//! - [`watch`]: what each lab speaker went through (states, NOTIFICATIONs).
//! - [`judge`]: whether each expected outcome was observed and the rest converged.
//! - [`report`]: the "Break it" section of the report.
//!
//! [`Setup`] is what the runner holds beside the lab's state: the planned scenarios and the
//! relay of `hold-timer-expiry`. What each speaker went through ([`watch::Seen`]) and its
//! tuning are in its record ([`super::state::SpeakerRecord`]); the scenarios read the lab's
//! state and never change it, but for the speakers' tuning when they are planned.

pub mod judge;
pub mod plan;
pub mod prefix_key;
pub mod report;
pub mod watch;

use super::relay::{Relay, RelayConfig};
use super::state::Lab;
use super::tuning::Tuning;
use crate::peering::enums::ConnectionState;
use crate::peering::lab_section::Scenario;
use judge::Observed;
use plan::Planned;
use report::BreakItReport;
use route_server::runtime::RouteServerHandle;
use std::collections::BTreeSet;
use std::time::Duration;
use tracing::info;

/// How long the relay of `hold-timer-expiry` stays silent: longer than the short hold time,
/// so both ends' hold timers expire, then it heals.
pub const STALL: Duration = Duration::from_secs(5);

/// The break-it scenarios of a run: what is planned, and the relay `hold-timer-expiry` runs
/// its session through.
#[derive(Debug, Default)]
pub struct Setup {
    planned: Vec<Planned>,
    /// The relay, the speaker whose session goes through it and that speaker's connection.
    relay: Option<(usize, usize, Relay)>,
    stalled_once: bool,
}

impl Setup {
    /// Plans `scenarios` (in their declaration order) on `lab`, changing its speakers'
    /// tuning, and starts the relay `hold-timer-expiry` needs.
    pub async fn prepare(lab: &mut Lab, scenarios: &BTreeSet<Scenario>) -> Result<Setup, String> {
        let mut tuning: Vec<Tuning> = lab.speakers.iter().map(|s| s.tuning.clone()).collect();
        let list: Vec<Scenario> = scenarios.iter().copied().collect();
        let mut planned = plan::plan(&lab.top, &list, &mut tuning)?;
        if scenarios.contains(&Scenario::WrongPrefixKey) {
            let (p, prefix, key_of) = prefix_key::plan(lab)?;
            prefix_key::apply(lab, prefix, &key_of);
            planned.push(p);
        }
        let mut relay = None;
        if let Some(p) = planned.iter().find(|p| p.scenario == Scenario::HoldTimerExpiry) {
            let i = p.sessions[0];
            let s = &lab.top.speakers[i];
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
        for (s, t) in lab.speakers.iter_mut().zip(tuning) {
            s.tuning = t;
        }
        Ok(Setup {
            planned,
            relay,
            stalled_once: false,
        })
    }

    /// Whether any scenario is active.
    pub fn is_active(&self) -> bool {
        !self.planned.is_empty()
    }

    /// Whether a scenario keeps connection `c` from being provisioned (its sessions never
    /// come up), so the lab registers the customers without waiting for it.
    pub fn blocks_provisioning(&self, c: usize) -> bool {
        plan::blocks_provisioning(&self.planned, c)
    }

    /// ASNs the route server registers beyond the peering's registered ASNs.
    pub fn extra_registrations(&self) -> Vec<u32> {
        self.planned
            .iter()
            .filter(|p| p.scenario == Scenario::UnregisteredCustomer)
            .flat_map(|p| p.customer_asns.iter().copied())
            .collect()
    }

    /// Every 100 ms or so: the relay goes silent (once) when its connection is Active and its
    /// session Established.
    pub fn tick(&mut self, lab: &Lab) {
        let Some((i, c, relay)) = &self.relay else { return };
        let active = lab.connections.get(*c).and_then(|r| r.state) == Some(ConnectionState::Active);
        let established = lab.speakers.get(*i).is_some_and(|s| s.established());
        if !self.stalled_once && !relay.is_stalled() && active && established {
            info!(speaker = %lab.top.speakers[*i].name, "the switch port stops forwarding");
            relay.stall(STALL);
            self.stalled_once = true;
        }
    }

    /// The verdict now, `None` without scenarios.
    pub async fn judge(&self, lab: &Lab, rs: &RouteServerHandle) -> Option<BreakItReport> {
        if !self.is_active() {
            return None;
        }
        let filtered = rs.rejected_all().await.unwrap_or_default();
        let rs_sessions = rs.sessions().await.unwrap_or_default();
        let observed = Observed {
            lab,
            filtered: &filtered,
            rs_sessions: &rs_sessions,
        };
        Some(judge::judge(&self.planned, &observed))
    }
}
