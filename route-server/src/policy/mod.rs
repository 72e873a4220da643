//! The import policy: the chain every received route goes through, in the order real IXPs
//! run it (IXP Manager's order):
//!
//! 1. prefix length and 2. bogon prefix, per prefix;
//! 3. AS_PATH empty / too long / AS_SET, 4. left-most AS, 5. NEXT_HOP, 6. bogon ASN in path,
//!    the Peering Service checks when switched on, and 7. origin AS registered (the AS8075
//!    rule), once per attribute set and session;
//! 8. RPKI invalid when switched on, per prefix again.
//!
//! - [`steps`]: the steps themselves.
//! - [`verdict`]: the chain, the one place that runs the steps; ingest and the
//!   re-evaluation after a registry or ROA change both call it.

pub mod steps;
pub mod verdict;

pub use steps::{check_attributes, check_prefix, check_rpki, Sender};
pub use verdict::RouteChain;

use crate::config::ImportConfig;
use crate::hash::FxHashSet;
use crate::rpki::RoaTable;

/// Everything the import chain reads besides the route: the configured policy, the
/// registered customer ASNs and the ROAs.
#[derive(Debug)]
pub struct ImportPolicy {
    /// The configured steps and switches.
    pub config: ImportConfig,
    /// The registered customer ASNs (the AS8075 rule).
    pub registered: FxHashSet<u32>,
    /// The ROAs for RPKI origin validation.
    pub roas: RoaTable,
}
