//! A lab speaker's event applied to the run: recorded in the lab's state, traced on stderr
//! with `--trace`, and followed up — a customer announces its routes once Established, a
//! removed speaker stops for good once its session is down.

use super::speakers::{self, Running, Tagged};
use super::state::Lab;
use super::topology::Role;
use bgp_core::speaker::{Command, SessionEvent};
use bgp_core::SessionContext;

/// Event `e` of speaker `i`'s session generation `g`; a restarted speaker's older
/// generations only add to its NOTIFICATION records.
pub fn on_event(lab: &mut Lab, (i, g, e): Tagged, running: &[Running], trace: bool) {
    if !lab.is_current(i, g) {
        lab.stale_event(i, &e);
        return;
    }
    lab.observe(i, &e);
    match e {
        SessionEvent::Transition(t) => {
            if trace {
                eprintln!("{t}");
            }
            if lab.transition(i, &t) {
                if let Some(r) = running.get(i) {
                    r.stop_for_good();
                }
            }
        }
        SessionEvent::Established(n, _) => announce(lab, i, &n.tx, running),
        SessionEvent::Update(u) => lab.update(i, &u),
        SessionEvent::Down { .. } => lab.down(i),
        SessionEvent::NotificationSent(n) => {
            lab.notification_sent(i, &n);
            if trace {
                eprintln!(
                    "{}: NOTIFICATION sent {}/{}",
                    lab.top.speakers[i].name, n.code, n.subcode
                );
            }
        }
        SessionEvent::ConnectFailed(e) if trace => {
            eprintln!("{}: connection attempt failed: {e}", lab.top.speakers[i].name);
        }
        _ => {}
    }
}

/// A customer's session is Established: it sends its routes (with its tuning's NEXT_HOP),
/// then End-of-RIB.
fn announce(lab: &Lab, i: usize, ctx: &SessionContext, running: &[Running]) {
    let plan = &lab.top.speakers[i];
    if !matches!(plan.role, Role::Customer { .. }) {
        return;
    }
    match speakers::announcements(&lab.speakers[i].tuning.announcing(plan), ctx) {
        Ok(msgs) => {
            if let Some(r) = running.get(i) {
                let _ = r.commands.try_send(Command::SendUpdates(msgs));
            }
        }
        Err(e) => eprintln!("peerlab run: {}: cannot encode its routes: {e}", plan.name),
    }
}
