//! RFC 6793 §4.2.3: a route from a 2-octet-AS session carries its real path in AS4_PATH
//! (and its aggregator in AS4_AGGREGATOR); the table keeps the merged 4-octet form only.

use bgp_core::attr::{AttrValue, PathAttribute};
use bgp_core::SessionContext;

/// Merges AS4_PATH into AS_PATH and AS4_AGGREGATOR into AGGREGATOR, and drops both AS4
/// attributes, for attributes received under `ctx` without 4-octet AS support.
pub(super) fn normalize(attrs: &mut Vec<PathAttribute>, ctx: &SessionContext) {
    if ctx.four_octet_as {
        return;
    }
    let as4 = attrs.iter().find_map(|a| match &a.value {
        AttrValue::As4Path(p) => Some(p.clone()),
        _ => None,
    });
    let agg4 = attrs.iter().find_map(|a| match &a.value {
        AttrValue::As4Aggregator(g) => Some(*g),
        _ => None,
    });
    attrs.retain(|a| !matches!(a.value, AttrValue::As4Path(_) | AttrValue::As4Aggregator(_)));
    for a in attrs.iter_mut() {
        match &mut a.value {
            AttrValue::AsPath(p) => {
                if let Some(as4) = &as4 {
                    *p = p.merge_as4(as4);
                }
            }
            AttrValue::Aggregator(g) => {
                if let Some(g4) = agg4 {
                    *g = g4;
                }
            }
            _ => {}
        }
    }
}
