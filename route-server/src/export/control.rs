//! The announcement-control communities a route server honours (RFC 1997 well-known ones and
//! the IXP conventions of RFC 7947 §2.3.2 / Euro-IX): which clients a route may go to, read
//! once per attribute set.

use bgp_core::attr::{AttrValue, Community, LargeCommunity, PathAttribute};

/// The export controls a route's communities carry for a route server of ASN `RS`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportControl {
    /// NO_EXPORT (RFC 1997): exported to no client.
    pub no_export: bool,
    /// NO_ADVERTISE (RFC 1997): exported to no client.
    pub no_advertise: bool,
    /// `0:RS`: announce to nobody except the `RS:PEER` / `RS:1:PEER` ones.
    pub block_all: bool,
    /// `0:PEER` and `RS:0:PEER`: do not announce to these ASNs.
    pub deny: Vec<u32>,
    /// `RS:PEER` and `RS:1:PEER`: announce to these ASNs.
    pub allow: Vec<u32>,
}

impl ExportControl {
    /// The controls carried by the COMMUNITIES and LARGE_COMMUNITY attributes of `attrs` for
    /// route server `rs`.
    pub fn of(attrs: &[PathAttribute], rs: u32) -> Self {
        let mut control = ExportControl::default();
        for a in attrs {
            match &a.value {
                AttrValue::Communities(cs) => cs.iter().for_each(|c| control.add_community(*c, rs)),
                AttrValue::LargeCommunities(ls) => ls.iter().for_each(|l| control.add_large(l, rs)),
                _ => {}
            }
        }
        control
    }

    fn add_community(&mut self, c: Community, rs: u32) {
        if c == Community::NO_EXPORT {
            self.no_export = true;
        } else if c == Community::NO_ADVERTISE {
            self.no_advertise = true;
        } else if c.high() == 0 {
            if c.low() as u32 == rs {
                self.block_all = true;
            } else {
                self.deny.push(c.low() as u32);
            }
        } else if rs <= 0xFFFF && c.high() as u32 == rs {
            self.allow.push(c.low() as u32);
        }
    }

    fn add_large(&mut self, l: &LargeCommunity, rs: u32) {
        if l.global != rs {
            return;
        }
        match l.local1 {
            0 => self.deny.push(l.local2),
            1 => self.allow.push(l.local2),
            _ => {}
        }
    }

    /// Whether a route with these controls may be exported to a client of ASN `asn`.
    #[inline]
    pub fn allows(&self, asn: u32) -> bool {
        if self.no_export || self.no_advertise || self.deny.contains(&asn) {
            return false;
        }
        !self.block_all || self.allow.contains(&asn)
    }

    /// Whether nothing restricts the export.
    #[inline]
    pub fn is_open(&self) -> bool {
        !self.no_export && !self.no_advertise && !self.block_all && self.deny.is_empty()
    }
}

/// Whether `c` is an announcement-control community of route server `rs`, removed before
/// sending: every `0:x` and every `RS:x` standard community (when `RS` fits in 16 bits).
pub fn is_control_community(c: Community, rs: u32) -> bool {
    c.high() == 0 || (rs <= 0xFFFF && c.high() as u32 == rs)
}

/// Whether `l` is an announcement-control large community of route server `rs`
/// (`RS:0:x` or `RS:1:x`), removed before sending.
pub fn is_control_large_community(l: &LargeCommunity, rs: u32) -> bool {
    l.global == rs && l.local1 <= 1
}
