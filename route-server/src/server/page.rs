//! Route listings in pages, for the HTTP API: a page holds at most `limit` routes and a
//! [`Cursor`] to resume after its last one, so an answer costs memory for one page, not for
//! the whole table (a 100,000-route Adj-RIB-Out listed at once took ~75 MB).
//!
//! Order: IPv4 before IPv6; within a family by the prefix's table index (the order prefixes
//! were first seen); within a prefix by (sending session, received path id), which names one
//! path of the prefix. A cursor is that position, so paging is exact while the table does
//! not change, and a route held during the whole walk is listed exactly once even when other
//! routes come and go (a prefix keeps its index while it holds routes).

use super::query::{reason_of, Route};
use super::{EngineError, FamilyTable, RouteServer};
use crate::arena::Candidate;
use crate::session::{SessionId, SessionState};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::fmt;
use std::str::FromStr;

/// Which routes a listing holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listing {
    /// Everything received on the session and still held, accepted or not.
    RibIn(SessionId),
    /// The session's rejected routes.
    Rejected(SessionId),
    /// Every session's rejected routes.
    RejectedAll,
    /// What the session's client should hold now: per prefix the best path for it, or every
    /// allowed path under ADD-PATH (computed, not the record of what was sent).
    AdjRibOut(SessionId),
}

/// Where a listing resumes: after path (`session`, `path_id`) of the prefix at `index` of
/// family `family` (0 IPv4, 1 IPv6). Written `F-I-S-P` in decimal (e.g. `0-1523-2-0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// 0 for IPv4, 1 for IPv6.
    pub family: u8,
    /// The prefix's index in its family's table.
    pub index: u32,
    /// The sending session of the last path listed.
    pub session: u16,
    /// Its received path identifier.
    pub path_id: u32,
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}-{}", self.family, self.index, self.session, self.path_id)
    }
}

impl FromStr for Cursor {
    type Err = String;

    /// Four decimal numbers separated by `-`, as [`Cursor`]'s `Display` writes them.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || "not a cursor: pass the `next` of the previous page unchanged".to_owned();
        let parts: Vec<&str> = s.split('-').collect();
        let [family, index, session, path_id] = parts[..] else {
            return Err(bad());
        };
        fn num<T: FromStr>(s: &str) -> Option<T> {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        }
        let c = Cursor {
            family: num(family).filter(|f| *f <= 1).ok_or_else(bad)?,
            index: num(index).ok_or_else(bad)?,
            session: num(session).ok_or_else(bad)?,
            path_id: num(path_id).ok_or_else(bad)?,
        };
        Ok(c)
    }
}

/// One page of a listing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// At most the limit asked for.
    pub routes: Vec<Route>,
    /// Where the next page starts; `None` when this page ends the listing.
    pub next: Option<Cursor>,
}

/// A page being filled: the routes, the position of the last one, and whether it is full.
struct Filling {
    page: Page,
    last: Option<Cursor>,
    limit: usize,
}

/// The route of candidate `c` of `prefix`, as listed.
fn route(
    prefix: IpNet,
    c: &Candidate,
    path_id: u32,
    reason: Option<crate::reason::RejectReason>,
    attributes: Vec<bgp_core::attr::PathAttribute>,
) -> Route {
    Route {
        prefix,
        path_id,
        from: SessionId(c.session),
        reason,
        attributes,
    }
}

impl RouteServer {
    /// The routes of `listing` after `after` (from the start when `None`), at most `limit`
    /// (at least one). Fails only for an unknown session.
    pub fn page(&self, listing: Listing, after: Option<Cursor>, limit: usize) -> Result<Page, EngineError> {
        if let Listing::RibIn(id) | Listing::Rejected(id) | Listing::AdjRibOut(id) = listing {
            let s = self.session(id)?;
            if matches!(listing, Listing::AdjRibOut(_)) && s.state != SessionState::Up {
                return Ok(Page::default());
            }
        }
        let mut f = Filling {
            page: Page::default(),
            last: None,
            limit: limit.max(1),
        };
        let first_family = after.map_or(0, |c| c.family);
        if first_family == 0 {
            self.fill::<Ipv4Net>(listing, after, &mut f);
        }
        if f.page.next.is_none() {
            self.fill::<Ipv6Net>(listing, after.filter(|c| c.family == 1), &mut f);
        }
        Ok(f.page)
    }

    fn fill<P: FamilyTable>(&self, listing: Listing, after: Option<Cursor>, f: &mut Filling) {
        let t = P::of(&self.tables);
        let mut here: Vec<(u16, u32, Route)> = Vec::new();
        for idx in after.map_or(0, |c| c.index)..t.index_bound() {
            let Some(prefix) = t.prefix(idx) else { continue };
            here.clear();
            self.paths_of::<P>(listing, prefix.to_ipnet(), t.candidates(idx), &mut |c, route| {
                here.push((c.session, c.path_id, route));
            });
            here.sort_by_key(|(s, p, _)| (*s, *p));
            for (session, path_id, route) in here.drain(..) {
                if after.is_some_and(|a| a.index == idx && (session, path_id) <= (a.session, a.path_id)) {
                    continue;
                }
                if f.page.routes.len() == f.limit {
                    f.page.next = f.last;
                    return;
                }
                f.page.routes.push(route);
                f.last = Some(Cursor {
                    family: P::INDEX as u8,
                    index: idx,
                    session,
                    path_id,
                });
            }
        }
    }

    /// Calls `out` with each path of `prefix` (its candidates `cands`) that `listing` holds,
    /// and its route.
    fn paths_of<P: FamilyTable>(
        &self,
        listing: Listing,
        prefix: IpNet,
        cands: &[Candidate],
        out: &mut impl FnMut(&Candidate, Route),
    ) {
        let received = |c: &Candidate| {
            self.attrs
                .get(c.attr)
                .map(|set| route(prefix, c, c.path_id, reason_of(c), set.received()))
        };
        match listing {
            Listing::RibIn(id) | Listing::Rejected(id) => {
                let rejected_only = matches!(listing, Listing::Rejected(_));
                for c in cands
                    .iter()
                    .filter(|c| c.session == id.0 && !(rejected_only && c.accepted()))
                {
                    if let Some(r) = received(c) {
                        out(c, r);
                    }
                }
            }
            Listing::RejectedAll => {
                for c in cands.iter().filter(|c| !c.accepted()) {
                    if let Some(r) = received(c) {
                        out(c, r);
                    }
                }
            }
            Listing::AdjRibOut(id) => self.rib_out_paths::<P>(id, prefix, cands, out),
        }
    }

    fn rib_out_paths<P: FamilyTable>(
        &self,
        id: SessionId,
        prefix: IpNet,
        cands: &[Candidate],
        out: &mut impl FnMut(&Candidate, Route),
    ) {
        let target = &self.sessions[id.0 as usize];
        if !target.carries(P::INDEX) {
            return;
        }
        let sel = self.selector();
        let mut send = |c: &Candidate, path_id: u32| {
            if let Some(set) = self.attrs.get(c.attr) {
                out(c, route(prefix, c, path_id, None, set.exported()));
            }
        };
        if target.add_path_out(P::FAMILY) {
            for c in cands.iter().filter(|c| sel.filter.allows(c, target)) {
                send(c, self.path_ids.get(&(c.session, c.path_id)).copied().unwrap_or(0));
            }
        } else if let Some(b) = sel.best(cands, target) {
            send(&b, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    #[test]
    fn a_cursor_reads_back_what_it_writes_and_nothing_else() {
        let c = Cursor {
            family: 1,
            index: 1523,
            session: 2,
            path_id: 7,
        };
        assert_eq!(c.to_string(), "1-1523-2-7");
        assert_eq!("1-1523-2-7".parse::<Cursor>(), Ok(c));
        for bad in [
            "",
            "1-2-3",
            "2-0-0-0",
            "0-+1-0-0",
            "0--1-0-0",
            "0-1-0-0-0",
            "a-b-c-d",
            "0-1-70000-0",
        ] {
            assert!(bad.parse::<Cursor>().is_err(), "{bad}");
        }
    }
}
