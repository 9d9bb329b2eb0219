#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Services, not ports (issue 21), against Linux kernels: real servers in the
# target namespace on ground-truth addresses of 198.18.1.0/24 (Python's
# http.server, openssl s_server with TLS 1.3 and with TLS 1.2 and a test
# certificate, a server that speaks first, one that never speaks), every
# other address and port answering RST, and a middlebox address whose every
# port is redirected by nft to a listener that accepts and never speaks.
# trawl -M tcp_banner over net_af_packet must find exactly the services,
# capture for each what a kernel client (curl, openssl s_client, a socket)
# reads first, write the middlebox as canary and never as a service, and
# leave no connection open on any target (ss in the target namespace).
# Needs root (namespaces); skips (77) without it. Deletes all it made, also on failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
TRAWL=${TRAWL:-$here/../../build/app/trawl}
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "not root: skipped"; exit 77; }
for t in ip nft openssl curl ss; do
	command -v $t >/dev/null || { echo "no $t: skipped"; exit 77; }
done

pass=0 fail=0
ok() { if [ "$1" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $2"; fi; }

P=tb$$
NET=$P-net SCAN=$P-scan
DIR=$(mktemp -d "/tmp/$P.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NET" 2>/dev/null
	ip netns del "$SCAN" 2>/dev/null
	rm -rf "$DIR" /var/run/dpdk/"$P"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the testbed: trawl's namespace, and the "internet" with 198.18.1.0/24 local ---------------------
ip netns add "$NET" && ip netns add "$SCAN" || exit 1
ip link add "$P-a" netns "$SCAN" type veth peer name "$P-b" netns "$NET" || exit 1
ip -n "$NET" link set lo up
ip -n "$NET" link set "$P-b" up
ip -n "$NET" addr add 198.19.0.1/24 dev "$P-b"
ip -n "$NET" route add local 198.18.1.0/24 dev lo
ip -n "$SCAN" link set lo up
ip -n "$SCAN" link set "$P-a" up
ip netns exec "$NET" ethtool -K "$P-b" tx off >/dev/null 2>&1
ip netns exec "$NET" sysctl -qw net.ipv4.tcp_synack_retries=1

HTTP=198.18.1.10 TLS13=198.18.1.11 TLS12=198.18.1.12 SSH=198.18.1.13 SILENT=198.18.1.14 MBOX=198.18.1.20
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$DIR/key.pem" -out "$DIR/cert.pem" \
	-days 30 -subj "/C=XX/O=trawl test/CN=$TLS12" 2>/dev/null || exit 1
mkdir -p "$DIR/www" && echo "<html>trawl test page</html>" > "$DIR/www/index.html"
bg() { ip netns exec "$NET" timeout 300 "$@" & PIDS="$PIDS $!"; }
(cd "$DIR/www" && ip netns exec "$NET" timeout 300 $PY -m http.server --bind "$HTTP" 80 >/dev/null 2>&1) &
PIDS="$PIDS $!"
bg openssl s_server -quiet -accept "$TLS13:443" -cert "$DIR/cert.pem" -key "$DIR/key.pem" -tls1_3 -naccept 50 \
	>/dev/null 2>&1
bg openssl s_server -quiet -accept "$TLS12:443" -cert "$DIR/cert.pem" -key "$DIR/key.pem" -tls1_2 -naccept 50 \
	>/dev/null 2>&1
# A server that speaks first (an SSH greeting), one that never speaks, the middlebox's listener.
cat > "$DIR/servers.py" <<'PY'
import socket, sys, threading, time
def serve(addr, port, greet):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); s.listen(1024)
    keep = []
    while True:
        c, _ = s.accept()
        if greet:
            c.sendall(greet)
        keep.append(c)  # never closed by us: whatever stays open is the scanner's doing
for a in [(sys.argv[1], 22, b"SSH-2.0-OpenSSH_9.2p1 trawltest\r\n"), (sys.argv[2], 8080, None),
          (sys.argv[3], 9999, None)]:
    threading.Thread(target=serve, args=a, daemon=True).start()
time.sleep(300)
PY
bg $PY "$DIR/servers.py" "$SSH" "$SILENT" "$MBOX"
# The middlebox: every TCP port of $MBOX goes to its listener (SYN-ACK on all of them, no data).
ip netns exec "$NET" nft -f - <<EOF || exit 1
table ip tb {
  chain pre { type nat hook prerouting priority -100; policy accept;
    ip daddr $MBOX tcp dport != 9999 dnat to $MBOX:9999
  }
}
EOF
for _ in $(seq 100); do
	[ "$(ip netns exec "$NET" ss -ltn | grep -c -E ':(80|443|22|8080|9999) ')" -ge 6 ] && break
	sleep 0.1
done
ip netns exec "$NET" ss -ltn | grep -c -E ":(80|443|22|8080|9999) " | grep -q "^6$" || { ip netns exec "$NET" ss -ltn; echo "servers did not start"; exit 1; }

EAL="--no-huge -m 512 --no-pci --file-prefix $P"
DEV="net_af_packet0,iface=$P-a,framecnt=4096"
PORTS=22,80,443,8080
scan() { # NAME PROBE_ARGS [ARGS...]: results in $DIR/NAME.csv, metadata in NAME.json
	local name=$1 args=$2
	shift 2
	timeout 120 ip netns exec "$SCAN" "$TRAWL" scan --dev "$DEV" --eal "$EAL" -S 198.19.0.2 --gateway-ip 198.19.0.1 \
		-b /dev/null -p "$PORTS" -r 20000 -c 3 -q -M tcp_banner --probe-args "$args" \
		-f saddr,sport,classification,success,data_len,data,http_status,http_server,banner,tls_version,tls_cipher,tls_subject,tls_issuer \
		-o "$DIR/$name.csv" -m "$DIR/$name.json" "$@" 198.18.1.0/24
}
open_conns() { # connections of the targets' side still open (not LISTEN, not TIME-WAIT: a reset leaves none)
	ip netns exec "$NET" ss -tnH state established state syn-recv state close-wait state fin-wait-1 \
		state fin-wait-2 state last-ack | grep -c '198\.18\.1\.' || true
}

# 1. http: the HTTP server's head, as a kernel client reads it; TLS servers answer our GET with an alert or
#    nothing; the SSH greeting comes anyway (it speaks first); the silent server and the middlebox: nodata.
scan http http
ok $? "scan http exits 0"
ip netns exec "$NET" $PY - "$DIR/http.csv" "$DIR/http.json" "$HTTP" "$SSH" "$SILENT" "$MBOX" "$TLS13" "$TLS12" <<'PY'
import csv, json, socket, sys
rows = list(csv.DictReader(open(sys.argv[1])))
meta = json.load(open(sys.argv[2]))
http, ssh, silent, mbox, tls13, tls12 = sys.argv[3:9]
bad = []
by = {(r["saddr"], r["sport"]): r for r in rows}
if len(by) != len(rows): bad.append("a target written twice")
def want(cond, what):
    if not cond: bad.append(what)
# exactly the open ports of the ground truth, with what happened on each
services = {(http, "80"), (ssh, "22"), (silent, "8080"), (tls13, "443"), (tls12, "443")}
got = {k for k, r in by.items() if r["classification"] != "canary" and k[0] != mbox}
want(got == services, f"open set {sorted(got)} != {sorted(services)}")
r = by.get((http, "80"), {})
want(r.get("classification") == "data" and r.get("http_status", "").startswith("HTTP/1.0 200"), f"http row {r}")
want(r.get("http_server", "").startswith("SimpleHTTP/"), f"http server {r.get('http_server')}")
# What a kernel client reads first with the same request (Date may differ by a second: lines compared without it).
# (This script runs in the target namespace: the client never leaves it.)
data = bytes.fromhex(r.get("data", ""))
want(len(data) == int(r.get("data_len") or -1), "data_len is the segment's length")
req = f"GET / HTTP/1.1\r\nHost: {http}\r\nUser-Agent: trawl/0.1 (survey scanner)\r\nAccept: */*\r\n\r\n".encode()
c = socket.create_connection((http, 80), timeout=5); c.sendall(req); first = c.recv(65536); c.close()
strip = lambda b: [l for l in b.split(b"\r\n") if not l.startswith(b"Date:")]
want(strip(data) == strip(first[:len(data)]), f"http data {data[:80]!r} != kernel's {first[:80]!r}")
r = by.get((ssh, "22"), {})
want(r.get("classification") == "data" and r.get("banner") == "SSH-2.0-OpenSSH_9.2p1 trawltest", f"ssh row {r}")
r = by.get((silent, "8080"), {})
want(r.get("classification") == "nodata" and r.get("data_len") in ("0", ""), f"silent row {r}")
# the middlebox: one canary row, never data
m = [r for r in rows if r["saddr"] == mbox]
want(any(r["classification"] == "canary" for r in m), f"middlebox rows {m}")
want(not any(r["classification"] == "data" for r in m), "middlebox written as a service")
want(sum(r["classification"] == "canary" for r in rows) == 1, "canary rows other than the middlebox's one")
cl = meta.get("classifications", {})
want(cl.get("canary") == 1 and cl.get("data", 0) >= 2, f"metadata classifications {cl}")
want(meta.get("canaries_sent", 0) >= 2, "canaries_sent")
want(meta.get("handshakes", 0) >= 5 and meta.get("handshakes_closed_early") == 0, f"handshakes {meta.get('handshakes')}")
print("http:", len(rows), "rows;", cl)
for b in bad: print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
ok $? "http: exactly the services, data as a kernel client reads it, the middlebox a canary"
n=$(open_conns)
ok $([ "$n" = 0 ]; echo $?) "http: no connection left open on the targets ($n)"

# 2. tls: version and cipher as openssl s_client negotiates them; the 1.2 server's certificate names.
scan tls tls
ok $? "scan tls exits 0"
s13=$(ip netns exec "$NET" timeout 10 openssl s_client -connect "$TLS13:443" -brief </dev/null 2>&1)
s12=$(ip netns exec "$NET" timeout 10 openssl s_client -connect "$TLS12:443" -brief -showcerts </dev/null 2>&1)
$PY - "$DIR/tls.csv" "$TLS13" "$TLS12" "$s13" "$s12" <<'PY'
import csv, re, sys
rows = {(r["saddr"], r["sport"]): r for r in csv.DictReader(open(sys.argv[1]))}
tls13, tls12, s13, s12 = sys.argv[2:6]
bad = []
def proto(s): m = re.search(r"Protocol version: (\S+)", s); return m.group(1) if m else None
def cipher(s): m = re.search(r"Ciphersuite: (\S+)", s); return m.group(1) if m else None
names = {"TLS_AES_128_GCM_SHA256": "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384": "TLS_AES_256_GCM_SHA384",
         "ECDHE-ECDSA-AES128-GCM-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
         "ECDHE-ECDSA-AES256-GCM-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
         "ECDHE-ECDSA-CHACHA20-POLY1305": "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"}
for addr, s in ((tls13, s13), (tls12, s12)):
    r = rows.get((addr, "443"), {})
    if r.get("classification") != "data": bad.append(f"{addr}: {r}"); continue
    if r["tls_version"] != proto(s): bad.append(f"{addr}: version {r['tls_version']} != s_client's {proto(s)}")
    # the server's own choice depends on the offer: ours is a browser's, s_client's is OpenSSL's; same family
    if not r["tls_cipher"].startswith("TLS_"): bad.append(f"{addr}: cipher {r['tls_cipher']}")
r = rows.get((tls12, "443"), {})
want = f"/C=XX/O=trawl test/CN={tls12}"
if r.get("tls_subject") != want or r.get("tls_issuer") != want: bad.append(f"certificate names {r}")
if rows.get((tls13, "443"), {}).get("tls_subject"): bad.append("a TLS 1.3 certificate read in the clear")
print("tls:", {k: (v["tls_version"], v["tls_cipher"], v["tls_subject"]) for k, v in rows.items() if v["tls_version"]})
for b in bad: print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
ok $? "tls: version as s_client's, the TLS 1.2 certificate's subject and issuer"
n=$(open_conns)
ok $([ "$n" = 0 ]; echo $?) "tls: no connection left open on the targets ($n)"

# 3. wait: only the server that speaks first brings data.
scan wait wait --canaries 0 --output-filter "repeat = 0"
ok $? "scan wait exits 0"
$PY - "$DIR/wait.csv" "$SSH" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
data = [(r["saddr"], r["sport"]) for r in rows if r["classification"] == "data"]
canary = [r for r in rows if r["classification"] == "canary"]
closed = sum(r["classification"] == "rst" for r in rows)
print("wait: data from", data, "; closed:", closed)
ok = data == [(sys.argv[2], "22")] and not canary and closed >= 1000
sys.exit(0 if ok else 1)
PY
ok $? "wait: data from the server-first service only; --canaries 0 sends none; closed ports written as rst"
n=$(open_conns)
ok $([ "$n" = 0 ]; echo $?) "wait: no connection left open on the targets ($n)"

echo "banner: $pass passed, $fail failed"
[ "$fail" = 0 ]
