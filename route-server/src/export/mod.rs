//! The export side of the route server, in one place: what a client may receive and in what
//! form.
//!
//! - [`control`]: the announcement-control communities (NO_EXPORT, NO_ADVERTISE, `0:PEER`,
//!   `RS:PEER`, `0:RS`, `RS:0:PEER`, `RS:1:PEER`) read into an [`ExportControl`].
//! - `filter`: the export filter: which stored paths a client may receive.
//! - `rewrite`: the attributes as sent (control communities and LOCAL_PREF removed, Partial
//!   bit on unknown transitive attributes) and the form for 2-octet-AS clients.
//! - [`pack`]: a family's prefixes packed into UPDATEs.
//!
//! Best-path selection among the paths the filter lets through is in `best`.

pub mod control;
pub(crate) mod filter;
pub mod pack;
pub(crate) mod rewrite;

pub use control::{is_control_community, ExportControl};
pub use pack::Pack;
