#!/bin/bash
# The VM test suite, run inside the guest by tests/vm/guest-init.sh as
# its only job. Real module, real kernel, real traffic. Results and
# artefacts go to /mnt (the host's build/vm/<kernel>/).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# The reader built with ASan and UBSan: any report fails the test at hand.
SYNFIN=$top/userspace/synfin-san
export ASAN_OPTIONS=abort_on_error=0:exitcode=99 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
KO=$top/build/$(uname -r)/synfin.ko
PY=/usr/bin/python3
OUT=/mnt
pass=0 fail=0

ok() { echo "PASS: $1"; pass=$((pass + 1)); }
ko() { echo "FAIL: $1"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else ko "$name"; fi; }

# Background helpers, stopped in reverse order at the end of each test.
pids=()
bg() { "$@" & pids+=($!); }
stop_all() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	pids=()
}

# Start tcpdump and wait until it is capturing.
capture() { # name netns iface filter...
	local name=$1 ns=$2 dev=$3; shift 3
	local run=()
	[ -n "$ns" ] && run=(ip netns exec "$ns")
	"${run[@]}" tcpdump -Z root -U --immediate-mode -n -i "$dev" "${capopts[@]}" -w "$OUT/$name.pcap" "$@" 2> "$OUT/$name.tcpdump.log" &
	pids+=($!)
	for _ in $(seq 100); do
		grep -q "listening on" "$OUT/$name.tcpdump.log" && return 0
		sleep 0.05
	done
	echo "tcpdump did not start"; cat "$OUT/$name.tcpdump.log"
	return 1
}

# Extra tcpdump options for the next capture (time stamp precision, link type).
capopts=()

# Wait until a reader started with 2> FILE says it is subscribed.
wait_ready() { wait_lines "$1" && grep -q "watching" "$1"; }

reader() { # name netns: synfin watch --json into $OUT/name.json
	local name=$1 ns=$2
	local run=()
	[ -n "$ns" ] && run=(ip netns exec "$ns")
	"${run[@]}" "$SYNFIN" watch --json > "$OUT/$name.json" 2> "$OUT/$name.err" &
	pids+=($!)
	wait_ready "$OUT/$name.err"
}

# Wait until FILE has at least N lines (default 1), up to 10 s.
wait_lines() {
	local file=$1 n=${2:-1}
	for _ in $(seq 200); do
		[ -f "$file" ] && [ "$(wc -l < "$file")" -ge "$n" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $file"
	return 1
}

server() { # netns host port: serve in the background, return when listening
	local run=() log=/tmp/server-$3.log
	[ -n "$1" ] && run=(ip netns exec "$1")
	"${run[@]}" $PY "$here/traffic.py" server "$2" "$3" > "$log" &
	pids+=($!)
	wait_lines "$log"
}

client() { # netns host port mode
	local run=()
	[ -n "$1" ] && run=(ip netns exec "$1")
	"${run[@]}" $PY "$here/traffic.py" client "$2" "$3" "$4"
}

# Wait for TIME_WAIT (time_wait_ms below) to end every connection.
settle() { sleep 2; }
# One of the module's whole-module counters (synfin stats).
stat_of() { "$SYNFIN" stats --json | $PY -c "import json,sys; print(json.load(sys.stdin)['total']['$1'])"; }


# ---- sections: each starts from a fresh module, any may be left out ----
. "$here/unpriv.sh"
for f in hostile faults; do	# hostile_section, faults_section
	[ -f "$here/$f.sh" ] && . "$here/$f.sh"
done

# Is section $1 wanted? SYNFIN_VM_SECTIONS (from the kernel command line,
# see guest-init.sh): names separated by spaces or commas; empty or
# "all": every one.
want() {
	local s=" ${SYNFIN_VM_SECTIONS//,/ } "
	[ -z "${SYNFIN_VM_SECTIONS// /}" ] || [[ $s == *" all "* ]] || [[ $s == *" $1 "* ]]
}

# The module as a section expects it: loaded, with the suite's timeouts.
fresh_module() {
	rmmod synfin 2>/dev/null
	insmod "$KO" time_wait_ms=1000 gc_interval_ms=100 syn_timeout_ms=1500 ||
		ko "insmod for a section"
}

section() { # name function
	if ! declare -F "$2" > /dev/null; then
		ko "section $1: no function $2"
	elif want "$1"; then
		echo "== section $1"
		fresh_module
		"$2"
		stop_all
	else
		echo "SKIP: section $1 (not in SYNFIN_VM_SECTIONS=$SYNFIN_VM_SECTIONS)"
	fi
}

# Two namespaces joined by veth: inj (vi) sends crafted frames to obs
# (vo, 192.0.2.254), whose MAC is $mac.
inj_obs_up() {
	ip netns add inj && ip netns add obs
	ip link add vi type veth peer name vo
	ip link set vi netns inj && ip link set vo netns obs
	ip -n inj link set vi up && ip -n obs link set vo up
	ip -n obs addr add 192.0.2.254/24 dev vo
	mac=$(ip netns exec obs cat /sys/class/net/vo/address)
}

echo "== synfin VM suite on $(uname -r), $(nproc) CPUs"
insmod "$KO" time_wait_ms=1000 gc_interval_ms=100 syn_timeout_ms=1500 || { echo "FAIL: insmod"; echo "0 passed, 1 failed"; exit 1; }
ok "insmod $(basename "$KO")"
modprobe veth

# ==== core: real traffic against tcpdump and conntrack, crafted segments ====
sec_core() {
# ---- loopback, IPv4 and IPv6 ----
for fam in 4 6; do
	if [ $fam = 4 ]; then host=127.0.0.1; else host=::1; fi
	port=900$fam
	name=lo$fam
	# IPv6 is captured with nanosecond time stamps, for synfin read.
	if [ $fam = 6 ]; then capopts=(--time-stamp-precision=nano); fi
	capture $name "" lo "tcp port $port"
	capopts=()
	reader $name ""
	# A ladder reader beside it, filtered to this port.
	"$SYNFIN" watch --ladder --port $port > "$OUT/$name.ladder" 2> "$OUT/$name.ladder.err" &
	pids+=($!)
	wait_ready "$OUT/$name.ladder.err"
	server "" $host $port
	client "" $host $port client-close || ko "$name: client-close traffic"
	client "" $host $port four-way || ko "$name: four-way traffic"
	client "" $host $port server-close || ko "$name: server-close traffic"
	settle
	stop_all
	check "loopback IPv$fam: timeline matches tcpdump" \
		$PY "$here/check.py" "$OUT/$name.json" "$OUT/$name.pcap" $port client-close four-way server-close
	check "loopback IPv$fam: synfin read of tcpdump's capture agrees with the module" \
		$PY "$here/readcompare.py" "$SYNFIN" "$OUT/$name.json" "$OUT/$name.pcap" $port 1000
	check "loopback IPv$fam: watch --ladder --port draws each connection" bash -c "
		[ \$(grep -c ' ended: ' '$OUT/$name.ladder') = 3 ] &&
		[ \$(grep -c 'SYN_SENT |-- SYN seq=0 ' '$OUT/$name.ladder') = 3 ] &&
		grep -q 'ESTABLISHED |<-* SYN,ACK seq=0 ack=1 --| SYN_RCVD' '$OUT/$name.ladder' &&
		grep -q 'four-way close, client first' '$OUT/$name.ladder' &&
		! grep -q \$'\\e' '$OUT/$name.ladder'" || cat "$OUT/$name.ladder"
done

# ---- refused connection (RST), loopback ----
capture refused "" lo "tcp port 9009"
reader refused ""
client "" 127.0.0.1 9009 refused || ko "refused: traffic"
client "" ::1 9009 refused || ko "refused: traffic (IPv6)"
sleep 0.5
stop_all
check "refused connections: RST closes both sides, matches tcpdump" \
	$PY "$here/check.py" "$OUT/refused.json" "$OUT/refused.pcap" 9009 refused refused
check "refused connections: synfin read of tcpdump's capture agrees with the module" \
	$PY "$here/readcompare.py" "$SYNFIN" "$OUT/refused.json" "$OUT/refused.pcap" 9009 1000

# ---- veth between two namespaces; readers in each and in init ----
ip netns add sfa && ip netns add sfb
ip link add va type veth peer name vb
ip link set va netns sfa && ip link set vb netns sfb
ip -n sfa addr add 192.0.2.1/24 dev va && ip -n sfb addr add 192.0.2.2/24 dev vb
for ns in sfa sfb; do ip -n $ns link set lo up; done
ip -n sfa link set va up && ip -n sfb link set vb up
capture veth-a sfa va "tcp port 9100"
capture veth-b sfb vb "tcp port 9100"
# The server's side on "any" too: Linux cooked v2, for synfin read.
capopts=(-y LINUX_SLL2)
capture veth-any sfb any "tcp port 9100"
capopts=()
reader veth-a sfa
reader veth-b sfb
reader veth-init ""
server sfb 192.0.2.2 9100
client sfa 192.0.2.2 9100 client-close || ko "veth: client-close traffic"
client sfa 192.0.2.2 9100 server-close || ko "veth: server-close traffic"
settle
stop_all
check "veth, client namespace: timeline matches tcpdump" \
	$PY "$here/check.py" "$OUT/veth-a.json" "$OUT/veth-a.pcap" 9100 client-close server-close
check "veth, server namespace: timeline matches tcpdump" \
	$PY "$here/check.py" "$OUT/veth-b.json" "$OUT/veth-b.pcap" 9100 client-close server-close
for side in a b; do
	check "veth-$side: synfin read of tcpdump's capture agrees with the module" \
		$PY "$here/readcompare.py" "$SYNFIN" "$OUT/veth-$side.json" "$OUT/veth-$side.pcap" 9100 1000
done
# tcpdump on "any" can drop packets itself (seen on 6.12 under emulation):
# a capture it says is incomplete is no reference, and is skipped, loudly.
drops=$(sed -n 's/^\([0-9]*\) packets* dropped by kernel$/\1/p' "$OUT/veth-any.tcpdump.log")
if [ "${drops:-0}" = 0 ]; then
	check "veth, Linux cooked v2 capture: synfin read agrees with the module" \
		$PY "$here/readcompare.py" "$SYNFIN" "$OUT/veth-b.json" "$OUT/veth-any.pcap" 9100 1000
else
	echo "SKIP: veth, Linux cooked v2 capture: tcpdump dropped $drops packets"
fi
check "veth: a reader in another namespace sees none of it" \
	bash -c "! grep -q '\"dport\":9100\|\"sport\":9100' '$OUT/veth-init.json'"
check "veth: netns field is the reader's namespace" \
	bash -c "[ \"\$(grep -o '\"netns\":[0-9]*' '$OUT/veth-b.json' | sort -u)\" = \"\\\"netns\\\":\$(ip netns exec sfb stat -L -c %i /proc/self/ns/net)\" ]"

# Delete both namespaces while a connection across them is open and the
# ended ones still linger in the table: their flows must go with them.
ip netns exec sfb $PY "$here/traffic.py" server 192.0.2.2 9101 > /tmp/server-9101.log &
wait_lines /tmp/server-9101.log
ip netns exec sfa $PY -c "
import socket, time
s = socket.create_connection(('192.0.2.2', 9101)); time.sleep(3600)" &
holder=$!
for _ in $(seq 600); do
	na=$(ip netns exec sfa "$SYNFIN" flows --json | grep -c '"sport":9101,"client_state":"ESTABLISHED"')
	nb=$(ip netns exec sfb "$SYNFIN" flows --json | grep -c '"sport":9101,"client_state":"ESTABLISHED"')
	[ "$na" -ge 1 ] && [ "$nb" -ge 1 ] && break
	sleep 0.1
done
# Only the open connection's flows are counted: the ended ones may time
# out meanwhile (on a debug kernel this takes long enough), it cannot.
before=$(stat_of flows_active)
ip netns pids sfa | xargs -r kill -KILL
ip netns pids sfb | xargs -r kill -KILL
wait $holder 2>/dev/null
ip netns del sfa && ip netns del sfb
gone() {
	[ "$na" -ge 1 ] && [ "$nb" -ge 1 ] || { echo "no live flows: $na, $nb"; return 1; }
	for _ in $(seq 600); do
		[ "$(stat_of flows_active)" -le $((before - na - nb)) ] && return 0
		sleep 0.1
	done
	echo "flows: $before before, $na in sfa, $nb in sfb, $(stat_of flows_active) after"
	return 1
}
check "deleting namespaces with live flows ($na + $nb) frees them" gone

# ---- cross-check with netfilter conntrack ----
# An nftables "ct state" rule makes conntrack track this namespace.
nft -f - <<'NFT'
table inet synfin_ct {
	chain out { type filter hook output priority 0; ct state new,established accept; }
}
NFT
conntrack -E -p tcp > "$OUT/conntrack.txt" 2>&1 &
pids+=($!)
reader conntrack ""
server "" 127.0.0.1 9700
client "" 127.0.0.1 9700 client-close || ko "conntrack: traffic"
client "" 127.0.0.1 9700 four-way || ko "conntrack: traffic"
client "" 127.0.0.1 9700 server-close || ko "conntrack: traffic"
client "" 127.0.0.1 9701 refused || ko "conntrack: traffic"
sleep 0.5
stop_all
check "conntrack -E and synfin agree on every connection's life" \
	$PY "$here/ctcompare.py" "$OUT/conntrack.txt" "$OUT/conntrack.json" 9700 9701
nft delete table inet synfin_ct

# ---- crafted segments: every state machine path, in the live kernel ----
inj_obs_up
reader inject obs
ip netns exec inj $PY "$here/inject.py" send vi "$mac" || ko "inject: sending"
sleep 3		# TIME_WAIT (1 s) and the unanswered SYN (1.5 s) run out
stop_all
check "crafted segments: every scenario's timeline, segment by segment" \
	$PY "$here/inject.py" check "$OUT/inject.json"
# ---- malformed and odd segments: counted exactly, never a crash ----
seg0=$(stat_of segments) mal0=$(stat_of malformed)
ip netns exec inj $PY "$here/inject.py" malformed vi "$mac" > "$OUT/malformed.json" || ko "malformed: sending"
sleep 0.5
check "malformed segments: doff < 5, cut short, bogus options, fragments: counted exactly" $PY -c "
import json
want = json.load(open('$OUT/malformed.json'))
got = {'segments': $(stat_of segments) - $seg0, 'malformed': $(stat_of malformed) - $mal0}
print('sent', want['sent'], 'want', want, 'got', got)
assert got == {'segments': want['segments'], 'malformed': want['malformed']}, (got, want)
"

ip netns del inj && ip netns del obs
}

# ==== load: floods, loss, unloading under traffic ====
sec_load() {
# ---- SYN flood from random sources: bounded, counted, nothing unaccounted ----
inj_obs_up
ip -n inj addr add 192.0.2.1/24 dev vi
echo 1024 > /sys/module/synfin/parameters/max_flows
# Unanswered SYNs must outlive the flood, or a slow kernel (KASAN, lockdep)
# times them out as fast as it makes them and the table never fills.
echo 600000 > /sys/module/synfin/parameters/syn_timeout_ms
# Unanswered SYNs are unconfirmed flows too (seen one way only): theirs
# must outlast the flood as well, or flows end between the last stats
# and the readers' end, received but not counted.
echo 600000 > /sys/module/synfin/parameters/unconfirmed_timeout_ms
# A reader in every namespace with traffic: the rings are shared, and a
# loss is reported to the namespace whose event was lost.
for ns in inj obs init; do
	run=(ip netns exec $ns)
	[ $ns = init ] && run=()
	"${run[@]}" "$SYNFIN" watch --json > "$OUT/flood-$ns.json" 2> "$OUT/flood-$ns.err" &
	pids+=($!)
	wait_ready "$OUT/flood-$ns.err"
done
"$SYNFIN" stats --json > "$OUT/flood-before.json"
# Flood in 5 s bursts until there are three times more SYNs than max_flows:
# one burst on a release kernel, a dozen on a KASAN + lockdep kernel, forty
# on a KCSAN one (every memory access checked: about 15 SYNs a second).
first=$(stat_of segments)
for _ in $(seq 90); do
	ip netns exec inj timeout -s INT 5 hping3 --flood --rand-source -S -p 80 192.0.2.254 >> "$OUT/flood-hping3.log" 2>&1
	[ $(($(stat_of segments) - first)) -gt 3072 ] && break
done
sleep 1		# the last drain
"$SYNFIN" stats --json > "$OUT/flood-after.json"
stop_all
check "SYN flood: flows bounded by max_flows, evictions counted, every event delivered or reported lost" $PY -c "
import json
b = json.load(open('$OUT/flood-before.json'))['total']
a = json.load(open('$OUT/flood-after.json'))['total']
d = {k: a[k] - b[k] for k in a if k != 'flows_active'}
got = lost = unknown = 0
for ns in ('inj', 'obs', 'init'):
    for l in open(f'$OUT/flood-{ns}.json'):
        e = json.loads(l)
        if e['type'] == 'lost':
            if e['count'] is None:
                unknown += 1
            else:
                lost += e['count']
        elif e['type'] in ('segment', 'timeout'):
            got += 1
print('segments', d['segments'], 'flows created', d['flows_created'], 'evicted', d['flows_evicted'],
      'untracked', d['flows_untracked'], 'active', a['flows_active'])
print('written', d['events_written'], 'dropped', d['events_dropped'], 'sent', d['events_sent'],
      'unheard', d['events_unheard'], 'nl_send_failed', d['nl_send_failed'])
print('readers: received', got, 'reported lost', lost, 'overflow reports', unknown)
assert d['segments'] > 3072, 'too small a flood'
assert a['flows_active'] <= 1024 and d['flows_evicted'] + d['flows_untracked'] > 0, (a, d)
assert d['events_unheard'] == 0, d
assert d['events_written'] == d['events_sent'] + d['nl_send_failed'], d
# every event: received, or in a lost count (ring), or in a failed batch
# that the reader reported as an overflow
assert lost == d['events_dropped'], (lost, d)
assert got == d['events_sent'], (got, d)
assert (d['nl_send_failed'] == 0) == (unknown == 0), (unknown, d)
"
check "SYN flood: no soft lockup, RCU stall or hung task" \
	bash -c "! dmesg | grep -E 'soft lockup|rcu_sched self-detected|rcu.*stall|blocked for more than'"
echo 65536 > /sys/module/synfin/parameters/max_flows
ip netns del inj && ip netns del obs
# A fresh module for what follows, whose counters must show no loss.
check "rmmod after the flood" rmmod synfin
insmod "$KO" time_wait_ms=1000 gc_interval_ms=100 syn_timeout_ms=1500 || ko "insmod after the flood"

# ---- a reader killed with SIGKILL mid-stream ----
server "" 127.0.0.1 9450
"$SYNFIN" watch --json > "$OUT/killed.json" 2> "$OUT/killed.err" &
kpid=$!
wait_ready "$OUT/killed.err"
$PY "$here/traffic.py" loop 127.0.0.1 9450 3 > /dev/null 2>&1 &
lpid=$!
wait_lines "$OUT/killed.json" 20
kill -KILL $kpid
wait $kpid 2>/dev/null
wait $lpid
sleep 1.5	# TIME_WAIT (1 s) over: every connection has ended
"$SYNFIN" watch --json > "$OUT/after-kill.json" 2> "$OUT/after-kill.err" &
apid=$!
wait_ready "$OUT/after-kill.err"
client "" 127.0.0.1 9450 client-close || ko "after SIGKILL: traffic"
sleep 1.5
kill -TERM $apid; wait $apid
stop_all
"$SYNFIN" stats --json > "$OUT/after-kill-stats.json"
check "SIGKILL of a reader mid-stream: counters add up, a new reader sees everything" $PY -c "
import json
t = json.load(open('$OUT/after-kill-stats.json'))['total']
assert t['events_written'] == t['events_sent'] + t['events_unheard'] + t['nl_send_failed'], t
evs = [json.loads(l) for l in open('$OUT/after-kill.json')]
summ = [e for e in evs if e['type'] == 'summary' and e['sport'] == 9450]
assert len(summ) == 1 and summ[0]['conn_state'] == 'SF', evs
print('killed after', sum(1 for _ in open('$OUT/killed.json')), 'lines; then', len(evs), 'events, summary', summ[0]['how'])
"

# ---- full rings and a full table: exact loss accounting ----
# Tiny per-CPU rings drained only every second (no early drain at a
# watermark: a worker that is late on purpose), and a table of 8 flows:
# a burst of refused connections overflows both.
rmmod synfin
check "drain_watermark over 100 is refused" bash -c "! insmod '$KO' drain_watermark=101 2>/dev/null"
insmod "$KO" ring_size=16 drain_delay_ms=1000 drain_watermark=0 max_flows=8 || ko "insmod with tiny ring"
"$SYNFIN" watch --json > "$OUT/loss.json" 2> "$OUT/loss.err" &
lossr=$!
wait_ready "$OUT/loss.err"
$PY "$here/traffic.py" burst 127.0.0.1 9500 40 || ko "loss: traffic"
sleep 2.5
"$SYNFIN" stats --json > "$OUT/loss-stats.json"
kill -TERM $lossr; wait $lossr
check "SIGTERM: the reader prints what is pending and exits 0" [ $? = 0 ]
check "full ring: lost records count exactly the dropped events" $PY -c "
import json
t = json.load(open('$OUT/loss-stats.json'))['total']
evs = [json.loads(l) for l in open('$OUT/loss.json')]
lost = sum(e['count'] for e in evs if e['type'] == 'lost')
got = sum(1 for e in evs if e['type'] in ('segment', 'timeout'))
print('dropped', t['events_dropped'], 'lost reported', lost, 'sent', t['events_sent'], 'received', got)
assert t['events_dropped'] > 0, t
assert lost == t['events_dropped'], (lost, t)
assert got == t['events_sent'] and t['events_written'] == t['events_sent'], (got, t)
assert t['flows_untracked'] == 0, t
assert t['events_written'] + t['events_dropped'] == 80, t  # 40 x SYN, RST
"
check "full table: flows stay within max_flows, evictions counted" $PY -c "
import json
t = json.load(open('$OUT/loss-stats.json'))['total']
print(t)
assert t['flows_active'] <= 8 and t['flows_evicted'] >= 32, t
"
rmmod synfin
insmod "$KO" time_wait_ms=1000 gc_interval_ms=100 || ko "insmod again"

# ---- a reader that cannot keep up: ENOBUFS is reported ----
"$SYNFIN" watch --json --rcvbuf 2048 > "$OUT/enobufs.json" 2> "$OUT/enobufs.err" &
slow=$!
wait_ready "$OUT/enobufs.err"
kill -STOP $slow
$PY "$here/traffic.py" burst 127.0.0.1 9600 60 || ko "enobufs: traffic"
sleep 0.5
kill -CONT $slow
sleep 0.5
kill -TERM $slow; wait $slow
check "receive buffer overflow is reported, never silent" bash -c "
	grep -q 'ENOBUFS' '$OUT/enobufs.err' &&
	grep -q '\"type\":\"lost\",.*\"cpu\":null,\"netns\":[1-9].*\"count\":null' '$OUT/enobufs.json' &&
	\"$SYNFIN\" stats --json | grep -q '\"nl_send_failed\":[1-9]'"

# ---- rmmod with a reader attached and traffic flowing ----
"$SYNFIN" watch --json > "$OUT/rmmod.json" 2> "$OUT/rmmod.err" &
rpid=$!
wait_ready "$OUT/rmmod.err"
server "" 127.0.0.1 9400
$PY "$here/traffic.py" loop 127.0.0.1 9400 8 > "$OUT/rmmod-traffic.log" 2>&1 &
lpid=$!
check "the reader receives events while traffic flows" wait_lines "$OUT/rmmod.json" 50 ||
	"$SYNFIN" stats
check "rmmod with a reader attached and traffic flowing" rmmod synfin
timeout 5 tail --pid=$rpid -f /dev/null
wait $rpid
rrc=$?
check "the reader says the module was unloaded and exits 3" \
	bash -c "[ $rrc = 3 ] && grep -q unloaded '$OUT/rmmod.err'"
wait $lpid
stop_all
check "module reloads after rmmod" insmod "$KO"
check "rmmod again" rmmod synfin

# ---- 50 insmod/rmmod cycles under traffic, with a reader attached ----
# (the plain reader: the sanitizers' start-up under emulation is slow, and
# the module is what is under test here)
server "" 127.0.0.1 9460
# Traffic until killed below: 50 cycles take minutes, or an hour on a
# debug kernel. A connection every 20 ms or so: back to back, the
# traffic took most of the emulated CPUs, and each cycle's insmod, reader
# start-up and rmmod took seconds.
$PY "$here/traffic.py" loop 127.0.0.1 9460 86400 20 > /dev/null 2>&1 &
lpid=$!
cycles() {
	local i rpid rrc
	for i in $(seq 50); do
		insmod "$KO" time_wait_ms=200 || { echo "cycle $i: insmod"; return 1; }
		"$top/userspace/synfin" watch --json > /tmp/cycle.json 2> /tmp/cycle.err &
		rpid=$!
		wait_ready /tmp/cycle.err || { echo "cycle $i: reader"; return 1; }
		wait_lines /tmp/cycle.json 1 || { echo "cycle $i: no events"; return 1; }
		rmmod synfin || { echo "cycle $i: rmmod"; return 1; }
		timeout 20 tail --pid=$rpid -f /dev/null || { echo "cycle $i: the reader did not exit"; return 1; }
		wait $rpid
		rrc=$?
		[ $rrc = 3 ] || { echo "cycle $i: reader exit $rrc"; cat /tmp/cycle.err; return 1; }
	done
	echo "50 cycles"
}
check "50 insmod/rmmod cycles under traffic, a reader attached each time" cycles
kill $lpid 2>/dev/null; wait $lpid 2>/dev/null
stop_all

}

# ==== api: privileges, netlink requests, stats, flows, YNL ====
sec_api() {
# ---- privileges ----
denied() { # expect exit 4 and a clear message
	local out rc
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	[ $rc = 4 ] && grep -q "permission denied" <<< "$out" || {
		echo "rc=$rc: $out"
		return 1
	}
}
# unpriv: copies of the programs run as nobody, who may not be able to
# read the checkout (a clone in root's 0700 home).
check "unprivileged watch is refused" denied unpriv "$SYNFIN" watch
check "unprivileged stats is refused" denied unpriv "$SYNFIN" stats
check "unprivileged flows is refused" denied unpriv "$SYNFIN" flows
check "user namespace without CAP_NET_ADMIN over the netns is refused" \
	denied unshare --user --map-root-user "$SYNFIN" watch
check "user namespace owning its netns may watch it" \
	unshare --user --map-root-user --net "$SYNFIN" stats
check "unprivileged raw netlink requests get EPERM" \
	unpriv $PY "$here/nlprobe.py" --denied
check "malformed netlink requests get clear errors" $PY "$here/nlprobe.py"
check "2000 random netlink requests to every command: clear errors, family still works" \
	$PY "$here/nlprobe.py" --random 2000

# ---- stats and flows ----
check "flows lists a live connection with both states, counts, filters" \
	$PY "$here/flowscheck.py" "$SYNFIN"
check "the kernel's YNL client dumps flows, reads stats and events via synfin.yaml" \
	$PY "$here/ynlcheck.py" "$SYNFIN" "$top/build/tools" "$top/module/uapi/synfin.yaml"
sleep 0.3
"$SYNFIN" stats --json > "$OUT/stats.json"
cat "$OUT/stats.json"
check "stats: written = sent + unheard + send failures, nothing dropped" $PY -c "
import json
t = json.load(open('$OUT/stats.json'))['total']
assert t['events_written'] == t['events_sent'] + t['events_unheard'] + t['nl_send_failed'], t
assert t['events_dropped'] == 0 and t['nl_send_failed'] == 0 and t['malformed'] == 0, t
assert t['segments'] > 0 and t['flows_created'] > 0, t
"

# ---- a flows dump says when the table changed under it ----
ip netns add dumpns && ip -n dumpns link set lo up
check "a flows dump with flows made between its parts says so (NLM_F_DUMP_INTR)" \
	ip netns exec dumpns $PY "$here/dumpintr.py" 200
ip netns del dumpns

# ---- namespaces: connection ids and counters of their own ----
ip netns add cidns && ip -n cidns link set lo up
reader cid cidns
server cidns 127.0.0.1 9470
client cidns 127.0.0.1 9470 client-close || ko "connection ids: traffic"
settle
ip netns exec cidns "$SYNFIN" stats --json > "$OUT/cid-stats.json"
stop_all
ip netns del cidns
check "a namespace's first connection is its connection 1; its stats are its own" $PY -c "
import json
evs = [json.loads(l) for l in open('$OUT/cid.json')]
conns = sorted({e['conn'] for e in evs if e['type'] == 'segment'})
t = json.load(open('$OUT/cid-stats.json'))['total']
print('connections', conns, 'stats', t)
assert conns == [1], conns
# one connection of 10 segments or so: not the host's hundreds
assert 0 < t['segments'] < 40 and t['flows_created'] == 1, t
"

# ---- no reader anywhere: every event counted as unheard, none sent ----
server "" 127.0.0.1 9460
settle
"$SYNFIN" stats --json > "$OUT/noreader-before.json"
client "" 127.0.0.1 9460 client-close || ko "no reader: traffic"
settle
"$SYNFIN" stats --json > "$OUT/noreader-after.json"
stop_all
check "no reader: the connection's events are counted as unheard, none sent or lost" $PY -c "
import json
b = json.load(open('$OUT/noreader-before.json'))['total']
a = json.load(open('$OUT/noreader-after.json'))['total']
d = {k: a[k] - b[k] for k in a}
print(d)
assert d['events_written'] >= 6 and d['events_unheard'] == d['events_written'], d
assert d['events_sent'] == 0 and d['events_dropped'] == 0 and d['nl_send_failed'] == 0, d
"

}

section core sec_core
section api sec_api
section hostile hostile_section
section load sec_load
section faults faults_section

# ---- a debug kernel (make check-debug): kmemleak finds nothing ----
[ -d /sys/kernel/debug/kmemleak ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 5
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > "$OUT/kmemleak.txt"
	check "kmemleak: no suspected leak after the whole suite" bash -c "
		n=\$(grep -c '^unreferenced object' '$OUT/kmemleak.txt')
		echo \"\$n suspected leaks\"
		[ \$n = 0 ] || { head -80 '$OUT/kmemleak.txt'; false; }"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
