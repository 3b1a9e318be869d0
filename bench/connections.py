#!/usr/bin/env python3
"""Clients that misbehave, for bench/connections.sh (issue 17, part 5). Standard library only.

    connections.py PORT PID baseline            /healthz on a new connection, nothing else open
    connections.py PORT PID idle N              the same with N idle connections open
    connections.py PORT PID trickle N GAP SECS  the same while N clients send a header line every
                                                GAP s for SECS s; and when the server cut them off
    connections.py PORT PID rss                 RSS before and after one request of 5,000 headers
                                                of 8 KB, and after 5,000 requests of one 8 KB header

Each prints one line of figures. Times are until the first byte of /healthz's answer (a probe
gives up after PROBE_PATIENCE).
"""
import os
import resource
import select
import socket
import statistics
import sys
import threading
import time

PROBE_PATIENCE = 120.0  # seconds a /healthz probe waits before it is reported as ">" that
HEADER_LINE = 8 * 1024  # bytes of each large header line, name and CRLF included


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def connect(port, timeout=10.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def probe(port, patience=PROBE_PATIENCE):
    """Seconds until the first byte of the answer to GET /healthz on a new connection (None: none)."""
    started = time.monotonic()
    try:
        s = connect(port, timeout=patience)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        first = s.recv(64)
        took = time.monotonic() - started
        s.close()
        return took if first.startswith(b"HTTP/1.1 200") else None
    except OSError:
        return None


def probes(port, count, gap=0.2, patience=PROBE_PATIENCE):
    out = []
    for _ in range(count):
        took = probe(port, patience)
        out.append(took if took is not None else float("inf"))
        time.sleep(gap)
    return out


def fmt(seconds):
    if seconds == float("inf"):
        return f">{PROBE_PATIENCE:.0f} s"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.1f} s"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def baseline(port, pid):
    times = probes(port, 20, gap=0.05)
    print(f"baseline: /healthz on a new connection, nothing else open: median {fmt(statistics.median(times))}, "
          f"max {fmt(max(times))}")


def idle(port, pid, count):
    held = [connect(port) for _ in range(count)]
    time.sleep(0.5)  # every one accepted by the kernel and handed to the server
    took = probe(port)
    print(f"idle: /healthz with {count} idle keep-alive connections open: "
          f"{fmt(took if took is not None else float('inf'))}")
    for s in held:
        s.close()


def trickle(port, pid, count, gap, duration):
    socks = []
    for i in range(count):
        s = connect(port)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n")
        socks.append(s)
    started = time.monotonic()
    closed_at = {}  # index -> seconds after the first byte when the server closed (or reset) it
    stop = threading.Event()

    lock = threading.Lock()

    def drip():  # a header line to every connection still open, every `gap` seconds
        line = 0
        while not stop.wait(gap) and time.monotonic() - started < duration:
            line += 1
            for i, s in enumerate(socks):
                with lock:
                    if i in closed_at:
                        continue
                try:
                    s.sendall(b"X-Trickle-%d: a\r\n" % line)
                except OSError:
                    with lock:
                        closed_at.setdefault(i, time.monotonic() - started)

    def watch():  # the server answering (408) or closing ends a connection's request
        poller = select.poll()
        by_fd = {s.fileno(): i for i, s in enumerate(socks)}
        for s in socks:
            poller.register(s, select.POLLIN)
        while not stop.is_set() and by_fd:
            for fd, _ in poller.poll(100):
                poller.unregister(fd)
                with lock:
                    closed_at.setdefault(by_fd.pop(fd), time.monotonic() - started)

    watcher = threading.Thread(target=watch)
    watcher.start()
    dripper = threading.Thread(target=drip)
    dripper.start()
    time.sleep(1)
    times = []
    while time.monotonic() - started < duration - 1:
        took = probe(port, patience=duration + 60)
        times.append(took if took is not None else float("inf"))
        time.sleep(1)
    stop.set()
    dripper.join()
    watcher.join()
    still_open = count - len(closed_at)
    cut = sorted(closed_at.values())
    cut_text = (f"cut off {cut[0]:.1f}-{cut[-1]:.1f} s after their first byte" if cut else "none cut off")
    print(f"trickle: /healthz while {count} clients send a header line every {gap:g} s for {duration:g} s: "
          f"median {fmt(statistics.median(times))}, max {fmt(max(times))} ({len(times)} probes); "
          f"{cut_text}, {still_open} still open at the end")
    for s in socks:
        s.close()


def send_large_headers(port, headers):
    """One request with `headers` header lines of 8 KB each; returns (status line, bytes sent)."""
    value = b"v" * (HEADER_LINE - len(b"X-Large-00000: \r\n"))
    s = connect(port, timeout=60)
    sent = 0
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n")
        for i in range(headers):
            if select.select([s], [], [], 0)[0]:
                break  # answered already: a client reading its socket stops sending
            chunk = b"X-Large-%05d: " % i + value + b"\r\n"
            s.sendall(chunk)
            sent += len(chunk)
        else:
            s.sendall(b"\r\n")
    except OSError:
        pass  # the server refused before the end and closed
    status = b""
    try:
        status = s.recv(64).split(b"\r\n")[0]
    except OSError:
        pass
    s.close()
    return status.decode(errors="replace") or "(connection closed)", sent


def rss(port, pid):
    time.sleep(1)
    before = rss_kib(pid)
    status, sent = send_large_headers(port, 5000)
    time.sleep(2)
    after_one = rss_kib(pid)
    # 5,000 requests each with one 8 KB header, from 50 clients at once, on keep-alive connections.
    value = b"v" * (HEADER_LINE - len(b"X-Large: \r\n"))
    request = b"GET /healthz HTTP/1.1\r\nHost: bench\r\nX-Large: " + value + b"\r\n\r\n"
    answered = [0]
    lock = threading.Lock()

    def client(n):
        s = connect(port, timeout=30)
        for _ in range(n):
            s.sendall(request)
            answer = b""
            while b"\r\n\r\n" not in answer:
                answer += s.recv(4096)
            # /healthz answers with a small body; read it to the end of its Content-Length.
            head, _, body = answer.partition(b"\r\n\r\n")
            length = int([h.split(b":")[1] for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")][0])
            while len(body) < length:
                body += s.recv(4096)
            with lock:
                answered[0] += head.startswith(b"HTTP/1.1 200")
        s.close()

    threads = [threading.Thread(target=client, args=(100,)) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    time.sleep(2)
    after_many = rss_kib(pid)
    print(f"rss: {before} KiB before; one request of 5,000 headers of 8 KB: '{status}' after "
          f"{sent / 1e6:.1f} MB sent, RSS {after_one} KiB ({after_one - before:+d} KiB); 5,000 requests "
          f"with one 8 KB header ({answered[0]} answered 200): RSS {after_many} KiB ({after_many - before:+d} KiB)")


def main():
    raise_fd_limit()
    port, pid, what = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    args = sys.argv[4:]
    if what == "baseline":
        baseline(port, pid)
    elif what == "idle":
        idle(port, pid, int(args[0]))
    elif what == "trickle":
        trickle(port, pid, int(args[0]), float(args[1]), float(args[2]))
    elif what == "rss":
        rss(port, pid)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
