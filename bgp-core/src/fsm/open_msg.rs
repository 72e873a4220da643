//! The OPEN we send, built from the session configuration.

use super::config::SessionConfig;
use crate::capability::{Capability, GracefulRestartFamily};
use crate::open::{Open, OptParam};
use crate::types::AS_TRANS;

/// The Graceful Restart Restart State (R) bit and the per-family Forwarding State (F) bit.
const GR_BIT: u8 = 0x80;

/// The capabilities our OPEN announces, in a stable order.
pub fn our_capabilities(config: &SessionConfig) -> Vec<Capability> {
    let mut caps: Vec<Capability> = config.families.iter().map(|f| Capability::Multiprotocol(*f)).collect();
    if config.route_refresh {
        caps.push(Capability::RouteRefresh);
    }
    if config.enhanced_route_refresh {
        caps.push(Capability::EnhancedRouteRefresh);
    }
    if config.extended_message {
        caps.push(Capability::ExtendedMessage);
    }
    if !config.extended_next_hop.is_empty() {
        caps.push(Capability::ExtendedNextHop(config.extended_next_hop.clone()));
    }
    if let Some(gr) = &config.graceful_restart {
        caps.push(Capability::GracefulRestart {
            flags: if gr.restarting { GR_BIT } else { 0 },
            time: gr.restart_time & 0x0FFF,
            families: gr
                .families
                .iter()
                .map(|(family, fwd)| GracefulRestartFamily {
                    family: *family,
                    flags: if *fwd { GR_BIT } else { 0 },
                })
                .collect(),
        });
    }
    if !config.add_path.is_empty() {
        caps.push(Capability::AddPath(config.add_path.clone()));
    }
    if config.four_octet_as {
        caps.push(Capability::FourOctetAs(config.local_as));
    }
    caps
}

/// Our OPEN: My AS is the local AS, or AS_TRANS when it needs 4 octets (RFC 6793 §4.1).
pub fn build_open(config: &SessionConfig) -> Open {
    let caps = our_capabilities(config);
    Open {
        version: 4,
        my_as: u16::try_from(config.local_as).unwrap_or(AS_TRANS as u16),
        hold_time: config.hold_time,
        bgp_id: config.router_id,
        params: if caps.is_empty() {
            Vec::new()
        } else {
            vec![OptParam::Capabilities(caps)]
        },
        extended_params: false,
    }
}
