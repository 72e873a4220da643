//! MRT replay: the prefixes and AS paths of a RIB dump (TABLE_DUMP_V2 or TABLE_DUMP, read
//! with `bgpkit-parser`), kept only where every target accepts them, for
//! [`Load::from_routes`](super::load::Load::from_routes).

use super::load::{CLIENT_AS_BASE, MAX_SESSIONS, TARGET_AS};
use bgpkit_parser::models::ElemType;
use bgpkit_parser::BgpkitParser;
use ipnet::IpNet;
use route_server::prefix::RoutePrefix;
use std::collections::HashSet;
use std::path::Path;

/// Longest AS_PATH taken from the dump (the tester's AS is put in front: 64 in all, the
/// route server's default limit).
const MAX_PATH: usize = 63;

/// A route to replay: its prefix and the AS_PATH it had in the dump.
pub type Route = (IpNet, Vec<u32>);

/// What was read from the dump.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct MrtSummary {
    /// Announcements read.
    pub read: u64,
    /// Distinct prefixes kept (the first path seen for each).
    pub kept: u64,
    /// Announcements left out: prefix length outside IPv4 /8–/24 and IPv6 /19–/48, a bogon
    /// prefix, an AS_SET or empty path, a path longer than 63 ASNs or one holding AS 0, AS
    /// 23456, the targets' AS or the testers' ASNs.
    pub skipped: u64,
    /// Further announcements of a prefix already kept.
    pub duplicates: u64,
}

fn usable_prefix(p: &IpNet) -> bool {
    match p {
        IpNet::V4(n) => (8..=24).contains(&n.prefix_len()) && !n.trunc().is_bogon(),
        IpNet::V6(n) => (19..=48).contains(&n.prefix_len()) && !n.trunc().is_bogon(),
    }
}

fn usable_path(path: &[u32]) -> bool {
    let testers = CLIENT_AS_BASE..CLIENT_AS_BASE + MAX_SESSIONS as u32;
    !path.is_empty()
        && path.len() <= MAX_PATH
        && !path
            .iter()
            .any(|a| *a == 0 || *a == 23_456 || *a == TARGET_AS || testers.contains(a))
}

/// Reads up to `limit` distinct usable routes (prefix, AS_PATH) from the uncompressed MRT
/// file at `path`, in the dump's order.
pub fn read_routes(path: &Path, limit: usize) -> Result<(Vec<Route>, MrtSummary), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let parser = BgpkitParser::from_reader(std::io::BufReader::new(file));
    let mut seen = HashSet::new();
    let mut routes = Vec::new();
    let mut sum = MrtSummary::default();
    for elem in parser {
        if routes.len() >= limit {
            break;
        }
        if elem.elem_type != ElemType::ANNOUNCE {
            continue;
        }
        sum.read += 1;
        let prefix = elem.prefix.prefix.trunc();
        let as_path = elem.as_path.as_ref().and_then(|p| p.to_u32_vec_opt(false));
        let Some(as_path) = as_path.filter(|p| usable_path(p) && usable_prefix(&prefix)) else {
            sum.skipped += 1;
            continue;
        };
        if !seen.insert(prefix) {
            sum.duplicates += 1;
            continue;
        }
        routes.push((prefix, as_path));
    }
    sum.kept = routes.len() as u64;
    Ok((routes, sum))
}
