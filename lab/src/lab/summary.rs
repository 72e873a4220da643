//! What a run reports at its end: the [`Report`] assembled from the lab's view of its
//! speakers and the route server's filtered routes.

use super::lifecycle::session_state;
use super::report::{EdgeRouteRow, FilteredRow, Report, SessionRow};
use super::runner::Lab;
use crate::peering::model::PeeringFile;
use route_server::runtime::RouteServerHandle;

/// The report of `lab` now.
pub(super) async fn report(lab: &Lab, file: &PeeringFile, rs: &RouteServerHandle) -> Report {
    let mut routes = Vec::new();
    for (c, conn) in lab.top.connections.iter().enumerate() {
        if lab.gone(c) {
            continue;
        }
        for i in [conn.v4, conn.v6].into_iter().flatten() {
            for r in lab.ribs[i].routes.values() {
                routes.push(EdgeRouteRow {
                    connection: conn.name.clone(),
                    route: r.clone(),
                });
            }
        }
    }
    let sessions = lab
        .top
        .speakers
        .iter()
        .enumerate()
        .filter(|(i, _)| !lab.speaker_gone[*i])
        .map(|(i, s)| SessionRow {
            speaker: s.name.clone(),
            asn: s.asn,
            session_address: s.label.to_string(),
            rs_session: s.rs_session.clone(),
            loopback: format!("{} -> {}", s.source, s.listen),
            state: session_state(lab.fsm[i]),
            reached_established: lab.reached[i],
            announced: s.prefixes.len(),
            md5: lab.setup.tuning.get(i).map_or(s.md5.is_some(), |t| t.md5.is_some()),
            history: lab.session_history[i].clone(),
        })
        .collect();
    let filtered = rs
        .rejected_all()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| FilteredRow {
            origin_as: r.as_path.last().copied(),
            prefix: r.prefix,
            from: r.from,
            as_path: r.as_path,
            reason: r.reason.as_ref().map(|x| x.name).unwrap_or("").to_owned(),
            sentence: r.reason.as_ref().map(|x| x.sentence).unwrap_or("").to_owned(),
        })
        .collect();
    Report {
        peering: file.peering.name.clone().unwrap_or_default(),
        route_server_asn: lab.top.rs.asn,
        registered_asns: rs.registered_asns().await.unwrap_or_default(),
        all_established: lab.all_established(),
        converged: lab.converged(),
        api: lab.api.map(|a| a.to_string()),
        connections: lab.connection_rows(),
        sessions,
        routes_at_as8075: routes,
        filtered,
        lifecycle: lab.steps.clone(),
        break_it: lab
            .setup
            .judge(&lab.top, &lab.fsm, &lab.ribs, &lab.states, &lab.speaker_gone, rs)
            .await,
    }
}
