#!/usr/bin/env python3
"""cut_proxy.py - a TCP proxy on loopback that cuts connections mid-transfer.

Usage: cut_proxy.py TARGET_PORT PORT_FILE LOG_FILE DIRECTION BYTES [CUTS]

Listens on a free loopback port (written to PORT_FILE), forwards each
connection to 127.0.0.1:TARGET_PORT. The first CUTS connections (default 1)
are cut after BYTES bytes in DIRECTION: "up" counts what the client sends
(the request: TLS handshake, then the body); "down" counts what the server
sends once the client has sent UNDER_WAY bytes (past its handshake, a
request body on the wire), so the cut falls inside the answer to that
request, whatever the size of the server's handshake. At the cut it
forwards only up to that byte, then closes both sides: the peer sees the
stream end mid-record.
Later connections pass through untouched. One line per connection and per
cut goes to LOG_FILE. Bytes pass through unread (TLS stays end to end).
"""
import socket
import sys
import threading

target, port_file, log_file, direction, limit = sys.argv[1:6]
target, limit = int(target), int(limit)
cuts = int(sys.argv[6]) if len(sys.argv) > 6 else 1
lock = threading.Lock()
seen = [0]
UNDER_WAY = 4000


def log(text):
    with lock, open(log_file, "a") as f:
        f.write(text + "\n")


def pump(src, dst, conn, d, state):
    """Copy src to dst; on the cut direction stop after the limit."""
    sent = 0
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            counting = d == direction and (d == "up" or state["up"] >= UNDER_WAY)
            if state["cut"] and counting:
                room = limit - sent
                if len(data) >= room:
                    dst.sendall(data[:room])
                    log("cut connection %d after %d bytes %s" % (conn, limit, d))
                    break
            dst.sendall(data)
            if counting:
                sent += len(data)
            if d == "up":
                state["up"] += len(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(client):
    with lock:
        seen[0] += 1
        conn = seen[0]
    state = {"cut": conn <= cuts, "up": 0}
    log("connection %d%s" % (conn, " (to be cut)" if state["cut"] else ""))
    try:
        server = socket.create_connection(("127.0.0.1", target))
    except OSError:
        client.close()
        return
    a = threading.Thread(target=pump, args=(client, server, conn, "up", state))
    b = threading.Thread(target=pump, args=(server, client, conn, "down", state))
    a.start()
    b.start()
    a.join()
    b.join()
    client.close()
    server.close()


lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", 0))
lsock.listen(16)
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % lsock.getsockname()[1])
import os  # noqa: E402  (only for the atomic rename of the port file)
os.rename(port_file + ".tmp", port_file)
while True:
    c, _ = lsock.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
