//! One session's receive path over loopback TCP at full speed: a raw peer writes packed
//! UPDATEs of IPv4 /24s; peerlab's session frames them, validates each into an
//! `UpdateView` and hands it on; the bench iterates every prefix. Reports prefixes/s.

use bgp_core::speaker::{Listener, SessionEvent};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use peerlab_benches::{fixtures, loopback};
use std::net::IpAddr;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

const MESSAGES: usize = 500;

fn receive_path(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let Some(packed) = fixtures::packed_ipv4() else { return };
    let per_msg = packed.prefixes;
    let mut blob = Vec::new();
    for _ in 0..MESSAGES {
        blob.extend_from_slice(&packed.frame);
    }
    let total = per_msg * MESSAGES;
    let (mut session, mut peer) = rt.block_on(async {
        let l = Listener::bind("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("listen");
        let peer_ip: IpAddr = "127.0.0.9".parse().expect("addr");
        let mut h = loopback::passive_session(&l, peer_ip, 65001, 65002, 90).expect("session");
        let s = loopback::raw_peer(peer_ip, l.local_addr(), 65002)
            .await
            .expect("handshake");
        assert!(loopback::established(&mut h).await);
        std::mem::forget(l);
        (h, s)
    });
    let mut g = c.benchmark_group("session_receive");
    g.throughput(Throughput::Elements(total as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function(format!("{MESSAGES}_updates_of_{per_msg}_ipv4_prefixes"), |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut elapsed = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let writer = async { peer.write_all(&blob).await.expect("write") };
                    let reader = async {
                        let mut seen = 0usize;
                        while seen < total {
                            match session.events.recv().await {
                                Some(SessionEvent::Update(v)) => {
                                    for n in v.announced_ipv4() {
                                        std::hint::black_box(n);
                                        seen += 1;
                                    }
                                }
                                Some(_) => {}
                                None => panic!("session ended"),
                            }
                        }
                    };
                    tokio::join!(writer, reader);
                    elapsed += start.elapsed();
                }
                elapsed
            })
        })
    });
    g.finish();
}

criterion_group!(benches, receive_path);
criterion_main!(benches);
