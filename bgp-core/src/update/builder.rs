//! The UPDATE builder: packs as many NLRI as fit under the negotiated maximum message size
//! (4,096 or 65,535 octets) into each message and splits the rest into further messages.
//!
//! Attributes are encoded once per call; every message then costs one copy of them plus
//! the NLRI octets. IPv6 (and extended-next-hop IPv4) NLRI go into an MP_REACH_NLRI placed
//! first among the attributes, as RFC 7606 §5.1 asks.

use crate::attr::{flags, type_code as tc, NextHop, PathAttribute};
use crate::context::SessionContext;
use crate::nlri::{self, Nlri};
use crate::types::{msg_type, Family, HEADER_LEN};
use bytes::{BufMut, Bytes, BytesMut};
use ipnet::{Ipv4Net, Ipv6Net};

/// Packs routes into UPDATE messages. Reuse one builder per session: its buffer is kept.
#[derive(Debug)]
pub struct UpdateBuilder {
    ctx: SessionContext,
    max: usize,
    buf: BytesMut,
    attrs: BytesMut,
}

fn start(buf: &mut BytesMut, max: usize) -> usize {
    buf.reserve(max + SLACK);
    let at = buf.len();
    buf.put_slice(&[0xff; 16]);
    buf.put_u16(0);
    buf.put_u8(msg_type::UPDATE);
    at
}

fn finish(buf: &mut BytesMut, at: usize) -> Bytes {
    let len = (buf.len() - at) as u16;
    buf[at + 16..at + 18].copy_from_slice(&len.to_be_bytes());
    buf.split().freeze()
}

fn patch_u16(buf: &mut BytesMut, pos: usize, v: usize) {
    buf[pos..pos + 2].copy_from_slice(&(v as u16).to_be_bytes());
}

/// Octets written past an NLRI's end at most: each prefix is stored as a whole address (the
/// octets past its length are overwritten by the next entry or cut off), after a path id.
const SLACK: usize = 4 + 1 + 16;

/// An NLRI the builder can write into a pre-sized buffer.
trait WireNlri {
    /// Encoded size.
    fn wire_len(&self, add_path: bool) -> usize;
    /// Writes the entry at the start of `dst` (which has `wire_len` + [`SLACK`] octets) and
    /// may scribble up to [`SLACK`] octets past its end.
    fn write(&self, dst: &mut [u8], add_path: bool);
}

/// Writes the path id (under ADD-PATH, 0 when missing), the length octet and the whole
/// address `octets`; writes nothing past the end of a too-short `dst` (see [`SLACK`]).
#[inline(always)]
fn write_entry<const N: usize>(dst: &mut [u8], path_id: Option<u32>, len: u8, octets: [u8; N], add_path: bool) {
    let dst = if add_path {
        let Some((id, rest)) = dst.split_first_chunk_mut::<4>() else {
            return;
        };
        *id = path_id.unwrap_or(0).to_be_bytes();
        rest
    } else {
        dst
    };
    if let Some((l, rest)) = dst.split_first_mut() {
        *l = len;
        if let Some(a) = rest.first_chunk_mut::<N>() {
            *a = octets;
        }
    }
}

impl WireNlri for Nlri<Ipv4Net> {
    #[inline(always)]
    fn wire_len(&self, add_path: bool) -> usize {
        nlri::ipv4_len(self.prefix.prefix_len(), add_path)
    }

    #[inline(always)]
    fn write(&self, dst: &mut [u8], add_path: bool) {
        let octets = self.prefix.addr().octets();
        write_entry(dst, self.path_id, self.prefix.prefix_len(), octets, add_path);
    }
}

impl WireNlri for Nlri<Ipv6Net> {
    #[inline(always)]
    fn wire_len(&self, add_path: bool) -> usize {
        nlri::ipv6_len(self.prefix.prefix_len(), add_path)
    }

    #[inline(always)]
    fn write(&self, dst: &mut [u8], add_path: bool) {
        let octets = self.prefix.addr().octets();
        write_entry(dst, self.path_id, self.prefix.prefix_len(), octets, add_path);
    }
}

/// Streams prefixes of one family into the message until `room` octets are used; returns
/// how many were written. The buffer is grown once by `room` (plus slack) and cut back, so
/// each prefix costs a length check and a fixed-size store.
fn pack<N: WireNlri, I: Iterator<Item = N>>(
    buf: &mut BytesMut,
    it: &mut std::iter::Peekable<I>,
    room: usize,
    add_path: bool,
) -> usize {
    let start = buf.len();
    buf.resize(start + room + SLACK, 0);
    let mut used = 0;
    let mut count = 0;
    if let Some(dst) = buf.get_mut(start..) {
        while let Some(n) = it.peek() {
            let l = n.wire_len(add_path);
            if l > room - used {
                break;
            }
            if let Some(d) = dst.get_mut(used..) {
                n.write(d, add_path);
            }
            used += l;
            count += 1;
            it.next();
        }
    }
    buf.truncate(start + used);
    count
}

impl UpdateBuilder {
    /// A builder for the session context `ctx` (message size and ADD-PATH come from it).
    pub fn new(ctx: SessionContext) -> Self {
        UpdateBuilder {
            max: ctx.max_message_len(),
            ctx,
            buf: BytesMut::with_capacity(ctx.max_message_len()),
            attrs: BytesMut::new(),
        }
    }

    /// The context this builder encodes for.
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }

    fn encode_attrs(&mut self, attrs: &[PathAttribute]) -> usize {
        self.attrs.clear();
        for a in attrs {
            if a.type_code() != tc::MP_REACH_NLRI && a.type_code() != tc::MP_UNREACH_NLRI {
                a.encode(&self.ctx, &mut self.attrs);
            }
        }
        self.attrs.len()
    }

    /// Announces IPv4 unicast prefixes in the NLRI field with `attrs` (which must hold the
    /// NEXT_HOP). Messages are appended to `out`. Returns an error when the attributes
    /// alone leave no room for a prefix.
    pub fn announce_ipv4<I>(
        &mut self,
        attrs: &[PathAttribute],
        prefixes: I,
        out: &mut Vec<Bytes>,
    ) -> Result<(), BuildError>
    where
        I: IntoIterator<Item = Nlri<Ipv4Net>>,
    {
        let alen = self.encode_attrs(attrs);
        let ap = self.ctx.add_path_ipv4;
        let fixed = HEADER_LEN + 4 + alen;
        let room = self.max.checked_sub(fixed).ok_or(BuildError::AttributesTooLarge)?;
        let mut it = prefixes.into_iter().peekable();
        while it.peek().is_some() {
            let at = start(&mut self.buf, self.max);
            self.buf.put_u16(0);
            self.buf.put_u16(alen as u16);
            self.buf.put_slice(&self.attrs);
            let n = pack(&mut self.buf, &mut it, room, ap);
            if n == 0 {
                self.buf.clear();
                return Err(BuildError::AttributesTooLarge);
            }
            out.push(finish(&mut self.buf, at));
        }
        Ok(())
    }

    /// Announces IPv6 unicast prefixes in an MP_REACH_NLRI with `next_hop` and `attrs`.
    pub fn announce_ipv6<I>(
        &mut self,
        attrs: &[PathAttribute],
        next_hop: &NextHop,
        prefixes: I,
        out: &mut Vec<Bytes>,
    ) -> Result<(), BuildError>
    where
        I: IntoIterator<Item = Nlri<Ipv6Net>>,
    {
        let ap = self.ctx.add_path_ipv6;
        self.announce_mp(Family::IPV6_UNICAST, attrs, next_hop, prefixes, ap, out)
    }

    /// Announces IPv4 unicast prefixes in an MP_REACH_NLRI with an IPv6 next hop
    /// (RFC 8950 extended next hop).
    pub fn announce_ipv4_mp<I>(
        &mut self,
        attrs: &[PathAttribute],
        next_hop: &NextHop,
        prefixes: I,
        out: &mut Vec<Bytes>,
    ) -> Result<(), BuildError>
    where
        I: IntoIterator<Item = Nlri<Ipv4Net>>,
    {
        let ap = self.ctx.add_path_ipv4;
        self.announce_mp(Family::IPV4_UNICAST, attrs, next_hop, prefixes, ap, out)
    }

    fn announce_mp<N, I>(
        &mut self,
        family: Family,
        attrs: &[PathAttribute],
        next_hop: &NextHop,
        prefixes: I,
        add_path: bool,
        out: &mut Vec<Bytes>,
    ) -> Result<(), BuildError>
    where
        N: WireNlri,
        I: IntoIterator<Item = N>,
    {
        let alen = self.encode_attrs(attrs);
        let nh_len = next_hop.encoded_len();
        // MP_REACH header: flags, type, 2-octet length, AFI, SAFI, NH length, NH, reserved.
        let mp_fixed = 4 + 3 + 1 + nh_len + 1;
        let fixed = HEADER_LEN + 4 + mp_fixed + alen;
        let room = self.max.checked_sub(fixed).ok_or(BuildError::AttributesTooLarge)?;
        let mut it = prefixes.into_iter().peekable();
        while it.peek().is_some() {
            let at = start(&mut self.buf, self.max);
            self.buf.put_u16(0);
            let attr_len_pos = self.buf.len();
            self.buf.put_u16(0);
            self.buf.put_u8(flags::OPTIONAL | flags::EXTENDED_LENGTH);
            self.buf.put_u8(tc::MP_REACH_NLRI);
            let mp_len_pos = self.buf.len();
            self.buf.put_u16(0);
            self.buf.put_u16(family.afi);
            self.buf.put_u8(family.safi);
            self.buf.put_u8(nh_len as u8);
            next_hop.encode(&mut self.buf);
            self.buf.put_u8(0);
            let n = pack(&mut self.buf, &mut it, room, add_path);
            if n == 0 {
                self.buf.clear();
                return Err(BuildError::AttributesTooLarge);
            }
            let mp_len = self.buf.len() - mp_len_pos - 2;
            patch_u16(&mut self.buf, mp_len_pos, mp_len);
            self.buf.put_slice(&self.attrs);
            let attr_len = self.buf.len() - attr_len_pos - 2;
            patch_u16(&mut self.buf, attr_len_pos, attr_len);
            out.push(finish(&mut self.buf, at));
        }
        Ok(())
    }

    /// Withdraws IPv4 unicast prefixes through the Withdrawn Routes field.
    pub fn withdraw_ipv4<I>(&mut self, prefixes: I, out: &mut Vec<Bytes>)
    where
        I: IntoIterator<Item = Nlri<Ipv4Net>>,
    {
        let ap = self.ctx.add_path_ipv4;
        let room = self.max - HEADER_LEN - 4;
        let mut it = prefixes.into_iter().peekable();
        while it.peek().is_some() {
            let at = start(&mut self.buf, self.max);
            let wpos = self.buf.len();
            self.buf.put_u16(0);
            let n = pack(&mut self.buf, &mut it, room, ap);
            let wlen = self.buf.len() - wpos - 2;
            patch_u16(&mut self.buf, wpos, wlen);
            self.buf.put_u16(0);
            debug_assert!(n > 0);
            out.push(finish(&mut self.buf, at));
        }
    }

    /// Withdraws IPv6 unicast prefixes through an MP_UNREACH_NLRI.
    pub fn withdraw_ipv6<I>(&mut self, prefixes: I, out: &mut Vec<Bytes>)
    where
        I: IntoIterator<Item = Nlri<Ipv6Net>>,
    {
        let ap = self.ctx.add_path_ipv6;
        let family = Family::IPV6_UNICAST;
        let room = self.max - HEADER_LEN - 4 - 7;
        let mut it = prefixes.into_iter().peekable();
        while it.peek().is_some() {
            let at = start(&mut self.buf, self.max);
            self.buf.put_u16(0);
            let attr_len_pos = self.buf.len();
            self.buf.put_u16(0);
            self.buf.put_u8(flags::OPTIONAL | flags::EXTENDED_LENGTH);
            self.buf.put_u8(tc::MP_UNREACH_NLRI);
            let mp_len_pos = self.buf.len();
            self.buf.put_u16(0);
            self.buf.put_u16(family.afi);
            self.buf.put_u8(family.safi);
            pack(&mut self.buf, &mut it, room, ap);
            let mp_len = self.buf.len() - mp_len_pos - 2;
            patch_u16(&mut self.buf, mp_len_pos, mp_len);
            let attr_len = self.buf.len() - attr_len_pos - 2;
            patch_u16(&mut self.buf, attr_len_pos, attr_len);
            out.push(finish(&mut self.buf, at));
        }
    }
}

/// Why the builder could not pack a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// The attributes leave no room for even one prefix under the maximum message size.
    AttributesTooLarge,
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("path attributes leave no room for NLRI under the maximum message size")
    }
}

impl std::error::Error for BuildError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::{AsPath, AttrValue, Origin};
    use crate::update::UpdateView;
    use proptest::prelude::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn attributes(next_hop: bool) -> Vec<PathAttribute> {
        let mut v = vec![
            PathAttribute::new(AttrValue::Origin(Origin::Igp)),
            PathAttribute::new(AttrValue::AsPath(AsPath::sequence(vec![64_500, 64_501]))),
        ];
        if next_hop {
            v.push(PathAttribute::new(AttrValue::NextHop(Ipv4Addr::new(192, 0, 2, 1))));
        }
        v
    }

    fn context(add_path: bool, extended_message: bool) -> SessionContext {
        SessionContext {
            add_path_ipv4: add_path,
            add_path_ipv6: add_path,
            extended_message,
            ..SessionContext::default()
        }
    }

    fn v4_routes() -> impl Strategy<Value = Vec<Nlri<Ipv4Net>>> {
        prop::collection::vec((any::<u32>(), 0u8..=32, any::<Option<u32>>()), 0..1_500).prop_map(|v| {
            v.into_iter()
                .filter_map(|(a, l, id)| {
                    Some(Nlri {
                        path_id: id,
                        prefix: Ipv4Net::new(Ipv4Addr::from(a), l).ok()?,
                    })
                })
                .collect()
        })
    }

    fn v6_routes() -> impl Strategy<Value = Vec<Nlri<Ipv6Net>>> {
        prop::collection::vec((any::<u128>(), 0u8..=128, any::<Option<u32>>()), 0..1_000).prop_map(|v| {
            v.into_iter()
                .filter_map(|(a, l, id)| {
                    Some(Nlri {
                        path_id: id,
                        prefix: Ipv6Net::new(Ipv6Addr::from(a), l).ok()?,
                    })
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn packed_ipv4_nlri_are_the_octets_of_each_route_in_order(routes in v4_routes(), add_path: bool, ext: bool) {
            let ctx = context(add_path, ext);
            let mut out = Vec::new();
            UpdateBuilder::new(ctx).announce_ipv4(&attributes(true), routes.iter().copied(), &mut out).expect("the attributes leave room");
            let mut expected = BytesMut::new();
            routes.iter().for_each(|r| nlri::put_ipv4(&mut expected, r, add_path));
            let mut got = Vec::new();
            for frame in out {
                prop_assert!(frame.len() <= ctx.max_message_len());
                let view = UpdateView::parse(frame, &ctx).expect("decodes");
                prop_assert!(view.error().is_none());
                got.extend_from_slice(view.nlri_bytes());
            }
            prop_assert_eq!(&got[..], &expected[..]);
        }

        #[test]
        fn packed_ipv6_nlri_are_the_octets_of_each_route_in_order(routes in v6_routes(), add_path: bool, ext: bool) {
            let ctx = context(add_path, ext);
            let next_hop = NextHop::V6 { global: Ipv6Addr::LOCALHOST, link_local: None };
            let mut out = Vec::new();
            UpdateBuilder::new(ctx).announce_ipv6(&attributes(false), &next_hop, routes.iter().copied(), &mut out).expect("the attributes leave room");
            let mut expected = BytesMut::new();
            routes.iter().for_each(|r| nlri::put_ipv6(&mut expected, r, add_path));
            let mut got = Vec::new();
            for frame in out {
                prop_assert!(frame.len() <= ctx.max_message_len());
                let view = UpdateView::parse(frame, &ctx).expect("decodes");
                prop_assert!(view.error().is_none());
                got.extend_from_slice(view.mp_reach().expect("has MP_REACH").nlri);
            }
            prop_assert_eq!(&got[..], &expected[..]);
        }

        #[test]
        fn withdrawals_carry_the_octets_of_each_route_in_order(v4 in v4_routes(), v6 in v6_routes(), add_path: bool) {
            let ctx = context(add_path, false);
            let mut b = UpdateBuilder::new(ctx);
            let (mut out4, mut out6) = (Vec::new(), Vec::new());
            b.withdraw_ipv4(v4.iter().copied(), &mut out4);
            b.withdraw_ipv6(v6.iter().copied(), &mut out6);
            let (mut exp4, mut exp6) = (BytesMut::new(), BytesMut::new());
            v4.iter().for_each(|r| nlri::put_ipv4(&mut exp4, r, add_path));
            v6.iter().for_each(|r| nlri::put_ipv6(&mut exp6, r, add_path));
            let (mut got4, mut got6) = (Vec::new(), Vec::new());
            for frame in out4 {
                got4.extend_from_slice(UpdateView::parse(frame, &ctx).expect("decodes").withdrawn_bytes());
            }
            for frame in out6 {
                got6.extend_from_slice(UpdateView::parse(frame, &ctx).expect("decodes").mp_unreach().expect("has MP_UNREACH").nlri);
            }
            prop_assert_eq!(&got4[..], &exp4[..]);
            prop_assert_eq!(&got6[..], &exp6[..]);
        }
    }
}
