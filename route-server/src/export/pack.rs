//! Packing a family's prefixes into UPDATEs: IPv4 in the classic NLRI field (or in
//! MP_REACH_NLRI when the next hop is IPv6, RFC 8950), IPv6 in MP_REACH_NLRI /
//! MP_UNREACH_NLRI, all through [`bgp_core::UpdateBuilder`].

use crate::prefix::RoutePrefix;
use bgp_core::attr::{NextHop, PathAttribute};
use bgp_core::nlri::Nlri;
use bgp_core::update::BuildError;
use bgp_core::UpdateBuilder;
use bytes::Bytes;
use ipnet::{Ipv4Net, Ipv6Net};

/// A prefix type the route server can announce and withdraw.
pub trait Pack: RoutePrefix {
    /// Packs announcements of `prefixes` with `attrs` (and, for MP families, `next_hop`).
    fn announce(
        builder: &mut UpdateBuilder,
        attrs: &[PathAttribute],
        next_hop: &NextHop,
        prefixes: impl Iterator<Item = Nlri<Self>>,
        out: &mut Vec<Bytes>,
    ) -> Result<(), BuildError>;
    /// Packs withdrawals of `prefixes`.
    fn withdraw(builder: &mut UpdateBuilder, prefixes: impl Iterator<Item = Nlri<Self>>, out: &mut Vec<Bytes>);
}

impl Pack for Ipv4Net {
    fn announce(
        builder: &mut UpdateBuilder,
        attrs: &[PathAttribute],
        next_hop: &NextHop,
        prefixes: impl Iterator<Item = Nlri<Self>>,
        out: &mut Vec<Bytes>,
    ) -> Result<(), BuildError> {
        match next_hop {
            NextHop::V6 { .. } => builder.announce_ipv4_mp(attrs, next_hop, prefixes, out),
            _ => builder.announce_ipv4(attrs, prefixes, out),
        }
    }

    fn withdraw(builder: &mut UpdateBuilder, prefixes: impl Iterator<Item = Nlri<Self>>, out: &mut Vec<Bytes>) {
        builder.withdraw_ipv4(prefixes, out);
    }
}

impl Pack for Ipv6Net {
    fn announce(
        builder: &mut UpdateBuilder,
        attrs: &[PathAttribute],
        next_hop: &NextHop,
        prefixes: impl Iterator<Item = Nlri<Self>>,
        out: &mut Vec<Bytes>,
    ) -> Result<(), BuildError> {
        builder.announce_ipv6(attrs, next_hop, prefixes, out)
    }

    fn withdraw(builder: &mut UpdateBuilder, prefixes: impl Iterator<Item = Nlri<Self>>, out: &mut Vec<Bytes>) {
        builder.withdraw_ipv6(prefixes, out);
    }
}
