# shellcheck shell=bash
# The VM suite's api section: privileges, netlink requests, stats, flows,
# YNL. Sourced by tests/vm/suite.sh after tests/vm/lib.sh, whose helpers
# it uses; each test_NAME is test NAME.

vm_section api "privileges, netlink requests, stats, flows, the YNL spec, namespaces' own ids and counters"

# shellcheck source=SCRIPTDIR/lib.sh
[ -n "${vm_lib:-}" ] || . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The command exits 4 with a clear message.
denied() { # command...
	local out rc
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc != 4 ] || ! grep -q "permission denied" <<< "$out"; then
		echo "rc=$rc: $out"
		return 1
	fi
}

vm_test unpriv fresh "without CAP_NET_ADMIN over the namespace every command and raw request is refused; a user namespace owning its netns may watch it"
test_unpriv() {
	# unpriv: copies of the programs run as nobody, who may not be able
	# to read the checkout (a clone in root's 0700 home).
	check "unprivileged watch is refused" denied unpriv "$SYNFIN" watch
	check "unprivileged stats is refused" denied unpriv "$SYNFIN" stats
	check "unprivileged flows is refused" denied unpriv "$SYNFIN" flows
	check "user namespace without CAP_NET_ADMIN over the netns is refused" \
		denied unshare --user --map-root-user "$SYNFIN" watch
	check "user namespace owning its netns may watch it" \
		unshare --user --map-root-user --net "$SYNFIN" stats
	check "unprivileged raw netlink requests get EPERM" \
		unpriv "$PY" "$here/nlprobe.py" --denied
}

vm_test netlink fresh "malformed and 2000 random netlink requests to every command get clear errors; the family still works"
test_netlink() {
	check "malformed netlink requests get clear errors" "$PY" "$here/nlprobe.py"
	check "2000 random netlink requests to every command: clear errors, family still works" \
		"$PY" "$here/nlprobe.py" --random 2000
}

# Stats and flows of namespace $1 into $OUT/$2.json and $OUT/$2-flows.json.
ns_counts() { # netns name
	ip netns exec "$1" "$SYNFIN" stats --json > "$OUT/$2.json"
	ip netns exec "$1" "$SYNFIN" flows --json > "$OUT/$2-flows.json"
}

vm_test selection fresh "two readers with different selections in one netns at once each print exactly their own connections; the one neither selected is not sent, its events counted unselected; once they exit, a reader without a selection hears every connection, and one with --host hears only its own"
test_selection() {
	local p
	ip netns add selns && ip -n selns link set lo up
	# Port 9500 refused: its flow, ended by the RST, stays in the table
	# (closed_linger_ms) with its count of events for selcheck.py.
	for p in 9480 9490; do server selns 127.0.0.1 $p; done
	server selns ::1 9491
	reader sel80 selns --port 9480
	reader sel90 selns --port 9490-9491
	ns_counts selns sel-before
	client selns 127.0.0.1 9480 client-close || ko "selection: traffic"
	client selns 127.0.0.1 9490 four-way || ko "selection: traffic"
	client selns ::1 9491 server-close || ko "selection: traffic"
	client selns 127.0.0.1 9500 refused || ko "selection: traffic"
	settle
	ns_counts selns sel-after
	check "two readers, --port 9480 and --port 9490-9491: each printed its own; port 9500's (refused) counted unselected, not sent" \
		"$PY" "$here/selcheck.py" "$OUT/sel-before.json" "$OUT/sel-after.json" \
		"$OUT/sel-after-flows.json" "$OUT/sel80.json=9480" "$OUT/sel90.json=9490,9491" \
		--unselected 9500
	stop_all
	# Their sockets closed: their selections went with them.
	for p in 9480 9500; do server selns 127.0.0.1 $p; done
	server selns ::1 9491
	reader all selns
	ns_counts selns sel-all-before
	client selns 127.0.0.1 9480 client-close || ko "selection: traffic"
	client selns 127.0.0.1 9500 client-close || ko "selection: traffic"
	settle
	ns_counts selns sel-all-after
	check "after both readers exit, a reader without a selection hears every connection" \
		"$PY" "$here/selcheck.py" "$OUT/sel-all-before.json" "$OUT/sel-all-after.json" \
		"$OUT/sel-all-after-flows.json" "$OUT/all.json=9480,9500"
	# A reader with a selection beside one without: both hear the union.
	reader v6 selns --host ::1/128
	ns_counts selns sel-v6-before
	client selns ::1 9491 client-close || ko "selection: traffic"
	client selns 127.0.0.1 9501 refused || ko "selection: traffic"
	settle
	ns_counts selns sel-v6-after
	check "--host ::1/128 beside a reader without a selection: both hear the IPv6 connection only, the other counted unselected" \
		"$PY" "$here/selcheck.py" "$OUT/sel-v6-before.json" "$OUT/sel-v6-after.json" \
		"$OUT/sel-v6-after-flows.json" "$OUT/all.json=9491" "$OUT/v6.json=9491" \
		--unselected 9501
	stop_all
	ip netns del selns
}

# Parameter FILE refuses each VALUE and keeps KEPT.
refuses() { # file value... kept
	local file=$1 v
	shift
	while [ $# -gt 1 ]; do
		v=$1
		shift
		if echo "$v" 2>/dev/null > "$file"; then
			echo "$file took $v"
			return 1
		fi
	done
	[ "$(cat "$file")" = "$1" ]
}

vm_test selection_api fresh "selections through the kernel's YNL client (cli.py --do set-selection, a malformed one refused with its message); max_selections bounds a namespace's, checked when written"
test_selection_api() {
	local param=/sys/module/synfin/parameters/max_selections
	check "cli.py sets a selection from JSON, a malformed one fails with the module's message; the YNL library's lasts as long as its socket" \
		"$PY" "$here/selynl.py" "$SYNFIN" "$top/build/tools" "$top/module/uapi/synfin.yaml"
	check "max_selections refuses 0 and 1025, and keeps its 64" refuses "$param" 0 1025 64
	echo 3 > "$param"
	check "max_selections 3: a 4th socket's selection is refused (ENOSPC, saying why) until one is removed or closed" \
		"$PY" "$here/nlprobe.py" --selections 3
}

vm_test flows fresh "synfin flows lists a live connection with both states and its counts; its filters"
test_flows() {
	check "flows lists a live connection with both states, counts, filters" \
		"$PY" "$here/flowscheck.py" "$SYNFIN"
}

vm_test ynl fresh "the kernel's YNL client, through synfin.yaml alone, dumps flows, reads stats and the events of each group; the counters then add up"
test_ynl() {
	check "the kernel's YNL client dumps flows, reads stats and events via synfin.yaml" \
		"$PY" "$here/ynlcheck.py" "$SYNFIN" "$top/build/tools" "$top/module/uapi/synfin.yaml"
	sleep 0.3
	"$SYNFIN" stats --json > "$OUT/stats.json"
	cat "$OUT/stats.json"
	check "stats: written = sent + unheard + send failures, nothing dropped" \
		"$PY" "$here/statscheck.py" "$OUT/stats.json"
}

vm_test groups fresh "a reader of the events group (nested attributes, as older readers) and one of events-packed, at once, get the same events, line for line"
test_groups() {
	reader nested "" --group events
	reader packed ""
	server "" 127.0.0.1 9470
	server "" ::1 9471
	client "" 127.0.0.1 9470 four-way || ko "groups: traffic"
	client "" ::1 9471 client-close || ko "groups: traffic"
	client "" 127.0.0.1 9472 refused || ko "groups: traffic"
	settle
	stop_all
	check "both groups carry the same events (IPv4, IPv6, refused, final events)" \
		"$PY" "$here/groupcheck.py" "$OUT/nested.json" "$OUT/packed.json"
}

vm_test summaries fresh "watch --summaries (the summaries group alone) prints exactly what a reader of every event prints as summaries, and no event"
test_summaries() {
	local _
	reader full ""
	reader summ "" --summaries
	server "" 127.0.0.1 9475
	server "" ::1 9476
	for _ in 1 2 3; do
		client "" 127.0.0.1 9475 four-way || ko "summaries: traffic"
		client "" ::1 9476 client-close || ko "summaries: traffic"
		client "" 127.0.0.1 9477 refused || ko "summaries: traffic"
	done
	sleep 3		# (TIME_WAIT is 1 s: every connection ends)
	stop_all
	check "--summaries prints exactly the full reader's summaries, and no event" \
		"$PY" "$here/summarycheck.py" "$OUT/full.json" "$OUT/summ.json"
	"$SYNFIN" stats --json > "$OUT/summ-stats.json"
	check "stats: written = sent + unheard + send failures, nothing dropped" \
		"$PY" "$here/statscheck.py" "$OUT/summ-stats.json"
}

vm_test dumpintr fresh "a flows dump with flows made between its parts says so (NLM_F_DUMP_INTR)"
test_dumpintr() {
	ip netns add dumpns && ip -n dumpns link set lo up
	check "a flows dump with flows made between its parts says so (NLM_F_DUMP_INTR)" \
		ip netns exec dumpns "$PY" "$here/dumpintr.py" 200
	ip netns del dumpns
}

vm_test netns_ids fresh "a namespace's connection ids and counters are its own: its first connection is connection 1"
test_netns_ids() {
	ip netns add cidns && ip -n cidns link set lo up
	reader cid cidns
	server cidns 127.0.0.1 9470
	client cidns 127.0.0.1 9470 client-close || ko "connection ids: traffic"
	settle
	ip netns exec cidns "$SYNFIN" stats --json > "$OUT/cid-stats.json"
	stop_all
	ip netns del cidns
	check "a namespace's first connection is its connection 1; its stats are its own" \
		"$PY" "$here/netnsidcheck.py" "$OUT/cid.json" "$OUT/cid-stats.json"
}

vm_test noreader fresh "with no reader anywhere, a connection's events are counted unheard, none sent or lost"
test_noreader() {
	server "" 127.0.0.1 9460
	settle
	"$SYNFIN" stats --json > "$OUT/noreader-before.json"
	client "" 127.0.0.1 9460 client-close || ko "no reader: traffic"
	settle
	"$SYNFIN" stats --json > "$OUT/noreader-after.json"
	stop_all
	check "no reader: the connection's events are counted as unheard, none sent or lost" \
		"$PY" "$here/noreadercheck.py" "$OUT/noreader-before.json" "$OUT/noreader-after.json"
}
