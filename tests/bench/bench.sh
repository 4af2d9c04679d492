#!/bin/bash
# The `make bench` guest: how much synfin costs, against no module, the
# module without a reader, synfin's netfilter hooks doing nothing (the
# floor), netfilter conntrack with `conntrack -E`, and tcpdump capturing
# SYN/FIN/RST, in alternating rounds in one boot; then the event rate
# where loss starts. Results go to /mnt/bench.jsonl, one
# JSON object per measurement.
#
# Every measurement runs in network namespaces made for it and deleted
# after it: the TIME_WAIT sockets of one run (tens of thousands) would
# otherwise slow the port search of the next, whatever its configuration.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
SYNFIN=$top/userspace/synfin
KO=$top/build/$(uname -r)/synfin.ko
CONNRATE=$top/build/bench/connrate
NULLKO=$top/build/bench/nullhook-$(uname -r)/synfin_nullhook.ko
# shellcheck disable=SC1091
[ -f "$top/build/bench/params" ] && . "$top/build/bench/params"
ROUNDS=${BENCH_ROUNDS:-3}
T=${BENCH_SECONDS:-2}
OUT=/mnt/bench.jsonl
: > "$OUT"
log() { echo "bench: $*"; }
emit() { echo "$1" >> "$OUT"; }
modprobe veth 2>/dev/null
FILTER='tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0'

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

# Each configuration watches every namespace of the path.
helpers=()
on() {
	local ns
	case $1 in
	none) ;;
	synfin_bare)
		insmod "$KO" || exit 1 ;;
	hooks_only)
		insmod "$NULLKO" || exit 1 ;;
	synfin)
		insmod "$KO" "${@:2}" || exit 1
		for ns in $nss; do
			ip netns exec "$ns" "$SYNFIN" watch --json > /dev/null 2> "/tmp/reader-$ns.err" &
			helpers+=($!)
		done
		for ns in $nss; do
			for _ in $(seq 100); do grep -q watching "/tmp/reader-$ns.err" && break; sleep 0.05; done
		done ;;
	conntrack)
		for ns in $nss; do
			ip netns exec "$ns" nft -f - <<-'NFT'
			table inet bench_ct {
				chain in { type filter hook prerouting priority 0; ct state new,established accept; }
				chain out { type filter hook output priority 0; ct state new,established accept; }
			}
			NFT
			ip netns exec "$ns" conntrack -E -p tcp > /dev/null 2>&1 &
			helpers+=($!)
		done
		sleep 0.5 ;;
	tcpdump)
		# One capture per path, where the segments are: loopback, or
		# the client's end of the veth pair.
		if [ $cns = bl ]; then dev=lo; else dev=va; fi
		ip netns exec "$cns" tcpdump -i $dev -U -w /tmp/bench.pcap "$FILTER" 2> /tmp/td.err &
		helpers+=($!)
		for _ in $(seq 100); do grep -q listening /tmp/td.err && break; sleep 0.05; done ;;
	esac
}
off() {
	local p
	for p in "${helpers[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${helpers[@]}"; do wait "$p" 2>/dev/null; done
	helpers=()
	case $1 in
	synfin|synfin_bare) rmmod synfin ;;
	hooks_only) rmmod synfin_nullhook ;;
	tcpdump) rm -f /tmp/bench.pcap ;;
	esac
}

stats() { "$SYNFIN" stats --json 2>/dev/null | head -1; }

measure() { # round config path
	local r=$1 cfg=$2 path=$3 v before="" after=""
	up "$path"
	on "$cfg"
	# The module's counters (for every namespace) around the run.
	[ "$cfg" != "${cfg#synfin}" ] && before=$(stats)
	v=$(ip netns exec "$cns" "$CONNRATE" client "$host" 7001 "$T" 8 | sed -n 's/.*"per_second":\([0-9.]*\).*/\1/p')
	[ "$cfg" != "${cfg#synfin}" ] && after=$(stats)
	emit "{\"round\":$r,\"config\":\"$cfg\",\"path\":\"$path\",\"workload\":\"connrate\",\"value\":${v:-0},\"seconds\":$T${before:+,\"before\":$before,\"after\":$after}}"
	sleep 0.5
	v=$(ip netns exec "$cns" iperf3 -c $host -p 7002 -t "$T" -J | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])')
	emit "{\"round\":$r,\"config\":\"$cfg\",\"path\":\"$path\",\"workload\":\"bulk\",\"value\":${v:-0},\"seconds\":$T}"
	off "$cfg"
	down
}

configs=(none synfin synfin_bare hooks_only conntrack tcpdump)
for r in $(seq "$ROUNDS"); do
	# Rotate the order each round, so no configuration always goes first.
	for i in "${!configs[@]}"; do
		cfg=${configs[$(( (i + r) % ${#configs[@]} ))]}
		log "round $r/$ROUNDS: $cfg"
		for path in lo veth; do
			measure "$r" "$cfg" "$path"
		done
	done
done

# Where loss starts: SYNs to a closed port across the veth pair (each a SYN
# and an RST, two events) at rising rates, with the readers consuming, for
# two ring sizes.
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
log "done"
