#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The virtual internet speaks (issue 21): `trawl respond` with a dataset of
# services and middleboxes over a veth pair. Kernel clients in the scanning
# namespace read what real servers would send first: curl an HTTP/1.1
# response with its Server header, openssl s_client the build's test
# certificate, ssh-keyscan the SSH greeting, nmap -sV names the services;
# masscan --banners finds the same HTTP banners as trawl -M tcp_banner; and
# trawl -M tcp_banner finds exactly the dataset's services, writes every
# middlebox address once as canary and never as a service, counting every
# loss. Root only (77 otherwise); deletes what it made, also on failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
TRAWL=${TRAWL:-$here/../../build/app/trawl}
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "not root: skipped"; exit 77; }
for t in ip curl openssl; do command -v $t >/dev/null || { echo "no $t: skipped"; exit 77; }; done

pass=0 fail=0
ok() { if [ "$1" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $2"; fi; }

P=ts$$
W=$(mktemp -d "/tmp/$P.XXXXXX")
RESP_PID="" RESP_TRAWL=""
cleanup() {
	[ -n "$RESP_PID" ] && kill -INT "$RESP_TRAWL" 2>/dev/null && wait "$RESP_PID" 2>/dev/null
	ip netns del "$P-r" 2>/dev/null; ip netns del "$P-s" 2>/dev/null
	rm -rf "$W" /var/run/dpdk/"$P"-*
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$P-r" && ip netns add "$P-s" || exit 1
ip link add "$P-s0" netns "$P-s" type veth peer name "$P-r0" netns "$P-r" || exit 1
for ns in r s; do ip -n "$P-$ns" link set lo up; ip -n "$P-$ns" link set "$P-${ns}0" up; done
ip -n "$P-s" addr add 198.19.1.2/24 dev "$P-s0"
ip -n "$P-s" route add 198.18.0.0/15 via 198.19.1.1
ip netns exec "$P-s" ethtool -K "$P-s0" tx off >/dev/null 2>&1
RMAC=$(ip netns exec "$P-r" cat "/sys/class/net/$P-r0/address")

# The dataset: four named servers, 300 random HTTP, 100 TLS and 100 SSH hosts, a silent open port,
# a middlebox /24 and a zero-window middlebox /24; the ground truth of what answers with data.
printf 'hello from a file service\r\n' > "$W/greeting.txt"
$PY - "$W" <<'PY'
import random, sys
w = sys.argv[1]
r = random.Random(2121)
pool = [f"198.18.{a}.{b}" for a in range(10, 40) for b in range(1, 255)]
hosts = r.sample(pool, 500)
http, tls, ssh = hosts[:300], hosts[300:400], hosts[400:]
with open(f"{w}/dataset.txt", "w") as f:
    f.write("198.18.2.10:80 http\n198.18.2.11:443 tls\n198.18.2.12:22 ssh\n")
    f.write("198.18.2.13:25 banner:220 mail.example ESMTP trawltest\n")
    f.write(f"198.18.2.14:21 file:{w}/greeting.txt\n198.18.2.15:8080\n")
    f.write("198.18.3.0/24 middlebox\n198.18.4.0/24 middlebox:zerowin\n")
    f.writelines(f"{h}:80 http\n" for h in http)
    f.writelines(f"{h}:443 tls\n" for h in tls)
    f.writelines(f"{h}:22 ssh\n" for h in ssh)
open(f"{w}/http.txt", "w").writelines(f"{h}\n" for h in sorted(http + ["198.18.2.10"]))
open(f"{w}/tls.txt", "w").writelines(f"{h}\n" for h in sorted(tls + ["198.18.2.11"]))
open(f"{w}/ssh.txt", "w").writelines(f"{h}\n" for h in sorted(ssh + ["198.18.2.12"]))
PY

ip netns exec "$P-r" timeout 600 "$TRAWL" respond --dev "net_af_packet0,iface=$P-r0,framecnt=16384" \
	--eal "--no-huge -m 512 --no-pci -l 1 --file-prefix $P-r" --dataset "$W/dataset.txt" -p 80 \
	--gateway-ip 198.19.1.1 --gateway-ip 198.19.0.1 --report "$W/report.json" -q &
RESP_PID=$!
for _ in $(seq 50); do [ -e "/var/run/dpdk/$P-r/config" ] && break; sleep 0.1; done
sleep 1
RESP_TRAWL=$(pgrep -P "$RESP_PID")
report() { # a fresh report (SIGUSR1), waited for at most 10 s
	rm -f "$W/report.json"; kill -USR1 "$RESP_TRAWL"
	for _ in $(seq 100); do [ -s "$W/report.json" ] && break; sleep 0.1; done
	$PY -c "import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$W/report.json" "$1"; }

# 1. Kernel clients.
out=$(ip netns exec "$P-s" timeout 10 curl -si http://198.18.2.10/ 2>&1)
echo "$out" | grep -q '^HTTP/1.1 200 OK' && echo "$out" | grep -q '^Server: trawl-respond/' &&
	echo "$out" | grep -q 'trawl respond: a virtual host'
ok $? "curl reads an HTTP/1.1 200 with a Server header and the page"
out=$(ip netns exec "$P-s" timeout 5 openssl s_client -connect 198.18.2.11:443 -cipher AES128-GCM-SHA256 \
	-tls1_2 </dev/null 2>&1)
echo "$out" | grep -q 'O = trawl respond, CN = trawl test certificate'
ok $? "openssl s_client receives the test certificate"
out=$(ip netns exec "$P-s" timeout 10 ssh-keyscan -T 3 198.18.2.12 2>&1)
echo "$out" | grep -q 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3'
ok $? "ssh-keyscan reads the SSH greeting"
if command -v nmap >/dev/null; then
	out=$(ip netns exec "$P-s" timeout 120 nmap -n -Pn -sV --version-light -p 22,25,80 198.18.2.10,12,13 2>&1)
	echo "$out" | grep -E -q '^22/tcp +open +ssh +OpenSSH 9.2p1' && echo "$out" | grep -E -q '^80/tcp +open +http' &&
		echo "$out" | grep -E -q '^25/tcp +open +smtp'
	ok $? "nmap -sV names ssh (OpenSSH 9.2p1), http and smtp"
fi

# 2. trawl -M tcp_banner at the highest rate the link takes: exactly the services, each middlebox once.
scan() { # NAME ARGS...
	local name=$1; shift
	timeout 120 ip netns exec "$P-s" "$TRAWL" scan --dev "net_af_packet0,iface=$P-s0,framecnt=16384" \
		--eal "--no-huge -m 512 --no-pci -l 0 --file-prefix $P-s" -S 198.19.0.2 --gateway-ip 198.19.0.1 \
		-b /dev/null -c 3 -q -M tcp_banner -o "$W/$name.csv" -m "$W/$name.json" "$@"
}
scan http --probe-args http -p 22,80,443 -r 0 \
	-f saddr,sport,classification,data_len,http_status,http_server,banner,tls_version 198.18.0.0/16
ok $? "tcp_banner http scan exits 0"
$PY - "$W" <<'PY'
import csv, json, sys
w = sys.argv[1]
rows = list(csv.DictReader(open(f"{w}/http.csv")))
m = json.load(open(f"{w}/http.json"))
rd = lambda f: {x.strip() for x in open(f"{w}/{f}")}
http, tls, ssh = rd("http.txt"), rd("tls.txt"), rd("ssh.txt")
bad = []
lost = m.get("replies_lost", 0) + m.get("canaries_dropped", 0) + m.get("handshakes_closed_early", 0)
data = {(r["saddr"], r["sport"]) for r in rows if r["classification"] == "data"}
want = {(h, "80") for h in http} | {(h, "443") for h in tls} | {(h, "22") for h in ssh}
if lost == 0 and data != want:
    bad.append(f"data from {len(data)} targets, {len(want)} in the dataset; extra {sorted(data - want)[:5]}, "
               f"missed {sorted(want - data)[:5]}")
if not data <= want: bad.append("data from a target without a service")
for r in rows:
    k = r["saddr"]
    if r["classification"] == "data" and r["sport"] == "80" and not (
            r["http_status"] == "HTTP/1.1 200 OK" and r["http_server"].startswith("trawl-respond/")):
        bad.append(f"http row {r}"); break
    if r["classification"] == "data" and r["sport"] == "22" and r["banner"] != "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3":
        bad.append(f"ssh row {r}"); break
mb = {f"198.18.3.{i}" for i in range(256)} | {f"198.18.4.{i}" for i in range(256)}
canary = [r["saddr"] for r in rows if r["classification"] == "canary"]
if len(canary) != len(set(canary)): bad.append("an address written as canary twice")
if lost == 0 and set(canary) != mb: bad.append(f"canary rows for {len(set(canary))} of {len(mb)} middlebox addresses")
if any(r["saddr"] in mb and r["classification"] == "data" for r in rows): bad.append("a middlebox written as a service")
cl = m.get("classifications", {})
print("tcp_banner -r 0:", cl, "lost:", lost, "packets_sent:", m.get("packets_sent"), "canaries_sent:",
      m.get("canaries_sent"), "send rate:", m.get("send_rate_pps"))
if m.get("packets_sent") != 65536 * 3: bad.append(f"packets_sent {m.get('packets_sent')}: the targets once")
for b in bad: print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
ok $? "tcp_banner at -r 0: exactly the dataset's services, every middlebox address once as canary"
svc=$(report "r['services']['http']['answered']")
[ "${svc:-0}" -ge 301 ]; ok $? "the responder's report counts HTTP first flights ($svc)"

# 3. masscan --banners on the same responder finds the same HTTP banners (from an address of its own).
#    masscan waits about 5.7 s for a server to speak before it sends its GET: --wait 12.
if command -v masscan >/dev/null; then
	scan small --probe-args http -p 80 -r 20000 --canaries 0 -f saddr,http_status,http_server 198.18.0.0/16
	# 198.18.0.0/18 holds every HTTP service; at 5,000 pps masscan's capture keeps up here (at 100,000 it
	# found 0-1,297 of 2,000 in bench/banner.sh's rounds).
	timeout 120 ip netns exec "$P-s" masscan 198.18.0.0/18 -p80 --banners --rate 5000 --adapter "$P-s0" \
		--adapter-ip 198.19.1.3 --router-mac "$RMAC" --wait 12 -oL "$W/masscan.txt" >/dev/null 2>&1
	$PY - "$W" <<'PY'
import csv, sys
w = sys.argv[1]
trawl = {r["saddr"]: (r["http_status"], r["http_server"]) for r in csv.DictReader(open(f"{w}/small.csv"))
         if r["http_status"]}
trawl18 = {a: v for a, v in trawl.items() if int(a.split(".")[2]) < 64}
ms = {}
for line in open(f"{w}/masscan.txt"):
    f = line.split(None, 6)  # banner tcp PORT ADDR TIME SERVICE TEXT
    if len(f) == 7 and f[0] == "banner" and f[5] == "http":
        text = f[6].encode().decode("unicode_escape", "replace")
        status = text.split("\r\n")[0].split("\n")[0]
        server = next((l.split(":", 1)[1].strip() for l in text.replace("\r", "").split("\n")
                       if l.lower().startswith("server:")), "")
        ms[f[3]] = (status, server)
same = {a for a in ms if a in trawl and ms[a] == trawl[a]}
print(f"masscan --banners: {len(ms)} HTTP banners, trawl {len(trawl)}, the same for {len(same)}")
# masscan's libpcap receive loses replies on 2 vCPUs and counts none of it (test_respond.sh): what it
# reports must agree with trawl, banner for banner; how many it finds is not guaranteed (278-301 seen).
sys.exit(0 if len(trawl) == 301 and len(trawl18) == 301 and ms and len(same) == len(ms) else 1)
PY
	ok $? "masscan --banners finds the same HTTP banners as trawl"
fi

kill -INT "$RESP_TRAWL"; wait "$RESP_PID"; rc=$?; RESP_PID=""
ok $rc "respond exits 0"
echo "respond services: $pass passed, $fail failed"
[ "$fail" = 0 ]
