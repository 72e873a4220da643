//! What a run reports at its end: the [`Report`] assembled from the lab's view of its
//! speakers, the route server's filtered routes, the verdict on the customers' Peering
//! Service prefixes and the break-it verdict.

use super::lifecycle::session_state;
use super::report::Report;
use super::rows::{EdgeRouteRow, FilteredRow, SessionRow};
use super::scenario::Setup;
use super::service_prefixes;
use super::state::Lab;
use super::views;
use route_server::runtime::RouteServerHandle;

/// The report of `lab` (with the scenarios of `setup`) now.
pub(super) async fn report(lab: &Lab, setup: &Setup, rs: &RouteServerHandle) -> Report {
    let mut routes = Vec::new();
    for (c, conn) in lab.top.connections.iter().enumerate() {
        if lab.gone(c) {
            continue;
        }
        for i in lab.edges_of(c) {
            for r in lab.speakers[i].rib.routes.values() {
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
        .zip(&lab.speakers)
        .filter(|(_, r)| !r.gone)
        .map(|(s, r)| SessionRow {
            speaker: s.name.clone(),
            asn: s.asn,
            session_address: s.label.to_string(),
            rs_session: s.rs_session.clone(),
            loopback: format!("{} -> {}", s.source, s.listen),
            state: session_state(r.fsm),
            reached_established: r.reached,
            announced: s.prefixes.len(),
            md5: r.md5_signed,
            history: r.history.clone(),
        })
        .collect();
    let filtered = rs
        .rejected_all()
        .await
        .unwrap_or_default()
        .iter()
        .map(FilteredRow::of)
        .collect();
    Report {
        peering: lab.file.peering.name.clone().unwrap_or_default(),
        route_server_asn: lab.top.rs.asn,
        registered_asns: rs.registered_asns().await.unwrap_or_default(),
        all_established: lab.all_established(),
        converged: lab.converged(),
        api: lab.api.map(|a| a.to_string()),
        connections: views::connection_rows(lab),
        sessions,
        routes_at_as8075: routes,
        filtered,
        peering_service_prefixes: service_prefixes::rows(lab),
        lifecycle: lab.steps.clone(),
        break_it: setup.judge(lab, rs).await,
    }
}
