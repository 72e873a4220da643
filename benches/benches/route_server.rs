//! The route server engine in process: 100 clients × 10,000 distinct IPv4 /24s each (1M
//! routes), realistic attributes (3-ASN path, MED, two standard and one large community),
//! 10 prefixes per UPDATE (100,000 distinct attribute sets), every origin registered.
//!
//! - `ingest`: every UPDATE (pre-built with `UpdateBuilder` and pre-parsed) through the
//!   import chain into the table; throughput in accepted routes.
//! - `export`: the full view (990,000 prefixes each) of 10 of the clients computed and
//!   packed into UPDATEs; throughput in prefixes packed. A one-shot line printed before the
//!   benches times the export to all 100 clients.
//! - Memory, printed once before the benches: heap bytes of the table and per-client state
//!   from the structures' capacities (`RouteServer::memory`), and the process RSS growth, per
//!   stored (prefix, path).

use bgp_core::attr::{AsPath, AttrValue, Community, LargeCommunity, Origin, PathAttribute};
use bgp_core::nlri::Nlri;
use bgp_core::{SessionContext, UpdateBuilder, UpdateView};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ipnet::Ipv4Net;
use route_server::{RouteServer, RouteServerConfig, SessionConfig, SessionId};
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

const CLIENTS: usize = 100;
const PREFIXES_PER_CLIENT: usize = 10_000;
const PREFIXES_PER_UPDATE: usize = 10;
const RS_ASN: u32 = 5000;
const EXPORT_CLIENTS: usize = 10;

fn client_asn(i: usize) -> u32 {
    10_000 + i as u32
}

fn client_addr(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(185, 1, (i / 250) as u8, (i % 250 + 1) as u8)
}

fn origin_asn(client: usize, group: usize) -> u32 {
    200_000 + (client * 1000 + group % 1000) as u32
}

struct Fixture {
    config: RouteServerConfig,
    sessions: Vec<SessionConfig>,
    updates: Vec<(usize, UpdateView)>,
}

fn fixture() -> Fixture {
    let ctx = SessionContext::default();
    let mut builder = UpdateBuilder::new(ctx);
    let mut updates = Vec::new();
    let mut registered = Vec::new();
    for c in 0..CLIENTS {
        for g in 0..PREFIXES_PER_CLIENT / PREFIXES_PER_UPDATE {
            let origin = origin_asn(c, g);
            registered.push(origin);
            let attrs = vec![
                PathAttribute::new(AttrValue::Origin(Origin::Igp)),
                PathAttribute::new(AttrValue::AsPath(AsPath::sequence(vec![client_asn(c), 3356, origin]))),
                PathAttribute::new(AttrValue::NextHop(client_addr(c))),
                PathAttribute::new(AttrValue::Med(g as u32 % 7)),
                PathAttribute::new(AttrValue::Communities(vec![
                    Community::new(client_asn(c) as u16, 100),
                    Community::new(client_asn(c) as u16, 2000 + (g % 50) as u16),
                ])),
                PathAttribute::new(AttrValue::LargeCommunities(vec![LargeCommunity::new(
                    client_asn(c),
                    1,
                    1,
                )])),
            ];
            let prefixes = (0..PREFIXES_PER_UPDATE).map(|k| {
                let n = (c * PREFIXES_PER_CLIENT + g * PREFIXES_PER_UPDATE + k) as u32;
                // 16.0.0.0 .. 31.255.255.0: no bogons in that range.
                let addr = Ipv4Addr::from((16u32 << 24) + (n << 8));
                Nlri::new(Ipv4Net::new(addr, 24).unwrap_or_default())
            });
            let mut out = Vec::new();
            builder.announce_ipv4(&attrs, prefixes, &mut out).expect("fits");
            for m in out {
                updates.push((c, UpdateView::parse(m, &ctx).expect("valid UPDATE")));
            }
        }
    }
    registered.sort_unstable();
    registered.dedup();
    let mut config = RouteServerConfig::new(RS_ASN, Ipv4Addr::new(185, 1, 255, 254));
    config.registered_asns = registered;
    let sessions = (0..CLIENTS)
        .map(|i| SessionConfig::new(&format!("client{i}"), client_asn(i), IpAddr::V4(client_addr(i))))
        .collect();
    Fixture {
        config,
        sessions,
        updates,
    }
}

fn build(f: &Fixture) -> (RouteServer, Vec<SessionId>) {
    let mut rs = RouteServer::new(&f.config);
    let ids: Vec<SessionId> = f
        .sessions
        .iter()
        .map(|s| rs.add_session(s.clone()).expect("session"))
        .collect();
    for id in &ids {
        rs.session_up(*id, SessionContext::default()).expect("up");
    }
    (rs, ids)
}

fn ingest_all(rs: &mut RouteServer, ids: &[SessionId], f: &Fixture) -> u64 {
    let mut accepted = 0u64;
    for (c, u) in &f.updates {
        accepted += rs.ingest(ids[*c], u).expect("ingest").accepted as u64;
    }
    accepted
}

fn export_all(rs: &mut RouteServer, ids: &[SessionId]) -> (u64, u64) {
    let (mut msgs, mut bytes) = (0u64, 0u64);
    for id in ids {
        while rs.has_output(*id) {
            let out = rs.poll_output(*id, 1 << 20).expect("output");
            msgs += out.len() as u64;
            bytes += out.iter().map(|b| b.len() as u64).sum::<u64>();
        }
    }
    (msgs, bytes)
}

fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn report_memory(f: &Fixture) {
    let before = rss_bytes();
    let (mut rs, ids) = build(f);
    let t = Instant::now();
    let accepted = ingest_all(&mut rs, &ids, f);
    let ingest_time = t.elapsed();
    let after_ingest = rss_bytes();
    let m_ingest = rs.memory();
    let t = Instant::now();
    ingest_all(&mut rs, &ids, f);
    let again_time = t.elapsed();
    let t = Instant::now();
    let (msgs, bytes) = export_all(&mut rs, &ids);
    let export_time = t.elapsed();
    let m_export = rs.memory();
    let after_export = rss_bytes();
    let stats = rs.stats();
    let paths = stats.paths as f64;
    println!(
        "route_server fixture: {} clients, {} paths ({} accepted), {} prefixes, {} attribute sets",
        CLIENTS, stats.paths, accepted, stats.ipv4_prefixes, stats.attribute_sets
    );
    println!(
        "one-shot: ingest {:.3} s ({:.2} M accepted routes/s); export {:.3} s, {} UPDATEs, {} octets",
        ingest_time.as_secs_f64(),
        accepted as f64 / ingest_time.as_secs_f64() / 1e6,
        export_time.as_secs_f64(),
        msgs,
        bytes
    );
    println!(
        "one-shot: the same UPDATEs again (implicit replace, sets and prefixes known): {:.3} s ({:.2} M routes/s)",
        again_time.as_secs_f64(),
        accepted as f64 / again_time.as_secs_f64() / 1e6
    );
    println!(
        "memory by capacity, after ingest: table {} B + per-client {} B = {:.1} B per (prefix, path)",
        m_ingest.tables,
        m_ingest.sessions,
        (m_ingest.tables + m_ingest.sessions) as f64 / paths
    );
    println!(
        "memory by capacity, after export: table {} B + per-client {} B = {:.1} B per (prefix, path)",
        m_export.tables,
        m_export.sessions,
        (m_export.tables + m_export.sessions) as f64 / paths
    );
    if let (Some(b), Some(i), Some(e)) = (before, after_ingest, after_export) {
        println!(
            "RSS growth (includes the {} shared attribute sets and allocator slack): after ingest {:.1} B, after export {:.1} B per (prefix, path)",
            stats.attribute_sets,
            i.saturating_sub(b) as f64 / paths,
            e.saturating_sub(b) as f64 / paths
        );
    }
}

fn benches(c: &mut Criterion) {
    let f = fixture();
    report_memory(&f);
    let routes = (CLIENTS * PREFIXES_PER_CLIENT) as u64;
    let mut g = c.benchmark_group("route_server");
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Elements(routes));
    g.bench_function("ingest_100_clients_x_10k_prefixes", |b| {
        b.iter_batched(
            || build(&f),
            |(mut rs, ids)| {
                ingest_all(&mut rs, &ids, &f);
                rs
            },
            BatchSize::PerIteration,
        )
    });
    // Export to 10 of the 100 clients per iteration (9.9M prefixes) keeps the run short; the
    // one-shot line above exports to all 100.
    g.throughput(Throughput::Elements(
        EXPORT_CLIENTS as u64 * routes * (CLIENTS as u64 - 1) / CLIENTS as u64,
    ));
    g.bench_function("export_full_view_to_10_of_100_clients", |b| {
        b.iter_batched(
            || {
                let (mut rs, ids) = build(&f);
                ingest_all(&mut rs, &ids, &f);
                (rs, ids)
            },
            |(mut rs, ids)| {
                export_all(&mut rs, &ids[..EXPORT_CLIENTS]);
                rs
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(route_server_benches, benches);
criterion_main!(route_server_benches);
