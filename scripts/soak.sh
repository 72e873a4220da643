#!/usr/bin/env bash
# Bounded soak of `peerlab route-server` on loopback.
#
# N clients (default 300), each a `peerlab speaker` process from its own 127.1.x.y address.
# A quarter of them (at least one) are stable: they connect once, announce a fixed set of
# prefixes and must stay Established to the end. The others churn: each cycle a client
# connects, announces a random subset of its prefix pool with a random AS-path prepend, MED and
# community, stays up for CYCLE_MIN..CYCLE_MAX seconds, drops the session (flap) and comes back
# with a new set — a bounded rate of about N_churn / CYCLE_AVG flaps per second.
#
# Every 10 s the route server's RSS (kB), open fds, Established sessions and table figures go
# into a CSV. After DURATION the churners come up one last time and the script checks:
#   - sessions: every client Established, the stable ones never went down (API counters);
#   - table: the route server holds exactly the prefixes and paths the clients announce now;
#   - RSS and fds flat: after warm-up (the first WARMUP seconds of churn), no sample exceeds the
#     warm-up reference by more than 10%, and the settled fd count is within 10% of the one
#     before churn began.
# Exit 0 when every check passes, 1 otherwise, 2 on a usage or start problem. Every process it
# starts is stopped by its pid (also on Ctrl-C).
#
# Usage: scripts/soak.sh [--clients N] [--duration SECS] [--out DIR] [--peerlab PATH]
#   defaults: 300 clients, 1800 s, out = a new directory under ${TMPDIR:-/tmp}.
set -euo pipefail

CLIENTS=300
DURATION=1800
OUT=""
PEERLAB="${PEERLAB:-}"
CYCLE_MIN=10 # seconds a churning session stays up, at least
CYCLE_MAX=30 # and at most
SAMPLE_EVERY=10
POOL=8 # prefixes per client

while [ $# -gt 0 ]; do
    case "$1" in
    --clients) CLIENTS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --peerlab) PEERLAB="$2"; shift 2 ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

case "$CLIENTS" in '' | *[!0-9]*) echo "soak.sh: --clients must be a number from 2 to 1000" >&2; exit 2 ;; esac
case "$DURATION" in '' | *[!0-9]*) echo "soak.sh: --duration must be a number of seconds (>= 60)" >&2; exit 2 ;; esac
if [ "$CLIENTS" -lt 2 ] || [ "$CLIENTS" -gt 1000 ]; then
    echo "soak.sh: --clients must be from 2 to 1000 (one 127.1.x.y address and ASN each)" >&2
    exit 2
fi
if [ "$DURATION" -lt 60 ]; then
    echo "soak.sh: --duration must be at least 60 s (the warm-up alone takes 30)" >&2
    exit 2
fi

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "$PEERLAB" ]; then
    for p in "${CARGO_TARGET_DIR:-$ROOT/target}/release/peerlab" "${CARGO_TARGET_DIR:-$ROOT/target}/debug/peerlab"; do
        if [ -x "$p" ]; then PEERLAB="$p"; break; fi
    done
fi
if [ -z "$PEERLAB" ] || [ ! -x "$PEERLAB" ]; then
    echo "soak.sh: no peerlab binary; build it (cargo build --release -p peerlab) or pass --peerlab PATH" >&2
    exit 2
fi
for tool in curl python3; do
    command -v "$tool" >/dev/null || { echo "soak.sh: needs $tool on PATH" >&2; exit 2; }
done

OUT="${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/peerlab-soak.XXXXXX")}"
mkdir -p "$OUT/clients"
CSV="$OUT/samples.csv"
WARMUP=$((DURATION / 10 > 30 ? DURATION / 10 : 30))
STABLE=$((CLIENTS / 4 > 0 ? CLIENTS / 4 : 1))

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
BGP_PORT="$(free_port)"
API_PORT="$(free_port)"
API="http://127.0.0.1:$API_PORT"

# Client i: ASN 1000+i, address 127.1.(i/250).(i%250+1), prefixes 11+i/200 . i%200 . k . 0/24.
asn_of() { echo $((1000 + $1)); }
addr_of() { echo "127.1.$(($1 / 250)).$(($1 % 250 + 1))"; }
prefix_of() { echo "$((11 + $1 / 200)).$(($1 % 200)).$2.0/24"; }

RS_PID=""
LOOPS=() # the churn loops; each client's current speaker is in $OUT/clients/c<i>.pid
cleanup() {
    local pid f
    # The loops first (so none starts another speaker), then every speaker, then the server.
    for pid in "${LOOPS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${LOOPS[@]}"; do wait "$pid" 2>/dev/null || true; done
    for f in "$OUT"/clients/*.pid; do
        [ -e "$f" ] || continue
        pid="$(cat "$f")"
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ -n "$RS_PID" ]; then
        kill "$RS_PID" 2>/dev/null || true
        wait "$RS_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The route server's configuration.
{
    echo "asn = 64999"
    echo "router_id = \"10.255.255.1\""
    echo "listen = [\"127.0.0.1:$BGP_PORT\"]"
    printf 'registered_asns = ['
    for ((i = 0; i < CLIENTS; i++)); do printf '%s%s' "$([ $i -gt 0 ] && echo ', ')" "$(asn_of $i)"; done
    echo "]"
    for ((i = 0; i < CLIENTS; i++)); do
        echo
        echo "[[clients]]"
        echo "name = \"c$i\""
        echo "asn = $(asn_of $i)"
        echo "addresses = [\"$(addr_of $i)\"]"
    done
} >"$OUT/rs.toml"

"$PEERLAB" route-server --config "$OUT/rs.toml" --api "127.0.0.1:$API_PORT" \
    --duration $((DURATION + 600)) >"$OUT/route-server.log" 2>&1 &
RS_PID=$!

api() { curl -sf --max-time 5 "$API$1"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

for _ in $(seq 1 100); do
    api /stats >/dev/null 2>&1 && break
    kill -0 "$RS_PID" 2>/dev/null || { echo "soak.sh: the route server exited; see $OUT/route-server.log" >&2; exit 2; }
    sleep 0.2
done
api /stats >/dev/null || { echo "soak.sh: the route server's API did not answer" >&2; exit 2; }

# One speaker for client $1 announcing the prefix indices in $2 (comma-separated), AS path
# prepended $3 times, MED $4, community tag $5; extra arguments go to the speaker.
speaker() {
    local i=$1 idx=$2 prepend=$3 med=$4 tag=$5
    shift 5
    local asn path prefixes="" k
    asn="$(asn_of "$i")"
    path="$asn"
    for ((k = 0; k < prepend; k++)); do path="$path,$asn"; done
    for k in ${idx//,/ }; do prefixes="$prefixes${prefixes:+,}$(prefix_of "$i" "$k")"; done
    exec "$PEERLAB" speaker --local-as "$asn" --peer-as 64999 --router-id "$(addr_of "$i")" \
        --local "$(addr_of "$i")" --peer "127.0.0.1:$BGP_PORT" --family ipv4-unicast \
        --connect-retry 1 --announce "$prefixes" --as-path "$path" --med "$med" \
        --community "$asn:$tag" "$@"
}

# Stable clients: every prefix of the pool, no prepend, for the whole run.
ALL_IDX="$(seq -s, 0 $((POOL - 1)))"
for ((i = 0; i < STABLE; i++)); do
    (speaker "$i" "$ALL_IDX" 0 0 1 >/dev/null 2>"$OUT/clients/c$i.err") &
    echo $! >"$OUT/clients/c$i.pid"
done

CHURN_END=0 # set below, once every client is up (each loop inherits it when started)
# One churning client: cycles until the end of churn, then a last session that stays up.
churn() {
    local i=$1 n idx k up gap pid
    while [ "$(date +%s)" -lt "$CHURN_END" ]; do
        n=$((1 + RANDOM % POOL))
        idx="$(seq 0 $((POOL - 1)) | shuf -n "$n" | sort -n | paste -sd,)"
        up=$((CYCLE_MIN + RANDOM % (CYCLE_MAX - CYCLE_MIN + 1)))
        (speaker "$i" "$idx" $((RANDOM % 3)) $((RANDOM % 100)) $((RANDOM % 50)) --timeout "$up" \
            >/dev/null 2>>"$OUT/clients/c$i.err") &
        pid=$!
        echo "$pid" >"$OUT/clients/c$i.pid"
        wait "$pid" || true
        gap=$((1 + RANDOM % 3))
        sleep "$gap"
    done
    (speaker "$i" "$ALL_IDX" 0 0 1 >/dev/null 2>>"$OUT/clients/c$i.err") &
    echo $! >"$OUT/clients/c$i.pid"
    touch "$OUT/clients/c$i.final"
    wait
}

sample() { # elapsed phase → one CSV line
    local rss fds stats
    rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$RS_PID/status" 2>/dev/null || echo 0)"
    fds="$(find "/proc/$RS_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
    stats="$(api /stats | json '",".join(str(x) for x in (d["established"], d["table"]["ipv4_prefixes"], d["table"]["paths"], d["memory"]["tables"] + d["memory"]["sessions"]))' || echo ',,,')"
    echo "$1,$2,$rss,$fds,$stats" >>"$CSV"
}
echo "elapsed_s,phase,rss_kb,fds,established,ipv4_prefixes,paths,engine_heap_bytes" >"$CSV"

established() { api /stats | json 'd["established"]'; }
wait_all_up() { # seconds → 0 once every client is Established
    local deadline=$(($(date +%s) + $1))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        [ "$(established 2>/dev/null || echo 0)" -ge "$CLIENTS" ] && return 0
        sleep 1
    done
    return 1
}

# Start: the churners' first session is a full one too, so everyone is up before churn.
for ((i = STABLE; i < CLIENTS; i++)); do
    (speaker "$i" "$ALL_IDX" 0 0 1 >/dev/null 2>"$OUT/clients/c$i.err") &
    echo $! >"$OUT/clients/c$i.pid"
done
if ! wait_all_up 120; then
    echo "soak.sh: only $(established) of $CLIENTS sessions came up within 120 s" >&2
    exit 1
fi
sleep 5
sample 0 baseline
BASE_FDS="$(tail -1 "$CSV" | cut -d, -f4)"
echo "soak: $CLIENTS clients up ($STABLE stable) on 127.0.0.1:$BGP_PORT; churn for $DURATION s; CSV $CSV" >&2

# The churners' first full sessions end; each client's loop takes over.
for ((i = STABLE; i < CLIENTS; i++)); do
    kill "$(cat "$OUT/clients/c$i.pid")" 2>/dev/null || true
done
CHURN_START=$(date +%s)
CHURN_END=$((CHURN_START + DURATION))
for ((i = STABLE; i < CLIENTS; i++)); do
    churn "$i" &
    LOOPS+=("$!")
done

while [ "$(date +%s)" -lt "$CHURN_END" ]; do
    sleep "$SAMPLE_EVERY"
    e=$(($(date +%s) - CHURN_START))
    if [ "$e" -lt "$WARMUP" ]; then sample "$e" warmup; else sample "$e" churn; fi
    kill -0 "$RS_PID" 2>/dev/null || { echo "soak.sh: the route server died; see $OUT/route-server.log" >&2; exit 1; }
done

# Settle: every churner's last cycle ends (a cycle's --timeout runs from its start) and it
# comes back with its full pool; every client must then be up twice, 5 s apart.
finals() { find "$OUT/clients" -name '*.final' | wc -l; }
for _ in $(seq 1 $((CYCLE_MAX + 10))); do
    [ "$(finals)" -ge $((CLIENTS - STABLE)) ] && break
    sleep 1
done
SETTLED=0
if wait_all_up 120; then
    sleep 5
    wait_all_up 2 && SETTLED=1
fi
sample $(($(date +%s) - CHURN_START)) settled

# Checks.
FAIL=0
fail() { echo "FAIL: $*" >&2; FAIL=1; }
[ "$SETTLED" = 1 ] || fail "only $(established) of $CLIENTS sessions Established after churn ended"
api /sessions >"$OUT/sessions.json"
LOST="$(python3 - "$OUT/sessions.json" "$STABLE" <<'EOF'
import json, sys
sessions = json.load(open(sys.argv[1]))
stable = int(sys.argv[2])
bad = []
for s in sessions:
    i = int(s["client"][1:])
    c = s["counters"]
    if s["state"] != "Established":
        bad.append(f'{s["name"]} is {s["state"]}')
    elif i < stable and (c["downs"] != 0 or c["ups"] != 1):
        bad.append(f'stable {s["name"]} went down ({c["ups"]} ups, {c["downs"]} downs)')
print("; ".join(bad))
EOF
)"
[ -z "$LOST" ] || fail "sessions lost: $LOST"
FLAPS="$(json 'sum(s["counters"]["downs"] for s in d)' <"$OUT/sessions.json")"

WANT=$((CLIENTS * POOL))
read -r HELD PATHS <<<"$(api /stats | json 'd["table"]["ipv4_prefixes"], d["table"]["accepted_paths"]')"
[ "$HELD" = "$WANT" ] || fail "the table holds $HELD IPv4 prefixes; the clients announce $WANT"
[ "$PATHS" = "$WANT" ] || fail "the table holds $PATHS accepted paths; the clients announce $WANT"

FLAT="$(python3 - "$CSV" "$BASE_FDS" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
base_fds = int(sys.argv[2])
churn = [r for r in rows if r["phase"] == "churn"]
settled = [r for r in rows if r["phase"] == "settled"]
out = []
if not churn:
    print("no sample after warm-up"); sys.exit()
ref_rss = int(churn[0]["rss_kb"])
ref_fds = int(churn[0]["fds"])
max_rss = max(int(r["rss_kb"]) for r in churn + settled)
max_fds = max(int(r["fds"]) for r in churn + settled)
if max_rss > ref_rss * 1.10:
    out.append(f"RSS grew from {ref_rss} kB after warm-up to {max_rss} kB (> 10%)")
if max_fds > max(ref_fds, base_fds) * 1.10:
    out.append(f"fds grew from {max(ref_fds, base_fds)} to {max_fds} (> 10%)")
if settled and abs(int(settled[-1]["fds"]) - base_fds) > base_fds * 0.10:
    out.append(f"{settled[-1]['fds']} fds once settled, {base_fds} before churn (> 10% apart)")
print("; ".join(out))
EOF
)"
[ -z "$FLAT" ] || fail "$FLAT"

python3 - "$CSV" "$FLAPS" "$DURATION" "$CLIENTS" "$STABLE" <<'EOF' >&2
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
flaps, duration, clients, stable = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
after = [r for r in rows if r["phase"] in ("churn", "settled")]
rss = [int(r["rss_kb"]) for r in after] or [0]
fds = [int(r["fds"]) for r in after] or [0]
print(f"soak: {clients} clients ({stable} stable), {duration} s of churn, {flaps} session flaps "
      f"({flaps / duration:.1f}/s), {len(rows)} samples")
print(f"soak: RSS baseline {rows[0]['rss_kb']} kB, after warm-up {min(rss)}..{max(rss)} kB; "
      f"fds baseline {rows[0]['fds']}, after warm-up {min(fds)}..{max(fds)}, settled {rows[-1]['fds']}")
EOF
echo "soak: samples in $CSV, route server log in $OUT/route-server.log" >&2
if [ "$FAIL" = 0 ]; then
    echo "soak: PASS" >&2
else
    echo "soak: FAIL" >&2
fi
exit "$FAIL"
