//! The attributes as sent: what the route server changes in a route's attributes before
//! passing it on (RFC 7947 §2.2: as little as possible), once per attribute set, and the
//! per-client form for clients without 4-octet AS support.

use super::control::{is_control_community, is_control_large_community};
use bgp_core::attr::{flags, AttrValue, NextHop, PathAttribute};
use bgp_core::{Family, SessionContext};
use std::borrow::Cow;

/// The attributes as sent: LOCAL_PREF removed (never sent to external peers, RFC 4271
/// §5.1.5), standard communities `0:x` and `RS:x` removed, large communities `RS:0:x` and
/// `RS:1:x` removed, an emptied COMMUNITIES / LARGE_COMMUNITY attribute dropped, unknown
/// optional non-transitive attributes dropped and Partial set on unknown optional transitive
/// ones (RFC 4271 §5, §9); the rest (AS_PATH, NEXT_HOP, MED, other communities) unchanged. `mp_next_hop` is MP_REACH_NLRI's next hop
/// (an empty `Other` when the route came without one).
pub(crate) fn attributes_as_sent(
    mut attrs: Vec<PathAttribute>,
    rs: u32,
    mp_next_hop: &NextHop,
    family: Family,
) -> Vec<PathAttribute> {
    let has_next_hop = attrs.iter().any(|a| matches!(a.value, AttrValue::NextHop(_)));
    attrs.retain_mut(|a| match &mut a.value {
        AttrValue::LocalPref(_) => false,
        AttrValue::Communities(cs) => {
            cs.retain(|c| !is_control_community(*c, rs));
            !cs.is_empty()
        }
        AttrValue::LargeCommunities(ls) => {
            ls.retain(|l| !is_control_large_community(l, rs));
            !ls.is_empty()
        }
        // RFC 4271 §5, §9: an unrecognized optional non-transitive attribute is quietly
        // ignored and never passed along (it is kept in the route as received).
        AttrValue::Unknown { .. } if a.flags & flags::TRANSITIVE == 0 => false,
        _ => {
            a.mark_partial_if_unknown_transitive();
            true
        }
    });
    // IPv4 NLRI received in MP_REACH_NLRI with an IPv4 next hop: send them in the classic
    // NLRI field, which needs a NEXT_HOP attribute.
    if let (Family::IPV4_UNICAST, NextHop::V4(nh), false) = (family, mp_next_hop, has_next_hop) {
        attrs.push(PathAttribute::new(AttrValue::NextHop(*nh)));
    }
    attrs
}

/// The attributes for a client of encode context `ctx`: `attrs` itself for a 4-octet-AS
/// client; for a client whose session lacks 4-octet AS support, when the path has ASNs above
/// 65535, the path as AS_TRANS in AS_PATH plus the real path in AS4_PATH (RFC 6793 §4.2.2).
pub(crate) fn for_client<'a>(attrs: &'a [PathAttribute], ctx: &SessionContext) -> Cow<'a, [PathAttribute]> {
    if ctx.four_octet_as {
        return Cow::Borrowed(attrs);
    }
    let path = attrs.iter().find_map(|a| match &a.value {
        AttrValue::AsPath(p) => Some(p),
        _ => None,
    });
    match path {
        Some(p) if p.asns().any(|a| a > 0xFFFF) => {
            let mut out = attrs.to_vec();
            out.push(PathAttribute::new(AttrValue::As4Path(p.clone())));
            Cow::Owned(out)
        }
        _ => Cow::Borrowed(attrs),
    }
}
