//! The export filter: which stored paths a client may receive at all, before best-path
//! selection picks among them (RFC 7947 §2.3.2: filter per receiving client, so that one
//! client's export policy does not hide another client's path).

use crate::arena::Candidate;
use crate::attrs::AttrStore;
use crate::session::Session;

/// What the filter reads: the attribute sets (for their export controls) and the sessions
/// (to tell which client sent a path).
#[derive(Clone, Copy)]
pub(crate) struct ExportFilter<'a> {
    pub attrs: &'a AttrStore,
    pub sessions: &'a [Session],
}

impl ExportFilter<'_> {
    /// Whether `c` may be exported to `target`: accepted by the import chain, not from
    /// `target`'s own client, and allowed by the route's NO_EXPORT / NO_ADVERTISE /
    /// announcement-control communities.
    #[inline]
    pub fn allows(&self, c: &Candidate, target: &Session) -> bool {
        if !c.accepted() {
            return false;
        }
        let Some(from) = self.sessions.get(c.session as usize) else {
            return false;
        };
        if from.client == target.client {
            return false;
        }
        self.attrs
            .get(c.attr)
            .is_some_and(|s| s.info.control.allows(target.config.asn))
    }
}
