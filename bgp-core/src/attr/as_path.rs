//! AS_PATH and AS4_PATH (RFC 4271 §4.3, RFC 5065 confederation segments, RFC 6793).
//!
//! ```text
//! +-----------------+-------------------+------------------------------+
//! | segment type (1)| segment length (1)| ASNs (length x 2 or 4 octets)|
//! +-----------------+-------------------+------------------------------+
//! ```

use crate::types::AS_TRANS;
use bytes::BufMut;

/// The type of an AS_PATH segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum SegmentType {
    /// AS_SET (1): unordered.
    Set,
    /// AS_SEQUENCE (2): ordered, left-most is the neighbour.
    Sequence,
    /// AS_CONFED_SEQUENCE (3), RFC 5065.
    ConfedSequence,
    /// AS_CONFED_SET (4), RFC 5065.
    ConfedSet,
}

impl SegmentType {
    /// The wire code.
    pub const fn code(self) -> u8 {
        match self {
            SegmentType::Set => 1,
            SegmentType::Sequence => 2,
            SegmentType::ConfedSequence => 3,
            SegmentType::ConfedSet => 4,
        }
    }

    /// From the wire code.
    pub const fn from_code(c: u8) -> Option<Self> {
        match c {
            1 => Some(SegmentType::Set),
            2 => Some(SegmentType::Sequence),
            3 => Some(SegmentType::ConfedSequence),
            4 => Some(SegmentType::ConfedSet),
            _ => None,
        }
    }

    /// `set`, `sequence`, `confed-sequence` or `confed-set`.
    pub const fn name(self) -> &'static str {
        match self {
            SegmentType::Set => "set",
            SegmentType::Sequence => "sequence",
            SegmentType::ConfedSequence => "confed-sequence",
            SegmentType::ConfedSet => "confed-set",
        }
    }

    /// From [`SegmentType::name`].
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "set" => Some(SegmentType::Set),
            "sequence" => Some(SegmentType::Sequence),
            "confed-sequence" => Some(SegmentType::ConfedSequence),
            "confed-set" => Some(SegmentType::ConfedSet),
            _ => None,
        }
    }
}

/// One AS_PATH segment.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Segment {
    /// Segment type.
    pub kind: SegmentType,
    /// The ASNs, as on the wire (at most 255 per segment).
    pub asns: Vec<u32>,
}

/// An AS path: a list of segments. Used for AS_PATH and AS4_PATH.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct AsPath {
    /// The segments, in wire order.
    pub segments: Vec<Segment>,
}

/// Why an AS path did not parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsPathError {
    /// Segment type not 1..=4.
    BadSegmentType,
    /// A segment with zero ASNs (RFC 7606 §7.2).
    EmptySegment,
    /// A segment runs past the attribute, or bytes are left over.
    Overrun,
}

impl AsPath {
    /// A path of one AS_SEQUENCE.
    pub fn sequence(asns: impl Into<Vec<u32>>) -> Self {
        AsPath {
            segments: vec![Segment {
                kind: SegmentType::Sequence,
                asns: asns.into(),
            }],
        }
    }

    /// Checks the framing of a wire AS path with `width`-octet ASNs without allocating.
    pub fn validate(mut bytes: &[u8], width: usize) -> Result<(), AsPathError> {
        while !bytes.is_empty() {
            let [t, n, rest @ ..] = bytes else {
                return Err(AsPathError::Overrun);
            };
            if SegmentType::from_code(*t).is_none() {
                return Err(AsPathError::BadSegmentType);
            }
            if *n == 0 {
                return Err(AsPathError::EmptySegment);
            }
            let len = *n as usize * width;
            if rest.len() < len {
                return Err(AsPathError::Overrun);
            }
            bytes = &rest[len..];
        }
        Ok(())
    }

    /// Decodes a wire AS path with `width`-octet ASNs (2 or 4).
    pub fn decode(bytes: &[u8], width: usize) -> Result<Self, AsPathError> {
        Self::validate(bytes, width)?;
        let mut segments = Vec::new();
        let mut rest = bytes;
        while let [t, n, tail @ ..] = rest {
            let kind = SegmentType::from_code(*t).ok_or(AsPathError::BadSegmentType)?;
            let len = *n as usize * width;
            let (body, tail) = tail.split_at_checked(len).ok_or(AsPathError::Overrun)?;
            let asns = if width == 4 {
                body.chunks_exact(4)
                    .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                    .collect()
            } else {
                body.chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]) as u32)
                    .collect()
            };
            segments.push(Segment { kind, asns });
            rest = tail;
        }
        Ok(AsPath { segments })
    }

    /// Encoded length with `width`-octet ASNs (segments over 255 ASNs are split; empty
    /// segments, which RFC 7606 §7.2 makes malformed, are not written).
    pub fn encoded_len(&self, width: usize) -> usize {
        self.segments
            .iter()
            .map(|s| s.asns.len().div_ceil(255) * 2 + s.asns.len() * width)
            .sum()
    }

    /// Encodes with `width`-octet ASNs. With width 2, ASNs above 65535 are written as
    /// AS_TRANS (RFC 6793 §4.2.2); the caller adds AS4_PATH. Empty segments are skipped so
    /// that we never send what we would refuse.
    pub fn encode(&self, width: usize, out: &mut impl BufMut) {
        for s in &self.segments {
            for chunk in s.asns.chunks(255) {
                out.put_u8(s.kind.code());
                out.put_u8(chunk.len() as u8);
                for &asn in chunk {
                    if width == 4 {
                        out.put_u32(asn);
                    } else {
                        out.put_u16(u16::try_from(asn).unwrap_or(AS_TRANS as u16));
                    }
                }
            }
        }
    }

    /// Number of ASes for best-path length comparison (RFC 4271 §9.1.2.2: an AS_SET counts
    /// as 1; RFC 5065: confederation segments do not count).
    pub fn path_len(&self) -> usize {
        self.segments
            .iter()
            .map(|s| match s.kind {
                SegmentType::Sequence => s.asns.len(),
                SegmentType::Set => 1,
                _ => 0,
            })
            .sum()
    }

    /// The left-most AS of the first AS_SEQUENCE (the neighbour that sent the route).
    pub fn first_asn(&self) -> Option<u32> {
        self.segments
            .iter()
            .find(|s| s.kind == SegmentType::Sequence)
            .and_then(|s| s.asns.first().copied())
    }

    /// The origin AS: the last ASN of a path that ends in an AS_SEQUENCE; `None` when it
    /// ends in an AS_SET (RFC 6811 §2) or is empty.
    pub fn origin_asn(&self) -> Option<u32> {
        match self.segments.last() {
            Some(s) if s.kind == SegmentType::Sequence => s.asns.last().copied(),
            _ => None,
        }
    }

    /// Every ASN in every segment.
    pub fn asns(&self) -> impl Iterator<Item = u32> + '_ {
        self.segments.iter().flat_map(|s| s.asns.iter().copied())
    }

    /// Whether any segment is an AS_SET or AS_CONFED_SET.
    pub fn has_set(&self) -> bool {
        self.segments
            .iter()
            .any(|s| matches!(s.kind, SegmentType::Set | SegmentType::ConfedSet))
    }

    /// RFC 6793 §4.2.3: rebuild the real path of a route received on a 2-octet session from
    /// AS_PATH and AS4_PATH. When AS4_PATH is longer than AS_PATH it is ignored; otherwise the
    /// leading (AS_PATH − AS4_PATH) ASes of AS_PATH are kept and AS4_PATH appended.
    /// Confederation segments of AS4_PATH are not counted and are dropped, as the RFC says.
    pub fn merge_as4(&self, as4: &AsPath) -> AsPath {
        let as4 = AsPath {
            segments: as4
                .segments
                .iter()
                .filter(|s| matches!(s.kind, SegmentType::Sequence | SegmentType::Set))
                .cloned()
                .collect(),
        };
        let n = self.path_len();
        let n4 = as4.path_len();
        if n4 > n {
            return self.clone();
        }
        let mut keep = n - n4;
        let mut segments = Vec::new();
        for s in &self.segments {
            if keep == 0 {
                break;
            }
            match s.kind {
                SegmentType::Sequence => {
                    let take = keep.min(s.asns.len());
                    segments.push(Segment {
                        kind: s.kind,
                        asns: s.asns[..take].to_vec(),
                    });
                    keep -= take;
                }
                SegmentType::Set => {
                    segments.push(s.clone());
                    keep -= 1;
                }
                _ => segments.push(s.clone()),
            }
        }
        segments.extend(as4.segments);
        AsPath { segments }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as4_merge_keeps_leading_two_octet_ases() {
        let as_path = AsPath::sequence(vec![65001, 23456, 23456]);
        let as4 = AsPath::sequence(vec![4_200_000_000, 4_200_000_001]);
        assert_eq!(
            as_path.merge_as4(&as4),
            AsPath {
                segments: vec![
                    Segment {
                        kind: SegmentType::Sequence,
                        asns: vec![65001]
                    },
                    Segment {
                        kind: SegmentType::Sequence,
                        asns: vec![4_200_000_000, 4_200_000_001]
                    },
                ]
            }
        );
    }

    #[test]
    fn longer_as4_path_is_ignored() {
        let as_path = AsPath::sequence(vec![23456]);
        let as4 = AsPath::sequence(vec![1, 2]);
        assert_eq!(as_path.merge_as4(&as4), as_path);
    }

    #[test]
    fn empty_segments_are_not_encoded_and_long_ones_are_split() {
        let p = AsPath {
            segments: vec![
                Segment {
                    kind: SegmentType::Set,
                    asns: vec![],
                },
                Segment {
                    kind: SegmentType::Sequence,
                    asns: (0..300).collect(),
                },
            ],
        };
        let mut out = Vec::new();
        p.encode(4, &mut out);
        assert_eq!(out.len(), p.encoded_len(4));
        assert_eq!(AsPath::validate(&out, 4), Ok(()));
        let back = AsPath::decode(&out, 4).map(|b| b.asns().count());
        assert_eq!(back, Ok(300));
    }

    #[test]
    fn zero_length_segment_is_malformed() {
        assert_eq!(AsPath::validate(&[2, 0], 4), Err(AsPathError::EmptySegment));
        assert_eq!(AsPath::validate(&[2, 1, 0, 0, 0], 4), Err(AsPathError::Overrun));
        assert_eq!(
            AsPath::validate(&[5, 1, 0, 0, 0, 1], 4),
            Err(AsPathError::BadSegmentType)
        );
    }
}
