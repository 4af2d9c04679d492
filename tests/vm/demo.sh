#!/bin/bash
# The `make demo` guest: load synfin, watch, make real connections (a
# normal one, a refused one, an IPv6 one) and keep the timeline, and the
# same connections drawn as ladders by a second reader.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
SYNFIN=$top/userspace/synfin
PY=/usr/bin/python3

insmod "$top/build/$(uname -r)/synfin.ko" time_wait_ms=1500 gc_interval_ms=100 || exit 1
"$SYNFIN" watch > /mnt/timeline.txt 2>&1 &
reader=$!
"$SYNFIN" watch --ladder > /mnt/ladder.txt 2> /tmp/ladder.err &
ladder=$!
for _ in $(seq 200); do grep -q watching /tmp/ladder.err && break; sleep 0.05; done
$PY "$here/traffic.py" server 127.0.0.1 8080 > /tmp/s4 &
$PY "$here/traffic.py" server ::1 8080 > /tmp/s6 &
for _ in $(seq 200); do [ -s /tmp/s4 ] && [ -s /tmp/s6 ] && break; sleep 0.05; done
sleep 0.3
$PY "$here/traffic.py" client 127.0.0.1 8080 four-way
$PY "$here/traffic.py" client 127.0.0.1 8081 refused
$PY "$here/traffic.py" client ::1 8080 server-close
sleep 2.5
"$SYNFIN" stats > /mnt/stats.txt
kill -TERM $reader $ladder
wait $reader $ladder
rmmod synfin
