//! The lab's own BGP speakers (AS8075 edges and customers): starting them on loopback,
//! funnelling their events into one channel, and what an edge has learned.

use super::topology::SpeakerPlan;
use super::tuning::Tuning;
use crate::announce::Announcement;
use bgp_core::attr::{AttrValue, NextHop};
use bgp_core::fsm::{Cease, PeerAs, SessionConfig};
use bgp_core::speaker::{self, Command, Control, Controller, DriverOptions, SessionEvent, SessionHandle, TcpConnector};
use bgp_core::{Message, SessionContext, Update, UpdateView};
use bytes::Bytes;
use ipnet::IpNet;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A running lab speaker: its command channel and the task forwarding its events.
#[derive(Debug)]
pub struct Running {
    /// Commands to the session.
    pub commands: mpsc::Sender<Command>,
    /// Starts and stops, ahead of the commands (`None`: the session could not start).
    pub control: Option<Controller>,
    /// The session task and the forwarder.
    pub tasks: Vec<JoinHandle<()>>,
}

impl Running {
    /// Stops the speaker for good: Cease 6/3 if its session is still up, then no restart.
    pub fn stop_for_good(&self) {
        self.control(Control::Stop(Cease::peer_deconfigured()));
        let _ = self.commands.try_send(Command::Shutdown);
    }

    /// Sends a start or stop (ahead of any queued command).
    pub fn control(&self, c: Control) {
        if let Some(control) = &self.control {
            control.send(c);
        }
    }
}

/// A speaker's event, tagged with the speaker's index and the generation of its session
/// (a speaker restarted with new settings runs under the next generation, so the lab can
/// tell the old session's late events from the new one's).
pub type Tagged = (usize, u32, SessionEvent);

/// Starts `plan`'s session (active, from its loopback source to the route server's socket)
/// with `tuning` applied (its TCP-MD5 key, expected peer ASN, hold time and relay), and
/// forwards its events, tagged with `tag` (index, generation), to `events`.
pub fn start_tuned(
    tag: (usize, u32),
    plan: &SpeakerPlan,
    rs_asn: u32,
    tuning: &Tuning,
    events: mpsc::Sender<Tagged>,
) -> Result<Running, String> {
    let (index, generation) = tag;
    let peer_as = tuning.expect_peer_as.unwrap_or(rs_asn);
    let mut cfg = SessionConfig::new(plan.name.as_str(), plan.asn, PeerAs::Exact(peer_as), plan.router_id);
    cfg.families = vec![plan.family];
    cfg.connect_retry_time = 1;
    if let Some(h) = tuning.hold_time {
        cfg.hold_time = h;
    }
    cfg.validate()?;
    let mut connector = TcpConnector::new(tuning.connect_to.unwrap_or(plan.listen));
    connector.local = Some(SocketAddr::new(plan.source, 0));
    connector.md5.clone_from(&tuning.md5);
    let opts = DriverOptions {
        start: true,
        restart_after: Some(Duration::from_secs(1)),
    };
    let (_, incoming) = mpsc::channel(1);
    let SessionHandle {
        commands,
        control,
        events: mut from_session,
        task,
    } = speaker::spawn_session(cfg, Box::new(connector), incoming, opts);
    let forward = tokio::spawn(async move {
        while let Some(e) = from_session.recv().await {
            if events.send((index, generation, e)).await.is_err() {
                break;
            }
        }
    });
    Ok(Running {
        commands,
        control: Some(control),
        tasks: vec![task, forward],
    })
}

/// The UPDATEs announcing `plan`'s prefixes (next hop: its session label), then End-of-RIB.
pub fn announcements(plan: &SpeakerPlan, ctx: &SessionContext) -> Result<Vec<Bytes>, String> {
    let announcement = Announcement {
        next_hop: Some(plan.label),
        as_path: Some(plan.as_path.clone()),
        ..Announcement::new(plan.prefixes.clone())
    };
    let mut msgs = announcement.encode(ctx, plan.asn, plan.label)?;
    msgs.push(
        Message::Update(Update::end_of_rib(plan.family))
            .to_bytes(ctx)
            .map_err(|e| e.to_string())?,
    );
    Ok(msgs)
}

/// A route an AS8075 edge holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EdgeRoute {
    /// The prefix.
    pub prefix: IpNet,
    /// NEXT_HOP (or the MP_REACH_NLRI global next hop).
    pub next_hop: Option<String>,
    /// AS_PATH ASNs, left to right.
    pub as_path: Vec<u32>,
    /// The last ASN of the path.
    pub origin_as: Option<u32>,
}

/// What one edge session holds, by prefix.
#[derive(Debug, Clone, Default)]
pub struct EdgeRib {
    /// The routes.
    pub routes: BTreeMap<IpNet, EdgeRoute>,
}

impl EdgeRib {
    /// Applies one UPDATE: withdrawals, then announcements (withdrawn too when the UPDATE is
    /// treat-as-withdraw).
    pub fn apply(&mut self, u: &UpdateView) {
        let mut withdrawn: Vec<IpNet> = u.withdrawn_ipv4().map(|n| IpNet::V4(n.prefix)).collect();
        if let Some(mp) = u.mp_unreach() {
            withdrawn.extend(mp.ipv4().map(|n| IpNet::V4(n.prefix)));
            withdrawn.extend(mp.ipv6().map(|n| IpNet::V6(n.prefix)));
        }
        let mut announced: Vec<IpNet> = u.announced_ipv4().map(|n| IpNet::V4(n.prefix)).collect();
        if let Some(mp) = u.mp_reach() {
            announced.extend(mp.ipv4().map(|n| IpNet::V4(n.prefix)));
            announced.extend(mp.ipv6().map(|n| IpNet::V6(n.prefix)));
        }
        for p in &withdrawn {
            self.routes.remove(p);
        }
        if u.treat_as_withdraw() {
            for p in &announced {
                self.routes.remove(p);
            }
            return;
        }
        let mut next_hop = None;
        let mut as_path = Vec::new();
        for a in u.owned_attributes() {
            match &a.value {
                AttrValue::AsPath(p) => as_path = p.asns().collect(),
                AttrValue::NextHop(n) => next_hop = Some(n.to_string()),
                AttrValue::MpReach(mp) => match &mp.next_hop {
                    NextHop::V4(a) => next_hop = Some(a.to_string()),
                    NextHop::V6 { global, .. } => next_hop = Some(global.to_string()),
                    NextHop::Other(_) => {}
                },
                _ => {}
            }
        }
        let origin_as = as_path.last().copied();
        for p in announced {
            self.routes.insert(
                p,
                EdgeRoute {
                    prefix: p,
                    next_hop: next_hop.clone(),
                    as_path: as_path.clone(),
                    origin_as,
                },
            );
        }
    }
}
