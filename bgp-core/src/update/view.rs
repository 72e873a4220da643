//! The zero-copy UPDATE view: one pass validates the framing and every attribute
//! (RFC 4271 §6.3, RFC 7606), then iterators walk byte ranges of the frame.
//!
//! ```text
//! header (19) | withdrawn len (2) | withdrawn routes | total attr len (2) | attributes | NLRI
//! ```

use crate::attr::{self, flags, type_code as tc, PathAttribute};
use crate::context::SessionContext;
use crate::error::{code, BgpError, ErrorAction, Notification};
use crate::nlri::{self, Ipv4Prefixes, Ipv6Prefixes};
use crate::types::{Family, AFI_IPV4, AFI_IPV6, HEADER_LEN, SAFI_UNICAST};
use bytes::Bytes;
use std::ops::Range;

/// A validated UPDATE that borrows nothing: it holds the frame (`Bytes`, reference counted)
/// and offsets into it.
#[derive(Clone, Debug)]
pub struct UpdateView {
    frame: Bytes,
    ctx: SessionContext,
    withdrawn: (u16, u16),
    attrs: (u16, u16),
    nlri: (u16, u16),
    /// Offset of the first accepted occurrence of each attribute type up to 32 (0: absent).
    known: [u16; 33],
    /// Offsets of attributes dropped under "attribute discard" (empty in the normal case).
    discarded: Vec<u16>,
    /// The strongest non-fatal error (treat-as-withdraw or attribute discard).
    error: Option<BgpError>,
}

/// One attribute as it stands in the frame.
#[derive(Clone, Copy, Debug)]
pub struct RawAttribute<'a> {
    /// Flags octet.
    pub flags: u8,
    /// Type code.
    pub type_code: u8,
    /// Value bytes.
    pub value: &'a [u8],
    /// Offset of the attribute header in the frame.
    pub offset: usize,
}

/// Reads the attribute header at `pos`; `None` when it does not fit before `end`.
#[inline]
fn read_attr(buf: &[u8], pos: usize, end: usize) -> Option<(u8, u8, Range<usize>)> {
    let f = *buf.get(pos)?;
    let t = *buf.get(pos + 1)?;
    let hdr = attr::header_len(f);
    let len = if hdr == 4 {
        u16::from_be_bytes([*buf.get(pos + 2)?, *buf.get(pos + 3)?]) as usize
    } else {
        *buf.get(pos + 2)? as usize
    };
    let start = pos + hdr;
    if start > end || start + len > end {
        return None;
    }
    Some((f, t, start..start + len))
}

/// Merges a non-fatal error into `slot`, keeping the strongest action (RFC 7606 §3 (i)).
fn note(slot: &mut Option<BgpError>, e: BgpError) {
    match slot {
        Some(old) if old.action >= e.action => {}
        _ => *slot = Some(e),
    }
}

impl UpdateView {
    /// Validates an UPDATE frame (header included) under `ctx`.
    ///
    /// `Err` carries errors whose action is session reset or AFI/SAFI disable: the message
    /// cannot be used. Treat-as-withdraw and attribute discard leave a usable view and are
    /// reported by [`UpdateView::error`].
    ///
    /// (Over 100 lines on purpose: the one validating pass over the message, RFC 4271 §6.3
    /// and RFC 7606 rule by rule in wire order; split, the offsets and the running error
    /// state would have to travel between the parts.)
    pub fn parse(frame: Bytes, ctx: &SessionContext) -> Result<UpdateView, BgpError> {
        let buf = &frame[..];
        let total = buf.len();
        let malformed_list = || BgpError::reset_code(code::UPDATE, code::update::MALFORMED_ATTRIBUTE_LIST);
        if total < HEADER_LEN + 4 || total > u16::MAX as usize {
            return Err(BgpError::reset(Notification::with_data(
                code::MESSAGE_HEADER,
                code::header::BAD_MESSAGE_LENGTH,
                (total.min(u16::MAX as usize) as u16).to_be_bytes().to_vec(),
            )));
        }
        let wlen = u16::from_be_bytes([buf[19], buf[20]]) as usize;
        let w_start = HEADER_LEN + 2;
        let w_end = w_start + wlen;
        // RFC 4271 §6.3: Withdrawn Routes Length + Total Attribute Length + 23 > length.
        if w_end + 2 > total {
            return Err(malformed_list());
        }
        let alen = u16::from_be_bytes([buf[w_end], buf[w_end + 1]]) as usize;
        let a_start = w_end + 2;
        let a_end = a_start + alen;
        if a_end > total {
            return Err(malformed_list());
        }
        let add_v4 = ctx.add_path_ipv4;
        if nlri::validate(&buf[w_start..w_end], 32, add_v4).is_err() {
            return Err(BgpError::reset_code(code::UPDATE, code::update::INVALID_NETWORK_FIELD));
        }
        let nlri_count = match nlri::validate(&buf[a_end..], 32, add_v4) {
            Ok(n) => n,
            Err(_) => return Err(BgpError::reset_code(code::UPDATE, code::update::INVALID_NETWORK_FIELD)),
        };

        let mut view = UpdateView {
            ctx: *ctx,
            withdrawn: (w_start as u16, w_end as u16),
            attrs: (a_start as u16, a_end as u16),
            nlri: (a_end as u16, total as u16),
            known: [0; 33],
            discarded: Vec::new(),
            error: None,
            frame: Bytes::new(),
        };
        let mut seen = [0u64; 4];
        let mut pos = a_start;
        while pos < a_end {
            let Some((f, t, value)) = read_attr(buf, pos, a_end) else {
                // RFC 7606 §4: an attribute overrunning the Total Attribute Length, or too few
                // octets left for a header: treat-as-withdraw; the NLRI are still located by
                // the Total Attribute Length.
                note(
                    &mut view.error,
                    BgpError::new(
                        ErrorAction::TreatAsWithdraw,
                        Notification::new(code::UPDATE, code::update::MALFORMED_ATTRIBUTE_LIST),
                    ),
                );
                break;
            };
            let next = value.end;
            let bit = 1u64 << (t % 64);
            let duplicate = seen[(t / 64) as usize] & bit != 0;
            seen[(t / 64) as usize] |= bit;
            if duplicate {
                // RFC 7606 §3 (g): MP_REACH/MP_UNREACH twice → session reset; any other
                // repeated attribute: keep the first, discard the rest.
                if t == tc::MP_REACH_NLRI || t == tc::MP_UNREACH_NLRI {
                    return Err(malformed_list());
                }
                view.discarded.push(pos as u16);
                note(
                    &mut view.error,
                    BgpError::new(
                        ErrorAction::AttributeDiscard,
                        Notification::new(code::UPDATE, code::update::MALFORMED_ATTRIBUTE_LIST),
                    ),
                );
                pos = next;
                continue;
            }
            if attr::expected_flags(t).is_none() && f & flags::OPTIONAL == 0 {
                // An unrecognized well-known attribute (RFC 4271 §6.3; not revised by 7606).
                return Err(BgpError::reset(Notification::with_data(
                    code::UPDATE,
                    code::update::UNRECOGNIZED_WELL_KNOWN,
                    frame.slice(pos..next),
                )));
            }
            if let Err(e) = attr::check_attribute(f, t, &buf[value.clone()], &frame.slice(pos..next), ctx) {
                match e.action {
                    ErrorAction::SessionReset | ErrorAction::AfiSafiDisable => return Err(e),
                    ErrorAction::AttributeDiscard => view.discarded.push(pos as u16),
                    ErrorAction::TreatAsWithdraw => {}
                }
                note(&mut view.error, e);
            } else if (t as usize) < view.known.len() {
                view.known[t as usize] = pos as u16;
            }
            pos = next;
        }

        // RFC 7606 §3 (d): missing well-known mandatory attributes → treat-as-withdraw, but
        // only when the UPDATE announces something. An attribute discard found earlier does not
        // excuse it (§3 (i): the strongest action wins); an earlier treat-as-withdraw already
        // covers it (and may be why the attribute is not in `known`).
        let has_mp_reach = view.known[tc::MP_REACH_NLRI as usize] != 0;
        let weaker_than_withdraw = view
            .error
            .as_ref()
            .is_none_or(|e| e.action < ErrorAction::TreatAsWithdraw);
        if weaker_than_withdraw && (nlri_count > 0 || has_mp_reach) {
            let mut required = [tc::ORIGIN, tc::AS_PATH, 0];
            if nlri_count > 0 {
                required[2] = tc::NEXT_HOP;
            }
            if let Some(&missing) = required.iter().find(|&&t| t != 0 && view.known[t as usize] == 0) {
                note(
                    &mut view.error,
                    BgpError::new(
                        ErrorAction::TreatAsWithdraw,
                        Notification::with_data(code::UPDATE, code::update::MISSING_WELL_KNOWN, vec![missing]),
                    ),
                );
            }
        }
        view.frame = frame;
        Ok(view)
    }

    /// The frame this view reads.
    pub fn frame(&self) -> &Bytes {
        &self.frame
    }

    /// The context it was decoded under.
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }

    /// The strongest non-fatal error found (treat-as-withdraw or attribute discard).
    pub fn error(&self) -> Option<&BgpError> {
        self.error.as_ref()
    }

    /// Whether RFC 7606 says to treat every announced route as withdrawn.
    pub fn treat_as_withdraw(&self) -> bool {
        matches!(&self.error, Some(e) if e.action == ErrorAction::TreatAsWithdraw)
    }

    fn range(&self, r: (u16, u16)) -> &[u8] {
        &self.frame[r.0 as usize..r.1 as usize]
    }

    /// The IPv4 prefixes of the Withdrawn Routes field.
    pub fn withdrawn_ipv4(&self) -> Ipv4Prefixes<'_> {
        Ipv4Prefixes::new(self.range(self.withdrawn), self.ctx.add_path_ipv4)
    }

    /// The IPv4 prefixes of the NLRI field.
    pub fn announced_ipv4(&self) -> Ipv4Prefixes<'_> {
        Ipv4Prefixes::new(self.range(self.nlri), self.ctx.add_path_ipv4)
    }

    /// Raw Withdrawn Routes field.
    pub fn withdrawn_bytes(&self) -> &[u8] {
        self.range(self.withdrawn)
    }

    /// Raw NLRI field.
    pub fn nlri_bytes(&self) -> &[u8] {
        self.range(self.nlri)
    }

    /// Raw path attributes field.
    pub fn attributes_bytes(&self) -> &[u8] {
        self.range(self.attrs)
    }

    /// Every attribute in wire order, except those discarded under RFC 7606.
    pub fn attributes(&self) -> impl Iterator<Item = RawAttribute<'_>> + '_ {
        let buf = &self.frame[..];
        let end = self.attrs.1 as usize;
        let mut pos = self.attrs.0 as usize;
        std::iter::from_fn(move || loop {
            let (f, t, value) = read_attr(buf, pos, end)?;
            let offset = pos;
            pos = value.end;
            if !self.discarded.is_empty() && self.discarded.contains(&(offset as u16)) {
                continue;
            }
            return Some(RawAttribute {
                flags: f,
                type_code: t,
                value: &buf[value],
                offset,
            });
        })
    }

    /// The value of the accepted attribute of type `t` (≤ 32), if present.
    pub fn attribute(&self, t: u8) -> Option<&[u8]> {
        let pos = *self.known.get(t as usize)? as usize;
        if pos == 0 {
            return None;
        }
        read_attr(&self.frame, pos, self.attrs.1 as usize).map(|(_, _, r)| &self.frame[r])
    }

    /// Same as [`UpdateView::attribute`] but as a zero-copy `Bytes` slice of the frame.
    pub fn attribute_bytes(&self, t: u8) -> Option<Bytes> {
        self.attribute(t).map(|s| self.frame.slice_ref(s))
    }

    /// The MP_REACH_NLRI, if any: family, next-hop bytes and NLRI bytes.
    pub fn mp_reach(&self) -> Option<MpReachView<'_>> {
        let v = self.attribute(tc::MP_REACH_NLRI)?;
        let family = Family::new(u16::from_be_bytes([v[0], v[1]]), v[2]);
        let nh_len = v[3] as usize;
        Some(MpReachView {
            family,
            next_hop: &v[4..4 + nh_len],
            nlri: &v[5 + nh_len..],
            add_path: self.ctx.add_path(family),
        })
    }

    /// The MP_UNREACH_NLRI, if any.
    pub fn mp_unreach(&self) -> Option<MpUnreachView<'_>> {
        let v = self.attribute(tc::MP_UNREACH_NLRI)?;
        let family = Family::new(u16::from_be_bytes([v[0], v[1]]), v[2]);
        Some(MpUnreachView {
            family,
            nlri: &v[3..],
            add_path: self.ctx.add_path(family),
        })
    }

    /// The family this UPDATE is an End-of-RIB marker for (RFC 4724 §2): an empty UPDATE for
    /// IPv4 unicast, or one whose only attribute is an empty MP_UNREACH_NLRI.
    pub fn end_of_rib(&self) -> Option<Family> {
        if self.withdrawn.0 != self.withdrawn.1 || self.nlri.0 != self.nlri.1 {
            return None;
        }
        if self.attrs.0 == self.attrs.1 {
            return Some(Family::IPV4_UNICAST);
        }
        let mut it = self.attributes();
        let only = it.next()?;
        if it.next().is_some() || only.type_code != tc::MP_UNREACH_NLRI || only.value.len() != 3 {
            return None;
        }
        Some(Family::new(
            u16::from_be_bytes([only.value[0], only.value[1]]),
            only.value[2],
        ))
    }

    /// The attributes as owned values, in wire order (MP attributes included).
    pub fn owned_attributes(&self) -> Vec<PathAttribute> {
        self.attributes()
            .filter_map(|a| {
                let value = attr::AttrValue::decode(a.type_code, &self.frame.slice_ref(a.value), &self.ctx)?;
                Some(PathAttribute { flags: a.flags, value })
            })
            .collect()
    }
}

/// A borrowed MP_REACH_NLRI.
#[derive(Clone, Copy, Debug)]
pub struct MpReachView<'a> {
    /// AFI/SAFI.
    pub family: Family,
    /// Next-hop bytes.
    pub next_hop: &'a [u8],
    /// NLRI bytes.
    pub nlri: &'a [u8],
    add_path: bool,
}

impl<'a> MpReachView<'a> {
    /// IPv4 unicast prefixes (empty for other families).
    pub fn ipv4(&self) -> Ipv4Prefixes<'a> {
        let b = if (self.family.afi, self.family.safi) == (AFI_IPV4, SAFI_UNICAST) {
            self.nlri
        } else {
            &[]
        };
        Ipv4Prefixes::new(b, self.add_path)
    }

    /// IPv6 unicast prefixes (empty for other families).
    pub fn ipv6(&self) -> Ipv6Prefixes<'a> {
        let b = if (self.family.afi, self.family.safi) == (AFI_IPV6, SAFI_UNICAST) {
            self.nlri
        } else {
            &[]
        };
        Ipv6Prefixes::new(b, self.add_path)
    }
}

/// A borrowed MP_UNREACH_NLRI.
#[derive(Clone, Copy, Debug)]
pub struct MpUnreachView<'a> {
    /// AFI/SAFI.
    pub family: Family,
    /// Withdrawn NLRI bytes.
    pub nlri: &'a [u8],
    add_path: bool,
}

impl<'a> MpUnreachView<'a> {
    /// IPv4 unicast prefixes (empty for other families).
    pub fn ipv4(&self) -> Ipv4Prefixes<'a> {
        let b = if (self.family.afi, self.family.safi) == (AFI_IPV4, SAFI_UNICAST) {
            self.nlri
        } else {
            &[]
        };
        Ipv4Prefixes::new(b, self.add_path)
    }

    /// IPv6 unicast prefixes (empty for other families).
    pub fn ipv6(&self) -> Ipv6Prefixes<'a> {
        let b = if (self.family.afi, self.family.safi) == (AFI_IPV6, SAFI_UNICAST) {
            self.nlri
        } else {
            &[]
        };
        Ipv6Prefixes::new(b, self.add_path)
    }
}
