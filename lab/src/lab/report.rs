//! What `peerlab run` shows at the end: the portal's Connections view, the lab's sessions,
//! the routes AS8075 holds and the routes the route server filtered, for people and as JSON.

use super::live;
use super::rows::{ConnectionRow, EdgeRouteRow, FilteredRow, LifecycleStep, ServicePrefixRow, SessionRow};
use super::scenario::report::BreakItReport;
use serde::Serialize;
use std::fmt::Write as _;

/// The whole result of a run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The peering's name.
    pub peering: String,
    /// The exchange's (route server's) ASN.
    pub route_server_asn: u32,
    /// The registered customer ASNs applied.
    pub registered_asns: Vec<u32>,
    /// Every expected session reached Established.
    pub all_established: bool,
    /// AS8075 held every route of every registered customer on every connection.
    pub converged: bool,
    /// The address of the lab's HTTP JSON API, when it served one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// The Connections view.
    pub connections: Vec<ConnectionRow>,
    /// Every lab session.
    pub sessions: Vec<SessionRow>,
    /// Routes at AS8075.
    pub routes_at_as8075: Vec<EdgeRouteRow>,
    /// Routes the route server filtered, with the reason.
    pub filtered: Vec<FilteredRow>,
    /// The customers' registered Peering Service prefixes and the lab's verdict on each.
    pub peering_service_prefixes: Vec<ServicePrefixRow>,
    /// The connection states entered, in order.
    pub lifecycle: Vec<LifecycleStep>,
    /// The break-it scenarios and their verdict; `null` without scenarios.
    pub break_it: Option<BreakItReport>,
}

fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        padded.join("  ").trim_end().to_owned()
    };
    let _ = writeln!(out, "{}", line(header.iter().map(|h| h.to_string()).collect()));
    for r in rows {
        let _ = writeln!(out, "{}", line(r.clone()));
    }
}

fn path(asns: &[u32]) -> String {
    asns.iter().map(u32::to_string).collect::<Vec<_>>().join(" ")
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

impl Report {
    /// The report for people.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "peering {} (route server AS{}), registered ASNs: {}\n",
            self.peering,
            self.route_server_asn,
            path(&self.registered_asns)
        );
        if let Some(api) = &self.api {
            let _ = writeln!(out, "API: http://{api}\n");
        }
        self.connections_table(&mut out);
        self.sessions_table(&mut out);
        self.routes_table(&mut out);
        self.filtered_table(&mut out);
        out.push_str(&live::prefix_table(&self.peering_service_prefixes));
        if let Some(b) = &self.break_it {
            out.push_str(&b.render());
        }
        let _ = writeln!(
            out,
            "\nall sessions established: {}; converged: {}",
            self.all_established, self.converged
        );
        out
    }

    fn connections_table(&self, out: &mut String) {
        let _ = writeln!(out, "Connections");
        let rows: Vec<Vec<String>> = self
            .connections
            .iter()
            .map(|c| {
                vec![
                    c.connection.clone(),
                    opt(c.facility),
                    c.connection_state.to_string(),
                    c.session_state_v4.to_string(),
                    c.session_state_v6.to_string(),
                    c.prefixes_received.to_string(),
                    c.prefixes_accepted.to_string(),
                ]
            })
            .collect();
        table(
            out,
            &[
                "connection",
                "facility",
                "connection state",
                "IPv4 session",
                "IPv6 session",
                "received",
                "accepted",
            ],
            &rows,
        );
    }

    fn sessions_table(&self, out: &mut String) {
        let _ = writeln!(out, "\nSessions");
        let rows: Vec<Vec<String>> = self
            .sessions
            .iter()
            .map(|s| {
                vec![
                    s.speaker.clone(),
                    format!("AS{}", s.asn),
                    s.session_address.clone(),
                    s.loopback.clone(),
                    s.state.to_string(),
                    s.announced.to_string(),
                    if s.md5 { "yes" } else { "no" }.to_owned(),
                ]
            })
            .collect();
        table(
            out,
            &[
                "speaker",
                "asn",
                "session address",
                "loopback",
                "state",
                "announced",
                "md5",
            ],
            &rows,
        );
    }

    fn routes_table(&self, out: &mut String) {
        let _ = writeln!(out, "\nRoutes at AS8075");
        let rows: Vec<Vec<String>> = self
            .routes_at_as8075
            .iter()
            .map(|r| {
                vec![
                    r.connection.clone(),
                    r.route.prefix.to_string(),
                    opt(r.route.next_hop.clone()),
                    path(&r.route.as_path),
                    opt(r.route.origin_as),
                ]
            })
            .collect();
        table(
            out,
            &["connection", "prefix", "next hop", "AS path", "origin AS"],
            &rows,
        );
    }

    fn filtered_table(&self, out: &mut String) {
        let _ = writeln!(out, "\nFiltered by the route server");
        let rows: Vec<Vec<String>> = self
            .filtered
            .iter()
            .map(|r| {
                vec![
                    r.prefix.clone(),
                    r.from.clone(),
                    path(&r.as_path),
                    r.reason.clone(),
                    r.sentence.clone(),
                ]
            })
            .collect();
        table(out, &["prefix", "from", "AS path", "reason", "why"], &rows);
    }
}
