//! OPEN messages (RFC 4271 §4.2) with optional parameters, RFC 9072 extended optional
//! parameters length, and the checks of RFC 4271 §6.2 that need no session configuration.
//!
//! ```text
//! version (1) | my AS (2) | hold time (2) | BGP identifier (4) | opt. param. len (1) | params
//! RFC 9072:  ... | 255 | 255 (non-ext type) | ext. opt. param. len (2) | type (1) len (2) value ...
//! ```

use crate::capability::Capability;
use crate::error::{code, BgpError, Notification};
use bytes::{BufMut, Bytes};
use std::net::Ipv4Addr;

/// Optional parameter type for capabilities (RFC 5492).
pub const PARAM_CAPABILITIES: u8 = 2;

/// One optional parameter.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OptParam {
    /// A Capabilities parameter; one parameter may carry several capabilities.
    Capabilities(Vec<Capability>),
    /// Any other parameter type (refused by [`Open::decode`], kept for building test input).
    Unknown {
        /// Parameter type.
        kind: u8,
        /// Parameter value.
        value: Bytes,
    },
}

/// An OPEN message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Open {
    /// Protocol version (4).
    pub version: u8,
    /// My Autonomous System: the 2-octet AS, or AS_TRANS (23456) for a 4-octet AS.
    pub my_as: u16,
    /// Proposed hold time in seconds (0, or at least 3).
    pub hold_time: u16,
    /// BGP identifier.
    pub bgp_id: Ipv4Addr,
    /// Optional parameters in wire order.
    pub params: Vec<OptParam>,
    /// Whether the parameters use the RFC 9072 extended encoding (2-octet lengths).
    pub extended_params: bool,
}

impl Open {
    /// An OPEN for `asn` (4-octet capability included; AS_TRANS in My AS when it does not fit)
    /// with `capabilities` in a single Capabilities parameter.
    pub fn new(asn: u32, hold_time: u16, bgp_id: Ipv4Addr, mut capabilities: Vec<Capability>) -> Open {
        if !capabilities.iter().any(|c| matches!(c, Capability::FourOctetAs(_))) {
            capabilities.push(Capability::FourOctetAs(asn));
        }
        Open {
            version: 4,
            my_as: u16::try_from(asn).unwrap_or(crate::types::AS_TRANS as u16),
            hold_time,
            bgp_id,
            params: vec![OptParam::Capabilities(capabilities)],
            extended_params: false,
        }
    }

    /// Every capability of every Capabilities parameter.
    pub fn capabilities(&self) -> impl Iterator<Item = &Capability> {
        self.params.iter().flat_map(|p| match p {
            OptParam::Capabilities(c) => c.as_slice(),
            OptParam::Unknown { .. } => &[],
        })
    }

    /// The speaker's AS: the 4-octet capability's when present, else My AS (RFC 6793 §4.1).
    pub fn asn(&self) -> u32 {
        self.capabilities()
            .find_map(|c| match c {
                Capability::FourOctetAs(a) => Some(*a),
                _ => None,
            })
            .unwrap_or(self.my_as as u32)
    }

    /// Decodes an OPEN body (after the header) and applies the RFC 4271 §6.2 checks that
    /// need no configuration: version, hold time 1–2, zero BGP identifier, optional
    /// parameter types. Peer AS and capability checks belong to the session.
    pub fn decode(body: &Bytes) -> Result<Open, BgpError> {
        let unspecific = || BgpError::reset_code(code::OPEN, 0);
        if body.len() < 10 {
            let len = (body.len() + crate::types::HEADER_LEN) as u16;
            return Err(BgpError::reset(Notification::with_data(
                code::MESSAGE_HEADER,
                code::header::BAD_MESSAGE_LENGTH,
                len.to_be_bytes().to_vec(),
            )));
        }
        let version = body[0];
        if version != 4 {
            // Data: the largest locally supported version number (RFC 4271 §6.2).
            return Err(BgpError::reset(Notification::with_data(
                code::OPEN,
                code::open::UNSUPPORTED_VERSION,
                vec![0u8, 4],
            )));
        }
        let my_as = u16::from_be_bytes([body[1], body[2]]);
        let hold_time = u16::from_be_bytes([body[3], body[4]]);
        let bgp_id = Ipv4Addr::new(body[5], body[6], body[7], body[8]);
        let opt_len = body[9] as usize;
        // RFC 9072 §2: Non-Ext OP Len 255 followed by Non-Ext OP Type 255.
        let extended_params = opt_len == 255 && body.get(10) == Some(&255);
        let (params_start, params_len) = if extended_params {
            let l = body.get(11..13).ok_or_else(unspecific)?;
            (13, u16::from_be_bytes([l[0], l[1]]) as usize)
        } else {
            (10, opt_len)
        };
        if params_start + params_len != body.len() {
            return Err(unspecific());
        }
        let mut params = Vec::new();
        let mut pos = params_start;
        while pos < body.len() {
            let kind = body[pos];
            let (len, hdr) = if extended_params {
                let l = body.get(pos + 1..pos + 3).ok_or_else(unspecific)?;
                (u16::from_be_bytes([l[0], l[1]]) as usize, 3)
            } else {
                (*body.get(pos + 1).ok_or_else(unspecific)? as usize, 2)
            };
            let value = body
                .get(pos + hdr..pos + hdr + len)
                .map(|s| body.slice_ref(s))
                .ok_or_else(unspecific)?;
            pos += hdr + len;
            if kind != PARAM_CAPABILITIES {
                return Err(BgpError::reset_code(
                    code::OPEN,
                    code::open::UNSUPPORTED_OPTIONAL_PARAMETER,
                ));
            }
            params.push(OptParam::Capabilities(
                decode_capabilities(&value).ok_or_else(unspecific)?,
            ));
        }
        if hold_time == 1 || hold_time == 2 {
            return Err(BgpError::reset_code(code::OPEN, code::open::UNACCEPTABLE_HOLD_TIME));
        }
        if bgp_id.is_unspecified() {
            return Err(BgpError::reset_code(code::OPEN, code::open::BAD_BGP_IDENTIFIER));
        }
        Ok(Open {
            version,
            my_as,
            hold_time,
            bgp_id,
            params,
            extended_params,
        })
    }

    fn param_value(p: &OptParam) -> (u8, Vec<u8>) {
        match p {
            OptParam::Capabilities(caps) => {
                let mut v = Vec::new();
                for c in caps {
                    let value = c.value_bytes();
                    if value.len() > 255 {
                        // A capability length is one octet (RFC 5492 §4): it cannot be sent.
                        tracing::warn!(
                            code = c.code(),
                            len = value.len(),
                            "capability too long to encode; left out"
                        );
                        continue;
                    }
                    v.put_u8(c.code());
                    v.put_u8(value.len() as u8);
                    v.put_slice(&value);
                }
                (PARAM_CAPABILITIES, v)
            }
            OptParam::Unknown { kind, value } => (*kind, value.to_vec()),
        }
    }

    /// Writes the body (after the header). Parameters longer than 255 octets in total
    /// switch to the RFC 9072 encoding even when `extended_params` is false.
    pub fn encode_body(&self, out: &mut impl BufMut) {
        out.put_u8(self.version);
        out.put_u16(self.my_as);
        out.put_u16(self.hold_time);
        out.put_slice(&self.bgp_id.octets());
        let params: Vec<(u8, Vec<u8>)> = self.params.iter().map(Self::param_value).collect();
        let short_len: usize = params.iter().map(|(_, v)| 2 + v.len()).sum();
        let ext = self.extended_params || short_len > 255 || params.iter().any(|(_, v)| v.len() > 255);
        if ext {
            let len: usize = params.iter().map(|(_, v)| 3 + v.len()).sum();
            out.put_u8(255);
            out.put_u8(255);
            out.put_u16(len as u16);
            for (k, v) in params {
                out.put_u8(k);
                out.put_u16(v.len() as u16);
                out.put_slice(&v);
            }
        } else {
            out.put_u8(short_len as u8);
            for (k, v) in params {
                out.put_u8(k);
                out.put_u8(v.len() as u8);
                out.put_slice(&v);
            }
        }
    }
}

fn decode_capabilities(value: &Bytes) -> Option<Vec<Capability>> {
    let mut caps = Vec::new();
    let mut pos = 0;
    while pos < value.len() {
        let code = *value.get(pos)?;
        let len = *value.get(pos + 1)? as usize;
        let v = value.get(pos + 2..pos + 2 + len).map(|s| value.slice_ref(s))?;
        caps.push(Capability::decode(code, v));
        pos += 2 + len;
    }
    Some(caps)
}
