#!/bin/bash
# The `make bench` guest: how much synfin costs, against no module, netfilter
# conntrack with `conntrack -E`, and tcpdump capturing SYN/FIN/RST, in
# alternating rounds in one boot; then the event rate where loss starts.
# Results go to /mnt/bench.jsonl, one JSON object per measurement.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
SYNFIN=$top/userspace/synfin
KO=$top/build/$(uname -r)/synfin.ko
CONNRATE=$top/build/bench/connrate
# shellcheck disable=SC1091
[ -f "$top/build/bench/params" ] && . "$top/build/bench/params"
ROUNDS=${BENCH_ROUNDS:-5}
T=${BENCH_SECONDS:-3}
OUT=/mnt/bench.jsonl
: > "$OUT"
log() { echo "bench: $*"; }
emit() { echo "$1" >> "$OUT"; }

sysctl -qw net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="1024 65000"
modprobe veth
ip netns add bc && ip netns add bs
ip link add va type veth peer name vb
ip link set va netns bc && ip link set vb netns bs
ip -n bc addr add 192.0.2.1/24 dev va && ip -n bs addr add 192.0.2.2/24 dev vb
for ns in bc bs; do
	ip -n $ns link set lo up
	ip netns exec $ns sysctl -qw net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="1024 65000"
done
ip -n bc link set va up && ip -n bs link set vb up

"$CONNRATE" server 127.0.0.1 7001 > /tmp/cr-lo &
ip netns exec bs "$CONNRATE" server 192.0.2.2 7001 > /tmp/cr-veth &
iperf3 -s -B 127.0.0.1 -p 7002 -D
ip netns exec bs iperf3 -s -B 192.0.2.2 -p 7002 -D
sleep 1

# Each configuration watches every namespace with traffic: init (loopback),
# bc and bs (the veth pair).
in_ns() { local ns=$1; shift; if [ "$ns" = init ]; then "$@"; else ip netns exec "$ns" "$@"; fi; }
helpers=()
on() {
	case $1 in
	none) ;;
	synfin_bare)
		insmod "$KO" || exit 1 ;;
	synfin)
		insmod "$KO" "${@:2}" || exit 1
		for ns in init bc bs; do
			in_ns $ns "$SYNFIN" watch --json > /dev/null 2> /tmp/reader-$ns.err &
			helpers+=($!)
		done
		for ns in init bc bs; do
			for _ in $(seq 100); do grep -q watching /tmp/reader-$ns.err && break; sleep 0.05; done
		done ;;
	conntrack)
		for ns in init bc bs; do
			in_ns $ns nft -f - <<-'NFT'
			table inet bench_ct {
				chain in { type filter hook prerouting priority 0; ct state new,established accept; }
				chain out { type filter hook output priority 0; ct state new,established accept; }
			}
			NFT
			in_ns $ns conntrack -E -p tcp > /dev/null 2>&1 &
			helpers+=($!)
		done
		sleep 0.5 ;;
	tcpdump)
		tcpdump -i lo -U -w /tmp/lo.pcap 'tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0' 2> /tmp/td-lo.err &
		helpers+=($!)
		ip netns exec bc tcpdump -i va -U -w /tmp/va.pcap 'tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0' 2> /tmp/td-va.err &
		helpers+=($!)
		for f in /tmp/td-lo.err /tmp/td-va.err; do
			for _ in $(seq 100); do grep -q listening "$f" && break; sleep 0.05; done
		done ;;
	esac
}
off() {
	local p
	for p in "${helpers[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${helpers[@]}"; do wait "$p" 2>/dev/null; done
	helpers=()
	case $1 in
	synfin|synfin_bare) rmmod synfin ;;
	conntrack) for ns in init bc bs; do in_ns $ns nft delete table inet bench_ct; done
		   conntrack -F > /dev/null 2>&1 ;;
	tcpdump) rm -f /tmp/lo.pcap /tmp/va.pcap ;;
	esac
	sleep 0.5
}

stats() { "$SYNFIN" stats --json 2>/dev/null | head -1; }

measure() { # round config
	local r=$1 cfg=$2 path ns host v before after
	for path in lo veth; do
		if [ $path = lo ]; then ns=init host=127.0.0.1; else ns=bc host=192.0.2.2; fi
		before= after=
		[ "$cfg" != "${cfg#synfin}" ] && before=$(stats)
		v=$(in_ns $ns "$CONNRATE" client $host 7001 "$T" 8 | sed -n 's/.*"per_second":\([0-9.]*\).*/\1/p')
		[ "$cfg" != "${cfg#synfin}" ] && after=$(stats)
		emit "{\"round\":$r,\"config\":\"$cfg\",\"path\":\"$path\",\"workload\":\"connrate\",\"value\":${v:-0},\"seconds\":$T${before:+,\"before\":$before,\"after\":$after}}"
		sleep 0.5
		v=$(in_ns $ns iperf3 -c $host -p 7002 -t "$T" -J | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])')
		emit "{\"round\":$r,\"config\":\"$cfg\",\"path\":\"$path\",\"workload\":\"bulk\",\"value\":${v:-0},\"seconds\":$T}"
		sleep 0.5
	done
}

configs=(none synfin synfin_bare conntrack tcpdump)
for r in $(seq "$ROUNDS"); do
	# Rotate the order each round, so no configuration always goes first.
	for i in "${!configs[@]}"; do
		cfg=${configs[$(( (i + r) % ${#configs[@]} ))]}
		log "round $r/$ROUNDS: $cfg"
		on "$cfg"
		measure "$r" "$cfg"
		off "$cfg"
	done
done

# Where loss starts: SYNs to a closed port (each a SYN and an RST, two
# events) at rising rates, with the readers consuming, for two ring sizes.
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
log "done"
