//! A registered Peering Service prefix judged against what AS8075's edges received from the
//! provider: its `prefixValidationState`, `learnedType`, `errorMessage` and `events`.
//!
//! Pure (no clock, no I/O): the caller says which of the provider's connections are in service
//! and what routes each holds, and gets the resource's read-only fields back. Events come
//! without a timestamp; whoever keeps the resource stamps them when it records them.
//!
//! The rules (Microsoft's Peering Service prefix requirements, in the order they are checked):
//! 1. the prefix is public and not too specific ([`PrefixIssue`]), else `Invalid`;
//! 2. the key belongs to a registered ASN of the peering whose registration has succeeded,
//!    else `Failed`;
//! 3. some session of the prefix's family is Established on an `Active` connection, else
//!    `Pending` (nothing to judge by: before `Active`, no customer route reaches AS8075);
//! 4. the prefix is received (exactly, not a covering or a more specific route), else `Failed`;
//! 5. every received copy originates from the key's ASN, has an AS path of at most
//!    [`MAX_AS_PATH_LEN`] ASNs and no private ASN, else `Failed`; no prepending, else `Warning`;
//! 6. it is received on every connection (the first is the primary, the others backups) and the
//!    provider has a backup at all, else `Warning`.
//!
//! The state is the worst outcome: `Invalid` over `Failed` over `Pending` over `Warning` over
//! `Verified`. `learnedType` is `ViaSession` as soon as any edge holds the prefix.

mod events;

use ipnet::IpNet;

use super::asn::AsnClass;
use super::enums::{LearnedType, ProvisioningState};
use super::model::RegisteredAsn;
use super::peering_service::{describe_registered, registered_names, KeyProblem, PeeringServicePrefix};
use super::prefix::PrefixIssue;
use events::Log;
pub use events::{PrefixEventType, PrefixValidation};

/// The longest AS path Peering Service accepts, in ASNs (prepends counted).
pub const MAX_AS_PATH_LEN: usize = 3;

/// One of the provider's connections as AS8075's edge sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeConnection {
    /// How people name it, e.g. its `connectionIdentifier`.
    pub name: String,
    /// Whether its IPv4 session is Established on a connection that carries traffic
    /// (`Active`).
    pub ipv4_established: bool,
    /// Whether its IPv6 session is Established on an `Active` connection.
    pub ipv6_established: bool,
}

/// A route an AS8075 edge holds from the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedRoute {
    /// Index of the connection it was received on, into [`EdgeRoutes::connections`].
    pub connection: usize,
    /// The prefix.
    pub prefix: IpNet,
    /// AS_PATH ASNs, left to right: the origin is the last.
    pub as_path: Vec<u32>,
}

/// What AS8075's edges received from the provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EdgeRoutes {
    /// The provider's connections that carry Peering Service (in service, not removed), in the
    /// peering's order: the first is the primary, the others are backups.
    pub connections: Vec<EdgeConnection>,
    /// Every route the edges hold, with the connection it came over.
    pub routes: Vec<ReceivedRoute>,
}

/// The registrations a prefix key is looked up in.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyBook<'a> {
    /// The peering's registered ASNs now.
    pub registered: &'a [RegisteredAsn],
    /// Registrations deleted from the peering: a key of one of them is named as such (rule 2
    /// fails either way).
    pub deleted: &'a [RegisteredAsn],
}

/// Validates one registered prefix against the registered ASNs of the peering and what the
/// edges received. See the module documentation for the rules.
pub fn validate_prefix(
    registered: &[RegisteredAsn],
    registration: &PeeringServicePrefix,
    edges: &EdgeRoutes,
) -> PrefixValidation {
    validate_prefix_in(
        KeyBook {
            registered,
            deleted: &[],
        },
        registration,
        edges,
    )
}

/// [`validate_prefix`] with the registrations deleted so far, so that a key whose
/// registration was deleted is reported as such.
pub fn validate_prefix_in(
    keys: KeyBook<'_>,
    registration: &PeeringServicePrefix,
    edges: &EdgeRoutes,
) -> PrefixValidation {
    let mut log = Log::default();
    let Some(prefix) = registration.prefix else {
        log.push(
            PrefixEventType::PrefixInvalid,
            "the registration has no prefix".into(),
            "register the prefix again with its `prefix`".into(),
        );
        return log.finish(LearnedType::None);
    };
    let net = prefix.trunc();
    let received: Vec<&ReceivedRoute> = edges.routes.iter().filter(|r| r.prefix.trunc() == net).collect();
    let learned_type = if received.is_empty() {
        LearnedType::None
    } else {
        LearnedType::ViaSession
    };
    let issues = PrefixIssue::of(&prefix);
    for issue in &issues {
        log.push(
            PrefixEventType::PrefixInvalid,
            issue.describe(&prefix),
            issue.fix(&prefix),
        );
    }
    let key_asn = check_key(keys, registration, &mut log);
    if !issues.is_empty() {
        return log.finish(learned_type);
    }
    if !check_sessions(net, edges, &mut log) {
        return log.finish(learned_type);
    }
    if received.is_empty() {
        not_received(net, edges, &mut log);
        return log.finish(learned_type);
    }
    check_paths(&received, key_asn, &mut log);
    check_redundancy(net, &received, edges, &mut log);
    log.finish(learned_type)
}

/// Rule 2: the key's registered ASN, when the key leads to a registration that has succeeded.
fn check_key(keys: KeyBook<'_>, registration: &PeeringServicePrefix, log: &mut Log) -> Option<u32> {
    let registered = keys.registered;
    let owner = match registration.key_owner(registered) {
        Ok(owner) => owner,
        Err(problem) => {
            if let Ok(gone) = registration.key_owner(keys.deleted) {
                let who = describe_registered(gone);
                log.push(
                    PrefixEventType::PrefixKeyMismatch,
                    format!("the prefix key belongs to {who}, whose registration was deleted from this peering"),
                    format!(
                        "the exchange registers {who} again (then the prefix is validated anew); registered now: {}",
                        registered_names(registered)
                    ),
                );
                return None;
            }
            let fix = match problem {
                KeyProblem::Missing | KeyProblem::UnknownKey(_) | KeyProblem::Conflict { .. } => format!(
                    "register the prefix with the peeringServicePrefixKey the exchange gave for the originating ASN (registered: {})",
                    registered_names(registered)
                ),
                KeyProblem::UnknownName(_) => format!(
                    "name one of the registered ASNs: {}",
                    registered_names(registered)
                ),
            };
            log.push(PrefixEventType::PrefixKeyMismatch, problem.to_string(), fix);
            return None;
        }
    };
    let who = describe_registered(owner);
    match owner.provisioning_state {
        Some(state) if state != ProvisioningState::Succeeded => {
            log.push(
                PrefixEventType::RegisteredAsnNotProvisioned,
                format!("the key belongs to {who}, whose registration is {state}, not Succeeded"),
                "the exchange registers the ASN again (or waits for the registration to succeed)".into(),
            );
            None
        }
        _ => {
            log.push(
                PrefixEventType::PrefixKeyMatched,
                format!("the prefix key belongs to {who}"),
                "the prefix must be received originating from that ASN".into(),
            );
            owner.asn
        }
    }
}

/// Rule 3: whether any session of the prefix's family is up; `Pending` when none is.
fn check_sessions(net: IpNet, edges: &EdgeRoutes, log: &mut Log) -> bool {
    let family = family_name(net);
    if edges.connections.iter().any(|c| established(c, net)) {
        return true;
    }
    let summary = if edges.connections.is_empty() {
        "the provider has no connection in service yet".to_string()
    } else {
        format!("none of the provider's {family} sessions is Established on an Active connection yet")
    };
    log.push(
        PrefixEventType::SessionsNotEstablished,
        summary,
        format!("validation continues once a {family} session between the provider and AS8075 is Established"),
    );
    false
}

/// Rule 4 failed: says so, pointing at a covering or more specific route when there is one.
fn not_received(net: IpNet, edges: &EdgeRoutes, log: &mut Log) {
    let mut near: Vec<IpNet> = Vec::new();
    for p in edges.routes.iter().map(|r| r.prefix.trunc()) {
        if (p.contains(&net) || net.contains(&p)) && !near.contains(&p) {
            near.push(p);
        }
    }
    let near: Vec<String> = near.iter().map(IpNet::to_string).collect();
    let description = if near.is_empty() {
        format!(
            "AS8075 holds no route for {net} from the provider: the customer must announce exactly {net} to the \
             route server, from the key's ASN, and the route server must pass it on"
        )
    } else {
        format!(
            "AS8075 holds {} instead; a registered prefix must be announced exactly as registered: register the \
             announced prefix, or announce {net} itself",
            near.join(", ")
        )
    };
    log.push(
        PrefixEventType::PrefixNotReceived,
        "prefix not received from the provider".into(),
        description,
    );
}

/// Rule 5: origin, AS path length, private ASNs and prepending of every distinct received path.
fn check_paths(received: &[&ReceivedRoute], key_asn: Option<u32>, log: &mut Log) {
    let mut paths: Vec<&[u32]> = Vec::new();
    for route in received {
        if !paths.contains(&route.as_path.as_slice()) {
            paths.push(&route.as_path);
        }
    }
    let before = log.len();
    for path in &paths {
        check_path(path, key_asn, log);
    }
    if log.len() == before {
        let shown: Vec<String> = paths.iter().map(|p| show_path(p)).collect();
        log.push(
            PrefixEventType::AsPathAccepted,
            format!("received with AS path {}", shown.join(" / ")),
            format!("originated by the key's ASN, at most {MAX_AS_PATH_LEN} ASNs, no private ASN, no prepending"),
        );
    }
}

fn check_path(path: &[u32], key_asn: Option<u32>, log: &mut Log) {
    let shown = show_path(path);
    let Some(&origin) = path.last() else {
        log.push(
            PrefixEventType::AsPathEmpty,
            "received with an empty AS path".into(),
            "the route must carry the originating customer's ASN; check the route server's configuration".into(),
        );
        return;
    };
    if let Some(key_asn) = key_asn.filter(|&k| k != origin) {
        log.push(
            PrefixEventType::OriginAsnMismatch,
            format!("received with origin AS{origin}, but the key belongs to AS{key_asn}"),
            format!("register the prefix with the key of AS{origin}'s registration, or have AS{key_asn} originate it"),
        );
    }
    if path.len() > MAX_AS_PATH_LEN {
        log.push(
            PrefixEventType::AsPathTooLong,
            format!("AS path {shown} has {} ASNs (at most {MAX_AS_PATH_LEN})", path.len()),
            "announce the prefix closer to its origin: Peering Service takes paths of at most 3 ASNs".into(),
        );
    }
    let mut flagged: Vec<u32> = Vec::new();
    for &asn in path {
        let class = AsnClass::of(asn);
        if matches!(class, AsnClass::Private | AsnClass::Reserved | AsnClass::Documentation) && !flagged.contains(&asn)
        {
            flagged.push(asn);
            log.push(
                PrefixEventType::PrivateAsnInPath,
                format!("AS path {shown} contains AS{asn}, which is not public"),
                format!(
                    "{}; remove it from the path (or replace it with a public ASN)",
                    class.describe(asn)
                ),
            );
        }
    }
    if let Some(pair) = path.windows(2).find(|w| w[0] == w[1]) {
        log.push(
            PrefixEventType::AsPathPrepended,
            format!("AS path {shown} is prepended (AS{} repeated)", pair[0]),
            "Peering Service asks for no prepending; announce the prefix without it".into(),
        );
    }
}

/// Rule 6: received on every connection (primary and backups), and there is a backup.
fn check_redundancy(net: IpNet, received: &[&ReceivedRoute], edges: &EdgeRoutes, log: &mut Log) {
    let family = family_name(net);
    let n = edges.connections.len();
    if n == 1 {
        log.push(
            PrefixEventType::NoBackupConnection,
            "the provider has one connection: no backup".into(),
            "Peering Service expects the prefix on a primary and a backup connection; the exchange adds a second one"
                .into(),
        );
        return;
    }
    let on = |i: usize| received.iter().any(|r| r.connection == i);
    let missing: Vec<usize> = (0..n).filter(|&i| !on(i)).collect();
    if missing.is_empty() {
        log.push(
            PrefixEventType::ReceivedOnAllConnections,
            format!("received on all {n} connections"),
            "the primary and every backup carry it".into(),
        );
        return;
    }
    let got: Vec<usize> = (0..n).filter(|&i| on(i)).collect();
    let summary = if got.len() == 1 && missing.len() == 1 {
        format!(
            "received on the {} connection only, not on the {}",
            role(got[0]),
            role(missing[0])
        )
    } else {
        let names: Vec<String> = missing.iter().map(|&i| describe_connection(edges, i)).collect();
        format!(
            "received on {} of {n} connections, not on {}",
            got.len(),
            names.join(", ")
        )
    };
    let why: Vec<String> = missing
        .iter()
        .map(|&i| {
            let reason = if established(&edges.connections[i], net) {
                format!("its {family} session is Established but the route is not there")
            } else {
                format!("its {family} session is not Established")
            };
            format!("{}: {reason}", describe_connection(edges, i))
        })
        .collect();
    log.push(
        PrefixEventType::NotReceivedOnAllConnections,
        summary,
        format!(
            "{}; Peering Service expects the prefix on the primary and every backup connection",
            why.join("; ")
        ),
    );
}

fn role(index: usize) -> &'static str {
    if index == 0 {
        "primary"
    } else {
        "backup"
    }
}

fn describe_connection(edges: &EdgeRoutes, index: usize) -> String {
    format!("the {} connection {}", role(index), edges.connections[index].name)
}

fn established(connection: &EdgeConnection, net: IpNet) -> bool {
    match net {
        IpNet::V4(_) => connection.ipv4_established,
        IpNet::V6(_) => connection.ipv6_established,
    }
}

fn family_name(net: IpNet) -> &'static str {
    match net {
        IpNet::V4(_) => "IPv4",
        IpNet::V6(_) => "IPv6",
    }
}

fn show_path(path: &[u32]) -> String {
    let asns: Vec<String> = path.iter().map(u32::to_string).collect();
    asns.join(" ")
}

#[cfg(test)]
mod tests;
