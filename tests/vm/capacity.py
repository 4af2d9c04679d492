#!/usr/bin/python3
"""Traffic for the capacity test: more connections than the table holds.

  capacity.py HOST PORT [PAUSE_MS]

With the module loaded with max_flows=4 (and time_wait_ms long enough
that a connection closed here is still in TIME_WAIT at the next step),
the steps below leave exactly one way to make room at each point, so the
live module and `synfin read --max-flows 4` of a capture of it must make
the same choices:

  1. A, B and C open and stay open: three slots that are never evicted.
  2. D opens and closes, client first: it is in TIME_WAIT (may go).
  3. E opens: the table is full, and D, the only one that may go, is
     evicted for it.
  4. F opens, talks and closes while A, B, C and E are open: no slot may
     go, F is untracked from its SYN to its last segment.
  5. E closes, client first, then A, server first: both in TIME_WAIT,
     E the longer idle.
  6. G opens: E, the least recently active of the two, is evicted.
  7. G, B and C close.

Steps are PAUSE_MS apart (default 200), many jiffies, so that "least
recently active" is the same to the module's clock and the capture's.
Evicted: 2 (D, E). Untracked: 1 (F).
"""
import socket
import sys
import time


def pause(ms):
    time.sleep(ms / 1000)


class Pair:
    """One connection, both ends in this process."""

    def __init__(self, srv, host, port):
        self.client = socket.create_connection((host, port))
        self.server, _ = srv.accept()
        self.client.sendall(b"hello\n")
        self.server.recv(100)
        self.server.sendall(b"hello back\n")
        self.client.recv(100)

    def close(self, first):
        """Close, @first ("client" or "server") sending the first FIN."""
        a, b = (self.client, self.server) if first == "client" else \
            (self.server, self.client)
        a.shutdown(socket.SHUT_WR)
        while b.recv(4096):
            pass
        b.close()
        while a.recv(4096):
            pass
        a.close()


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    ms = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    srv = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(16)
    a, b, c = (Pair(srv, host, port) for _ in range(3))
    pause(ms)
    d = Pair(srv, host, port)
    pause(ms)
    d.close("client")
    pause(ms)
    e = Pair(srv, host, port)
    pause(ms)
    f = Pair(srv, host, port)
    pause(ms)
    f.close("client")
    pause(ms)
    e.close("client")
    pause(ms)
    a.close("server")
    pause(ms)
    g = Pair(srv, host, port)
    pause(ms)
    for x in (g, b, c):
        x.close("client")
    srv.close()
    print("capacity traffic done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
