//! Capabilities advertisement (RFC 5492) and the capabilities peerlab knows.
//!
//! A capability is decoded into its typed form only when its bytes are exactly what that
//! form re-encodes to; anything else is kept as `Unknown { code, value }`, so every OPEN
//! re-encodes byte for byte.

use crate::types::Family;
use bytes::{BufMut, Bytes};

/// Capability codes (IANA "Capability Codes").
pub mod cap_code {
    /// Multiprotocol Extensions (RFC 4760).
    pub const MULTIPROTOCOL: u8 = 1;
    /// Route Refresh (RFC 2918).
    pub const ROUTE_REFRESH: u8 = 2;
    /// Extended Next Hop Encoding (RFC 8950).
    pub const EXTENDED_NEXT_HOP: u8 = 5;
    /// Extended Message (RFC 8654).
    pub const EXTENDED_MESSAGE: u8 = 6;
    /// Graceful Restart (RFC 4724).
    pub const GRACEFUL_RESTART: u8 = 64;
    /// Support for 4-octet AS numbers (RFC 6793).
    pub const FOUR_OCTET_AS: u8 = 65;
    /// ADD-PATH (RFC 7911).
    pub const ADD_PATH: u8 = 69;
    /// Enhanced Route Refresh (RFC 7313).
    pub const ENHANCED_ROUTE_REFRESH: u8 = 70;
    /// FQDN (draft-walton-bgp-hostname-capability).
    pub const FQDN: u8 = 73;
    /// Software Version (draft-abraitis-bgp-version-capability).
    pub const SOFTWARE_VERSION: u8 = 75;
}

/// ADD-PATH Send/Receive field (RFC 7911 §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum AddPathMode {
    /// 1: able to receive multiple paths.
    Receive,
    /// 2: able to send multiple paths.
    Send,
    /// 3: both.
    Both,
}

impl AddPathMode {
    /// Wire value.
    pub const fn code(self) -> u8 {
        match self {
            AddPathMode::Receive => 1,
            AddPathMode::Send => 2,
            AddPathMode::Both => 3,
        }
    }

    /// From the wire value.
    pub const fn from_code(c: u8) -> Option<Self> {
        match c {
            1 => Some(AddPathMode::Receive),
            2 => Some(AddPathMode::Send),
            3 => Some(AddPathMode::Both),
            _ => None,
        }
    }

    /// Whether the sender can receive multiple paths.
    pub const fn can_receive(self) -> bool {
        matches!(self, AddPathMode::Receive | AddPathMode::Both)
    }

    /// Whether the sender can send multiple paths.
    pub const fn can_send(self) -> bool {
        matches!(self, AddPathMode::Send | AddPathMode::Both)
    }

    /// `receive`, `send` or `send/receive`.
    pub const fn name(self) -> &'static str {
        match self {
            AddPathMode::Receive => "receive",
            AddPathMode::Send => "send",
            AddPathMode::Both => "send/receive",
        }
    }

    /// From [`AddPathMode::name`].
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "receive" => Some(AddPathMode::Receive),
            "send" => Some(AddPathMode::Send),
            "send/receive" | "both" => Some(AddPathMode::Both),
            _ => None,
        }
    }
}

/// One family in a Graceful Restart capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct GracefulRestartFamily {
    /// AFI/SAFI (SAFI is one octet on the wire).
    pub family: Family,
    /// Flags for Address Family (bit 0x80: forwarding state preserved).
    pub flags: u8,
}

/// A capability (RFC 5492 §4).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Multiprotocol Extensions: one AFI/SAFI (RFC 4760 §8).
    Multiprotocol(Family),
    /// Route Refresh (RFC 2918).
    RouteRefresh,
    /// Extended Next Hop Encoding: (NLRI family, next-hop AFI) tuples (RFC 8950).
    ExtendedNextHop(Vec<(Family, u16)>),
    /// Extended Message (RFC 8654).
    ExtendedMessage,
    /// Graceful Restart (RFC 4724 §3).
    GracefulRestart {
        /// Restart flags (high 4 bits of the first octet: R and N bits).
        flags: u8,
        /// Restart time in seconds (12 bits).
        time: u16,
        /// Families and their flags.
        families: Vec<GracefulRestartFamily>,
    },
    /// Support for 4-octet AS numbers, with the speaker's AS (RFC 6793).
    FourOctetAs(u32),
    /// ADD-PATH: per family, send and/or receive (RFC 7911).
    AddPath(Vec<(Family, AddPathMode)>),
    /// Enhanced Route Refresh (RFC 7313).
    EnhancedRouteRefresh,
    /// FQDN: host and domain name.
    Fqdn {
        /// Host name.
        hostname: String,
        /// Domain name.
        domain: String,
    },
    /// Software Version: a free-form UTF-8 string.
    SoftwareVersion(String),
    /// Any other capability, or a known one whose bytes are not in its canonical form.
    Unknown {
        /// Capability code.
        code: u8,
        /// Capability value.
        value: Bytes,
    },
}

impl Capability {
    /// Capability code.
    pub fn code(&self) -> u8 {
        use cap_code::*;
        match self {
            Capability::Multiprotocol(_) => MULTIPROTOCOL,
            Capability::RouteRefresh => ROUTE_REFRESH,
            Capability::ExtendedNextHop(_) => EXTENDED_NEXT_HOP,
            Capability::ExtendedMessage => EXTENDED_MESSAGE,
            Capability::GracefulRestart { .. } => GRACEFUL_RESTART,
            Capability::FourOctetAs(_) => FOUR_OCTET_AS,
            Capability::AddPath(_) => ADD_PATH,
            Capability::EnhancedRouteRefresh => ENHANCED_ROUTE_REFRESH,
            Capability::Fqdn { .. } => FQDN,
            Capability::SoftwareVersion(_) => SOFTWARE_VERSION,
            Capability::Unknown { code, .. } => *code,
        }
    }

    /// A short name: `multiprotocol`, `route-refresh`, `four-octet-as`, …, or `unknown`.
    pub fn name(&self) -> &'static str {
        match self {
            Capability::Multiprotocol(_) => "multiprotocol",
            Capability::RouteRefresh => "route-refresh",
            Capability::ExtendedNextHop(_) => "extended-next-hop",
            Capability::ExtendedMessage => "extended-message",
            Capability::GracefulRestart { .. } => "graceful-restart",
            Capability::FourOctetAs(_) => "four-octet-as",
            Capability::AddPath(_) => "add-path",
            Capability::EnhancedRouteRefresh => "enhanced-route-refresh",
            Capability::Fqdn { .. } => "fqdn",
            Capability::SoftwareVersion(_) => "software-version",
            Capability::Unknown { .. } => "unknown",
        }
    }

    /// Decodes one capability value; falls back to `Unknown` unless the typed form
    /// re-encodes to exactly these bytes.
    pub fn decode(code: u8, value: Bytes) -> Capability {
        let typed = Self::decode_typed(code, &value);
        match typed {
            Some(c) if c.value_bytes() == value => c,
            _ => Capability::Unknown { code, value },
        }
    }

    fn decode_typed(code: u8, v: &[u8]) -> Option<Capability> {
        use cap_code::*;
        let fam16 = |c: &[u8]| Family::new(u16::from_be_bytes([c[0], c[1]]), c[3]);
        Some(match code {
            MULTIPROTOCOL if v.len() == 4 => Capability::Multiprotocol(fam16(v)),
            ROUTE_REFRESH if v.is_empty() => Capability::RouteRefresh,
            EXTENDED_NEXT_HOP if v.len() % 6 == 0 => Capability::ExtendedNextHop(
                v.chunks_exact(6)
                    .map(|c| {
                        let safi = u16::from_be_bytes([c[2], c[3]]);
                        (
                            Family::new(u16::from_be_bytes([c[0], c[1]]), safi as u8),
                            u16::from_be_bytes([c[4], c[5]]),
                        )
                    })
                    .collect(),
            ),
            EXTENDED_MESSAGE if v.is_empty() => Capability::ExtendedMessage,
            GRACEFUL_RESTART if v.len() >= 2 && (v.len() - 2) % 4 == 0 => Capability::GracefulRestart {
                flags: v[0] & 0xF0,
                time: u16::from_be_bytes([v[0] & 0x0F, v[1]]),
                families: v[2..]
                    .chunks_exact(4)
                    .map(|c| GracefulRestartFamily {
                        family: Family::new(u16::from_be_bytes([c[0], c[1]]), c[2]),
                        flags: c[3],
                    })
                    .collect(),
            },
            FOUR_OCTET_AS if v.len() == 4 => Capability::FourOctetAs(u32::from_be_bytes([v[0], v[1], v[2], v[3]])),
            ADD_PATH if v.len() % 4 == 0 => Capability::AddPath(
                v.chunks_exact(4)
                    .map(|c| {
                        Some((
                            Family::new(u16::from_be_bytes([c[0], c[1]]), c[2]),
                            AddPathMode::from_code(c[3])?,
                        ))
                    })
                    .collect::<Option<Vec<_>>>()?,
            ),
            ENHANCED_ROUTE_REFRESH if v.is_empty() => Capability::EnhancedRouteRefresh,
            FQDN => {
                let (&hl, rest) = v.split_first()?;
                let host = rest.get(..hl as usize)?;
                let (&dl, rest) = rest.get(hl as usize..)?.split_first()?;
                let domain = rest.get(..dl as usize)?;
                Capability::Fqdn {
                    hostname: String::from_utf8(host.to_vec()).ok()?,
                    domain: String::from_utf8(domain.to_vec()).ok()?,
                }
            }
            SOFTWARE_VERSION => {
                let (&l, rest) = v.split_first()?;
                Capability::SoftwareVersion(String::from_utf8(rest.get(..l as usize)?.to_vec()).ok()?)
            }
            _ => return None,
        })
    }

    /// The value octets of this capability.
    pub fn value_bytes(&self) -> Bytes {
        let mut out = Vec::new();
        match self {
            Capability::Multiprotocol(f) => {
                out.put_u16(f.afi);
                out.put_u8(0);
                out.put_u8(f.safi);
            }
            Capability::RouteRefresh | Capability::ExtendedMessage | Capability::EnhancedRouteRefresh => {}
            Capability::ExtendedNextHop(v) => v.iter().for_each(|(f, nh)| {
                out.put_u16(f.afi);
                out.put_u16(f.safi as u16);
                out.put_u16(*nh);
            }),
            Capability::GracefulRestart { flags, time, families } => {
                out.put_u16(((*flags as u16 & 0xF0) << 8) | (time & 0x0FFF));
                families.iter().for_each(|g| {
                    out.put_u16(g.family.afi);
                    out.put_u8(g.family.safi);
                    out.put_u8(g.flags);
                });
            }
            Capability::FourOctetAs(asn) => out.put_u32(*asn),
            Capability::AddPath(v) => v.iter().for_each(|(f, m)| {
                out.put_u16(f.afi);
                out.put_u8(f.safi);
                out.put_u8(m.code());
            }),
            Capability::Fqdn { hostname, domain } => {
                let h = &hostname.as_bytes()[..hostname.len().min(255)];
                let d = &domain.as_bytes()[..domain.len().min(255)];
                out.put_u8(h.len() as u8);
                out.put_slice(h);
                out.put_u8(d.len() as u8);
                out.put_slice(d);
            }
            Capability::SoftwareVersion(s) => {
                let s = &s.as_bytes()[..s.len().min(255)];
                out.put_u8(s.len() as u8);
                out.put_slice(s);
            }
            Capability::Unknown { value, .. } => return value.clone(),
        }
        Bytes::from(out)
    }
}
