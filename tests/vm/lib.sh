# shellcheck shell=bash
# The VM suite's shared helpers, in the spirit of the kernel selftests'
# tools/testing/selftests/net/lib.sh. Sourced by tests/vm/suite.sh before
# the section files (core.sh, api.sh, hostile.sh, load.sh, faults.sh),
# which use nothing but what is defined here.
#
# Results: ok, ko and check print the PASS:/FAIL: lines and count them.
# Processes: bg and the helpers that start one (capture, reader, server)
# add it to pids; stop_all ends them all (the runner calls it after each
# test). Waiting: wait_lines, wait_ready, settle. The module: fresh_module,
# load_module, stat_of. The tests: vm_section and vm_test register them,
# vm_select and vm_run choose and run them (see the end of this file).
#
# Artefacts go to $OUT (/mnt in the guest: the host's output directory).

# shellcheck disable=SC2034 # the section files source this file unless it is
vm_lib=1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# The reader built with ASan and UBSan: any report fails the test at hand.
SYNFIN=$top/userspace/synfin-san
export ASAN_OPTIONS=abort_on_error=0:exitcode=99 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
KO=$top/build/$(uname -r)/synfin.ko
PY=/usr/bin/python3
OUT=${OUT:-/mnt}
pass=0 fail=0

# shellcheck source=SCRIPTDIR/unpriv.sh
. "$here/unpriv.sh"

# ---- results ----
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
ko() { echo "FAIL: $1"; fail=$((fail + 1)); }
check() { # name command...: PASS if the command succeeds, else FAIL (status 1)
	local name=$1
	shift
	if "$@"; then ok "$name"; else ko "$name"; return 1; fi
}

# ---- background processes, stopped in reverse order by stop_all ----
pids=()
bg() { "$@" & pids+=($!); }
# A capture that tcpdump says is incomplete is no reference for what the
# module saw: each one fails the test, saying so.
stop_all() {
	local p c drops
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	pids=()
	for c in "${captures[@]}"; do
		drops=$(sed -n 's/^\([0-9]*\) packets* dropped by kernel$/\1/p' "$OUT/$c.tcpdump.log")
		[ "${drops:-0}" = 0 ] || ko "tcpdump dropped $drops packets of $c: the capture is incomplete"
	done
	captures=()
}

# The command prefix that runs in namespace $1 (none: the initial one),
# in the array ns_run.
ns_prefix() { ns_run=(); [ -z "$1" ] || ns_run=(ip netns exec "$1"); }

# ---- waiting ----
# Wait until FILE has at least N lines (default 1), up to 10 s.
wait_lines() { # file [n]
	local file=$1 n=${2:-1}
	for _ in $(seq 200); do
		[ -f "$file" ] && [ "$(wc -l < "$file")" -ge "$n" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $file"
	return 1
}

# Wait until a reader started with 2> FILE says it is subscribed.
wait_ready() { wait_lines "$1" && grep -q "watching" "$1"; }

# Wait for TIME_WAIT (time_wait_ms of fresh_module) to end every connection.
settle() { sleep 2; }

# ---- captures, readers, traffic ----
# Extra tcpdump options for the next capture (time stamp precision, link type).
capopts=()

# Start tcpdump into $OUT/NAME.pcap and wait until it is capturing.
# Headers are all the tests read (lengths come from the IP header), so
# the snaplen is short and the buffer larger: libpcap sizes its ring's
# blocks for the snaplen (on lo, as its PACKET_RX_RING request shows: 32
# blocks of 128 KiB by default, 2533 of 4 KiB with these options), and a
# tcpdump slowed by writing each packet over 9p under emulation dropped
# packets with the default ring.
captures=()
capture() { # name netns iface filter...
	local name=$1 ns=$2 dev=$3 ns_run
	shift 3
	ns_prefix "$ns"
	"${ns_run[@]}" tcpdump -Z root -U --immediate-mode -s 1024 -B 8192 -n -i "$dev" "${capopts[@]}" \
		-w "$OUT/$name.pcap" "$@" 2> "$OUT/$name.tcpdump.log" &
	pids+=($!) captures+=("$name")
	for _ in $(seq 100); do
		grep -q "listening on" "$OUT/$name.tcpdump.log" && return 0
		sleep 0.05
	done
	echo "tcpdump did not start"
	cat "$OUT/$name.tcpdump.log"
	return 1
}

# synfin watch --json [OPTIONS] into $OUT/NAME.json (its stderr:
# NAME.err), once subscribed.
reader() { # name netns [options...]
	local name=$1 ns_run
	ns_prefix "$2"
	shift 2
	"${ns_run[@]}" "$SYNFIN" watch --json "$@" > "$OUT/$name.json" 2> "$OUT/$name.err" &
	pids+=($!)
	wait_ready "$OUT/$name.err"
}

# traffic.py's server in the background; returns once it listens.
server() { # netns host port
	local log=/tmp/server-$3.log ns_run
	ns_prefix "$1"
	"${ns_run[@]}" "$PY" "$here/traffic.py" server "$2" "$3" > "$log" &
	pids+=($!)
	wait_lines "$log"
}

# One connection of traffic.py's (MODE: client-close, four-way,
# server-close, refused).
client() { # netns host port mode
	local ns_run
	ns_prefix "$1"
	"${ns_run[@]}" "$PY" "$here/traffic.py" client "$2" "$3" "$4"
}

# ---- the module ----
# The suite's parameters: short timeouts, so that tests need not wait.
FRESH_PARAMS=(time_wait_ms=1000 gc_interval_ms=100 syn_timeout_ms=1500)

# (Re)load the module with PARAMS (none: the module's defaults).
load_module() { # params...
	rmmod synfin 2>/dev/null
	insmod "$KO" "$@"
}

# The module as most tests expect it: freshly loaded, the suite's
# parameters.
fresh_module() { load_module "${FRESH_PARAMS[@]}"; }

# One of the module's whole-module counters (synfin stats).
stat_of() { "$SYNFIN" stats --json | "$PY" "$here/jget.py" "total.$1"; }

# Two namespaces joined by veth: inj (vi) sends crafted frames to obs
# (vo, 192.0.2.254), whose MAC address is then in $mac.
inj_obs_up() {
	ip netns add inj && ip netns add obs
	ip link add vi type veth peer name vo
	ip link set vi netns inj && ip link set vo netns obs
	ip -n inj link set vi up && ip -n obs link set vo up
	ip -n obs addr add 192.0.2.254/24 dev vo
	# shellcheck disable=SC2034 # for the tests that call this
	mac=$(ip netns exec obs cat /sys/class/net/vo/address)
}

# ---- the registry of tests ----
# A section file calls vm_section once, then vm_test for each of its
# tests, in the order they run; test NAME is the function test_NAME.
# Names are unique over the whole suite, sections' and tests' alike.
vm_sections=()			# in order
vm_tests=()			# in order
declare -A vm_section_of=()	# test -> its section
declare -A vm_module_of=()	# test -> how the module is loaded before it
declare -A vm_about=()		# test or section -> what it proves

vm_section() { # name description
	vm_name_free "$1" || return 1
	vm_sections+=("$1")
	vm_about[$1]=$2
	vm_current=$1
}

# MODULE: "fresh" (fresh_module), "none" (unloaded) or the parameters of
# an insmod ("ring_size=16 max_flows=8"; "" for the defaults).
vm_test() { # name module description
	vm_name_free "$1" || return 1
	vm_tests+=("$1")
	vm_section_of[$1]=$vm_current
	vm_module_of[$1]=$2
	vm_about[$1]=$3
}

vm_name_free() { # name: a new name, of lower-case letters, digits and _
	if ! [[ $1 =~ ^[a-z][a-z0-9_]*$ ]] || [ -n "${vm_about[$1]+set}" ]; then
		echo "vm_test: bad or repeated name '$1'" >&2
		ko "registry: bad or repeated test name '$1'"
		return 1
	fi
}

# The registry: "section NAME: what" and "  test NAME: what" lines.
vm_list() {
	local s t
	for s in "${vm_sections[@]}"; do
		echo "section $s: ${vm_about[$s]}"
		for t in "${vm_tests[@]}"; do
			[ "${vm_section_of[$t]}" = "$s" ] && echo "  test $t (module: ${vm_module_of[$t]:-defaults}): ${vm_about[$t]}"
		done
	done
}

# The tests that NAMES choose (sections, tests, or "all"; separated by
# spaces or commas; none: all), in the suite's order, each once, in the
# array vm_chosen. An unknown name is an error: printed, and status 1.
vm_select() { # names
	local n t bad=() s
	local -A chosen=()
	vm_chosen=()
	for n in ${1//,/ }; do
		if [ "$n" = all ]; then
			for t in "${vm_tests[@]}"; do chosen[$t]=1; done
		elif [ -n "${vm_section_of[$n]+set}" ]; then
			chosen[$n]=1
		elif [[ " ${vm_sections[*]} " == *" $n "* ]]; then
			for t in "${vm_tests[@]}"; do
				[ "${vm_section_of[$t]}" = "$n" ] && chosen[$t]=1
			done
		else
			bad+=("$n")
		fi
	done
	if [ ${#bad[@]} -gt 0 ]; then
		echo "unknown test or section: ${bad[*]} (sections: ${vm_sections[*]}; tests: ${vm_tests[*]})"
		return 1
	fi
	s=${1//,/ }
	for t in "${vm_tests[@]}"; do
		if [ -z "${s// /}" ] || [ -n "${chosen[$t]+set}" ]; then vm_chosen+=("$t"); fi
	done
}

# Is test NAME among the chosen ones?
want() { [[ " ${vm_chosen[*]} " == *" $1 "* ]]; }

# Run one test from its module state; afterwards, stop what it left
# running and delete the namespaces it left.
vm_run_test() { # name
	local t=$1 start=$SECONDS mod ns before
	local -a params
	before=" $(ip netns list | cut -d' ' -f1 | paste -sd' ') "
	echo "-- test $t: ${vm_about[$t]}"
	mod=${vm_module_of[$t]}
	case $mod in
	none) rmmod synfin 2>/dev/null ;;
	fresh) fresh_module || { ko "$t: insmod ${FRESH_PARAMS[*]}"; return; } ;;
	*)	read -r -a params <<< "$mod"
		load_module "${params[@]}" || { ko "$t: insmod $mod"; return; } ;;
	esac
	"test_$t"
	stop_all
	for ns in $(ip netns list | cut -d' ' -f1); do
		[[ $before == *" $ns "* ]] && continue
		echo "-- test $t left namespace $ns: deleted"
		ip netns pids "$ns" | xargs -r kill -KILL
		ip netns del "$ns"
	done
	echo "-- test $t: $((SECONDS - start)) s"
}

# Run the chosen tests (vm_select), each section's under its heading.
vm_run() {
	local s t n
	for s in "${vm_sections[@]}"; do
		n=0
		for t in "${vm_chosen[@]}"; do
			[ "${vm_section_of[$t]}" = "$s" ] || continue
			[ $n = 0 ] && echo "== section $s"
			n=$((n + 1))
			vm_run_test "$t"
		done
		[ $n = 0 ] && echo "SKIP: section $s (not in SYNFIN_VM_SECTIONS=${SYNFIN_VM_SECTIONS:-})"
	done
}
