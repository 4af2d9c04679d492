# shellcheck shell=bash
# The VM suite's core section: real traffic against tcpdump and
# conntrack, and crafted segments. Sourced by tests/vm/suite.sh after
# tests/vm/lib.sh, whose helpers it uses; each test_NAME is test NAME.

# shellcheck source=SCRIPTDIR/lib.sh
[ -n "${vm_lib:-}" ] || . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_section core "real traffic against tcpdump, synfin read and conntrack; crafted segments"

# The ladder reader of loopback test NAME drew its three connections:
# each started with a SYN and ended, the handshake and the four-way close
# drawn, and no escape sequence (colour) in a file.
ladder_draws() { # name
	local f=$OUT/$1.ladder
	[ "$(grep -c ' ended: ' "$f")" = 3 ] &&
	[ "$(grep -c 'SYN_SENT |-- SYN seq=0 ' "$f")" = 3 ] &&
	grep -q 'ESTABLISHED |<-* SYN,ACK seq=0 ack=1 --| SYN_RCVD' "$f" &&
	grep -q 'four-way close, client first' "$f" &&
	! grep -q $'\e' "$f"
}

vm_test handshake fresh "loopback IPv4 and IPv6: three kinds of close, timeline against tcpdump and synfin read, the ladder drawn"
test_handshake() {
	local fam host port name
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
			"$PY" "$here/check.py" "$OUT/$name.json" "$OUT/$name.pcap" $port client-close four-way server-close
		check "loopback IPv$fam: synfin read of tcpdump's capture agrees with the module" \
			"$PY" "$here/readcompare.py" "$SYNFIN" "$OUT/$name.json" "$OUT/$name.pcap" $port 1000
		check "loopback IPv$fam: watch --ladder --port draws each connection" ladder_draws $name ||
			cat "$OUT/$name.ladder"
	done
}

vm_test refused fresh "refused connections (IPv4 and IPv6): the RST closes both sides, as tcpdump and synfin read see it"
test_refused() {
	capture refused "" lo "tcp port 9009"
	reader refused ""
	client "" 127.0.0.1 9009 refused || ko "refused: traffic"
	client "" ::1 9009 refused || ko "refused: traffic (IPv6)"
	sleep 0.5
	stop_all
	check "refused connections: RST closes both sides, matches tcpdump" \
		"$PY" "$here/check.py" "$OUT/refused.json" "$OUT/refused.pcap" 9009 refused refused
	check "refused connections: synfin read of tcpdump's capture agrees with the module" \
		"$PY" "$here/readcompare.py" "$SYNFIN" "$OUT/refused.json" "$OUT/refused.pcap" 9009 1000
}

vm_test capacity "max_flows=4 time_wait_ms=5000 gc_interval_ms=100" "more connections than max_flows: the module and synfin read --max-flows of its capture evict and untrack the same ones, event by event"
test_capacity() {
	local evicted untracked created
	capture capacity "" lo "tcp port 9011"
	reader capacity ""
	"$PY" "$here/capacity.py" 127.0.0.1 9011 > "$OUT/capacity.log" 2>&1 ||
		ko "capacity: traffic ($(tail -1 "$OUT/capacity.log"))"
	# Every connection's TIME_WAIT ends (time_wait_ms above), and its
	# summary comes: the six tracked ones, F never.
	for _ in $(seq 300); do
		[ "$(grep -c '"type":"summary"' "$OUT/capacity.json")" -ge 6 ] && break
		sleep 0.1
	done
	stop_all
	evicted=$(stat_of flows_evicted) untracked=$(stat_of flows_untracked)
	created=$(stat_of flows_created)
	# Nothing but the test's connections took the four slots.
	check "capacity: the module tracked 6 connections, evicted 2 and left 1 untracked (got $created, $evicted, $untracked)" \
		test "$created,$evicted,$untracked" = 6,2,1 || "$SYNFIN" flows
	check "capacity: synfin read --max-flows 4 of the capture agrees with the module, evictions and untracked included" \
		"$PY" "$here/readcompare.py" "$SYNFIN" "$OUT/capacity.json" "$OUT/capacity.pcap" 9011 5000 \
		--max-flows 4 --counts "$evicted,$untracked"
}

# Namespaces sfa (192.0.2.1 on va) and sfb (192.0.2.2 on vb), joined by
# veth.
sf_pair_up() {
	ip netns add sfa && ip netns add sfb
	ip link add va type veth peer name vb
	ip link set va netns sfa && ip link set vb netns sfb
	ip -n sfa addr add 192.0.2.1/24 dev va && ip -n sfb addr add 192.0.2.2/24 dev vb
	for ns in sfa sfb; do ip -n $ns link set lo up; done
	ip -n sfa link set va up && ip -n sfb link set vb up
}

# The reader in the initial namespace saw nothing of port 9100.
veth_init_sees_none() { ! grep -qE '"(dport|sport|client_port|server_port)":9100\b' "$OUT/veth-init.json"; }

# The events that the reader in sfb got carry sfb's namespace inode.
veth_netns_field() {
	[ "$(grep -o '"netns":[0-9]*' "$OUT/veth-b.json" | sort -u)" = "\"netns\":$(ip netns exec sfb stat -L -c %i /proc/self/ns/net)" ]
}

vm_test veth fresh "veth between two namespaces: each side's timeline (also from a Linux cooked v2 capture), readers see their namespace only"
test_veth() {
	sf_pair_up
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
		"$PY" "$here/check.py" "$OUT/veth-a.json" "$OUT/veth-a.pcap" 9100 client-close server-close
	check "veth, server namespace: timeline matches tcpdump" \
		"$PY" "$here/check.py" "$OUT/veth-b.json" "$OUT/veth-b.pcap" 9100 client-close server-close
	for side in a b; do
		check "veth-$side: synfin read of tcpdump's capture agrees with the module" \
			"$PY" "$here/readcompare.py" "$SYNFIN" "$OUT/veth-$side.json" "$OUT/veth-$side.pcap" 9100 1000
	done
	check "veth, Linux cooked v2 capture: synfin read agrees with the module" \
		"$PY" "$here/readcompare.py" "$SYNFIN" "$OUT/veth-b.json" "$OUT/veth-any.pcap" 9100 1000
	check "veth: a reader in another namespace sees none of it" \
		veth_init_sees_none
	check "veth: netns field is the reader's namespace" veth_netns_field
	ip netns del sfa && ip netns del sfb
}

# The flows of sfa's and sfb's open connection ($na + $nb of the
# $before active) are freed with their namespaces.
netns_flows_gone() {
	if [ "$na" -lt 1 ] || [ "$nb" -lt 1 ]; then
		echo "no live flows: $na, $nb"
		return 1
	fi
	for _ in $(seq 600); do
		[ "$(stat_of flows_active)" -le $((before - na - nb)) ] && return 0
		sleep 0.1
	done
	echo "flows: $before before, $na in sfa, $nb in sfb, $(stat_of flows_active) after"
	return 1
}

vm_test netns_delete fresh "deleting two namespaces while a connection across them is open frees its flows"
test_netns_delete() {
	local holder na=0 nb=0 before
	sf_pair_up
	ip netns exec sfb "$PY" "$here/traffic.py" server 192.0.2.2 9101 > /tmp/server-9101.log &
	wait_lines /tmp/server-9101.log
	ip netns exec sfa "$PY" "$here/traffic.py" hold 192.0.2.2 9101 &
	holder=$!
	for _ in $(seq 600); do
		na=$(ip netns exec sfa "$SYNFIN" flows --json | grep -c '"server_port":9101,"client_state":"ESTABLISHED"')
		nb=$(ip netns exec sfb "$SYNFIN" flows --json | grep -c '"server_port":9101,"client_state":"ESTABLISHED"')
		[ "$na" -ge 1 ] && [ "$nb" -ge 1 ] && break
		sleep 0.1
	done
	# Only the open connection's flows are counted: ended ones may time
	# out meanwhile (on a debug kernel this takes long enough), it cannot.
	before=$(stat_of flows_active)
	ip netns pids sfa | xargs -r kill -KILL
	ip netns pids sfb | xargs -r kill -KILL
	wait $holder 2>/dev/null
	ip netns del sfa && ip netns del sfb
	check "deleting namespaces with live flows ($na + $nb) frees them" netns_flows_gone
}

vm_test conntrack fresh "conntrack -E and synfin agree on every connection's life (three closes, a refusal)"
test_conntrack() {
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
		"$PY" "$here/ctcompare.py" "$OUT/conntrack.txt" "$OUT/conntrack.json" 9700 9701
	nft delete table inet synfin_ct
}

vm_test crafted fresh "crafted segments (inject.py): every state machine path in the live kernel, segment by segment"
test_crafted() {
	inj_obs_up
	reader inject obs
	ip netns exec inj "$PY" "$here/inject.py" send vi "$mac" || ko "inject: sending"
	sleep 3		# TIME_WAIT (1 s) and the unanswered SYN (1.5 s) run out
	stop_all
	check "crafted segments: every scenario's timeline, segment by segment" \
		"$PY" "$here/inject.py" check "$OUT/inject.json"
	ip netns del inj && ip netns del obs
}

vm_test malformed fresh "malformed and odd segments (doff < 5, cut short, bogus options, fragments): counted exactly, no crash"
test_malformed() {
	local seg0 mal0 seg1 mal1
	inj_obs_up
	seg0=$(stat_of segments) mal0=$(stat_of malformed)
	ip netns exec inj "$PY" "$here/inject.py" malformed vi "$mac" > "$OUT/malformed.json" || ko "malformed: sending"
	sleep 0.5
	seg1=$(stat_of segments) mal1=$(stat_of malformed)
	check "malformed segments: doff < 5, cut short, bogus options, fragments: counted exactly" \
		"$PY" "$here/malformedcheck.py" "$OUT/malformed.json" --segments $((seg1 - seg0)) --malformed $((mal1 - mal0))
	ip netns del inj && ip netns del obs
}
