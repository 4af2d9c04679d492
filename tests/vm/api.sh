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

vm_test flows fresh "synfin flows lists a live connection with both states and its counts; its filters"
test_flows() {
	check "flows lists a live connection with both states, counts, filters" \
		"$PY" "$here/flowscheck.py" "$SYNFIN"
}

vm_test ynl fresh "the kernel's YNL client, through synfin.yaml alone, dumps flows, reads stats and events; the counters then add up"
test_ynl() {
	check "the kernel's YNL client dumps flows, reads stats and events via synfin.yaml" \
		"$PY" "$here/ynlcheck.py" "$SYNFIN" "$top/build/tools" "$top/module/uapi/synfin.yaml"
	sleep 0.3
	"$SYNFIN" stats --json > "$OUT/stats.json"
	cat "$OUT/stats.json"
	check "stats: written = sent + unheard + send failures, nothing dropped" \
		"$PY" "$here/statscheck.py" "$OUT/stats.json"
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
