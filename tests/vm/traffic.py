#!/usr/bin/python3
"""Real TCP traffic for the VM tests.

  traffic.py server HOST PORT        serve until killed
  traffic.py client HOST PORT MODE   one connection; MODE: client-close,
                                     four-way, server-close, refused
  traffic.py loop HOST PORT SECONDS [PAUSE_MS]
                                     client-close connections for SECONDS,
                                     PAUSE_MS apart (default: back to back)
  traffic.py burst HOST PORT N       N connections to a closed port
  traffic.py hold HOST PORT [SECONDS]
                                     one connection, held open (and idle)
                                     for SECONDS (default 3600) or until
                                     killed

The client tells the server who closes first: "C" (client), "W" (client,
and the server waits before its FIN so that its ACK goes alone: the
four-segment close) or "S" (server).
"""
import socket
import sys
import threading
import time


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def read_line(sock):
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(100)
        if not chunk:
            break
        data += chunk
    return data


def read_eof(sock):
    while sock.recv(4096):
        pass


def handle(conn):
    with conn:
        mode = read_line(conn)
        conn.sendall(b"hello from the server\n")
        if mode.startswith(b"S"):
            return  # server closes first
        read_eof(conn)  # wait for the client's FIN, then close
        if mode.startswith(b"W"):
            time.sleep(0.2)


def server(host, port):
    srv = socket.socket(family(host), socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(128)
    print("listening", flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def client(host, port, mode):
    sock = socket.socket(family(host), socket.SOCK_STREAM)
    sock.settimeout(10)
    try:
        sock.connect((host, port))
    except ConnectionRefusedError:
        sock.close()
        if mode == "refused":
            return 0
        print("connection refused", file=sys.stderr)
        return 1
    if mode == "refused":
        print("connection unexpectedly accepted", file=sys.stderr)
        return 1
    sock.sendall({"client-close": b"C\n", "four-way": b"W\n"}.get(mode, b"S\n"))
    read_line(sock)
    if mode == "server-close":
        read_eof(sock)
    sock.close()
    return 0


def loop(host, port, seconds, pause_ms=0):
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        try:
            client(host, port, "client-close")
            n += 1
        except OSError:
            time.sleep(0.01)
        if pause_ms:
            time.sleep(pause_ms / 1000)
    print(f"{n} connections", flush=True)
    return 0


def burst(host, port, count):
    for _ in range(count):
        if client(host, port, "refused"):
            return 1
    return 0


def hold(host, port, seconds):
    sock = socket.create_connection((host, port))
    time.sleep(seconds)
    sock.close()
    return 0


def main():
    cmd, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if cmd == "server":
        server(host, port)
    elif cmd == "client":
        return client(host, port, sys.argv[4])
    elif cmd == "burst":
        return burst(host, port, int(sys.argv[4]))
    elif cmd == "hold":
        return hold(host, port, float(sys.argv[4]) if len(sys.argv) > 4 else 3600)
    elif cmd == "loop":
        pause = float(sys.argv[5]) if len(sys.argv) > 5 else 0
        return loop(host, port, float(sys.argv[4]), pause)
    return 2


if __name__ == "__main__":
    sys.exit(main())
