//! The AS8075 edges' max-prefix enforcement: on every pass, an Established edge holding more
//! routes than its limit (the connection's `maxPrefixesAdvertisedV4`/`V6`) sends Cease 6/1
//! and its session stays down (RFC 4486) until it is Established again.

use super::speakers::Running;
use super::state::Lab;
use bgp_core::fsm::Cease;
use bgp_core::speaker::Control;
use bgp_core::Family;
use tracing::info;

/// One enforcement pass over every lab speaker with a limit.
pub fn enforce(lab: &mut Lab, running: &[Running]) {
    for (i, s) in lab.speakers.iter_mut().enumerate() {
        let (Some(limit), Some(r)) = (s.tuning.max_prefixes, running.get(i)) else {
            continue;
        };
        if !s.established() || s.max_prefix_tripped || s.rib.routes.len() <= limit as usize {
            continue;
        }
        let plan = &lab.top.speakers[i];
        let family = if plan.label.is_ipv4() {
            Family::IPV4_UNICAST
        } else {
            Family::IPV6_UNICAST
        };
        info!(speaker = %plan.name, limit, received = s.rib.routes.len(), "max-prefix limit exceeded");
        let cease = Cease::max_prefixes(family, limit);
        r.control(Control::AutomaticStop(cease.clone()));
        r.control(Control::Stop(cease));
        s.max_prefix_tripped = true;
    }
}
