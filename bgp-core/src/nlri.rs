//! NLRI encoding (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3): `[path id (4)] length (1) prefix`.
//!
//! The iterators here walk bytes that [`validate`] has already accepted, so they cannot fail
//! on framing; they build `ipnet` prefixes without allocating.

use bytes::BufMut;
use ipnet::{Ipv4Net, Ipv6Net};
use std::net::{Ipv4Addr, Ipv6Addr};

/// One NLRI entry: a prefix and, under ADD-PATH, its path identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nlri<P> {
    /// ADD-PATH path identifier (RFC 7911), when negotiated for the family.
    pub path_id: Option<u32>,
    /// The prefix. Host bits past the prefix length are kept as received.
    pub prefix: P,
}

impl<P> Nlri<P> {
    /// An NLRI without path identifier.
    pub const fn new(prefix: P) -> Self {
        Nlri { path_id: None, prefix }
    }
}

/// Why an NLRI field did not parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NlriError {
    /// A prefix length above 32 (IPv4) or 128 (IPv6).
    PrefixTooLong,
    /// A prefix or path identifier runs past the end of the field.
    Overrun,
}

/// Checks an NLRI field of `max_bits`-bit prefixes and returns how many prefixes it holds.
pub fn validate(bytes: &[u8], max_bits: u8, add_path: bool) -> Result<usize, NlriError> {
    let skip = if add_path { 4 } else { 0 };
    let end = bytes.len();
    let mut pos = 0;
    let mut count = 0;
    while pos < end {
        let &len = bytes.get(pos + skip).ok_or(NlriError::Overrun)?;
        if len > max_bits {
            return Err(NlriError::PrefixTooLong);
        }
        let step = skip + 1 + (len as usize).div_ceil(8);
        pos += step;
        count += 1;
        // Entries of one length come in runs. Leaving this loop is a well-predicted branch on
        // the next length octet, so the CPU need not wait for that load to find the entry
        // after it. An entry that overruns the field is the last one read: `pos > end` below.
        while bytes.get(pos + skip) == Some(&len) {
            pos += step;
            count += 1;
        }
    }
    if pos > end {
        return Err(NlriError::Overrun);
    }
    Ok(count)
}

#[inline(always)]
fn take_path_id(bytes: &mut &[u8], add_path: bool) -> Option<Option<u32>> {
    if !add_path {
        return Some(None);
    }
    let (id, rest) = bytes.split_first_chunk::<4>()?;
    *bytes = rest;
    Some(Some(u32::from_be_bytes(*id)))
}

/// No run yet: a value no length octet can take.
const NO_RUN: u16 = u16::MAX;

/// Iterator over IPv4 prefixes of a validated NLRI field.
#[derive(Clone, Debug)]
pub struct Ipv4Prefixes<'a> {
    bytes: &'a [u8],
    add_path: bool,
    /// Length octet of the previous entry (or [`NO_RUN`]), its octet count and address mask:
    /// in a run of one length the next entry is found without waiting for its length octet.
    run_len: u16,
    run_octets: usize,
    run_mask: u32,
}

impl<'a> Ipv4Prefixes<'a> {
    /// Walks `bytes`, which must have passed [`validate`] with 32 bits (otherwise the
    /// iterator simply stops at the first malformed entry).
    pub const fn new(bytes: &'a [u8], add_path: bool) -> Self {
        Ipv4Prefixes {
            bytes,
            add_path,
            run_len: NO_RUN,
            run_octets: 0,
            run_mask: 0,
        }
    }
}

impl Iterator for Ipv4Prefixes<'_> {
    type Item = Nlri<Ipv4Net>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let mut b = self.bytes;
        let path_id = take_path_id(&mut b, self.add_path)?;
        let (&len, rest) = b.split_first()?;
        if u16::from(len) != self.run_len {
            let n = (len as usize).div_ceil(8);
            self.run_len = u16::from(len);
            self.run_octets = n;
            self.run_mask = if n == 0 { 0 } else { u32::MAX << (32 - 8 * n.min(4)) };
        }
        let n = self.run_octets;
        let addr = if let Some(word) = rest.first_chunk::<4>() {
            // Fast path: read a whole word and keep only the prefix's octets.
            u32::from_be_bytes(*word) & self.run_mask
        } else {
            let mut a = [0u8; 4];
            let src = rest.get(..n)?;
            a.get_mut(..n)?.copy_from_slice(src);
            u32::from_be_bytes(a)
        };
        self.bytes = rest.get(n..)?;
        let prefix = Ipv4Net::new(Ipv4Addr::from(addr), len).ok()?;
        Some(Nlri { path_id, prefix })
    }
}

/// Iterator over IPv6 prefixes of a validated NLRI field.
#[derive(Clone, Debug)]
pub struct Ipv6Prefixes<'a> {
    bytes: &'a [u8],
    add_path: bool,
    /// As in [`Ipv4Prefixes`]: the previous entry's length octet, octet count and mask.
    run_len: u16,
    run_octets: usize,
    run_mask: u128,
}

impl<'a> Ipv6Prefixes<'a> {
    /// Walks `bytes`, which must have passed [`validate`] with 128 bits.
    pub const fn new(bytes: &'a [u8], add_path: bool) -> Self {
        Ipv6Prefixes {
            bytes,
            add_path,
            run_len: NO_RUN,
            run_octets: 0,
            run_mask: 0,
        }
    }
}

impl Iterator for Ipv6Prefixes<'_> {
    type Item = Nlri<Ipv6Net>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let mut b = self.bytes;
        let path_id = take_path_id(&mut b, self.add_path)?;
        let (&len, rest) = b.split_first()?;
        if u16::from(len) != self.run_len {
            let n = (len as usize).div_ceil(8);
            self.run_len = u16::from(len);
            self.run_octets = n;
            self.run_mask = if n == 0 { 0 } else { u128::MAX << (128 - 8 * n.min(16)) };
        }
        let n = self.run_octets;
        let addr = if let Some(word) = rest.first_chunk::<16>() {
            u128::from_be_bytes(*word) & self.run_mask
        } else {
            let mut a = [0u8; 16];
            let src = rest.get(..n)?;
            a.get_mut(..n)?.copy_from_slice(src);
            u128::from_be_bytes(a)
        };
        self.bytes = rest.get(n..)?;
        let prefix = Ipv6Net::new(Ipv6Addr::from(addr), len).ok()?;
        Some(Nlri { path_id, prefix })
    }
}

/// Encoded size of an IPv4 NLRI.
#[inline]
pub const fn ipv4_len(prefix_len: u8, add_path: bool) -> usize {
    1 + (prefix_len as usize).div_ceil(8) + if add_path { 4 } else { 0 }
}

/// Encoded size of an IPv6 NLRI.
#[inline]
pub const fn ipv6_len(prefix_len: u8, add_path: bool) -> usize {
    ipv4_len(prefix_len, add_path)
}

/// Writes one IPv4 NLRI. With `add_path`, a missing path id is written as 0.
#[inline]
pub fn put_ipv4(out: &mut impl BufMut, nlri: &Nlri<Ipv4Net>, add_path: bool) {
    if add_path {
        out.put_u32(nlri.path_id.unwrap_or(0));
    }
    let len = nlri.prefix.prefix_len();
    out.put_u8(len);
    let n = (len as usize).div_ceil(8);
    out.put_slice(&nlri.prefix.addr().octets()[..n]);
}

/// Writes one IPv6 NLRI. With `add_path`, a missing path id is written as 0.
#[inline]
pub fn put_ipv6(out: &mut impl BufMut, nlri: &Nlri<Ipv6Net>, add_path: bool) {
    if add_path {
        out.put_u32(nlri.path_id.unwrap_or(0));
    }
    let len = nlri.prefix.prefix_len();
    out.put_u8(len);
    let n = (len as usize).div_ceil(8);
    out.put_slice(&nlri.prefix.addr().octets()[..n]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn host_bits_inside_the_last_octet_are_kept() {
        // 10.0.0.7/29 keeps the 7 so that re-encoding gives the same bytes.
        let bytes = [29, 10, 0, 0, 7, 8, 192];
        assert_eq!(validate(&bytes, 32, false), Ok(2));
        let v: Vec<_> = Ipv4Prefixes::new(&bytes, false).map(|n| n.prefix.to_string()).collect();
        assert_eq!(v, ["10.0.0.7/29", "192.0.0.0/8"]);
    }

    #[test]
    fn prefix_longer_than_the_family_is_rejected() {
        assert_eq!(validate(&[33, 1, 2, 3, 4, 5], 32, false), Err(NlriError::PrefixTooLong));
        assert_eq!(validate(&[24, 1, 2], 32, false), Err(NlriError::Overrun));
        assert_eq!(validate(&[0, 0, 0], 32, true), Err(NlriError::Overrun));
    }

    #[test]
    fn add_path_ids_are_read() {
        let bytes = [0, 0, 0, 9, 16, 10, 1];
        let v: Vec<_> = Ipv4Prefixes::new(&bytes, true).collect();
        assert_eq!(
            v,
            [Nlri {
                path_id: Some(9),
                prefix: "10.1.0.0/16".parse().unwrap_or_default()
            }]
        );
    }

    /// The entry-by-entry check the run-aware [`validate`] must agree with.
    fn reference_validate(mut bytes: &[u8], max_bits: u8, add_path: bool) -> Result<usize, NlriError> {
        let mut count = 0;
        while !bytes.is_empty() {
            if add_path {
                bytes = bytes.get(4..).ok_or(NlriError::Overrun)?;
            }
            let (&len, rest) = bytes.split_first().ok_or(NlriError::Overrun)?;
            if len > max_bits {
                return Err(NlriError::PrefixTooLong);
            }
            bytes = rest.get((len as usize).div_ceil(8)..).ok_or(NlriError::Overrun)?;
            count += 1;
        }
        Ok(count)
    }

    /// The entry-by-entry walk the run-aware iterators must agree with, as (path id, length,
    /// address octets masked to the prefix's octets).
    fn reference_walk(mut bytes: &[u8], max_bits: u8, add_path: bool) -> Vec<(Option<u32>, u8, Vec<u8>)> {
        let mut v = Vec::new();
        loop {
            let mut path_id = None;
            if add_path {
                let Some((id, rest)) = bytes.split_first_chunk::<4>() else {
                    break;
                };
                path_id = Some(u32::from_be_bytes(*id));
                bytes = rest;
            }
            let Some((&len, rest)) = bytes.split_first() else { break };
            let n = (len as usize).div_ceil(8);
            let Some(octets) = rest.get(..n) else { break };
            bytes = &rest[n..];
            if len > max_bits {
                break;
            }
            let mut a = octets.to_vec();
            a.resize(usize::from(max_bits / 8), 0);
            v.push((path_id, len, a));
        }
        v
    }

    /// NLRI-like bytes: runs of one length with some noise, so both the run and the
    /// change-of-length paths are taken.
    fn nlri_bytes() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(
            (
                prop::sample::select(vec![0u8, 7, 8, 23, 24, 25, 32, 33, 48, 64, 128, 129]),
                1usize..6,
            ),
            0..12,
        )
        .prop_flat_map(|runs| {
            let total: usize = runs.iter().map(|&(len, k)| k * (5 + (len as usize).div_ceil(8))).sum();
            (Just(runs), prop::collection::vec(any::<u8>(), total..=total), 0usize..4)
        })
        .prop_map(|(runs, fill, cut)| {
            let mut out = Vec::new();
            let mut fill = fill.into_iter();
            for (len, k) in runs {
                for _ in 0..k {
                    out.extend(fill.by_ref().take(4));
                    out.push(len);
                    out.extend(fill.by_ref().take((len as usize).div_ceil(8)));
                }
            }
            out.truncate(out.len().saturating_sub(cut));
            out
        })
    }

    proptest! {
        #[test]
        fn validate_agrees_with_the_entry_by_entry_check(bytes in nlri_bytes(), add_path: bool, raw in prop::collection::vec(any::<u8>(), 0..64)) {
            for b in [&bytes[..], &raw[..]] {
                for max_bits in [32, 128] {
                    prop_assert_eq!(validate(b, max_bits, add_path), reference_validate(b, max_bits, add_path));
                }
            }
        }

        #[test]
        fn iterators_agree_with_the_entry_by_entry_walk(bytes in nlri_bytes(), add_path: bool) {
            let v4: Vec<_> = Ipv4Prefixes::new(&bytes, add_path)
                .map(|n| (n.path_id, n.prefix.prefix_len(), n.prefix.addr().octets().to_vec()))
                .collect();
            let v6: Vec<_> = Ipv6Prefixes::new(&bytes, add_path)
                .map(|n| (n.path_id, n.prefix.prefix_len(), n.prefix.addr().octets().to_vec()))
                .collect();
            prop_assert_eq!(v4, reference_walk(&bytes, 32, add_path));
            prop_assert_eq!(v6, reference_walk(&bytes, 128, add_path));
        }
    }
}
