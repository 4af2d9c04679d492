#!/bin/bash
# The `make bench` guest: how much synfin costs, against no module, the
# module without a reader, synfin's netfilter hooks doing nothing (the
# floor) and the tools a user would otherwise pick (netfilter conntrack
# with and without `conntrack -E`, tcpdump capturing SYN/FIN/RST, bcc's
# tcpstates, a bpftrace program on sock:inet_sock_set_state), in
# alternating rounds in one boot; then the event rate where loss starts,
# and where the instructions go (perf, BENCH_PROFILE). Results go to
# /mnt/bench.jsonl, one JSON object per measurement; a configuration that
# cannot run here is recorded once as {"phase":"skip"} with the error it
# printed, and not measured.
#
# Every measurement runs in network namespaces made for it and deleted
# after it: the TIME_WAIT sockets of one run (tens of thousands) would
# otherwise slow the port search of the next, whatever its configuration.
#
# bench.sh --check CONFIGS PATHS: exit 2 if a name is unknown (run by
# scripts/bench.sh before it boots anything).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ALL_CONFIGS=(none synfin synfin_bare synfin_summaries hooks_only conntrack
	conntrack_bare tcpdump tcpstates bpftrace)
ALL_PATHS=(lo veth)
# Tracers of the whole host: started once for both paths of a round (bcc
# compiles its program at each start).
GLOBAL=" tcpstates bpftrace "

if [ "${1:-}" = --check ]; then
	rc=0
	for c in $2; do
		[[ " ${ALL_CONFIGS[*]} " == *" $c "* ]] ||
			{ echo "bench: no configuration '$c' (${ALL_CONFIGS[*]})" >&2; rc=2; }
	done
	for p in $3; do
		[[ " ${ALL_PATHS[*]} " == *" $p "* ]] ||
			{ echo "bench: no path '$p' (${ALL_PATHS[*]})" >&2; rc=2; }
	done
	exit $rc
fi

SYNFIN=$top/userspace/synfin
KO=$top/build/$(uname -r)/synfin.ko
CONNRATE=$top/build/bench/connrate
NULLKO=$top/build/bench/nullhook-$(uname -r)/synfin_nullhook.ko
# shellcheck disable=SC1091
[ -f "$top/build/bench/params" ] && . "$top/build/bench/params"
ROUNDS=${BENCH_ROUNDS:-3}
T=${BENCH_SECONDS:-2}
read -r -a configs <<< "${BENCH_CONFIGS:-${ALL_CONFIGS[*]}}"
read -r -a paths <<< "${BENCH_PATHS:-${ALL_PATHS[*]}}"
# Every ratio is to no module: it is always measured.
[[ " ${configs[*]} " == *" none "* ]] || configs=(none "${configs[@]}")
OUT=/mnt/bench.jsonl
: > "$OUT"
log() { echo "bench: $*"; }
emit() { echo "$1" >> "$OUT"; }
jstr() { /usr/bin/python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().strip()))'; }
modprobe veth 2>/dev/null
# bcc, bpftrace and perf want these.
mount -t debugfs none /sys/kernel/debug 2>/dev/null
mount -t tracefs none /sys/kernel/tracing 2>/dev/null
ulimit -l unlimited
sysctl -qw kernel.kptr_restrict=0 kernel.perf_event_paranoid=-1
FILTER='tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0'
emit "{\"phase\":\"setup\",\"configs\":\"${configs[*]}\",\"paths\":\"${paths[*]}\",\"rounds\":$ROUNDS,\"seconds\":$T}"

# A configuration that cannot run here: said once, then left out.
declare -A skipped=()
skip() { # config reason
	skipped[$1]=1
	log "skipping $1: $2"
	emit "{\"phase\":\"skip\",\"config\":\"$1\",\"reason\":$(jstr <<< "$2")}"
}
# What a tool that failed printed: its error lines (once each), and its
# last line.
errors() { # file
	{ grep -i 'error' "$1" | awk '!seen[$0]++' | head -8; tail -1 "$1"; } |
		awk '!seen[$0]++'
}

# The namespaces of one path, with servers: "lo" is one namespace (bl)
# talking to itself over loopback; "veth" a client namespace (bc) and a
# server namespace (bs) joined by a veth pair. Sets nss, cns, host.
up() {
	local ns
	if [ "$1" = lo ]; then
		nss="bl" cns=bl host=127.0.0.1
		ip netns add bl
	else
		nss="bc bs" cns=bc host=192.0.2.2
		ip netns add bc && ip netns add bs
		ip link add va type veth peer name vb
		ip link set va netns bc && ip link set vb netns bs
		ip -n bc addr add 192.0.2.1/24 dev va
		ip -n bs addr add 192.0.2.2/24 dev vb
		ip -n bc link set va up && ip -n bs link set vb up
	fi
	for ns in $nss; do
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv4.tcp_tw_reuse=1 \
			net.ipv4.ip_local_port_range="1024 65000"
	done
	local sns=${nss##* }
	ip netns exec "$sns" "$CONNRATE" server "$host" 7001 > /tmp/cr.out &
	servers=($!)
	ip netns exec "$sns" iperf3 -s -B "$host" -p 7002 > /dev/null 2>&1 &
	servers+=($!)
	for _ in $(seq 100); do grep -q listening /tmp/cr.out && break; sleep 0.05; done
	sleep 0.3
}
down() {
	local p ns
	for p in "${servers[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${servers[@]}"; do wait "$p" 2>/dev/null; done
	for ns in $nss; do ip netns del "$ns"; done
	# Namespace teardown runs in a kernel worker: let it finish.
	sleep 1
}

# A BPF tracer is ready once it has attached (it holds a perf event) and
# sleeps in its poll loop: bcc's tcpstates prints its header between the
# two, after compiling its program with clang, which takes a while here.
# Nothing is measured before. False if it died or took over $2 s (said
# in its error file $4); $3 names it in the log.
bpf_ready() { # pid timeout name errfile
	local i w
	for i in $(seq "$2"); do
		kill -0 "$1" 2>/dev/null || return 1
		w=$(cat "/proc/$1/wchan" 2>/dev/null)
		if [[ $w == *poll* ]] && find "/proc/$1/fd" -lname '*perf_event*' 2>/dev/null | grep -q .; then
			log "$3 ready after ${i} s"
			return 0
		fi
		sleep 1
	done
	echo "not ready after $2 s (still compiling or attaching)" >> "$4"
	return 1
}

# Each configuration watches every namespace of the path (the BPF
# tracers, the whole host). False, with $reason, if it cannot run here.
helpers=()
reason=
readers() { # options...: a synfin watch in each namespace
	local ns pid
	declare -A pids=()
	for ns in $nss; do
		ip netns exec "$ns" "$SYNFIN" watch "$@" > /dev/null 2> "/tmp/reader-$ns.err" &
		helpers+=($!)
		pids[$ns]=$!
	done
	for ns in $nss; do
		for _ in $(seq 100); do grep -q watching "/tmp/reader-$ns.err" && break; sleep 0.05; done
	done
	# One that has not said "watching" yet is waited for no longer; one
	# that exited cannot run.
	for ns in $nss; do
		pid=${pids[$ns]}
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			reason="synfin watch $* in $ns exited ($?): $(errors "/tmp/reader-$ns.err")"
			return 1
		fi
	done
}
ct_rule() {
	local ns
	for ns in $nss; do
		ip netns exec "$ns" nft -f - <<-'NFT'
		table inet bench_ct {
			chain in { type filter hook prerouting priority 0; ct state new,established accept; }
			chain out { type filter hook output priority 0; ct state new,established accept; }
		}
		NFT
	done
}
on() {
	local ns dev
	case $1 in
	none) ;;
	synfin_bare)
		insmod "$KO" || exit 1 ;;
	hooks_only)
		insmod "$NULLKO" || exit 1 ;;
	synfin)
		insmod "$KO" "${@:2}" || exit 1
		readers --json ;;
	synfin_summaries)
		if ! "$SYNFIN" --help 2>&1 | grep -q -- --summaries; then
			reason="this synfin has no watch --summaries (synfin --help does not list it)"
			return 1
		fi
		insmod "$KO" || exit 1
		readers --summaries --json ;;
	conntrack)
		ct_rule
		for ns in $nss; do
			ip netns exec "$ns" conntrack -E -p tcp > /dev/null 2> "/tmp/ct-$ns.err" &
			helpers+=($!)
		done
		sleep 0.5 ;;
	conntrack_bare)
		ct_rule ;;
	tcpdump)
		# One capture per path, where the segments are: loopback, or
		# the client's end of the veth pair.
		if [ "$cns" = bl ]; then dev=lo; else dev=va; fi
		ip netns exec "$cns" tcpdump -i $dev -U -w /dev/null "$FILTER" 2> /tmp/td.err &
		helpers+=($!)
		for _ in $(seq 100); do grep -q listening /tmp/td.err && break; sleep 0.05; done ;;
	tcpstates)
		tcpstates-bpfcc > /dev/null 2> /tmp/tcpstates.err &
		helpers+=($!)
		bpf_ready $! 1200 tcpstates /tmp/tcpstates.err ||
			{ reason=$(errors /tmp/tcpstates.err); return 1; } ;;
	bpftrace)
		bpftrace "$here/tcpstates.bt" > /dev/null 2> /tmp/bpftrace.err &
		helpers+=($!)
		bpf_ready $! 600 bpftrace /tmp/bpftrace.err ||
			{ reason=$(errors /tmp/bpftrace.err); return 1; } ;;
	esac
}
off() {
	local p n sig=TERM
	# (the BPF tracers detach and say what they lost on SIGINT)
	global "$1" && sig=INT
	for p in "${helpers[@]}"; do kill -"$sig" "$p" 2>/dev/null; done
	for p in "${helpers[@]}"; do wait "$p" 2>/dev/null; done
	helpers=()
	case $1 in
	synfin|synfin_bare|synfin_summaries) rmmod synfin 2>/dev/null ;;
	hooks_only) rmmod synfin_nullhook ;;
	# What the peers say they lost, on stderr: bcc what its perf buffers
	# dropped, tcpdump what the kernel dropped, conntrack -E each time
	# its socket overflowed (ENOBUFS: an unknown number each).
	tcpstates)
		[ -n "${skipped[tcpstates]:-}" ] && return
		n=$(awk '/[Ll]ost [0-9]+ samples/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { print s + 0 }' /tmp/tcpstates.err)
		emit "{\"phase\":\"peer\",\"config\":\"tcpstates\",\"round\":$r,\"lost\":$n}" ;;
	tcpdump)
		n=$(awk '/packets dropped by kernel/ { s += $1 } END { print s + 0 }' /tmp/td.err)
		emit "{\"phase\":\"peer\",\"config\":\"tcpdump\",\"round\":$r,\"lost\":$n}" ;;
	conntrack)
		n=$(cat /tmp/ct-*.err 2>/dev/null | grep -c ENOBUFS)
		rm -f /tmp/ct-*.err
		emit "{\"phase\":\"peer\",\"config\":\"conntrack\",\"round\":$r,\"overflows\":$n}" ;;
	esac
}

stats() { "$SYNFIN" stats --json 2>/dev/null | head -1; }
global() { [[ $GLOBAL == *" $1 "* ]]; }

measure() { # round config path
	local r=$1 cfg=$2 path=$3 v before="" after=""
	[ -n "${skipped[$cfg]:-}" ] && return
	up "$path"
	if ! global "$cfg" && ! on "$cfg"; then
		skip "$cfg" "$reason"
		off "$cfg"
		down
		return
	fi
	# The module's counters (for every namespace) around the run.
	[ "$cfg" != "${cfg#synfin}" ] && before=$(stats)
	v=$(ip netns exec "$cns" "$CONNRATE" client "$host" 7001 "$T" 8 | sed -n 's/.*"per_second":\([0-9.]*\).*/\1/p')
	[ "$cfg" != "${cfg#synfin}" ] && after=$(stats)
	emit "{\"round\":$r,\"config\":\"$cfg\",\"path\":\"$path\",\"workload\":\"connrate\",\"value\":${v:-0},\"seconds\":$T${before:+,\"before\":$before,\"after\":$after}}"
	sleep 0.5
	v=$(ip netns exec "$cns" iperf3 -c "$host" -p 7002 -t "$T" -J | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])')
	emit "{\"round\":$r,\"config\":\"$cfg\",\"path\":\"$path\",\"workload\":\"bulk\",\"value\":${v:-0},\"seconds\":$T}"
	global "$cfg" || off "$cfg"
	down
}

for r in $(seq "$ROUNDS"); do
	# Rotate the order each round, so no configuration always goes first.
	for i in "${!configs[@]}"; do
		cfg=${configs[$(( (i + r) % ${#configs[@]} ))]}
		[ -n "${skipped[$cfg]:-}" ] && continue
		log "round $r/$ROUNDS: $cfg"
		if global "$cfg"; then
			if ! on "$cfg"; then
				skip "$cfg" "$reason"
				off "$cfg"
				continue
			fi
		fi
		for path in "${paths[@]}"; do
			measure "$r" "$cfg" "$path"
		done
		if global "$cfg"; then off "$cfg"; fi
	done
done

# Where loss starts: SYNs to a closed port across the veth pair (each a SYN
# and an RST, two events) at rising rates, with the readers consuming, for
# two ring sizes.
if [ "${BENCH_LOSS:-1}" != 0 ]; then
	up veth
	for ring in 4096 65536; do
		on synfin ring_size=$ring
		for rate in 1000 2000 5000 10000 20000 50000 flood; do
			before=$(stats)
			if [ $rate = flood ]; then
				ip netns exec bc timeout -s INT "$T" hping3 --flood -S -p 7999 192.0.2.2 > /dev/null 2>&1
			else
				ip netns exec bc timeout -s INT "$T" hping3 -S -p 7999 -i u$((1000000 / rate)) 192.0.2.2 > /dev/null 2>&1
			fi
			sleep 0.5	# the last drain
			after=$(stats)
			emit "{\"phase\":\"loss\",\"ring_size\":$ring,\"rate\":\"$rate\",\"seconds\":$T,\"before\":$before,\"after\":$after}"
			log "loss search: ring_size $ring, rate $rate done"
		done
		off synfin
	done
	down
fi

# Where the instructions go: perf sampling the whole guest (cpu-clock,
# one sample every P ns of guest time, under the instruction clock about
# P instructions) during a connection-rate run on lo, for no module and
# each synfin configuration measured above. perf reads the module's
# symbols from /proc/kallsyms, so its reports are made before rmmod.
P=${BENCH_PROFILE_PERIOD:-200000}
PT=${BENCH_PROFILE_SECONDS:-4}
profile() { # config
	local cfg=$1 before="" after="" cr
	up lo
	if ! on "$cfg"; then
		off "$cfg"
		down
		return
	fi
	[ "$cfg" != "${cfg#synfin}" ] && before=$(stats)
	perf record -q -a -g -e cpu-clock -c "$P" -o /tmp/perf.data -- \
		ip netns exec "$cns" "$CONNRATE" client "$host" 7001 "$PT" 8 > /tmp/prof-cr.json 2> /tmp/perf.err
	[ "$cfg" != "${cfg#synfin}" ] && after=$(stats)
	cr=$(cat /tmp/prof-cr.json)
	grep '\[synfin\]' /proc/kallsyms | awk '{ print $3 }' | sort -u > "/mnt/perf-$cfg.modsyms"
	perf report -i /tmp/perf.data --no-children --sort dso,sym --stdio -g none \
		> "/mnt/perf-$cfg.txt" 2> /dev/null
	perf report -i /tmp/perf.data -n --no-children --sort comm,dso,sym --stdio -g none -t '|' \
		> "/mnt/perf-$cfg.comm.txt" 2> /dev/null
	perf script -i /tmp/perf.data -F comm,tid,ip,sym,dso 2> /dev/null |
		/usr/bin/python3 "$here/perf_fold.py" > "/mnt/perf-$cfg.folded"
	emit "{\"phase\":\"profile\",\"config\":\"$cfg\",\"path\":\"lo\",\"period_ns\":$P,\"seconds\":$PT,\"connrate\":${cr:-null},\"perf_error\":$(jstr < /tmp/perf.err)${before:+,\"before\":$before,\"after\":$after}}"
	rm -f /tmp/perf.data
	off "$cfg"
	down
}
if [ "${BENCH_PROFILE:-1}" != 0 ]; then
	for cfg in none synfin_bare synfin synfin_summaries; do
		[[ " ${configs[*]} " == *" $cfg "* ]] || continue
		[ -n "${skipped[$cfg]:-}" ] && continue
		log "profile: $cfg"
		profile "$cfg"
	done
fi
log "done"
