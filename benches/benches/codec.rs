//! Codec speed: decode and encode of full 4,096-octet UPDATE messages, in prefixes per second.
//!
//! - `decode_ipv4_24`: one UPDATE of IPv4 /24s in the NLRI field sharing ORIGIN, a 3-ASN
//!   AS_PATH, NEXT_HOP, MED and two communities. Each decoder parses the frame and yields
//!   every announced prefix, each consumed with `black_box`: peerlab (`UpdateView::parse` then
//!   `announced_ipv4()`, `ipnet::Ipv4Net` with path id option), routecore (`UpdateMessage::
//!   from_octets` then `typed_announcements::<Ipv4UnicastNlri>()`) and bgpkit-parser
//!   (`parse_bgp_update_message` then its `announced_prefixes`).
//! - `decode_ipv6_48`: the same with IPv6 /48s in MP_REACH_NLRI (peerlab `mp_reach().ipv6()`,
//!   routecore `typed_announcements::<Ipv6UnicastNlri>()`, bgpkit `get_reachable_nlri()`).
//! - `encode_ipv4_24`, `encode_ipv6_48`: peerlab's `UpdateBuilder` packing the same routes into
//!   the same single message, attribute encoding included.
//!
//! Throughput is `Elements(prefixes per message)`, so criterion reports prefixes/s.
//! Before measuring, each decoder's prefix count is checked against the builder's.

use bgp_core::{SessionContext, UpdateBuilder, UpdateView};
use bgpkit_parser::models::AsnLength;
use bgpkit_parser::parser::bgp::messages::parse_bgp_update_message;
use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use peerlab_benches::fixtures::{self, Packed, HEADER_LEN};
use routecore::bgp::message::{SessionConfig, UpdateMessage};
use routecore::bgp::nlri::afisafi::{Ipv4UnicastNlri, Ipv6UnicastNlri};
use std::hint::black_box;
use std::time::Duration;

/// peerlab: validate once, then walk the NLRI field.
fn peerlab_ipv4(frame: &Bytes, ctx: &SessionContext) -> usize {
    let view = UpdateView::parse(black_box(frame).clone(), ctx).expect("peerlab decodes the IPv4 UPDATE");
    let mut n = 0;
    for nlri in view.announced_ipv4() {
        black_box(nlri);
        n += 1;
    }
    n
}

/// peerlab: validate once, then walk the MP_REACH_NLRI prefixes.
fn peerlab_ipv6(frame: &Bytes, ctx: &SessionContext) -> usize {
    let view = UpdateView::parse(black_box(frame).clone(), ctx).expect("peerlab decodes the IPv6 UPDATE");
    let mut n = 0;
    if let Some(mp) = view.mp_reach() {
        for nlri in mp.ipv6() {
            black_box(nlri);
            n += 1;
        }
    }
    n
}

/// routecore: its typed iterator, the fastest of its public ways to the announced prefixes.
fn routecore_ipv4(frame: &[u8], config: &SessionConfig) -> usize {
    let msg = UpdateMessage::from_octets(black_box(frame), config).expect("routecore decodes the IPv4 UPDATE");
    let mut n = 0;
    let it = msg
        .typed_announcements::<_, Ipv4UnicastNlri>()
        .expect("routecore finds the NLRI");
    for nlri in it.into_iter().flatten() {
        match nlri {
            Ok(p) => black_box(p),
            Err(_) => break,
        };
        n += 1;
    }
    n
}

/// routecore: the typed iterator over the MP_REACH_NLRI.
fn routecore_ipv6(frame: &[u8], config: &SessionConfig) -> usize {
    let msg = UpdateMessage::from_octets(black_box(frame), config).expect("routecore decodes the IPv6 UPDATE");
    let mut n = 0;
    let it = msg
        .typed_announcements::<_, Ipv6UnicastNlri>()
        .expect("routecore finds the MP_REACH_NLRI");
    for nlri in it.into_iter().flatten() {
        match nlri {
            Ok(p) => black_box(p),
            Err(_) => break,
        };
        n += 1;
    }
    n
}

/// bgpkit-parser: the UPDATE body (after the header) into its owned message.
fn bgpkit_ipv4(body: &Bytes) -> usize {
    let msg = parse_bgp_update_message(black_box(body).clone(), false, &AsnLength::Bits32)
        .expect("bgpkit decodes the IPv4 UPDATE");
    let mut n = 0;
    for p in &msg.announced_prefixes {
        black_box(p);
        n += 1;
    }
    n
}

/// bgpkit-parser: the prefixes of its parsed MP_REACH_NLRI.
fn bgpkit_ipv6(body: &Bytes) -> usize {
    let msg = parse_bgp_update_message(black_box(body).clone(), false, &AsnLength::Bits32)
        .expect("bgpkit decodes the IPv6 UPDATE");
    let mut n = 0;
    if let Some(nlri) = msg.attributes.get_reachable_nlri() {
        for p in &nlri.prefixes {
            black_box(p);
            n += 1;
        }
    }
    n
}

fn decode_ipv4(c: &mut Criterion) {
    let Packed { frame, prefixes } = fixtures::packed_ipv4().expect("the builder packs the IPv4 UPDATE");
    let ctx = fixtures::context();
    let config = SessionConfig::modern();
    let body = frame.slice(HEADER_LEN..);
    assert_eq!(peerlab_ipv4(&frame, &ctx), prefixes, "peerlab prefix count");
    assert_eq!(routecore_ipv4(&frame, &config), prefixes, "routecore prefix count");
    assert_eq!(bgpkit_ipv4(&body), prefixes, "bgpkit prefix count");

    let mut g = c.benchmark_group(format!("decode_ipv4_24/{prefixes}_prefixes"));
    g.throughput(Throughput::Elements(prefixes as u64));
    g.bench_function("peerlab", |b| b.iter(|| peerlab_ipv4(&frame, &ctx)));
    g.bench_function("routecore", |b| b.iter(|| routecore_ipv4(&frame, &config)));
    g.bench_function("bgpkit", |b| b.iter(|| bgpkit_ipv4(&body)));
    g.finish();
}

fn decode_ipv6(c: &mut Criterion) {
    let Packed { frame, prefixes } = fixtures::packed_ipv6().expect("the builder packs the IPv6 UPDATE");
    let ctx = fixtures::context();
    let config = SessionConfig::modern();
    let body = frame.slice(HEADER_LEN..);
    assert_eq!(peerlab_ipv6(&frame, &ctx), prefixes, "peerlab prefix count");
    assert_eq!(routecore_ipv6(&frame, &config), prefixes, "routecore prefix count");
    assert_eq!(bgpkit_ipv6(&body), prefixes, "bgpkit prefix count");

    let mut g = c.benchmark_group(format!("decode_ipv6_48/{prefixes}_prefixes"));
    g.throughput(Throughput::Elements(prefixes as u64));
    g.bench_function("peerlab", |b| b.iter(|| peerlab_ipv6(&frame, &ctx)));
    g.bench_function("routecore", |b| b.iter(|| routecore_ipv6(&frame, &config)));
    g.bench_function("bgpkit", |b| b.iter(|| bgpkit_ipv6(&body)));
    g.finish();
}

fn encode(c: &mut Criterion) {
    let ctx = fixtures::context();
    let v4 = fixtures::packed_ipv4().expect("the builder packs the IPv4 UPDATE");
    let v6 = fixtures::packed_ipv6().expect("the builder packs the IPv6 UPDATE");
    let (routes4, attrs4) = (fixtures::ipv4_routes(v4.prefixes), fixtures::ipv4_attributes());
    let (routes6, attrs6) = (fixtures::ipv6_routes(v6.prefixes), fixtures::ipv6_attributes());
    let next_hop = fixtures::ipv6_next_hop();
    let mut builder = UpdateBuilder::new(ctx);
    let mut out = Vec::with_capacity(2);

    // Exactly the routes of one message, so each iteration builds the decode benches' frame.
    builder
        .announce_ipv4(&attrs4, routes4.iter().copied(), &mut out)
        .expect("IPv4 encodes");
    assert_eq!(
        out,
        std::slice::from_ref(&v4.frame),
        "the encoder rebuilds the IPv4 frame"
    );
    out.clear();
    builder
        .announce_ipv6(&attrs6, &next_hop, routes6.iter().copied(), &mut out)
        .expect("IPv6 encodes");
    assert_eq!(
        out,
        std::slice::from_ref(&v6.frame),
        "the encoder rebuilds the IPv6 frame"
    );
    out.clear();

    let mut g = c.benchmark_group(format!("encode_ipv4_24/{}_prefixes", v4.prefixes));
    g.throughput(Throughput::Elements(v4.prefixes as u64));
    g.bench_function("peerlab", |b| {
        b.iter(|| {
            out.clear();
            builder
                .announce_ipv4(&attrs4, black_box(&routes4).iter().copied(), &mut out)
                .expect("IPv4 encodes");
            black_box(&out);
        })
    });
    g.finish();

    let mut g = c.benchmark_group(format!("encode_ipv6_48/{}_prefixes", v6.prefixes));
    g.throughput(Throughput::Elements(v6.prefixes as u64));
    g.bench_function("peerlab", |b| {
        b.iter(|| {
            out.clear();
            builder
                .announce_ipv6(&attrs6, &next_hop, black_box(&routes6).iter().copied(), &mut out)
                .expect("IPv6 encodes");
            black_box(&out);
        })
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(50)
}

criterion_group! {
    name = codec;
    config = config();
    targets = decode_ipv4, decode_ipv6, encode
}
criterion_main!(codec);
