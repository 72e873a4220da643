//! The per-attribute checks of RFC 4271 §6.3 as revised by RFC 7606 §7 (and RFC 4760 §7,
//! RFC 6793 §6, RFC 8092 §6): each malformation with its NOTIFICATION and action.
//!
//! Semantic checks that depend on the session or on policy (a NEXT_HOP that is the
//! receiver's own address, LOCAL_PREF from an external peer, the left-most AS) are not made
//! here: the session and the route server make them, because the codec does not know who
//! the peer is.

use super::{expected_flags, flags, type_code as tc, AsPath, NextHop};
use crate::context::SessionContext;
use crate::error::{code::update as sub, code::UPDATE, BgpError, ErrorAction, Notification};
use crate::nlri;
use crate::types::{Family, AFI_IPV4, AFI_IPV6, SAFI_UNICAST};
use bytes::Bytes;

fn err(action: ErrorAction, subcode: u8, data: &Bytes) -> BgpError {
    BgpError::new(action, Notification::with_data(UPDATE, subcode, data.clone()))
}

/// The action for a malformed attribute of `type_code` (RFC 7606 §7 and the RFCs it cites).
pub(crate) const fn malformed_action(type_code: u8) -> ErrorAction {
    match type_code {
        tc::ATOMIC_AGGREGATE | tc::AGGREGATOR | tc::AS4_PATH | tc::AS4_AGGREGATOR => ErrorAction::AttributeDiscard,
        tc::MP_REACH_NLRI | tc::MP_UNREACH_NLRI => ErrorAction::SessionReset,
        _ => ErrorAction::TreatAsWithdraw,
    }
}

/// Checks one attribute. `whole` is the attribute as received (flags, type, length, value),
/// the data of the NOTIFICATION when it is malformed; `value` is its value part.
///
/// Unknown attributes pass (an unknown *well-known* one is refused by the caller, which
/// knows it is unknown); a known attribute is checked for its Optional/Transitive flags,
/// its length and, where the RFCs say so, its content.
pub fn check_attribute(
    attr_flags: u8,
    type_code: u8,
    value: &[u8],
    whole: &Bytes,
    ctx: &SessionContext,
) -> Result<(), BgpError> {
    let Some(expected) = expected_flags(type_code) else {
        return Ok(());
    };
    let action = malformed_action(type_code);
    // RFC 7606 §3 (c): O/T bits in conflict with the type → malformed. The Partial bit is
    // only allowed on optional transitive attributes (RFC 4271 §4.3).
    let ot = attr_flags & flags::OPTIONAL_TRANSITIVE;
    let partial_ok = expected == flags::OPTIONAL_TRANSITIVE || attr_flags & flags::PARTIAL == 0;
    if ot != expected || !partial_ok {
        return Err(err(action, sub::ATTRIBUTE_FLAGS, whole));
    }
    let len = value.len();
    let length_error = || Err(err(action, sub::ATTRIBUTE_LENGTH, whole));
    let bad_path = |w| AsPath::validate(value, w).is_err();
    match type_code {
        tc::ORIGIN if len != 1 => length_error(),
        tc::ORIGIN if value[0] > 2 => Err(err(action, sub::INVALID_ORIGIN, whole)),
        tc::AS_PATH if bad_path(ctx.as_width()) => {
            Err(BgpError::new(action, Notification::new(UPDATE, sub::MALFORMED_AS_PATH)))
        }
        tc::NEXT_HOP | tc::MED | tc::LOCAL_PREF | tc::ORIGINATOR_ID if len != 4 => length_error(),
        tc::ATOMIC_AGGREGATE if len != 0 => length_error(),
        tc::AGGREGATOR if len != 4 + ctx.as_width() => length_error(),
        tc::AS4_AGGREGATOR if len != 8 => length_error(),
        tc::AS4_PATH if bad_path(4) => Err(err(action, sub::OPTIONAL_ATTRIBUTE, whole)),
        tc::COMMUNITIES | tc::CLUSTER_LIST if len == 0 || len % 4 != 0 => length_error(),
        tc::EXTENDED_COMMUNITIES if len == 0 || len % 8 != 0 => length_error(),
        tc::IPV6_EXTENDED_COMMUNITIES if len == 0 || len % 20 != 0 => length_error(),
        tc::LARGE_COMMUNITY if len == 0 || len % 12 != 0 => length_error(),
        tc::MP_REACH_NLRI => check_mp_reach(value, whole, ctx),
        tc::MP_UNREACH_NLRI => check_mp_unreach(value, whole, ctx),
        _ => Ok(()),
    }
}

/// The family of an MP attribute, if it is at least 3 octets long.
pub(crate) fn mp_family(value: &[u8]) -> Option<Family> {
    match value {
        [a, b, s, ..] => Some(Family::new(u16::from_be_bytes([*a, *b]), *s)),
        _ => None,
    }
}

fn check_nlri(family: Family, bytes: &[u8], whole: &Bytes, ctx: &SessionContext) -> Result<(), BgpError> {
    let bits = match (family.afi, family.safi) {
        (AFI_IPV4, SAFI_UNICAST) => 32,
        (AFI_IPV6, SAFI_UNICAST) => 128,
        _ => return Ok(()),
    };
    // RFC 7606 §5.3 / RFC 4760 §7: NLRI inside an MP attribute that cannot be parsed —
    // the family is known, so the family is disabled rather than the whole session reset.
    nlri::validate(bytes, bits, ctx.add_path(family))
        .map(|_| ())
        .map_err(|_| err(ErrorAction::AfiSafiDisable, sub::OPTIONAL_ATTRIBUTE, whole))
}

fn check_mp_reach(value: &[u8], whole: &Bytes, ctx: &SessionContext) -> Result<(), BgpError> {
    // Too short to carry AFI, SAFI, next-hop length and reserved octet: the NLRI cannot be
    // located at all → session reset (RFC 7606 §7.11).
    let Some(family) = mp_family(value).filter(|_| value.len() >= 5) else {
        return Err(err(ErrorAction::SessionReset, sub::OPTIONAL_ATTRIBUTE, whole));
    };
    let nh_len = value[3] as usize;
    if value.len() < 5 + nh_len {
        return Err(err(ErrorAction::SessionReset, sub::OPTIONAL_ATTRIBUTE, whole));
    }
    // A next hop length the family does not allow: RFC 7606 §7.11, AFI/SAFI disable.
    if !NextHop::valid_len_for(nh_len, family, ctx) {
        return Err(err(ErrorAction::AfiSafiDisable, sub::OPTIONAL_ATTRIBUTE, whole));
    }
    check_nlri(family, &value[5 + nh_len..], whole, ctx)
}

fn check_mp_unreach(value: &[u8], whole: &Bytes, ctx: &SessionContext) -> Result<(), BgpError> {
    let Some(family) = mp_family(value) else {
        return Err(err(ErrorAction::SessionReset, sub::OPTIONAL_ATTRIBUTE, whole));
    };
    check_nlri(family, &value[3..], whole, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(f: u8, t: u8, v: &[u8]) -> Result<(), BgpError> {
        check_attribute(f, t, v, &Bytes::new(), &SessionContext::default())
    }

    #[test]
    fn origin_with_value_three_is_invalid_origin_and_treat_as_withdraw() {
        let e = check(0x40, tc::ORIGIN, &[3]).err();
        assert_eq!(
            e.map(|e| (e.action, e.notification.subcode)),
            Some((ErrorAction::TreatAsWithdraw, sub::INVALID_ORIGIN))
        );
    }

    #[test]
    fn atomic_aggregate_with_a_value_is_discarded() {
        let e = check(0x40, tc::ATOMIC_AGGREGATE, &[1]).err();
        assert_eq!(e.map(|e| e.action), Some(ErrorAction::AttributeDiscard));
    }

    #[test]
    fn med_marked_transitive_is_a_flags_error() {
        let e = check(0xC0, tc::MED, &[0, 0, 0, 1]).err();
        assert_eq!(
            e.map(|e| (e.action, e.notification.subcode)),
            Some((ErrorAction::TreatAsWithdraw, sub::ATTRIBUTE_FLAGS))
        );
    }

    #[test]
    fn partial_bit_is_allowed_on_optional_transitive_attributes() {
        assert!(check(0xE0, tc::COMMUNITIES, &[0, 0, 0, 1]).is_ok());
        assert!(check(0x60, tc::ORIGIN, &[0]).is_err());
    }
}
