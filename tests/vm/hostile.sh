# shellcheck shell=bash
# Hostile input for the VM suite: floods from random sources into a small
# flow table, forged segments inside a live connection, a flood beside a
# confirmed connection, a user namespace asking for the host's counters,
# a VRF, a listener in another namespace, one namespace's share of the
# table, and every writable module parameter written with nonsense.
#
# Sourced by tests/vm/suite.sh after tests/vm/lib.sh, whose helpers it
# uses (check, ok, ko, stop_all, capture, reader, wait_lines, server,
# client; $SYNFIN, $PY, $here, $OUT, $KO). Each part is a named test
# (registered at the end of this file), run by hostile_run: it expects
# the module loaded and leaves it loaded, every parameter it changed back
# as it found it, its namespaces deleted. Each check says in a comment why
# it fails on the module before these changes (commit f3883eb). The
# packets and the judging are tests/vm/hostile.py's: a Python start takes
# seconds in an emulated guest, so each part judges all its checks in
# one (hostile.py judge) and each check reads its verdict.
#
# Namespaces hf*, hs*, hc*, hv*, hg*, hx*, hp*; ports 9801-9894; 192.0.2.0/24
# inside each namespace pair (.1 the first, .2 the second).

# shellcheck source=SCRIPTDIR/lib.sh
[ -n "${vm_lib:-}" ] || . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HOSTILE_P=/sys/module/synfin/parameters
HOSTILE_PY=("$PY" -S "$here/hostile.py")

# The plain reader, where only the module's answer matters (counters to
# poll): it starts faster than the sanitized one.
hostile_sf() {
	if [ -x "${top:-}/userspace/synfin" ]; then "$top/userspace/synfin" "$@"; else "$SYNFIN" "$@"; fi
}

# synfin stats --json into FILE (as seen from the initial namespace).
hostile_stats() { hostile_sf stats --json > "$1"; }

# flows_active, without a Python start: the total comes first. (Under
# emulation every process started costs: fewer here, and in the helpers
# below.)
hostile_flows_active() {
	local s
	s=$(hostile_sf stats --json)
	[[ $s =~ \"flows_active\":([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}

# A veth pair between two new namespaces: NSA (192.0.2.1 on DEVA) and NSB
# (192.0.2.2 on DEVB), loopback up in both; hostile_mac is DEVB's
# address. No other route: nothing in them can answer a random source.
hostile_pair() { # nsa nsb deva devb
	ip netns add "$1" && ip netns add "$2" &&
	ip link add "$3" type veth peer name "$4" &&
	read -r hostile_mac < "/sys/class/net/$4/address" &&
	ip link set "$3" netns "$1" && ip link set "$4" netns "$2" &&
	ip -n "$1" addr add 192.0.2.1/24 dev "$3" &&
	ip -n "$2" addr add 192.0.2.2/24 dev "$4" &&
	ip -n "$1" link set lo up && ip -n "$2" link set lo up &&
	ip -n "$1" link set "$3" up && ip -n "$2" link set "$4" up
}

# Delete namespaces (whose processes are stopped), then wait until the
# table holds no more flows than N: a namespace's flows go with it,
# asynchronously (cleanup_net).
hostile_del() { # n netns...
	local n=$1 ns now=; shift
	for ns; do ip netns del "$ns" 2>/dev/null; done
	for _ in $(seq 100); do
		now=$(hostile_flows_active)
		[ "${now:-0}" -le "$n" ] && return 0
		sleep 0.2
	done
	echo "hostile: $now flows still active after deleting $*, want <= $n"
}

# Wait until NETNS's table shows client port CPORT ESTABLISHED on both
# sides (the handshake has been seen there).
hostile_wait_established() { # netns cport
	local run=()
	[ -n "$1" ] && run=(ip netns exec "$1")
	local re="\"client_port\":$2,\"server\":\"[^\"]*\",\"server_port\":[0-9]+,\"client_state\":\"ESTABLISHED\",\"server_state\":\"ESTABLISHED\""
	for _ in $(seq 100); do
		[[ $("${run[@]}" "$SYNFIN" flows --json) =~ $re ]] && return 0
		sleep 0.1
	done
	echo "hostile: client port $2 never ESTABLISHED in ${1:-init}'s flows"
	return 1
}

# A held connection (hostile.py hold) from NETNS to HOST:PORT; sets
# hostile_hold (its pid) and hostile_cport (its client port).
hostile_hold() { # netns host port
	local run=() log=$OUT/hostile-hold-$3.log
	[ -n "$1" ] && run=(ip netns exec "$1")
	"${run[@]}" "${HOSTILE_PY[@]}" hold "$2" "$3" > "$log" 2>&1 &
	hostile_hold=$!
	wait_lines "$log" || { cat "$log"; return 1; }
	hostile_cport=$(awk '$1 == "ready" { print $2 }' "$log")
	[ -n "$hostile_cport" ] || { cat "$log"; return 1; }
}

# Close the held connection normally (FIN first) and wait for it.
hostile_unhold() {
	kill -TERM "$hostile_hold" 2>/dev/null
	wait "$hostile_hold"
}

# Let TIME_WAIT (1 s) end, then wait until the reader writing FILE has
# written N summaries of connections to server port PORT, for 10 s at
# most: a reader still printing a flood's events must not be stopped
# before it reaches the connection under test. (A summary that never
# comes is the check's to report.)
hostile_settle() { # file port [n]
	local end=$((SECONDS + 10))
	sleep 1.5
	while [ $SECONDS -lt $end ]; do
		[ "$(grep -c "^{\"type\":\"summary\".*,\"server_port\":$2," "$1")" -ge "${3:-1}" ] && return 0
		sleep 0.3
	done
}

# hostile.py judge into the section's verdicts; check NAME hostile_ok KEY.
hostile_judge() { "${HOSTILE_PY[@]}" judge "$hostile_verdicts" "$@"; }
hostile_ok() { grep -qx "$1 ok" "$hostile_verdicts"; }

# ---- a. floods from random sources into a table of 1024 ----
# A bare ACK (or data) from nowhere makes a flow picked up mid-stream,
# ESTABLISHED on both sides. The old module never evicts such a flow:
# 1024 of them fill the table for established_timeout_ms (5 days), every
# later flow is refused, so a real connection made after the flood is not
# traced at all (no SYN event, no summary) and flows_evicted stays 0.
# Fixed: a flow only one side has spoken in is unconfirmed and goes
# first: the real connection is traced whole, evictions are counted.
# The flood goes to the namespace's own address from sources it has no
# route back to: nothing answers (an RST back would end each flow, which
# the old module would then evict).
hostile_flood_case() { # kind port
	local kind=$1 port=$2 name=hostile-flood-$1 base
	base=$(hostile_flows_active)
	hostile_pair hfa hfb hfva hfvb || { ko "hostile: $kind flood: namespaces"; return; }
	echo 1024 > "$HOSTILE_P/max_flows"
	reader "$name" hfb
	server hfb 127.0.0.1 "$port"
	hostile_stats "$OUT/$name-before.json"
	ip netns exec hfa "${HOSTILE_PY[@]}" flood hfva "$hostile_mac" 192.0.2.2 "$kind" 3000 \
		> "$OUT/$name-sent.json" || ko "hostile: $kind flood: sending"
	cat "$OUT/$name-sent.json"
	client hfb 127.0.0.1 "$port" client-close || echo "hostile: $kind flood: the connection failed"
	hostile_settle "$OUT/$name.json" "$port"
	hostile_stats "$OUT/$name-end.json"
	stop_all
	echo "${hostile_saved[max_flows]}" > "$HOSTILE_P/max_flows"
	hostile_judge "a-$kind-traced" conn "$OUT/$name.json" "$port" --from-syn --conn-state SF \
		::: "a-$kind-table" delta "$OUT/$name-before.json" "$OUT/$name-end.json" \
		"d['segments'] >= 3000 and a['flows_active'] <= 1024 and d['flows_evicted'] > 0" \
		"segments flows_created flows_evicted flows_untracked segments_untracked"
	check "hostile: after a flood of 3000 $kind segments from random sources (max_flows 1024), a new connection is traced from its SYN to its summary" \
		hostile_ok "a-$kind-traced"
	check "hostile: $kind flood: the table stays within max_flows and makes room by evicting" \
		hostile_ok "a-$kind-table"
	hostile_del "$base" hfa hfb
}

# Bare ACKs with wrong TCP checksums: the receiving stack drops every
# one; the old module makes a flow of each (flows_created +2000) and has
# no bad_checksum counter. Fixed: counted there, no flow made.
hostile_badsum_flood() {
	local base name=hostile-flood-badsum
	base=$(hostile_flows_active)
	hostile_pair hfa hfb hfva hfvb || { ko "hostile: bad-checksum flood: namespaces"; return; }
	hostile_stats "$OUT/$name-before.json"
	ip netns exec hfa "${HOSTILE_PY[@]}" flood hfva "$hostile_mac" 192.0.2.2 ack 2000 --bad-checksum \
		> "$OUT/$name-sent.json" || ko "hostile: bad-checksum flood: sending"
	cat "$OUT/$name-sent.json"
	hostile_stats "$OUT/$name-after.json"
	hostile_judge a-badsum delta "$OUT/$name-before.json" "$OUT/$name-after.json" \
		"d['bad_checksum'] == 2000 and d['flows_created'] == 0" \
		"segments bad_checksum flows_created malformed"
	check "hostile: 2000 bare ACKs with bad checksums: all counted in bad_checksum, no flow made" \
		hostile_ok a-badsum
	hostile_del "$base" hfa hfb
}

# ---- b. forged segments inside a live connection ----
# A client in hss holds a connection to a server in hsd; hostile.py forge
# learns its numbers by sniffing and sends, as the client, one segment
# that hsd's TCP drops. The old module believes each one: the
# out-of-window FIN moves the client to FIN_WAIT_1 and the server to
# CLOSE_WAIT, unflagged (the real close then crosses it: no summary);
# the bad-checksum RST closes both sides (the summary says reset by the
# client, RSTO); the bad-checksum FIN half-closes it; and there is no
# bad_checksum counter. Fixed: ESTABLISHED/ESTABLISHED after each, the
# FIN flagged fin_out_of_window, bad_checksum +1 for each of the other
# two, and each connection's real close an ordinary SF.
hostile_forge_section() {
	local what base judge=()
	local -A cport_of=()
	base=$(hostile_flows_active)
	hostile_pair hss hsd hssv hsdv || { ko "hostile: forge: namespaces"; return; }
	reader hostile-forge hsd
	server hsd 192.0.2.2 9810
	for what in fin-out-of-window rst-bad-checksum fin-bad-checksum; do
		hostile_hold hss 192.0.2.2 9810 || { ko "hostile: forge $what: no connection"; continue; }
		cport_of[$what]=$hostile_cport
		hostile_wait_established hsd "$hostile_cport"
		hostile_stats "$OUT/hostile-forge-$what-before.json"
		ip netns exec hss "${HOSTILE_PY[@]}" forge hssv "$hostile_mac" 9810 $what --poke "$hostile_hold" \
			> "$OUT/hostile-forge-$what.json" || ko "hostile: forge $what: sending"
		cat "$OUT/hostile-forge-$what.json"
		sleep 0.2
		ip netns exec hsd "$SYNFIN" flows --json > "$OUT/hostile-forge-$what.flows"
		hostile_stats "$OUT/hostile-forge-$what-after.json"
		hostile_unhold
		judge+=(::: "b-$what-flows" established "$OUT/hostile-forge-$what.flows" "$hostile_cport")
		[ "$what" = fin-out-of-window ] || judge+=(::: "b-$what-count" delta \
			"$OUT/hostile-forge-$what-before.json" "$OUT/hostile-forge-$what-after.json" \
			"d['bad_checksum'] == 1" "segments bad_checksum")
	done
	hostile_settle "$OUT/hostile-forge.json" 9810 ${#cport_of[@]}
	stop_all
	for what in "${!cport_of[@]}"; do
		judge+=(::: "b-$what-close" conn "$OUT/hostile-forge.json" 9810 --cport "${cport_of[$what]}"
			--from-syn --conn-state SF)
		[ "$what" = fin-out-of-window ] && judge+=(--anomaly fin_out_of_window)
	done
	hostile_judge "${judge[@]}"
	for what in fin-out-of-window rst-bad-checksum fin-bad-checksum; do
		check "hostile: forged $what: the server's namespace still has the connection ESTABLISHED on both sides" \
			hostile_ok "b-$what-flows"
		[ "$what" = fin-out-of-window ] ||
			check "hostile: forged $what: counted once in bad_checksum" hostile_ok "b-$what-count"
		check "hostile: after the forged $what, the connection is traced from its SYN and closes normally (SF)$([ "$what" = fin-out-of-window ] && echo ', the FIN flagged fin_out_of_window')" \
			hostile_ok "b-$what-close"
	done
	hostile_del "$base" hss hsd
}

# ---- c. a flood beside a confirmed connection ----
# hcc holds a confirmed, idle loopback connection while hca floods hcb
# with bare ACKs from random sources, max_flows 256. The first check, that
# the confirmed connection survives and closes normally, the old module
# passes (it evicts no mid-stream flow at all, which is what a. shows);
# the fixed one must evict the flood's unconfirmed flows and never this
# one. The second fails on the old module: a connection made after the
# flood is refused (the table is full of flows it will not evict), and
# nothing is evicted.
hostile_bystander() {
	local base held name=hostile-bystander
	base=$(hostile_flows_active)
	if ! hostile_pair hca hcb hcva hcvb || ! ip netns add hcc || ! ip -n hcc link set lo up; then
		ko "hostile: bystander: namespaces"
		return
	fi
	reader $name hcc
	server hcc 127.0.0.1 9821
	if ! hostile_hold hcc 127.0.0.1 9821; then
		ko "hostile: bystander: no connection"
		stop_all
		hostile_del "$base" hca hcb hcc
		return
	fi
	held=$hostile_cport
	hostile_wait_established hcc "$held"
	echo 256 > "$HOSTILE_P/max_flows"
	hostile_stats "$OUT/$name-before.json"
	ip netns exec hca "${HOSTILE_PY[@]}" flood hcva "$hostile_mac" 192.0.2.2 ack 2000 \
		> "$OUT/$name-sent.json" || ko "hostile: bystander: sending"
	cat "$OUT/$name-sent.json"
	ip netns exec hcc "$SYNFIN" flows --json > "$OUT/$name.flows"
	client hcc 127.0.0.1 9821 client-close || echo "hostile: bystander: the new connection failed"
	hostile_unhold
	hostile_settle "$OUT/$name.json" 9821 2
	hostile_stats "$OUT/$name-end.json"
	stop_all
	echo "${hostile_saved[max_flows]}" > "$HOSTILE_P/max_flows"
	hostile_judge c-held-flows established "$OUT/$name.flows" "$held" \
		::: c-held-close conn "$OUT/$name.json" 9821 --cport "$held" --from-syn --conn-state SF --not-evicted \
		::: c-new conn "$OUT/$name.json" 9821 --count 2 --from-syn --conn-state SF --not-evicted \
		::: c-table delta "$OUT/$name-before.json" "$OUT/$name-end.json" \
		"a['flows_active'] <= 256 and d['flows_evicted'] > 0" "segments flows_created flows_evicted flows_untracked"
	check "hostile: a confirmed idle connection survives a flood in another namespace (max_flows 256) and closes normally, not evicted" \
		bash -c "grep -qx 'c-held-flows ok' '$hostile_verdicts' && grep -qx 'c-held-close ok' '$hostile_verdicts'"
	check "hostile: beside it, the flood's own flows are evicted and a connection made after the flood is traced" \
		bash -c "grep -qx 'c-new ok' '$hostile_verdicts' && grep -qx 'c-table ok' '$hostile_verdicts'"
	hostile_del "$base" hca hcb hcc
}

# ---- e. a user namespace's root asks for stats ----
# GET_STATS from a user namespace owning a fresh netns: the old module
# answers with the host's counters, all of them (segments, flows, events
# of every namespace). Fixed: that netns's own, all zero.
hostile_userns_stats() {
	local rc frc
	server "" 127.0.0.1 9851
	hostile_hold "" 127.0.0.1 9851 || ko "hostile: userns: host connection"
	client "" 127.0.0.1 9851 client-close || ko "hostile: userns: host traffic"
	hostile_stats "$OUT/hostile-userns-host.json"
	unshare --user --map-root-user --net "$SYNFIN" stats --json > "$OUT/hostile-userns.json" 2> "$OUT/hostile-userns.err"
	rc=$?
	unshare --user --map-root-user --net "$SYNFIN" flows --json > "$OUT/hostile-userns.flows" 2>> "$OUT/hostile-userns.err"
	frc=$?
	hostile_unhold
	stop_all
	check "hostile: a user namespace's root gets its own netns's counters (zero), not the host's" \
		"$PY" -S "$here/usernscheck.py" "$OUT/hostile-userns-host.json" "$OUT/hostile-userns.json" \
		"$OUT/hostile-userns.flows" --rc "$rc" --flows-rc "$frc" --err "$OUT/hostile-userns.err"
}

# ---- f. a VRF: every segment counted once ----
# A socket bound to a VRF sends each segment through LOCAL_OUT twice (for
# the VRF device, then the real one) and receives each through
# PRE_ROUTING twice (the real device, then the VRF): the old module counts
# every segment twice and flags each copy a retransmission. Fixed: the
# summary's counts are tcpdump's on the enslaved device, no
# retransmission flagged.
hostile_vrf() {
	local base
	modprobe vrf 2>/dev/null
	base=$(hostile_flows_active)
	hostile_pair hva hvw hvav hvwv || { ko "hostile: vrf: namespaces"; return; }
	if ! ip -n hva link add hvrf type vrf table 10 2> "$OUT/hostile-vrf.err"; then
		echo "SKIP: hostile: VRF: this kernel has no vrf device ($(cat "$OUT/hostile-vrf.err"))"
		hostile_del "$base" hva hvw
		return
	fi
	if ! { ip -n hva link set hvrf up && ip -n hva link set hvav master hvrf && ip -n hva link set hvav up; }; then
		ko "hostile: vrf: enslaving"
	fi
	ip -n hva route show vrf hvrf
	server hvw 192.0.2.2 9861
	capture hostile-vrf hva hvav "tcp port 9861"
	reader hostile-vrf hva
	ip netns exec hva "${HOSTILE_PY[@]}" vrfclient 192.0.2.2 9861 hvrf || ko "hostile: vrf: the connection failed"
	hostile_settle "$OUT/hostile-vrf.json" 9861
	stop_all
	hostile_judge f-vrf conn "$OUT/hostile-vrf.json" 9861 --from-syn --conn-state SF \
		--no-anomaly retransmission --pcap "$OUT/hostile-vrf.pcap"
	check "hostile: a connection from a socket in a VRF: each segment counted once (as tcpdump on the enslaved device), no retransmission" \
		hostile_ok f-vrf
	hostile_del "$base" hva hvw
}

# In hostile_args: the parameters the section found, as NAME=VALUE, but
# for those named in the NAME=VALUE arguments.
hostile_saved_args() { # [name=value...]
	local p kv
	hostile_args=()
	for p in "${!hostile_saved[@]}"; do
		for kv; do [ "${kv%%=*}" = "$p" ] && continue 2; done
		hostile_args+=("$p=${hostile_saved[$p]}")
	done
}

# Reload the module with the parameters the section found, but for those
# given as NAME=VALUE.
hostile_reload() { # name=value...
	local hostile_args
	hostile_saved_args "$@"
	rmmod synfin || { ko "hostile: rmmod before insmod $*"; return 1; }
	insmod "$KO" "${hostile_args[@]}" "$@" && return 0
	ko "hostile: insmod $*"
	hostile_reload_as_was
	return 1
}

# The module as the section found it (if it is not loaded, load it).
hostile_reload_as_was() {
	local hostile_args
	hostile_saved_args
	if [ -d /sys/module/synfin ]; then rmmod synfin || { ko "hostile: rmmod"; return 1; }; fi
	insmod "$KO" "${hostile_args[@]}" || { ko "hostile: reloading the module (${hostile_args[*]})"; return 1; }
}

# ---- g. a listener in one namespace, events in another ----
# A reader listens in hga; hgb has connections and no reader. The old
# module queues every event of hgb for the drain, whose multicast into
# hgb then reaches nobody: a reader anywhere makes every namespace's
# events take ring slots and drain time (and it has no
# listener_probe_ms). Fixed: once a message into hgb has reached nobody,
# hgb's events are counted unheard as they happen, not queued (asserted
# with the drain held off for 60 s: unheard rises with written); a
# reader that then starts in hgb, whose stats request says it is there,
# gets its events from its first connection; and a listener that makes
# no request hears nothing while listener_probe_ms is long, and events
# once it is short (the probe).
hostile_listener_elsewhere() {
	local base name=hostile-deaf
	base=$(hostile_flows_active)
	if ! ip netns add hga || ! ip -n hga link set lo up || ! ip netns add hgb || ! ip -n hgb link set lo up; then
		ko "hostile: listener elsewhere: namespaces"
		return
	fi
	echo 600000 > "$HOSTILE_P/listener_probe_ms" || echo "hostile: listener elsewhere: no listener_probe_ms"
	reader $name-a hga
	server hgb 127.0.0.1 9881
	server hgb 127.0.0.1 9882
	server hgb 127.0.0.1 9883
	# hgb's first events reach nobody (the drain runs 5 ms after them)
	client hgb 127.0.0.1 9881 client-close || echo "hostile: listener elsewhere: the first connection failed"
	sleep 1
	echo 60000 > "$HOSTILE_P/drain_delay_ms"
	hostile_stats "$OUT/$name-before.json"
	ip netns exec hgb "$PY" "$here/traffic.py" loop 127.0.0.1 9881 2
	hostile_stats "$OUT/$name-after.json"
	echo "${hostile_saved[drain_delay_ms]}" > "$HOSTILE_P/drain_delay_ms"
	# a listener that makes no request, in hgb: deaf while the probe is
	# 10 minutes away, then with listener_probe_ms 300
	ip netns exec hgb "${HOSTILE_PY[@]}" listen 127.0.0.1 9883 3 > "$OUT/$name-silent.json"
	cat "$OUT/$name-silent.json"
	echo 300 > "$HOSTILE_P/listener_probe_ms"
	ip netns exec hgb "${HOSTILE_PY[@]}" listen 127.0.0.1 9883 10 > "$OUT/$name-probe.json"
	cat "$OUT/$name-probe.json"
	echo 600000 > "$HOSTILE_P/listener_probe_ms"
	# deaf again (the listener is gone): a connection nobody hears, then
	# one more with the drain held off, whose events are all counted
	# unheard at once (the stats requests from the initial namespace
	# between do not make hgb heard)
	client hgb 127.0.0.1 9881 client-close
	sleep 1
	echo 60000 > "$HOSTILE_P/drain_delay_ms"
	hostile_stats "$OUT/$name-again-before.json"
	client hgb 127.0.0.1 9881 client-close
	hostile_stats "$OUT/$name-again-after.json"
	echo "${hostile_saved[drain_delay_ms]}" > "$HOSTILE_P/drain_delay_ms"
	# synfin's reader in hgb, at once
	reader $name-b hgb
	client hgb 127.0.0.1 9882 client-close || echo "hostile: listener elsewhere: the last connection failed"
	hostile_settle "$OUT/$name-b.json" 9882
	stop_all
	hostile_judge g-queue delta "$OUT/$name-before.json" "$OUT/$name-after.json" \
		"d['events_written'] > 0 and d['events_unheard'] == d['events_written'] and d['events_dropped'] == 0" \
		"events_written events_unheard events_sent events_dropped" \
		::: g-again delta "$OUT/$name-again-before.json" "$OUT/$name-again-after.json" \
		"d['events_written'] > 0 and d['events_unheard'] == d['events_written']" \
		"events_written events_unheard events_sent" \
		::: g-reader conn "$OUT/$name-b.json" 9882 --from-syn --conn-state SF
	check "hostile: with a reader in another namespace only, a namespace's events are counted unheard as they happen, not queued for the drain" \
		hostile_ok g-queue
	check "hostile: a reader started in that namespace, deaf again just before, is heard at once: its first connection is traced from its SYN" \
		bash -c "grep -qx 'g-again ok' '$hostile_verdicts' && grep -qx 'g-reader ok' '$hostile_verdicts'"
	# (the silent run made connections, and heard none of them)
	check "hostile: a listener that makes no request hears nothing within 3 s while listener_probe_ms is long, and events once it is 300 ms" \
		bash -c "grep -q '\"events\": true' '$OUT/$name-probe.json' && grep -Eq '\"connections\": [1-9][0-9]*, \"events\": false' '$OUT/$name-silent.json'"
	hostile_del "$base" hga hgb
}

# ---- h. one namespace's share of the table ----
# The module reloaded with max_flows 64 and netns_flow_share 25 (16 flows
# a namespace; the old module has no such parameter and refuses the
# load). The host holds 20 open connections: all tracked (the initial
# namespace has no share). In hxb, 12 open connections, then 8 more: 16
# tracked, 4 SYNs untracked there. The 4 tracked of the 8 are closed
# (ended flows); a flood of 100 bare ACKs from random sources into hxb
# then makes flows that at hxb's share take the place of hxb's own
# ended or one-way flows (evictions counted, the table's other flows
# untouched: hxa's 5 one-way flows, made first, would be the oldest
# candidates); a connection after it is traced from its SYN, and the 12
# held ones close normally, never evicted.
hostile_netns_share() {
	local name=hostile-share hpid apid bpid amac
	hostile_reload max_flows=64 netns_flow_share=25 unconfirmed_timeout_ms=86400000 || return
	hostile_pair hxa hxb hxav hxbv || { ko "hostile: share: namespaces"; return; }
	# 5 one-way flows in hxa (bare ACKs from random sources): evictable,
	# but not by hxb at its share
	amac=$(ip netns exec hxa cat /sys/class/net/hxav/address)
	ip netns exec hxb "${HOSTILE_PY[@]}" flood hxbv "$amac" 192.0.2.1 ack 5 \
		> "$OUT/$name-a-sent.json" || ko "hostile: share: sending into hxa"
	ip netns exec hxa "$SYNFIN" stats --json > "$OUT/$name-hxa-before.json"
	reader $name-host ""
	reader $name hxb
	server "" 127.0.0.1 9891
	for p in 9892 9893 9894; do server hxb 127.0.0.1 $p; done
	"${HOSTILE_PY[@]}" hold 127.0.0.1 9891 20 > "$OUT/$name-hosthold.log" 2>&1 &
	hpid=$!
	wait_lines "$OUT/$name-hosthold.log" || cat "$OUT/$name-hosthold.log"
	hostile_stats "$OUT/$name-hoststats.json"
	ip netns exec hxb "${HOSTILE_PY[@]}" hold 127.0.0.1 9892 12 > "$OUT/$name-a.log" 2>&1 &
	apid=$!
	wait_lines "$OUT/$name-a.log" || cat "$OUT/$name-a.log"
	ip netns exec hxb "${HOSTILE_PY[@]}" hold 127.0.0.1 9893 8 > "$OUT/$name-b.log" 2>&1 &
	bpid=$!
	wait_lines "$OUT/$name-b.log" || cat "$OUT/$name-b.log"
	ip netns exec hxb "$SYNFIN" stats --json > "$OUT/$name-ns.json"
	kill -TERM $bpid 2>/dev/null
	wait $bpid
	sleep 0.5
	ip netns exec hxb "$SYNFIN" stats --json > "$OUT/$name-flood-before.json"
	ip netns exec hxa "${HOSTILE_PY[@]}" flood hxav "$hostile_mac" 192.0.2.2 ack 100 \
		> "$OUT/$name-sent.json" || ko "hostile: share: sending"
	ip netns exec hxb "$SYNFIN" stats --json > "$OUT/$name-flood-after.json"
	ip netns exec hxa "$SYNFIN" stats --json > "$OUT/$name-hxa-after.json"
	hostile_stats "$OUT/$name-total.json"
	client hxb 127.0.0.1 9894 client-close || echo "hostile: share: the connection after the flood failed"
	kill -TERM $apid $hpid 2>/dev/null
	wait $apid $hpid
	hostile_settle "$OUT/$name.json" 9892 12
	hostile_settle "$OUT/$name.json" 9894
	hostile_settle "$OUT/$name-host.json" 9891 20
	stop_all
	# (the whole table: the host's 20 and hxa's 5)
	hostile_judge h-host delta "$OUT/$name-hoststats.json" "$OUT/$name-hoststats.json" \
		"a['flows_active'] == 25" "flows_active flows_created" \
		::: h-cap delta "$OUT/$name-ns.json" "$OUT/$name-ns.json" \
		"a['flows_active'] == 16 and a['flows_created'] == 16 and a['flows_untracked'] >= 4" \
		"flows_active flows_created flows_untracked" \
		::: h-flood delta "$OUT/$name-flood-before.json" "$OUT/$name-flood-after.json" \
		"a['flows_active'] <= 16 and d['flows_evicted'] > 0" "segments flows_created flows_evicted flows_untracked" \
		::: h-total delta "$OUT/$name-hoststats.json" "$OUT/$name-total.json" \
		"37 <= a['flows_active'] <= 41" "flows_active flows_evicted" \
		::: h-other delta "$OUT/$name-hxa-before.json" "$OUT/$name-hxa-after.json" \
		"a['flows_active'] == 5 and a['flows_evicted'] == 0" "flows_active flows_created flows_evicted" \
		::: h-new conn "$OUT/$name.json" 9894 --from-syn --conn-state SF \
		::: h-held conn "$OUT/$name.json" 9892 --count 12 --from-syn --conn-state SF --not-evicted \
		::: h-hostconns conn "$OUT/$name-host.json" 9891 --count 20 --from-syn --conn-state SF --not-evicted
	check "hostile: netns_flow_share 25 of max_flows 64: 20 open connections in another namespace are held to 16 tracked, their 4 other SYNs counted untracked there" \
		hostile_ok h-cap
	check "hostile: the initial namespace is not held to a share: the host's 20 open connections all tracked, traced from SYN to summary" \
		bash -c "grep -qx 'h-host ok' '$hostile_verdicts' && grep -qx 'h-hostconns ok' '$hostile_verdicts'"
	check "hostile: at its share, a flood into the namespace makes room by evicting its own flows only (another namespace's 5 one-way flows stay), and a connection after it is traced from its SYN" \
		bash -c "grep -qx 'h-flood ok' '$hostile_verdicts' && grep -qx 'h-total ok' '$hostile_verdicts' && grep -qx 'h-other ok' '$hostile_verdicts' && grep -qx 'h-new ok' '$hostile_verdicts'"
	check "hostile: at its share, the namespace's 12 open connections are never evicted and close normally" \
		hostile_ok h-held
	hostile_del 64 hxa hxb
	hostile_reload_as_was
}

# ---- i. the host's reserve ----
# The module reloaded with max_flows 64, netns_flow_share 50 (32 flows a
# namespace) and host_flow_reserve 25: the namespaces other than the
# initial one hold 48 flows together at most. hra holds 30 open
# connections, all tracked. Then 5 one-way flows (bare ACKs from random
# sources, over a veth pair to hrc) are made in the host, and 5 in hrc.
# hrb then opens 30: 13 fill the namespaces' 48; for each of the next 5,
# one of hrc's one-way flows makes room (a flow of the namespaces': the
# host's, older, stay); the last 12 SYNs are untracked. The host's 11
# open connections after that (its reserve of 16 but its 5 one-way
# flows: the table is then full, and no eviction is needed, whose scan
# need not reach a candidate) are all tracked, traced from SYN to
# summary. The old module has no host_flow_reserve and refuses the load;
# without the reserve, hrb would take 30 and leave the host none; with an
# eviction that took the host's flows for a namespace, the host's 5
# one-way flows would go first.
hostile_host_reserve() {
	local name=hostile-reserve apid bpid hpid base hmac cmac hostflows
	base=$(hostile_flows_active)
	hostile_reload max_flows=64 netns_flow_share=50 host_flow_reserve=25 unconfirmed_timeout_ms=86400000 || return
	if ! { ip netns add hra && ip -n hra link set lo up && ip netns add hrb && ip -n hrb link set lo up &&
		ip netns add hrc && ip -n hrc link set lo up &&
		ip link add hrv0 type veth peer name hrv1 && ip link set hrv1 netns hrc &&
		ip addr add 198.51.100.1/24 dev hrv0 && ip -n hrc addr add 198.51.100.2/24 dev hrv1 &&
		ip link set hrv0 up && ip -n hrc link set hrv1 up; }; then
		ko "hostile: reserve: namespaces"
		for ns in hra hrb hrc; do ip netns del "$ns" 2>/dev/null; done
		hostile_reload_as_was
		return
	fi
	read -r hmac < /sys/class/net/hrv0/address
	cmac=$(ip netns exec hrc cat /sys/class/net/hrv1/address)
	reader $name-host ""
	server hra 127.0.0.1 9895
	server hrb 127.0.0.1 9896
	server "" 127.0.0.1 9897
	ip netns exec hra "${HOSTILE_PY[@]}" hold 127.0.0.1 9895 30 > "$OUT/$name-a.log" 2>&1 &
	apid=$!
	wait_lines "$OUT/$name-a.log" || cat "$OUT/$name-a.log"
	ip netns exec hrc "${HOSTILE_PY[@]}" flood hrv1 "$hmac" 198.51.100.1 ack 5 \
		> "$OUT/$name-host-sent.json" || ko "hostile: reserve: sending into the host"
	"${HOSTILE_PY[@]}" flood hrv0 "$cmac" 198.51.100.2 ack 5 \
		> "$OUT/$name-hrc-sent.json" || ko "hostile: reserve: sending into hrc"
	ip netns exec hrb "${HOSTILE_PY[@]}" hold 127.0.0.1 9896 30 > "$OUT/$name-b.log" 2>&1 &
	bpid=$!
	wait_lines "$OUT/$name-b.log" || cat "$OUT/$name-b.log"
	ip netns exec hra "$SYNFIN" stats --json > "$OUT/$name-hra.json"
	ip netns exec hrb "$SYNFIN" stats --json > "$OUT/$name-hrb.json"
	ip netns exec hrc "$SYNFIN" stats --json > "$OUT/$name-hrc.json"
	# the host's own flows: its 5 one-way ones, nothing else of TCP here
	hostflows=$("$SYNFIN" flows --json | grep -c .)
	"${HOSTILE_PY[@]}" hold 127.0.0.1 9897 11 > "$OUT/$name-h.log" 2>&1 &
	hpid=$!
	wait_lines "$OUT/$name-h.log" || cat "$OUT/$name-h.log"
	kill -TERM $apid $bpid $hpid 2>/dev/null
	wait $apid $bpid $hpid
	hostile_settle "$OUT/$name-host.json" 9897 11
	stop_all
	hostile_judge i-a delta "$OUT/$name-hra.json" "$OUT/$name-hra.json" \
		"a['flows_active'] == 30 and a['flows_untracked'] == 0" "flows_active flows_untracked" \
		::: i-b delta "$OUT/$name-hrb.json" "$OUT/$name-hrb.json" \
		"a['flows_active'] == 18 and a['flows_untracked'] >= 12" "flows_active flows_created flows_untracked" \
		::: i-c delta "$OUT/$name-hrc.json" "$OUT/$name-hrc.json" \
		"a['flows_created'] == 5 and a['flows_evicted'] == 5 and a['flows_active'] == 0" "flows_active flows_created flows_evicted" \
		::: i-host conn "$OUT/$name-host.json" 9897 --count 11 --from-syn --conn-state SF --not-evicted
	check "hostile: host_flow_reserve 25 of max_flows 64: namespaces holding 30 and 30 open connections are held to 48 together (30 and 18 tracked), the other SYNs counted untracked" \
		bash -c "grep -qx 'i-a ok' '$hostile_verdicts' && grep -qx 'i-b ok' '$hostile_verdicts'"
	check "hostile: at the namespaces' 48, their new flows take the place of their own one-way flows (hrc's 5 evicted), never the host's (its 5 kept: $hostflows flows)" \
		bash -c "grep -qx 'i-c ok' '$hostile_verdicts' && [ '$hostflows' = 5 ]"
	check "hostile: the host's reserve: its 11 open connections made after the namespaces filled theirs (the reserve of 16 but its 5 one-way flows) are all tracked, traced from SYN to summary" \
		hostile_ok i-host
	ip link del hrv0 2>/dev/null
	hostile_del "$base" hra hrb hrc
	hostile_reload_as_was
}

# ---- d. every writable parameter written with nonsense ----
# Each writable parameter (mode 0644) gets 0, 4294967295, 99999999999,
# "abc", "-1" and "" while connections run in hpa with a reader. A write
# must not hang; it is refused with the old value kept, or accepted and
# held 0.3 s, then the old value put back. Asserted: garbage refused
# everywhere; 0 refused for max_flows and gc_interval_ms; 4294967295
# refused for max_flows (the table was sized for 65536); a refused write
# changes nothing; afterwards a new connection is traced whole. The old
# module takes max_flows 0 and 4294967295 and gc_interval_ms 0 (a
# collector requeueing itself at once); and its collector, once it has
# gone to sleep for gc_interval_ms 4294967295 ms (49 days), is not woken
# by the value put back: no connection ends any more (no summary), the
# last check fails, and the module is reloaded with the parameters it
# had, so as not to poison what follows.
hostile_params() {
	local f name v old new msg rc lpid failed log=$OUT/hostile-params.txt
	: > "$log"
	if ! ip netns add hpa || ! ip -n hpa link set lo up; then
		ko "hostile: params: namespace"
		return
	fi
	reader hostile-params hpa
	server hpa 127.0.0.1 9871
	ip netns exec hpa "$PY" "$here/traffic.py" loop 127.0.0.1 9871 3600 50 > /dev/null 2>&1 &
	lpid=$!
	for name in "${hostile_writable[@]}"; do
		f=$HOSTILE_P/$name
		for v in 0 4294967295 99999999999 abc -1 ""; do
			read -r old < "$f"
			# shellcheck disable=SC2016 # expanded by the inner shell
			msg=$(timeout 10 bash -c 'echo "$1" > "$2"' _ "$v" "$f" 2>&1)
			rc=$?
			read -r new < "$f"
			if [ $rc = 124 ]; then
				echo "WRONG: $name='$v': the write hung" >> "$log"
			elif [ $rc = 0 ]; then
				echo "$name='$v': accepted, now $new" >> "$log"
				sleep 0.3
				echo "$old" > "$f" || echo "WRONG: $name: cannot put $old back" >> "$log"
			else
				echo "$name='$v': refused (${msg##*: }), still $new" >> "$log"
				[ "$new" = "$old" ] || echo "WRONG: $name='$v': refused, yet changed $old -> $new" >> "$log"
			fi
			if [ $rc = 0 ]; then
				case "$name=$v" in
				*=abc | *=-1 | *=) echo "WRONG: $name='$v': garbage accepted" >> "$log" ;;
				max_flows=0 | max_flows=4294967295 | gc_interval_ms=0 | netns_flow_share=0)
					echo "WRONG: $name='$v': must be refused" >> "$log" ;;
				esac
			fi
		done
	done
	kill $lpid 2>/dev/null
	wait $lpid 2>/dev/null
	hostile_restore
	cat "$log"
	check "hostile: writable parameters: garbage refused, max_flows 0/4294967295 and gc_interval_ms 0 refused, nothing changed by a refused write" \
		bash -c "! grep -q '^WRONG' '$log'"
	# The module still works: a connection afterwards, traced whole.
	sleep 0.5
	reader hostile-params-end hpa
	server hpa 127.0.0.1 9872
	client hpa 127.0.0.1 9872 client-close || echo "hostile: params: the last connection failed"
	hostile_settle "$OUT/hostile-params-end.json" 9872
	stop_all
	hostile_judge d-works conn "$OUT/hostile-params-end.json" 9872 --from-syn --conn-state SF
	failed=$fail
	check "hostile: after every parameter write, a connection is still traced from its SYN to its summary" \
		hostile_ok d-works
	ip netns del hpa
	if [ "$fail" -gt "$failed" ]; then
		echo "hostile: the module is broken: reloading it"
		hostile_reload_as_was
	fi
}

# Put back every writable parameter the section found.
hostile_restore() {
	local p v
	for p in "${hostile_writable[@]}"; do
		read -r v < "$HOSTILE_P/$p"
		[ "$v" = "${hostile_saved[$p]}" ] && continue
		echo "${hostile_saved[$p]}" > "$HOSTILE_P/$p" || ko "hostile: restoring $p=${hostile_saved[$p]}"
	done
}

# Run one part as a test: the parameters the module has are saved
# (hostile_saved, hostile_writable: the parts put them back with
# hostile_restore, hostile_reload_as_was) and put back after it.
hostile_run() { # part [args...]
	local t=$SECONDS f
	local -A hostile_saved=()
	local -a hostile_writable=()
	local hostile_hold='' hostile_cport='' hostile_mac='' hostile_verdicts=$OUT/hostile-verdicts.txt
	: > "$hostile_verdicts"
	for f in "$HOSTILE_P"/*; do
		read -r "hostile_saved[${f##*/}]" < "$f"
		[ "$(stat -c %a "$f")" = 644 ] && hostile_writable+=("${f##*/}")
	done
	echo "== hostile input; parameters: $(for f in "${!hostile_saved[@]}"; do printf '%s=%s ' "$f" "${hostile_saved[$f]}"; done)"
	modprobe veth
	echo "-- $*"
	"$@"
	hostile_restore
	echo "-- $*: $((SECONDS - t)) s"
}

vm_section hostile "hostile input: floods into a small table, forged segments, user namespaces, a VRF, deaf listeners, namespaces' shares, nonsense parameters"

vm_test ackflood fresh "a flood of 3000 bare ACKs from random sources (max_flows 1024): the table makes room, a new connection is traced whole"
test_ackflood() { hostile_run hostile_flood_case ack 9801; }
vm_test dataflood fresh "the same with 3000 data segments"
test_dataflood() { hostile_run hostile_flood_case data 9802; }
vm_test badsum fresh "2000 bare ACKs with bad checksums: all counted in bad_checksum, no flow made"
test_badsum() { hostile_run hostile_badsum_flood; }
vm_test forge fresh "forged segments inside a live connection (out-of-window FIN, bad-checksum RST and FIN) change no state"
test_forge() { hostile_run hostile_forge_section; }
vm_test bystander fresh "a confirmed idle connection survives a flood in another namespace (max_flows 256), which evicts its own flows"
test_bystander() { hostile_run hostile_bystander; }
vm_test userns fresh "a user namespace's root gets its own netns's counters (zero), not the host's"
test_userns() { hostile_run hostile_userns_stats; }
vm_test vrf fresh "a connection from a socket in a VRF: each segment counted once, no retransmission"
test_vrf() { hostile_run hostile_vrf; }
vm_test deaf fresh "a listener in another namespace only: events counted unheard at once; a reader started there is heard at once; listener_probe_ms"
test_deaf() { hostile_run hostile_listener_elsewhere; }
vm_test share fresh "netns_flow_share: another namespace held to its share of max_flows, evicting only its own flows; the host is not held"
test_share() { hostile_run hostile_netns_share; }
vm_test reserve fresh "host_flow_reserve: namespaces held to their part together, never taking the host's flows; the host's reserve"
test_reserve() { hostile_run hostile_host_reserve; }
vm_test params fresh "every writable parameter written with nonsense: refused or harmless, and a connection is still traced whole"
test_params() { hostile_run hostile_params; }
