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
    buf.reserve(max);
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

/// Streams prefixes of one family into the message until `room` octets are used; returns
/// how many were written.
fn pack<P, I: Iterator<Item = Nlri<P>>>(
    buf: &mut BytesMut,
    it: &mut std::iter::Peekable<I>,
    mut room: usize,
    len_of: impl Fn(&Nlri<P>) -> usize,
    put: impl Fn(&mut BytesMut, &Nlri<P>),
) -> usize {
    let mut count = 0;
    while let Some(n) = it.peek() {
        let l = len_of(n);
        if l > room {
            break;
        }
        put(buf, n);
        room -= l;
        count += 1;
        it.next();
    }
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
            let n = pack(
                &mut self.buf,
                &mut it,
                room,
                |n| nlri::ipv4_len(n.prefix.prefix_len(), ap),
                |b, n| nlri::put_ipv4(b, n, ap),
            );
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
        self.announce_mp(
            Family::IPV6_UNICAST,
            attrs,
            next_hop,
            prefixes,
            |n| nlri::ipv6_len(n.prefix.prefix_len(), ap),
            move |b, n| nlri::put_ipv6(b, n, ap),
            out,
        )
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
        self.announce_mp(
            Family::IPV4_UNICAST,
            attrs,
            next_hop,
            prefixes,
            |n| nlri::ipv4_len(n.prefix.prefix_len(), ap),
            move |b, n| nlri::put_ipv4(b, n, ap),
            out,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn announce_mp<P, I>(
        &mut self,
        family: Family,
        attrs: &[PathAttribute],
        next_hop: &NextHop,
        prefixes: I,
        len_of: impl Fn(&Nlri<P>) -> usize + Copy,
        put: impl Fn(&mut BytesMut, &Nlri<P>) + Copy,
        out: &mut Vec<Bytes>,
    ) -> Result<(), BuildError>
    where
        I: IntoIterator<Item = Nlri<P>>,
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
            let n = pack(&mut self.buf, &mut it, room, len_of, put);
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
            let n = pack(
                &mut self.buf,
                &mut it,
                room,
                |n| nlri::ipv4_len(n.prefix.prefix_len(), ap),
                |b, n| nlri::put_ipv4(b, n, ap),
            );
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
            pack(
                &mut self.buf,
                &mut it,
                room,
                |n| nlri::ipv6_len(n.prefix.prefix_len(), ap),
                |b, n| nlri::put_ipv6(b, n, ap),
            );
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
