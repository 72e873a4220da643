//! The owned UPDATE, for routes the program keeps and for messages it builds one by one.

use super::UpdateView;
use crate::attr::{AsPath, AttrValue, MpNlri, MpReach, MpUnreach, Origin, PathAttribute};
use crate::context::SessionContext;
use crate::nlri::{self, Nlri};
use crate::types::{Family, AFI_IPV4, SAFI_UNICAST};
use bytes::BufMut;
use ipnet::Ipv4Net;

/// An owned UPDATE message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Update {
    /// Withdrawn Routes field (IPv4 unicast).
    pub withdrawn: Vec<Nlri<Ipv4Net>>,
    /// Path attributes in wire order (MP_REACH_NLRI / MP_UNREACH_NLRI among them).
    pub attributes: Vec<PathAttribute>,
    /// NLRI field (IPv4 unicast).
    pub nlri: Vec<Nlri<Ipv4Net>>,
}

impl Update {
    /// Copies a validated view into an owned UPDATE (attributes discarded under RFC 7606 are
    /// left out).
    pub fn from_view(view: &UpdateView) -> Update {
        Update {
            withdrawn: view.withdrawn_ipv4().collect(),
            attributes: view.owned_attributes(),
            nlri: view.announced_ipv4().collect(),
        }
    }

    /// The End-of-RIB marker for `family` (RFC 4724 §2).
    pub fn end_of_rib(family: Family) -> Update {
        if (family.afi, family.safi) == (AFI_IPV4, SAFI_UNICAST) {
            return Update::default();
        }
        Update {
            attributes: vec![PathAttribute::new(AttrValue::MpUnreach(MpUnreach {
                family,
                nlri: MpNlri::empty_for(family),
            }))],
            ..Update::default()
        }
    }

    /// The first attribute of type `t`.
    pub fn attribute(&self, t: u8) -> Option<&AttrValue> {
        self.attributes.iter().find(|a| a.type_code() == t).map(|a| &a.value)
    }

    /// ORIGIN, if present.
    pub fn origin(&self) -> Option<Origin> {
        self.attributes.iter().find_map(|a| match a.value {
            AttrValue::Origin(o) => Some(o),
            _ => None,
        })
    }

    /// AS_PATH, if present.
    pub fn as_path(&self) -> Option<&AsPath> {
        self.attributes.iter().find_map(|a| match &a.value {
            AttrValue::AsPath(p) => Some(p),
            _ => None,
        })
    }

    /// MP_REACH_NLRI, if present.
    pub fn mp_reach(&self) -> Option<&MpReach> {
        self.attributes.iter().find_map(|a| match &a.value {
            AttrValue::MpReach(m) => Some(m),
            _ => None,
        })
    }

    /// MP_UNREACH_NLRI, if present.
    pub fn mp_unreach(&self) -> Option<&MpUnreach> {
        self.attributes.iter().find_map(|a| match &a.value {
            AttrValue::MpUnreach(m) => Some(m),
            _ => None,
        })
    }

    /// The real AS path: on a 2-octet session AS_PATH merged with AS4_PATH (RFC 6793 §4.2.3),
    /// otherwise AS_PATH.
    pub fn effective_as_path(&self, ctx: &SessionContext) -> Option<AsPath> {
        let path = self.as_path()?;
        if ctx.four_octet_as {
            return Some(path.clone());
        }
        match self.attribute(crate::attr::type_code::AS4_PATH) {
            Some(AttrValue::As4Path(p4)) => Some(path.merge_as4(p4)),
            _ => Some(path.clone()),
        }
    }

    /// Length of the message body (after the 19-octet header).
    pub fn body_len(&self, ctx: &SessionContext) -> usize {
        let ap = ctx.add_path_ipv4;
        let w: usize = self
            .withdrawn
            .iter()
            .map(|n| nlri::ipv4_len(n.prefix.prefix_len(), ap))
            .sum();
        let a: usize = self.attributes.iter().map(|a| a.encoded_len(ctx)).sum();
        let n: usize = self
            .nlri
            .iter()
            .map(|n| nlri::ipv4_len(n.prefix.prefix_len(), ap))
            .sum();
        4 + w + a + n
    }

    /// Writes the body (after the header).
    pub fn encode_body(&self, ctx: &SessionContext, out: &mut impl BufMut) {
        let ap = ctx.add_path_ipv4;
        let w: usize = self
            .withdrawn
            .iter()
            .map(|n| nlri::ipv4_len(n.prefix.prefix_len(), ap))
            .sum();
        out.put_u16(w as u16);
        self.withdrawn.iter().for_each(|n| nlri::put_ipv4(out, n, ap));
        let a: usize = self.attributes.iter().map(|a| a.encoded_len(ctx)).sum();
        out.put_u16(a as u16);
        self.attributes.iter().for_each(|a| a.encode(ctx, out));
        self.nlri.iter().for_each(|n| nlri::put_ipv4(out, n, ap));
    }
}
