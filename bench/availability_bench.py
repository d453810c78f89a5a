"""Availability benchmark of the served site on loopback (not a test).

usage: python bench/availability_bench.py [--slow 200] [--seconds 10]
           [--database postgres://...] [--redis redis://...]

Starts the real site (gunicorn with the project's config) and measures, each
against a peer measured in the same run:

1. slow clients: the p50/p99 of ordinary visitors (wrk, 8 connections on
   GET /) alone, then while --slow connections trickle their headers or body
   a byte at a time;
2. hostile inputs: server time and response size of 1 MB inputs of the
   shapes that cost the most (thousands of recipients, one cause each, one
   endless line, deep MIME, broken encoded words, binary...), to the API and to
   the page, beside a typical 5 KB bounce;
3. a mixed load where one request in ten is hostile (deep JSON, NUL bytes,
   oversized, binary, TRACE...): the count of 5xx answers;
4. with --database and --redis (PostgreSQL and Redis): each of them stopped
   with SIGSTOP in turn: how long /healthz, a cached page, an uncached page and
   a decode take, and their status, then how quickly health returns after
   SIGCONT. Needs permission to signal those processes (root on the machine).

Needs wrk (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from site_helpers import served

NDR = Path(__file__).with_name("data") / "typical-ndr.eml"
MB = 1024 * 1024


def request(url: str, data: bytes | None = None, content_type: str = "", method=None, **headers):
    """Return (status, seconds, response bytes); a timeout or reset counts as status 0."""
    if content_type:
        headers["Content-Type"] = content_type
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=15) as response:
            body = response.read()
            return response.status, time.monotonic() - started, len(body)
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started, len(error.read())
    except OSError:
        return 0, time.monotonic() - started, 0


def wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        args += ["-s", str(script)]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    found = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": re.search(r"50%\s+([\d.]+\w+)", out).group(1),
        "p99": re.search(r"99%\s+([\d.]+\w+)", out).group(1),
        "non2xx": int(m.group(1))
        if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out))
        else 0,
        "socket_errors": m.group(1) if (m := re.search(r"Socket errors: (.*)", out)) else "none",
        "statuses": {int(s): int(n) for s, n in re.findall(r"status (\d+) (\d+)", out)},
    }
    return found


# --- 1. slow clients -------------------------------------------------------------------------


@contextlib.contextmanager
def slow_clients(base: str, count: int):
    """Open ``count`` connections that send a byte every second and never finish."""
    host, port = base.removeprefix("http://").split(":")
    sockets = []
    for n in range(count):
        sock = socket.create_connection((host, int(port)))
        if n % 2:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        else:
            sock.sendall(
                b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n\r\nq="
            )
        sockets.append(sock)
    stop = threading.Event()

    def drip():
        while not stop.wait(1):
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b"a")

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        open_at_end = 0
        for sock in sockets:
            sock.setblocking(False)
            try:
                open_at_end += (sock.recv(1) == b"" and 0) or 1
            except BlockingIOError:
                open_at_end += 1  # still open, nothing answered: the server is waiting
            except OSError:
                pass
            sock.close()
        print(f"  slow connections still open at the end: {open_at_end} of {count}")


def visitors(url: str, seconds: float, clients: int = 4) -> dict:
    """Ordinary visitors: ``clients`` people loading the page one after the other."""
    timings: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds

    def visit():
        while time.monotonic() < stop:
            status, took, _ = request(url)
            if status == 200:
                timings.append(took * 1000)
            else:
                errors[0] += 1

    threads = [threading.Thread(target=visit) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings.sort()
    return {
        "requests": len(timings),
        "p50": statistics.median(timings),
        "p99": timings[int(len(timings) * 0.99) - 1],
        "max": timings[-1],
        "errors": errors[0],
    }


def slow_client_run(base: str, count: int, seconds: int) -> None:
    print(f"\n1. Slow clients ({count} connections, a byte a second each; target p99 < 200 ms)")
    alone = visitors(base + "/", seconds)
    with slow_clients(base, count):
        time.sleep(1)
        busy = visitors(base + "/", seconds)
    for name, run in (("GET / alone", alone), (f"GET / beside {count} slow", busy)):
        print(
            f"  {name:<28} {run['requests']:>6} requests  p50 {run['p50']:6.1f} ms  "
            f"p99 {run['p99']:6.1f} ms  max {run['max']:7.1f} ms  errors {run['errors']}"
        )
    print(f"  p99 beside slow clients / alone: {busy['p99'] / alone['p99']:.2f}x")


# --- 2. hostile inputs ---------------------------------------------------------------------


def dsn(fields: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
        "--B\nContent-Type: text/plain\n\nDelivery failed.\n\n"
        "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n"
        f"{fields}\n--B--\n"
    ).encode()


def fill(unit: str, size: int = MB - 4096) -> str:
    return unit * (size // len(unit))


def hostile_inputs() -> dict[str, bytes]:
    one_cause = "".join(
        f"\nFinal-Recipient: rfc822; u{n}@ex.com\nAction: failed\nStatus: 5.1.1\n"
        for n in range(15800)
    )
    own_cause = "".join(
        f"\nFinal-Recipient: rfc822; u{n}@ex.com\nAction: failed\nStatus: 5.1.1\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 reason {n} " + "x" * 120 + "\n"
        for n in range(5600)
    )
    nested = "".join(
        f'Content-Type: multipart/mixed; boundary="b{n}"\n\n--b{n}\n' for n in range(9000)
    )
    return {
        "typical 5 KB NDR": NDR.read_bytes(),
        "DSN, 15,800 recipients, one cause": dsn(one_cause)[:MB],
        "DSN, 5,600 recipients, each its own cause": dsn(own_cause)[:MB],
        "SMTP lines, one per recipient": fill(
            "550 5.1.1 <someone@example.com>: unknown\n"
        ).encode(),
        "one line, no newline": ("550 5.7.1 " + fill("a")).encode(),
        "MIME nested 9,000 deep": (nested + "550 5.1.1 unknown\n").encode()[:MB],
        "broken encoded words": ("Subject: " + fill("=?utf-8?B?a?= =?x?Q?=ZZ?= ")).encode(),
        "binary": os.urandom(MB - 4096),
        "hostile HTML": fill("<div><script>alert(1)</script><img src=x onerror=alert(1)>").encode(),
        "quoted reply, 40 levels": fill(">" * 40 + " 550 5.1.1 unknown user\n").encode(),
    }


def csrf(base: str) -> tuple[str, str]:
    """The decoder form's CSRF cookie and token, as a browser would have them."""
    with urllib.request.urlopen(base + "/decode/", timeout=10) as response:
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.read())
    return cookie, token.group(1).decode()


def hostile_run(base: str) -> None:
    print("\n2. Hostile inputs (server time and response size; target < 500 ms, < 3 MB)")
    cookie, token = csrf(base)
    print(f"  {'input':<44}{'size':>9}   {'API':>22}   {'page':>22}")
    for name, body in hostile_inputs().items():
        results = []
        for _ in range(3):
            api = request(base + "/api/decode", body, "message/rfc822")
            boundary = "----bench"
            form = (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"'
                    f"\r\n\r\n{token}\r\n"
                    f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                    f'filename="b.eml"\r\nContent-Type: message/rfc822\r\n\r\n'
                ).encode()
                + body
                + f"\r\n--{boundary}--\r\n".encode()
            )
            page = request(
                base + "/decode/", form, f"multipart/form-data; boundary={boundary}", Cookie=cookie
            )
            results.append((api, page))
        api = min((r[0] for r in results), key=lambda r: r[1])
        page = min((r[1] for r in results), key=lambda r: r[1])
        cell = lambda r: f"{r[0]} {r[1] * 1000:>5.0f} ms {r[2] / MB:>5.2f} MB"  # noqa: E731
        print(f"  {name:<44}{len(body) / MB:>7.2f} MB   {cell(api):>22}   {cell(page):>22}")


# --- 3. mixed load -------------------------------------------------------------------------

MIXED = """
local typical = io.open("{ndr}", "rb"):read("*a")
local deep = string.rep("[", 100000)
local oversized = string.rep("550 5.1.1 unknown user\\n", 60000)
local binary = ""
for i = 0, 4095 do binary = binary .. string.char(i % 256) end
local n = 0
counts = {{}}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {{}} end
request = function()
  n = n + 1
  local kind = n % 50
  if kind == 0 then
    return wrk.format("POST", "/api/decode", {{["Content-Type"] = "application/json"}}, deep)
  elseif kind == 5 then return wrk.format("GET", "/?q=%00")
  elseif kind == 10 then return wrk.format("GET", "/decode/?example=%00")
  elseif kind == 15 then
    return wrk.format("POST", "/api/decode", {{["Content-Type"] = "text/plain"}}, oversized)
  elseif kind == 20 then
    return wrk.format("POST", "/api/decode", {{["Content-Type"] = "image/png"}}, binary)
  elseif kind == 25 then return wrk.format("TRACE", "/")
  elseif kind == 30 then
    return wrk.format("POST", "/api/decode", {{["Content-Type"] = "application/json"}}, "{{x")
  elseif kind == 35 then
    return wrk.format("POST", "/api/decode", {{["Content-Type"] = "text/plain"}}, binary)
  elseif kind == 40 then return wrk.format("GET", "/codes/%00/")
  elseif kind == 45 then return wrk.format("OPTIONS", "/api/decode")
  elseif kind % 3 == 0 then
    return wrk.format("POST", "/api/decode", {{["Content-Type"] = "message/rfc822"}}, typical)
  elseif kind % 3 == 1 then return wrk.format("GET", "/codes/5-7-606/")
  end
  return wrk.format("GET", "/")
end
function response(status, headers, body) counts[status] = (counts[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {{}}
  for _, t in ipairs(threads) do
    for status, k in pairs(t:get("counts") or {{}}) do total[status] = (total[status] or 0) + k end
  end
  for status, k in pairs(total) do io.write(string.format("status %d %d\\n", status, k)) end
end
"""


def mixed_run(base: str, seconds: int, work: Path) -> None:
    print("\n3. Mixed load, one request in ten hostile (target: no 5xx)")
    script = work / "mixed.lua"
    script.write_text(textwrap.dedent(MIXED.format(ndr=NDR)))
    run = wrk(base + "/", seconds, 16, script)
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(run["statuses"].items()))
    fives = sum(n for s, n in run["statuses"].items() if s >= 500)
    print(f"  {run['rps']:,.0f} req/s  p50 {run['p50']}  p99 {run['p99']}  [{statuses}]")
    print(f"  5xx answers: {fives}; socket errors: {run['socket_errors']}")


# --- 4. stalled backends -------------------------------------------------------------------


def pids_of(name: str) -> list[int]:
    out = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


@contextlib.contextmanager
def stopped(pids: list[int]):
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):  # a backend that ended meanwhile
                os.kill(pid, signal.SIGCONT)


def probe(base: str, label: str) -> None:
    checks = {
        "/healthz": lambda: request(base + "/healthz"),
        "cached page /codes/5-7-606/": lambda: request(base + "/codes/5-7-606/"),
        "uncached page /?q=5.7": lambda: request(base + "/?q=5.7"),
        "decode (API)": lambda: request(base + "/api/decode", b"550 5.1.1 unknown", "text/plain"),
    }
    print(f"  {label}")
    for name, check in checks.items():
        runs = [check() for _ in range(3)]
        statuses = sorted({r[0] for r in runs})
        worst = max(r[1] for r in runs)
        print(f"    {name:<32} status {statuses}  slowest of 3: {worst * 1000:,.0f} ms")


def stall_run(base: str) -> None:
    print("\n4. Stalled backends (SIGSTOP), PostgreSQL + Redis")
    probe(base, "both running")
    for name, process in (("Redis", "redis-server"), ("PostgreSQL", "postgres")):
        pids = pids_of(process)
        if not pids:
            print(f"  {name}: no {process} process found; skipped")
            continue
        with stopped(pids):
            time.sleep(0.5)
            probe(base, f"{name} stopped ({len(pids)} processes)")
        started = time.monotonic()
        while request(base + "/healthz")[0] != 200 and time.monotonic() - started < 30:
            time.sleep(0.2)
        print(f"  {name} resumed: /healthz 200 again after {time.monotonic() - started:.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--database", help="PostgreSQL URL: run the stalled-backend part")
    parser.add_argument("--redis", help="Redis URL: run the stalled-backend part")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} cores; gunicorn with the project's config (gevent workers)")
    with served() as (base, _, _, work):
        print(f"SQLite and the default caches, {base}")
        slow_client_run(base, args.slow, args.seconds)
        hostile_run(base)
        mixed_run(base, args.seconds, work)
    if args.database and args.redis:
        with served(args.database, args.redis) as (base, _, _, _):
            for path in ("/", "/codes/5-7-606/"):
                request(base + path)
            stall_run(base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
