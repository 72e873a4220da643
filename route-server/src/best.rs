//! Best-path selection (RFC 4271 §9.1.2) among the paths one client may receive, as
//! decided by the export filter ([`crate::export::filter`]): selection is per receiving
//! client (RFC 7947 §2.3.2).

use crate::arena::Candidate;
use crate::attrs::{AttrInfo, AttrStore};
use crate::export::filter::ExportFilter;
use crate::session::Session;

/// What selection for one receiving session needs.
pub(crate) struct Selector<'a> {
    /// The export filter, which also gives access to the attribute sets and sessions.
    pub filter: ExportFilter<'a>,
    pub always_compare_med: bool,
}

impl<'a> Selector<'a> {
    /// Selection over `sessions`' paths with attribute sets from `attrs`.
    pub fn new(attrs: &'a AttrStore, sessions: &'a [Session], always_compare_med: bool) -> Self {
        Selector {
            filter: ExportFilter { attrs, sessions },
            always_compare_med,
        }
    }

    #[inline]
    fn info(&self, c: &Candidate) -> Option<&AttrInfo> {
        self.filter.attrs.get(c.attr).map(|s| &s.info)
    }

    fn tie_key(&self, c: &Candidate) -> (u32, std::net::IpAddr, u32) {
        let s = &self.filter.sessions[c.session as usize];
        (
            s.router_id.map(u32::from).unwrap_or(u32::MAX),
            s.config.address,
            c.path_id,
        )
    }

    /// The best of the candidates `target` may receive.
    pub fn best(&self, cands: &[Candidate], target: &Session) -> Option<Candidate> {
        let mut count = 0;
        let mut only = None;
        let (mut lp, mut len, mut origin) = (0u32, u32::MAX, u8::MAX);
        for c in cands.iter().filter(|c| self.filter.allows(c, target)) {
            count += 1;
            only = Some(*c);
            let Some(i) = self.info(c) else { continue };
            // (a) highest LOCAL_PREF, (b) shortest AS_PATH, (c) lowest ORIGIN, lexicographically.
            if (i.local_pref, std::cmp::Reverse(i.path_len), std::cmp::Reverse(i.origin))
                > (lp, std::cmp::Reverse(len), std::cmp::Reverse(origin))
            {
                (lp, len, origin) = (i.local_pref, i.path_len, i.origin);
            }
        }
        if count <= 1 {
            return only;
        }
        let stage = |c: &Candidate| -> Option<&AttrInfo> {
            let i = self.info(c)?;
            (self.filter.allows(c, target) && i.local_pref == lp && i.path_len == len && i.origin == origin)
                .then_some(i)
        };
        // (d) MED: a route loses to one with a lower MED from the same neighbour AS (or from
        // any AS with always-compare). (e) all clients are eBGP; (f) no IGP cost. Then the
        // lowest router id and lowest session address break the tie.
        let mut best: Option<Candidate> = None;
        for x in cands {
            let Some(xi) = stage(x) else { continue };
            let beaten = cands.iter().any(|y| {
                stage(y).is_some_and(|yi| (self.always_compare_med || yi.first_asn == xi.first_asn) && yi.med < xi.med)
            });
            if beaten {
                continue;
            }
            best = match best {
                Some(b) if self.tie_key(&b) <= self.tie_key(x) => Some(b),
                _ => Some(*x),
            };
        }
        best
    }
}
