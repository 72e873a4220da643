//! What each break-it scenario breaks, where, and what it expects: the targets are chosen
//! from the topology, and the speakers' [`Tuning`] is changed accordingly.
//!
//! Session scenarios (`wrong-peer-asn`, `md5-mismatch`, `hold-timer-expiry`,
//! `max-prefix-exceeded`) each take a connection of their own, in that order: the first
//! connection goes to the first of them that is active, and so on. Customer scenarios take a
//! customer: `unregistered-customer` the first unregistered one, `next-hop-mismatch` the first
//! registered one that announces something. `wrong-prefix-key` needs the lab's registrations
//! and is planned in [`super::prefix_key`].

use super::super::topology::{Role, Topology};
use super::super::tuning::Tuning;
use crate::peering::lab_section::Scenario;
use bgp_core::Family;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The hold time of the session `hold-timer-expiry` silences (the RFC 4271 minimum).
pub const SHORT_HOLD_TIME: u16 = 3;

/// The NEXT_HOPs `next-hop-mismatch` announces: documentation addresses that are no session's.
pub const WRONG_NEXT_HOP_V4: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 250);
/// IPv6 counterpart of [`WRONG_NEXT_HOP_V4`].
pub const WRONG_NEXT_HOP_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0x100, 0, 0, 0, 0, 0xfa);

/// One active scenario and its targets.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The scenario.
    pub scenario: Scenario,
    /// The connection it breaks (session scenarios).
    pub connection: Option<usize>,
    /// The speakers whose sessions it watches.
    pub sessions: Vec<usize>,
    /// Speakers not expected to be Established at the end.
    pub down: Vec<usize>,
    /// Prefixes not expected at AS8075.
    pub excluded: Vec<IpNet>,
    /// The customer ASNs involved (customer scenarios).
    pub customer_asns: Vec<u32>,
    /// What the target is, for people.
    pub target: String,
    /// What was broken.
    pub broken: String,
    /// What an operator should see.
    pub expected: String,
    /// For `max-prefix-exceeded`: the family and the lowered limit.
    pub limit: Option<(Family, u32)>,
    /// For `wrong-peer-asn`: the ASN the edge expects.
    pub wrong_asn: Option<u32>,
}

/// The ASN `wrong-peer-asn` makes the edge expect: a documentation ASN (RFC 5398).
fn wrong_asn(rs_asn: u32) -> u32 {
    if rs_asn == 64496 {
        64497
    } else {
        64496
    }
}

impl Planned {
    /// A scenario with its target, what it breaks and what is expected; no targets yet.
    pub fn new(scenario: Scenario, target: String, broken: String, expected: String) -> Planned {
        Planned {
            scenario,
            connection: None,
            sessions: Vec::new(),
            down: Vec::new(),
            excluded: Vec::new(),
            customer_asns: Vec::new(),
            target,
            broken,
            expected,
            limit: None,
            wrong_asn: None,
        }
    }
}

/// Plans `scenarios` on `top`, changing `tuning` (one per speaker); fails when the file has
/// nothing the scenario can break.
pub fn plan(top: &Topology, scenarios: &[Scenario], tuning: &mut [Tuning]) -> Result<Vec<Planned>, String> {
    let mut out = Vec::new();
    let mut next_connection = 0;
    for &s in scenarios {
        let p = match s {
            Scenario::WrongPeerAsn
            | Scenario::Md5Mismatch
            | Scenario::HoldTimerExpiry
            | Scenario::MaxPrefixExceeded => {
                let c = next_connection;
                next_connection += 1;
                if c >= top.connections.len() {
                    return Err(format!(
                        "break-it \"{}\": each session scenario needs a connection of its own, and the file has {}",
                        s.as_str(),
                        top.connections.len()
                    ));
                }
                session_scenario(top, s, c, tuning)?
            }
            Scenario::UnregisteredCustomer => unregistered_customer(top)?,
            Scenario::NextHopMismatch => next_hop_mismatch(top, tuning)?,
            // Planned on the lab's registrations and Peering Services (`super::prefix_key`).
            Scenario::WrongPrefixKey => continue,
        };
        out.push(p);
    }
    Ok(out)
}

/// The connection a session scenario breaks: its index and name, its edge speakers (IPv4
/// first) and their names joined for people.
struct Target<'a> {
    c: usize,
    name: &'a str,
    both: Vec<usize>,
    first: usize,
    names: String,
}

fn session_scenario(top: &Topology, s: Scenario, c: usize, tuning: &mut [Tuning]) -> Result<Planned, String> {
    let conn = &top.connections[c];
    let both: Vec<usize> = [conn.v4, conn.v6].into_iter().flatten().collect();
    let Some(&first) = both.first() else {
        return Err(format!(
            "break-it \"{}\": connection {} has no session to break",
            s.as_str(),
            conn.name
        ));
    };
    let names = both
        .iter()
        .map(|i| top.speakers[*i].name.as_str())
        .collect::<Vec<_>>()
        .join(" and ");
    let t = Target {
        c,
        name: &conn.name,
        both,
        first,
        names,
    };
    let mut p = match s {
        Scenario::WrongPeerAsn => wrong_peer_asn(top, &t, tuning),
        Scenario::Md5Mismatch => md5_mismatch(&t, tuning),
        Scenario::HoldTimerExpiry => hold_timer_expiry(top, &t, tuning),
        _ => max_prefix_exceeded(top, &t, tuning)?,
    };
    p.connection = Some(t.c);
    Ok(p)
}

/// The edges expect another peer ASN than the route server's.
fn wrong_peer_asn(top: &Topology, t: &Target, tuning: &mut [Tuning]) -> Planned {
    let wrong = wrong_asn(top.rs.asn);
    for &i in &t.both {
        tuning[i].expect_peer_as = Some(wrong);
    }
    let mut p = Planned::new(
        Scenario::WrongPeerAsn,
        format!("connection {} ({})", t.name, t.names),
        format!(
            "Microsoft's edge is provisioned for peer AS{wrong}, while the exchange's route server opens its \
             sessions as AS{}",
            top.rs.asn
        ),
        "the edge refuses every OPEN with NOTIFICATION 2/2 Bad Peer AS; both sessions cycle Idle, Connect, \
         OpenSent and never reach Established; the connection stays ProvisioningStarted"
            .to_owned(),
    );
    p.wrong_asn = Some(wrong);
    p.down.clone_from(&t.both);
    p.sessions.clone_from(&t.both);
    p
}

/// The edges sign with another TCP-MD5 key than the route server's.
fn md5_mismatch(t: &Target, tuning: &mut [Tuning]) -> Planned {
    let key = tuning[t.first].md5.clone();
    let wrong = key
        .as_deref()
        .map_or_else(|| "peerlab-wrong-key".to_owned(), |k| format!("{k}x"));
    for &i in &t.both {
        tuning[i].md5 = Some(wrong.clone());
    }
    let rs_side = if key.is_some() {
        "the connection's md5AuthenticationKey"
    } else {
        "no key"
    };
    let mut p = Planned::new(
        Scenario::Md5Mismatch,
        format!("connection {} ({})", t.name, t.names),
        format!("Microsoft's edge signs its TCP segments with another TCP-MD5 key; the route server uses {rs_side}"),
        "the kernel drops every segment whose signature does not verify, so TCP never completes: both \
         sessions stay in Connect/Active, no OPEN and no NOTIFICATION is ever exchanged; the connection \
         stays ProvisioningStarted"
            .to_owned(),
    );
    p.down.clone_from(&t.both);
    p.sessions.clone_from(&t.both);
    p
}

/// The first edge session runs a short hold time through a relay that goes silent.
fn hold_timer_expiry(top: &Topology, t: &Target, tuning: &mut [Tuning]) -> Planned {
    tuning[t.first].hold_time = Some(SHORT_HOLD_TIME);
    let mut p = Planned::new(
        Scenario::HoldTimerExpiry,
        format!("connection {} ({})", t.name, top.speakers[t.first].name),
        format!(
            "the session runs with a {SHORT_HOLD_TIME} s hold time through a switch port (a loopback relay) \
             that stops forwarding for a few seconds once routes flow, keeping the TCP connection open"
        ),
        "no KEEPALIVE arrives, the hold timer expires: NOTIFICATION 4/0 Hold Timer Expired, the session goes \
         Idle (its routes withdrawn), then comes back to Established once the port forwards again"
            .to_owned(),
    );
    p.sessions = vec![t.first];
    p
}

/// One edge session's max-prefix limit lowered below what the registered customers announce.
fn max_prefix_exceeded(top: &Topology, t: &Target, tuning: &mut [Tuning]) -> Result<Planned, String> {
    let conn = &top.connections[t.c];
    let (i, family) = max_prefix_target(top, conn.v4, conn.v6)?;
    let received = expected_of(top, family).len() as u32;
    let limit = received - 1;
    tuning[i].max_prefixes = Some(limit);
    let fam = if family == Family::IPV4_UNICAST { "V4" } else { "V6" };
    let mut p = Planned::new(
        Scenario::MaxPrefixExceeded,
        format!("connection {} ({})", t.name, top.speakers[i].name),
        format!(
            "maxPrefixesAdvertised{fam} of the connection lowered to {limit}, while the registered customers \
             announce {received} prefixes of that family through the route server"
        ),
        format!(
            "once routes flow, the edge counts {received} > {limit} and sends NOTIFICATION 6/1 Cease, Maximum \
             Number of Prefixes Reached (data: AFI {}, SAFI {}, limit {limit}, RFC 4486); the session goes \
             Idle and stays down; the other session of the connection stays Established",
            family.afi, family.safi
        ),
    );
    p.limit = Some((family, limit));
    p.down = vec![i];
    p.sessions = vec![i];
    Ok(p)
}

/// The edge session `max-prefix-exceeded` trips: IPv4 when registered customers announce
/// IPv4 prefixes, else IPv6.
fn max_prefix_target(top: &Topology, v4: Option<usize>, v6: Option<usize>) -> Result<(usize, Family), String> {
    let has = |f: Family| !expected_of(top, f).is_empty();
    match (v4, v6) {
        (Some(i), _) if has(Family::IPV4_UNICAST) => Ok((i, Family::IPV4_UNICAST)),
        (_, Some(i)) if has(Family::IPV6_UNICAST) => Ok((i, Family::IPV6_UNICAST)),
        _ => Err(
            "break-it \"max-prefix-exceeded\": no registered customer announces a prefix of the connection's families"
                .to_owned(),
        ),
    }
}

/// Whether a scenario of `planned` keeps connection `c` from being provisioned (its sessions
/// never come up).
pub fn blocks_provisioning(planned: &[Planned], c: usize) -> bool {
    planned
        .iter()
        .any(|p| p.connection == Some(c) && matches!(p.scenario, Scenario::WrongPeerAsn | Scenario::Md5Mismatch))
}

/// The prefixes of `family` AS8075 should hold.
pub fn expected_of(top: &Topology, family: Family) -> Vec<IpNet> {
    top.expected_at_edge()
        .into_iter()
        .filter(|p| p.addr().is_ipv4() == (family == Family::IPV4_UNICAST))
        .collect()
}

fn customers(top: &Topology, registered: bool) -> Vec<Vec<usize>> {
    let mut by_name: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, s) in top.speakers.iter().enumerate() {
        if s.role != (Role::Customer { registered }) {
            continue;
        }
        let name = s.rs_session.split('@').next().unwrap_or_default().to_owned();
        match by_name.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => v.push(i),
            None => by_name.push((name, vec![i])),
        }
    }
    by_name.into_iter().map(|(_, v)| v).collect()
}

fn customer_name(top: &Topology, speakers: &[usize]) -> String {
    speakers
        .first()
        .map(|i| {
            top.speakers[*i]
                .rs_session
                .split('@')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .unwrap_or_default()
}

fn unregistered_customer(top: &Topology) -> Result<Planned, String> {
    let Some(speakers) = customers(top, false).into_iter().next() else {
        return Err(
            "break-it \"unregistered-customer\": every customer is registered; add one whose ASN is not".into(),
        );
    };
    let first = &top.speakers[speakers[0]];
    let origin = first.as_path.last().copied().unwrap_or(first.asn);
    let mut p = Planned::new(
        Scenario::UnregisteredCustomer,
        format!(
            "customer {} (AS{}, origin AS{origin})",
            customer_name(top, &speakers),
            first.asn
        ),
        format!(
            "the exchange's route server has AS{origin} in its registry although the peering's registeredAsns does \
             not list it (the two registries out of sync), so its origin-not-registered filter lets the routes pass"
        ),
        format!(
            "AS8075 receives routes originated by AS{origin}, which Microsoft does not use: the Connections view shows \
             more prefixes received than accepted, and the routes at AS8075 list origins that are not registered"
        ),
    );
    p.customer_asns = vec![origin];
    p.sessions = speakers;
    Ok(p)
}

fn next_hop_mismatch(top: &Topology, tuning: &mut [Tuning]) -> Result<Planned, String> {
    let Some(speakers) = customers(top, true)
        .into_iter()
        .find(|v| v.iter().any(|i| !top.speakers[*i].prefixes.is_empty()))
    else {
        return Err("break-it \"next-hop-mismatch\": no registered customer announces a prefix".into());
    };
    for &i in &speakers {
        tuning[i].next_hop = Some(if top.speakers[i].label.is_ipv4() {
            IpAddr::V4(WRONG_NEXT_HOP_V4)
        } else {
            IpAddr::V6(WRONG_NEXT_HOP_V6)
        });
    }
    let first = &top.speakers[speakers[0]];
    let mut p = Planned::new(
        Scenario::NextHopMismatch,
        format!("customer {} (AS{})", customer_name(top, &speakers), first.asn),
        format!(
            "the customer announces its prefixes with NEXT_HOP {WRONG_NEXT_HOP_V4} / {WRONG_NEXT_HOP_V6}, not its \
             own session addresses"
        ),
        "the route server rejects every one of them with reason next-hop-not-client (RFC 7948 §4.8) and lists \
         them as filtered; none reaches AS8075, while the customer's sessions stay Established"
            .to_owned(),
    );
    p.customer_asns = vec![first.asn];
    p.excluded = speakers
        .iter()
        .flat_map(|i| top.speakers[*i].prefixes.clone())
        .collect();
    p.sessions = speakers;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peering::example::EXAMPLE_TOML;
    use crate::peering::load::{parse, Format};

    fn example() -> (Topology, Vec<Tuning>) {
        let file = parse(EXAMPLE_TOML, Format::Toml).unwrap().file;
        let top = Topology::plan(&file).unwrap();
        let tuning = (0..top.speakers.len()).map(|i| Tuning::of(&top, i)).collect();
        (top, tuning)
    }

    #[test]
    fn each_session_scenario_takes_a_connection_of_its_own() {
        let (top, mut tuning) = example();
        let p = plan(&top, &[Scenario::WrongPeerAsn, Scenario::Md5Mismatch], &mut tuning).unwrap();
        assert_eq!(p[0].connection, Some(0));
        assert_eq!(p[1].connection, Some(1));
        let three = [Scenario::WrongPeerAsn, Scenario::Md5Mismatch, Scenario::HoldTimerExpiry];
        let e = plan(&top, &three, &mut tuning).unwrap_err();
        assert!(
            e.contains("hold-timer-expiry") && e.contains("connection of its own"),
            "{e}"
        );
    }

    #[test]
    fn md5_mismatch_gives_the_edges_a_key_the_route_server_does_not_have() {
        let (top, mut tuning) = example();
        let p = plan(&top, &[Scenario::Md5Mismatch], &mut tuning).unwrap();
        let client = top.rs.clients.iter().find(|c| c.name == "AS8075-1").unwrap();
        assert!(client.md5_key.is_some(), "the example has keys");
        for i in &p[0].sessions {
            assert!(tuning[*i].md5.is_some());
            assert_ne!(tuning[*i].md5, client.md5_key);
        }
    }

    #[test]
    fn max_prefix_exceeded_lowers_the_limit_below_what_registered_customers_announce() {
        let (top, mut tuning) = example();
        let p = plan(&top, &[Scenario::MaxPrefixExceeded], &mut tuning).unwrap();
        let (family, limit) = p[0].limit.unwrap();
        assert_eq!(limit as usize + 1, expected_of(&top, family).len());
        assert_eq!(tuning[p[0].sessions[0]].max_prefixes, Some(limit));
    }

    #[test]
    fn next_hop_mismatch_excludes_a_registered_customers_prefixes_and_overrides_its_next_hop() {
        let (top, mut tuning) = example();
        let p = plan(&top, &[Scenario::NextHopMismatch], &mut tuning).unwrap();
        assert!(!p[0].excluded.is_empty());
        for i in &p[0].sessions {
            assert_eq!(top.speakers[*i].role, Role::Customer { registered: true });
            assert!(tuning[*i].next_hop.is_some_and(|nh| nh != top.speakers[*i].label));
        }
    }
}
