# shellcheck shell=bash
# The VM suite's load section: floods, loss, readers killed, unloading
# under traffic. Sourced by tests/vm/suite.sh after tests/vm/lib.sh, whose
# helpers it uses; each test_NAME is test NAME.

# shellcheck source=SCRIPTDIR/lib.sh
[ -n "${vm_lib:-}" ] || . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_section load "floods, full rings and tables, slow and killed readers, unloading under traffic"

# The kernel log tells of no soft lockup, RCU stall or hung task.
no_lockup() { ! dmesg | grep -E 'soft lockup|rcu_sched self-detected|rcu.*stall|blocked for more than'; }

vm_test synflood fresh "a SYN flood from random sources: flows bounded by max_flows, every event delivered or reported lost, no lockup"
test_synflood() {
	local ns first run
	inj_obs_up
	ip -n inj addr add 192.0.2.1/24 dev vi
	echo 1024 > /sys/module/synfin/parameters/max_flows
	# Unanswered SYNs must outlive the flood, or a slow kernel (KASAN,
	# lockdep) times them out as fast as it makes them and the table
	# never fills.
	echo 600000 > /sys/module/synfin/parameters/syn_timeout_ms
	# Unanswered SYNs are unconfirmed flows too (seen one way only):
	# theirs must outlast the flood as well, or flows end between the
	# last stats and the readers' end, received but not counted.
	echo 600000 > /sys/module/synfin/parameters/unconfirmed_timeout_ms
	# A reader in every namespace with traffic: the rings are shared, and
	# a loss is reported to the namespace whose event was lost.
	for ns in inj obs init; do
		run=(ip netns exec "$ns")
		[ $ns = init ] && run=()
		"${run[@]}" "$SYNFIN" watch --json > "$OUT/flood-$ns.json" 2> "$OUT/flood-$ns.err" &
		pids+=($!)
		wait_ready "$OUT/flood-$ns.err"
	done
	"$SYNFIN" stats --json > "$OUT/flood-before.json"
	# Flood in 5 s bursts until there are three times more SYNs than
	# max_flows: one burst on a release kernel, a dozen on a KASAN +
	# lockdep kernel, forty on a KCSAN one (every memory access checked:
	# about 15 SYNs a second).
	first=$(stat_of segments)
	for _ in $(seq 90); do
		ip netns exec inj timeout -s INT 5 hping3 --flood --rand-source -S -p 80 192.0.2.254 >> "$OUT/flood-hping3.log" 2>&1
		[ $(($(stat_of segments) - first)) -gt 3072 ] && break
	done
	sleep 1		# the last drain
	"$SYNFIN" stats --json > "$OUT/flood-after.json"
	stop_all
	check "SYN flood: flows bounded by max_flows, evictions counted, every event delivered or reported lost" \
		"$PY" "$here/floodcheck.py" "$OUT/flood-before.json" "$OUT/flood-after.json" \
		"$OUT/flood-inj.json" "$OUT/flood-obs.json" "$OUT/flood-init.json"
	check "SYN flood: no soft lockup, RCU stall or hung task" no_lockup
	echo 65536 > /sys/module/synfin/parameters/max_flows
	ip netns del inj && ip netns del obs
	check "rmmod after the flood" rmmod synfin
}

vm_test sigkill fresh "a reader killed with SIGKILL mid-stream: the counters add up, a new reader sees everything"
test_sigkill() {
	local kpid lpid apid
	server "" 127.0.0.1 9450
	"$SYNFIN" watch --json > "$OUT/killed.json" 2> "$OUT/killed.err" &
	kpid=$!
	wait_ready "$OUT/killed.err"
	"$PY" "$here/traffic.py" loop 127.0.0.1 9450 3 > /dev/null 2>&1 &
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
	kill -TERM $apid
	wait $apid
	stop_all
	"$SYNFIN" stats --json > "$OUT/after-kill-stats.json"
	check "SIGKILL of a reader mid-stream: counters add up, a new reader sees everything" \
		"$PY" "$here/killcheck.py" "$OUT/after-kill-stats.json" "$OUT/killed.json" "$OUT/after-kill.json"
}

# An out-of-range drain_watermark fails the load.
watermark_refused() { ! insmod "$KO" drain_watermark=101 2>/dev/null; }

vm_test watermark none "insmod with drain_watermark over 100 is refused"
test_watermark() {
	check "drain_watermark over 100 is refused" watermark_refused
}

# Tiny per-CPU rings drained only every second (no early drain at a
# watermark: a worker that is late on purpose), and a table of 8 flows:
# a burst of refused connections overflows both.
vm_test loss "ring_size=16 drain_delay_ms=1000 drain_watermark=0 max_flows=8" "full rings and a full table: lost records count the dropped events exactly, evictions counted; SIGTERM prints what is pending"
test_loss() {
	local lossr rc
	"$SYNFIN" watch --json > "$OUT/loss.json" 2> "$OUT/loss.err" &
	lossr=$!
	wait_ready "$OUT/loss.err"
	"$PY" "$here/traffic.py" burst 127.0.0.1 9500 40 || ko "loss: traffic"
	sleep 2.5
	"$SYNFIN" stats --json > "$OUT/loss-stats.json"
	kill -TERM $lossr
	wait $lossr
	rc=$?
	check "SIGTERM: the reader prints what is pending and exits 0" [ $rc = 0 ]
	check "full ring: lost records count exactly the dropped events" \
		"$PY" "$here/losscheck.py" ring "$OUT/loss-stats.json" --events "$OUT/loss.json"
	check "full table: flows stay within max_flows, evictions counted" \
		"$PY" "$here/losscheck.py" table "$OUT/loss-stats.json"
}

# The stopped reader was told of its socket's overflow (ENOBUFS), wrote a
# lost record without a count for it, and the module counted the failed
# sends.
enobufs_reported() {
	grep -q 'ENOBUFS' "$OUT/enobufs.err" &&
	grep -q '"type":"lost",.*"cpu":null,"netns":[1-9].*"count":null' "$OUT/enobufs.json" &&
	"$SYNFIN" stats --json | grep -q '"nl_send_failed":[1-9]'
}

vm_test enobufs "time_wait_ms=1000 gc_interval_ms=100" "a reader that cannot keep up (stopped, a 2 KiB buffer): its socket's overflow is reported, never silent"
test_enobufs() {
	local slow
	"$SYNFIN" watch --json --rcvbuf 2048 > "$OUT/enobufs.json" 2> "$OUT/enobufs.err" &
	slow=$!
	wait_ready "$OUT/enobufs.err"
	kill -STOP $slow
	"$PY" "$here/traffic.py" burst 127.0.0.1 9600 60 || ko "enobufs: traffic"
	sleep 0.5
	kill -CONT $slow
	sleep 0.5
	kill -TERM $slow
	wait $slow
	check "receive buffer overflow is reported, never silent" enobufs_reported
}

# The reader of the rmmod test exited 3 ($1) and said why.
reader_saw_unload() { [ "$1" = 3 ] && grep -q unloaded "$OUT/rmmod.err"; }

vm_test rmmod fresh "rmmod with a reader attached and traffic flowing: the reader says so and exits 3; the module loads again"
test_rmmod() {
	local rpid lpid rrc
	"$SYNFIN" watch --json > "$OUT/rmmod.json" 2> "$OUT/rmmod.err" &
	rpid=$!
	wait_ready "$OUT/rmmod.err"
	server "" 127.0.0.1 9400
	"$PY" "$here/traffic.py" loop 127.0.0.1 9400 8 > "$OUT/rmmod-traffic.log" 2>&1 &
	lpid=$!
	check "the reader receives events while traffic flows" wait_lines "$OUT/rmmod.json" 50 ||
		"$SYNFIN" stats
	check "rmmod with a reader attached and traffic flowing" rmmod synfin
	timeout 5 tail --pid=$rpid -f /dev/null
	wait $rpid
	rrc=$?
	check "the reader says the module was unloaded and exits 3" reader_saw_unload $rrc
	wait $lpid
	stop_all
	check "module reloads after rmmod" insmod "$KO"
	check "rmmod again" rmmod synfin
}

# 50 cycles of insmod, a reader, its first event, rmmod, the reader's
# exit 3 (the plain reader: the sanitizers' start-up under emulation is
# slow, and the module is what is under test here).
load_cycles() {
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

vm_test cycles none "50 insmod/rmmod cycles under traffic, a reader attached each time"
test_cycles() {
	local lpid
	server "" 127.0.0.1 9460
	# Traffic until killed below: 50 cycles take minutes, or an hour on a
	# debug kernel. A connection every 20 ms or so: back to back, the
	# traffic took most of the emulated CPUs, and each cycle's insmod,
	# reader start-up and rmmod took seconds.
	"$PY" "$here/traffic.py" loop 127.0.0.1 9460 86400 20 > /dev/null 2>&1 &
	lpid=$!
	check "50 insmod/rmmod cycles under traffic, a reader attached each time" load_cycles
	kill $lpid 2>/dev/null
	wait $lpid 2>/dev/null
}
