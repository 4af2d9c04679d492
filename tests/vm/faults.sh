# shellcheck shell=bash
# Allocation failures injected into synfin, for the VM suite: sourced by
# tests/vm/suite.sh after tests/vm/lib.sh, whose helpers (check, ok, ko,
# reader, server, stat_of, stop_all) and variables ($KO, $SYNFIN, $PY,
# $here, $OUT) it uses. Its one test, allocfail (faults_section), is
# registered at the end of this file.
#
# On a kernel with fault injection (the debug kernel, make check-debug:
# CONFIG_FAILSLAB, FAIL_PAGE_ALLOC, FAULT_INJECTION_DEBUG_FS and
# FAULT_INJECTION_STACKTRACE_FILTER), with failslab and fail_page_alloc
# (Documentation/fault-injection/fault-injection.rst) failing sleeping and
# atomic allocations alike, but only those made under module code:
#
# 1. finit_module() with its Nth allocation under module code failing
#    (/proc/self/fail-nth in the loading task, and a stack-trace filter on
#    the module area, since the module's own text does not exist before
#    the load): how many there are is counted first, then
#    $FAULTS_NTH_STEPS (12) of them spread over all, from a random offset
#    within their spacing (logged; $FAULTS_NTH_OFFSET repeats one), so
#    that successive runs reach different ones, and the last, fail one at
#    a time; each load must fail cleanly (an error, nothing
#    left loaded) or, where the failure is one the kernel recovers from
#    (a kvmalloc() falling back to vmalloc, kmemleak's own metadata), load
#    a working module;
# 2. 30 ($FAULTS_TRIES) insmod/rmmod under random failures (task filter,
#    make-it-fail in the two commands' tasks only; two failures a load on
#    average): each insmod loads a working module or fails cleanly, each
#    rmmod succeeds;
# 3. with the module loaded and failures limited to call stacks through its
#    text (from /proc/modules), traffic, a reader, synfin flows and
#    synfin stats, and namespaces made and deleted; then, injection off,
#    the counters must add up: events_written = events_sent +
#    events_unheard + nl_send_failed, and the reader's lost records add up
#    to events_dropped (unless its socket overflowed); failures must have
#    been injected (the "times" countdowns), or this proves nothing;
# 4. rmmod, and no new kmemleak suspect (FAULTS_KMEMLEAK=1: the section
#    scans before and after itself; by default it leaves that to the
#    suite's scan at its end, as a scan takes minutes on a debug kernel).
#
# An injected failure can make the kernel warn, with a stack dump (vmalloc,
# percpu and kmem_cache_create failures: warn_alloc() and the like), which
# the console must not show: vm-run.sh fails a run on any "Call Trace:".
# While failures are injected, messages without a level of their own
# (KERN_DEFAULT: dump_stack()'s) go below the console's level; every
# report of a bug has a level of its own (BUG:, WARNING:, KASAN:, UBSAN:,
# lockdep, ...) and still reaches the console. The section's kernel log is
# kept in $OUT/faults-dmesg.txt and checked here: no problem, and no stack
# dump that does not follow an allocation failure's warning. (A KCSAN
# report's stack lines have no level either: on a KCSAN kernel, the races
# reported meanwhile are judged here, by vm-run.sh's rule: those that
# name synfin fail.)
#
# The section leaves the module as it found it: loaded with the same
# parameters if it was, unloaded if not. Without fault injection (a
# release kernel): SKIP.

# shellcheck source=SCRIPTDIR/lib.sh
[ -n "${vm_lib:-}" ] || . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

faults_dbg=/sys/kernel/debug
faults_attrs="failslab fail_page_alloc"
faults_many=1000000	# "times": a countdown of the failures injected

# Write VALUE to knob NAME of both failslab and fail_page_alloc.
faults_set() { # name value
	local a
	for a in $faults_attrs; do
		echo "$2" > "$faults_dbg/$a/$1" || return 1
	done
}

# How many failures have been injected since faults_arm (both kinds).
faults_injected() {
	local a n=0
	for a in $faults_attrs; do
		n=$((n + faults_many - $(cat "$faults_dbg/$a/times")))
	done
	echo $n
}

# Injection on: PROBABILITY percent of the allocations whose call stack
# passes through [START, END), in tasks with make-it-fail set only if
# TASKS is Y. The countdowns restart.
faults_arm() { # probability start end tasks
	faults_set probability 0
	faults_set require-start "$2"
	faults_set require-end "$3"
	faults_set task-filter "$4"
	faults_set times $faults_many
	faults_set probability "$1"
}

faults_disarm() { faults_set probability 0; }

# No failure under function NAME (the reject range: one at a time), if
# /proc/kallsyms has it ($faults_syms: a copy, as reading it is slow).
faults_reject() { # name
	local r
	# (the kernel's symbols are in address order: the next one ends it)
	r=$(awk -v s="$1" 'f { print "0x" $1; exit } $3 == s { printf "0x%s ", $1; f = 1 }' "$faults_syms")
	[ -n "$r" ] || { echo "(no $1 in /proc/kallsyms: failures are not kept out of it)"; r="0 0"; }
	faults_set reject-start "${r% *}"
	faults_set reject-end "${r#* }"
}

# Run a command with make-it-fail set in its task (and its children's).
faults_failing() { # command...
	bash -c 'echo 1 > /proc/self/make-it-fail || exit 98; exec "$@"' faults "$@"
}

faults_loaded() { grep -q '^synfin ' /proc/modules; }

# insmod, given a fail-nth (0: none), a make-it-fail flag (0 or 1) and
# parameters; the outcome is checked: "loaded" (and it works: stats
# answer), "failed" (an error, nothing loaded), or BAD: ... (then 1).
faults_insmod() { # nth failing params...
	local nth=$1 failing=$2 out rc
	shift 2
	out=$(bash -c '
		[ "$1" = 0 ] || echo "$1" > /proc/self/fail-nth || exit 98
		[ "$2" = 0 ] || echo 1 > /proc/self/make-it-fail || exit 98
		shift 2; exec insmod "$@"' faults "$nth" "$failing" "$KO" "$@" 2>&1)
	rc=$?
	if [ $rc = 0 ]; then
		faults_loaded || { echo "BAD: insmod succeeded, no module: $out"; return 1; }
		# stats under the same injection would fail by design: asked
		# outside it (the fail-nth or make-it-fail of insmod's task only)
		"${SYNFIN%-san}" stats --json > /dev/null 2>&1 || { echo "BAD: loaded, stats fail"; return 1; }
		echo loaded
	elif [ $rc = 98 ]; then
		echo "BAD: could not set up the failure"
		return 1
	elif faults_loaded; then
		echo "BAD: insmod failed (rc $rc: $out) but the module is loaded"
		return 1
	elif ! grep -q 'could not insert module' <<< "$out"; then
		echo "BAD: insmod rc $rc without an error: $out"
		return 1
	else
		echo "failed: ${out##*: }"
	fi
}

# finit_module() of the module from a task whose NTH allocation under the
# filter fails (/proc/self/fail-nth), read back in that same task: prints
# the return value, the errno's name and what is left of the countdown (0:
# the failure was injected).
faults_finit() { # nth params...
	"$PY" "$here/finitfail.py" "$KO" "$@"
}

# Check the kernel log of the section ($OUT/faults-dmesg.txt).
faults_dmesg_clean() { "$PY" "$here/dmesgcheck.py" "$OUT/faults-dmesg.txt"; }

# No kmemleak suspect in the scan after the section that was not in the
# one before it.
faults_no_new_leak() {
	local n
	n=$(comm -13 "$OUT/faults-kmemleak-before.txt" "$OUT/faults-kmemleak-after.txt" | wc -l)
	echo "$n new suspected leaks"
	[ "$n" = 0 ] || { head -80 "$faults_dbg/kmemleak"; false; }
}

faults_kmemleak_scan() { # file: scan, and list the suspects in FILE
	echo scan > "$faults_dbg/kmemleak"
	grep '^unreferenced object' "$faults_dbg/kmemleak" | sort > "$1"
}

faults_section() {
	local a p v dm printk saved_params="" was_loaded=0 base size end nth res i
	local swept=0 sweep_failed=0 sweep_loaded=0 sweep_injected=0 sweep_bad=0
	local points steps spacing offset prev_nth=0 left err sweep_errors="" prob
	local tries=${FAULTS_TRIES:-30} rnd_failed=0 rnd_loaded=0 rnd_injected=0 rnd_bad=0
	local run_injected=0 lpid stats_ok=0 stats_err=0 flows_ok=0 flows_err=0 crashes=0
	local ns_ok=0 ns_err=0 rpid rc faults_syms

	[ -d "$faults_dbg/failslab" ] || mount -t debugfs none "$faults_dbg" 2>/dev/null
	for a in $faults_attrs; do
		if [ ! -f "$faults_dbg/$a/require-start" ]; then
			echo "SKIP: fault injection: no $faults_dbg/$a with a stack-trace filter (this kernel has no CONFIG_FAILSLAB, FAIL_PAGE_ALLOC, FAULT_INJECTION_STACKTRACE_FILTER: make check-debug's has)"
			return 0
		fi
	done
	echo "== fault injection"
	faults_syms=/tmp/faults-kallsyms.$$
	cat /proc/kallsyms > $faults_syms

	# The module as found, to leave it so.
	if faults_loaded; then
		was_loaded=1
		for p in /sys/module/synfin/parameters/*; do
			saved_params+=" $(basename "$p")=$(cat "$p")"
		done
		rmmod synfin || { ko "fault injection: rmmod of the module as found"; return 1; }
	fi
	# Every knob as found, restored at the end.
	declare -A faults_saved=()
	for a in $faults_attrs; do
		for p in "$faults_dbg/$a"/*; do
			[ -f "$p" ] && faults_saved[$p]=$(cat "$p")
		done
	done
	# Messages without a level of their own below the console's level
	# while failures are injected (see the top of this file).
	printk=$(cat /proc/sys/kernel/printk)
	read -r v _ <<< "$printk"
	[ "$v" -gt 7 ] && v=7
	echo "$v" "$v" > /proc/sys/kernel/printk
	dmesg -W > "$OUT/faults-dmesg.txt" 2>&1 &
	dm=$!
	rm -f "$OUT"/faults-kmemleak-*.txt
	# Own kmemleak scans (slow: minutes on an emulated debug kernel) only
	# if asked: the suite scans at its end anyway.
	[ "${FAULTS_KMEMLEAK:-0}" = 1 ] && [ -w "$faults_dbg/kmemleak" ] &&
		faults_kmemleak_scan "$OUT/faults-kmemleak-before.txt"

	faults_set probability 0
	faults_set interval 1
	faults_set space 0
	faults_set ignore-gfp-wait N			# GFP_KERNEL too
	echo N > "$faults_dbg/fail_page_alloc/ignore-gfp-highmem"
	echo 0 > "$faults_dbg/fail_page_alloc/min-order"	# single pages too
	faults_set stacktrace-depth 32
	# kmemleak's scan every 10 minutes takes minutes of an emulated CPU:
	# not during the section
	[ -w "$faults_dbg/kmemleak" ] && echo scan=off > "$faults_dbg/kmemleak"
	# Each failure logged (with its stack: dmesg only), at most 5 a second.
	faults_set verbose 2
	faults_set verbose_ratelimit_interval_ms 1000
	faults_set verbose_ratelimit_burst 5

	# ---- 1. insmod, the Nth allocation under module code failing ----
	# The module area: above the kernel's text (and init text), below
	# MODULES_END (x86_64). Only synfin is loaded there.
	base=$(awk '$3 == "_einittext" { print "0x" $1; exit }' "$faults_syms")
	end=0xffffffffff000000
	if [ $((base)) = 0 ]; then	# addresses hidden: no filter to make
		ko "fault injection: no address for _einittext in /proc/kallsyms"
		faults_restore
		return 1
	fi
	# Not under sysfs_slab_add(): when kobject_init_and_add() fails
	# there, 6.12's SLUB leaks the kobject's name (no kobject_put(),
	# whose release would free the cache twice), a kernel bug that
	# kmemleak reports at the end of the suite. The rest of
	# kmem_cache_create() may fail.
	faults_reject sysfs_slab_add
	faults_arm 0 "$base" $end N
	# How many there are: a load with a fail-nth never reached.
	read -r rc err left <<< "$(faults_finit $faults_many)"
	faults_loaded && rmmod synfin
	if [ "$rc" != 0 ]; then
		ko "fault injection: finit_module without a failure: $err"
		faults_restore
		return 1
	fi
	points=$((faults_many - left))
	if [ "$points" -lt 1 ]; then
		ko "fault injection: no allocation under module code during insmod (the stack-trace filter matched none)"
		faults_restore
		return 1
	fi
	: > "$OUT/faults-nth.txt"
	# Some of them, spread over all (each load takes seconds to a minute
	# on an emulated debug kernel), each once.
	# A random offset within the spacing (FAULTS_NTH_OFFSET to repeat a
	# run), so that runs reach different allocations.
	steps=${FAULTS_NTH_STEPS:-12}
	[ "$steps" -gt "$points" ] && steps=$points
	spacing=$(( (points + steps - 1) / steps ))
	offset=${FAULTS_NTH_OFFSET:-$((RANDOM % spacing))}
	if ! [[ $offset =~ ^[0-9]+$ ]] || [ "$offset" -ge "$spacing" ]; then
		ko "fault injection: FAULTS_NTH_OFFSET=$offset is not from 0 to $((spacing - 1))"
		faults_restore
		return 1
	fi
	echo "insmod sweep: every ${spacing}th allocation of $points from $((offset + 1)), and the last (FAULTS_NTH_OFFSET=$offset)"
	for i in $(seq "$((steps + 1))"); do
		nth=$(( (i - 1) * spacing + 1 + offset ))
		# the last allocation always, once
		if [ "$i" -gt "$steps" ] || [ "$nth" -gt "$points" ]; then
			[ "$prev_nth" = "$points" ] && break
			nth=$points
		fi
		prev_nth=$nth
		read -r rc err left <<< "$(faults_finit "$nth")"
		echo "$(cut -d' ' -f1 /proc/uptime) allocation $nth of $points failing: rc $rc $err, countdown left $left" >> "$OUT/faults-nth.txt"
		if [ "$rc" = 0 ]; then
			if ! faults_loaded || ! "${SYNFIN%-san}" stats --json > /dev/null 2>&1; then
				sweep_bad=$((sweep_bad + 1)); echo "allocation $nth failing: loaded, but stats fail"
			fi
			faults_loaded && rmmod synfin
			[ "$left" = 0 ] && sweep_loaded=$((sweep_loaded + 1))	# recovered from
		elif faults_loaded; then
			sweep_bad=$((sweep_bad + 1)); echo "allocation $nth failing: error $err, but loaded"
			rmmod synfin
		else
			sweep_failed=$((sweep_failed + 1))
			sweep_errors+=" $err"
		fi
		[ "$left" = 0 ] && sweep_injected=$((sweep_injected + 1))
		swept=$((swept + 1))
	done
	# (the count varies a little from load to load: a slab or percpu
	# chunk that needs a new page, kmemleak's own allocations)
	echo "insmod: $points allocations under module code; $swept of them failed in turn ($sweep_injected injected):" \
		"$sweep_failed loads failed cleanly (errors:$(tr ' ' '\n' <<< "$sweep_errors" | grep . | sort | uniq -c | xargs)), $sweep_loaded loaded all the same (the failure recovered from)"
	check "fault injection: insmod with its Nth allocation failing, $swept times over its $points: each fails cleanly or loads a working module" \
		[ $sweep_bad = 0 -a "$swept" -gt 0 -a $((4 * sweep_injected)) -ge $((3 * swept)) ]

	# ---- 2. insmod and rmmod under random failures ----
	# Two failures a load on average, anywhere in it: more, and no load
	# would get past its first few allocations.
	prob=$(( (200 + points - 1) / points ))
	[ $prob -gt 30 ] && prob=30
	faults_arm $prob "$base" $end Y
	for i in $(seq "$tries"); do
		res=$(faults_insmod 0 1)
		case $res in
		loaded)	rnd_loaded=$((rnd_loaded + 1))
			faults_failing rmmod synfin || { rnd_bad=$((rnd_bad + 1)); echo "try $i: rmmod failed"; }
			! faults_loaded || { rnd_bad=$((rnd_bad + 1)); echo "try $i: still loaded"; rmmod synfin; } ;;
		failed*) rnd_failed=$((rnd_failed + 1)) ;;
		*)	rnd_bad=$((rnd_bad + 1)); echo "try $i: $res" ;;
		esac
	done
	rnd_injected=$(faults_injected)
	faults_disarm
	echo "$tries insmod/rmmod under $prob% failures: $rnd_loaded loaded (and were removed), $rnd_failed failed cleanly, $rnd_injected failures injected"
	check "fault injection: $tries insmod/rmmod under random allocation failures: each loads or fails cleanly, rmmod always works" \
		[ "$rnd_bad" = 0 -a "$rnd_injected" -gt 0 ]

	# ---- 3. the module at work under failures in its own call stacks ----
	# Small rings drained late (no early drain): events are also lost,
	# and loss reports must get through as well.
	insmod "$KO" time_wait_ms=1000 gc_interval_ms=100 ring_size=64 drain_watermark=0 drain_delay_ms=50 ||
		{ ko "fault injection: insmod without injection"; faults_restore; return 1; }
	read -r _ size _ _ _ base _ <<< "$(grep '^synfin ' /proc/modules)"
	# Not kmemleak's own metadata, allocated under each allocation it
	# tracks: its failure is silent (kmemleak falls back on a pool) and
	# would only take from that pool.
	faults_reject __alloc_object
	end=$(printf '0x%x' $((base + size)))
	[ $((base)) != 0 ] || { ko "fault injection: no module address in /proc/modules"; rmmod synfin; faults_restore; return 1; }
	reader faults ""
	rpid=${pids[-1]}
	server "" 127.0.0.1 9800
	"$SYNFIN" stats --json > "$OUT/faults-before.json"
	faults_arm 10 "$base" "$end" N
	$PY "$here/traffic.py" loop 127.0.0.1 9800 "${FAULTS_SECONDS:-30}" > "$OUT/faults-traffic.log" 2>&1 &
	lpid=$!
	i=0
	while kill -0 $lpid 2>/dev/null; do
		i=$((i + 1))
		"$SYNFIN" stats --json > /dev/null 2>> "$OUT/faults-stats.err"
		rc=$?
		if [ $rc = 0 ]; then stats_ok=$((stats_ok + 1)); else stats_err=$((stats_err + 1)); fi
		[ $rc -ge 98 ] && crashes=$((crashes + 1))	# a signal, or ASan
		"$SYNFIN" flows --json > /dev/null 2>> "$OUT/faults-flows.err"
		rc=$?
		if [ $rc = 0 ]; then flows_ok=$((flows_ok + 1)); else flows_err=$((flows_err + 1)); fi
		[ $rc -ge 98 ] && crashes=$((crashes + 1))
		ip netns del sffault 2>/dev/null
		if ip netns add sffault 2>> "$OUT/faults-netns.err"; then
			ns_ok=$((ns_ok + 1))
			ip netns del sffault
		else
			ns_err=$((ns_err + 1))
		fi
	done
	wait $lpid
	run_injected=$(faults_injected)
	faults_disarm
	# the reader's errors, and a sanitizer's report, are crashes too
	grep -l 'Sanitizer\|runtime error' "$OUT"/faults-*.err 2>/dev/null && crashes=$((crashes + 1))
	# Settled, and one more connection: the module still works, and any
	# loss report that could not be sent goes with its events.
	sleep 2
	client "" 127.0.0.1 9800 client-close || ko "fault injection: a connection after injection"
	sleep 2
	"$SYNFIN" stats --json > "$OUT/faults-after.json"
	kill -0 "$rpid" 2>/dev/null; rc=$?
	stop_all
	echo "under traffic: $(cat "$OUT/faults-traffic.log"); $run_injected failures injected;" \
		"stats $stats_ok answered, $stats_err failed; flows $flows_ok answered, $flows_err failed;" \
		"netns made $ns_ok, refused $ns_err"
	check "fault injection under traffic: failures were injected, the reader is still running, no command crashed" \
		[ "$run_injected" -gt 0 -a $rc = 0 -a $crashes = 0 ]
	check "fault injection under traffic: written = sent + unheard + send failures; the reader's lost records = dropped" \
		"$PY" "$here/faultscheck.py" "$OUT/faults-before.json" "$OUT/faults-after.json" "$OUT/faults.json"
	check "fault injection: rmmod afterwards" rmmod synfin

	# ---- 4. nothing leaked, nothing reported ----
	if [ -f "$OUT/faults-kmemleak-before.txt" ]; then
		rm -f "$OUT/faults-kmemleak-after.txt"
		sleep 5
		faults_kmemleak_scan "$OUT/faults-kmemleak-after.txt"
		check "fault injection: no new kmemleak suspect" faults_no_new_leak
	fi
	faults_restore
	check "fault injection: the kernel log has no problem, only allocation failures' warnings" faults_dmesg_clean
	if [ $was_loaded = 1 ]; then
		# shellcheck disable=SC2086
		insmod "$KO" $saved_params || ko "fault injection: insmod as found ($saved_params)"
	fi
}

# Injection off, every knob and the console's levels as found.
faults_restore() {
	local p
	faults_disarm
	for p in "${!faults_saved[@]}"; do
		echo "${faults_saved[$p]}" > "$p" 2>/dev/null
	done
	faults_disarm
	sleep 1
	kill "$dm" 2>/dev/null
	wait "$dm" 2>/dev/null
	echo "$printk" > /proc/sys/kernel/printk
	[ -w "$faults_dbg/kmemleak" ] && echo scan=on > "$faults_dbg/kmemleak"
	rm -f "$faults_syms"
}

vm_section faults "allocation failures injected into insmod, rmmod and the module at work (a kernel with fault injection only: make check-debug's)"

vm_test allocfail fresh "insmod with its Nth allocation failing, insmod/rmmod under random failures, traffic under failures in the module's call stacks: clean failures, counters that add up, a clean kernel log"
test_allocfail() { faults_section; }
