"""Load benchmark of the site under gunicorn on loopback (not a test).

usage: python bench/load_bench.py [--seconds 10] [--connections 64] [--redis URL] [--database URL]

Starts the real site (migrate, sync_directory, collectstatic, gunicorn with the
project's config) on a free loopback port, then drives it with wrk:

- the directory page, a code page and GET /decode/, each beside WhiteNoise
  serving a static file of the same size through the same gunicorn (the ratio
  is the page's share of the static file's throughput);
- POST /api/decode with a typical 5 KB NDR;
- a mixed run where one decode request in ten is oversized, binary or
  malformed JSON, which must get a 4xx and never a 5xx.

Prints requests/s, p50/p99 latency, non-2xx counts and socket errors, and the
resident memory of each gunicorn worker afterwards. Needs wrk (apt-get install
wrk). Every request goes to 127.0.0.1 and each run stops after --seconds.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from site_helpers import fetch, free_port, prepare, site_env, start

NDR = Path(__file__).with_name("data") / "typical-ndr.eml"

# wrk scripts: POST bodies, and a per-status tally printed when the run ends.
TALLY = """
counts = {}  -- a global: the main thread reads it from each thread in done()
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {} end
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("counts") or {}) do total[status] = (total[status] or 0) + n end
  end
  for status, n in pairs(total) do io.write(string.format("status %d %d\\n", status, n)) end
end
"""
POST_TYPICAL = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "message/rfc822"
wrk.body = io.open("{ndr}", "rb"):read("*a")
"""
POST_MIXED = """
local typical = io.open("{ndr}", "rb"):read("*a")
local oversized = string.rep("550 5.1.1 unknown user\\n", 60000)
local binary = ""
for i = 0, 4095 do binary = binary .. string.char(i % 256) end
local json = {{["Content-Type"] = "application/json"}}
local n = 0
request = function()
  n = n + 1
  local kind = n % 30
  if kind == 0 then
    return wrk.format("POST", "/api/decode", {{["Content-Type"] = "text/plain"}}, oversized)
  elseif kind == 10 then
    return wrk.format("POST", "/api/decode", json, "{{not json")
  elseif kind == 20 then
    return wrk.format("POST", "/api/decode", {{["Content-Type"] = "image/png"}}, binary)
  end
  return wrk.format("POST", "/api/decode", {{["Content-Type"] = "message/rfc822"}}, typical)
end
"""


def wrk(url: str, seconds: int, connections: int, script: Path, threads: int = 2) -> dict:
    """Run wrk; return requests/s, latency percentiles, status tally and errors."""
    run = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-s", str(script), url],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if run.returncode != 0:
        raise RuntimeError(f"wrk failed on {url}: {run.stdout} {run.stderr}")
    out = run.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    statuses = {int(s): int(n) for s, n in re.findall(r"status (\d+) (\d+)", out)}
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "statuses": statuses,
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
    }


def worker_memory_mb(master_pid: int) -> list[float]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    sizes = []
    for pid in children.read_text().split() if children.exists() else []:
        status = Path(f"/proc/{pid}/status").read_text()
        kb = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
        sizes.append(kb / 1024)
    return sizes


def show(name: str, result: dict, ratio_to: dict | None = None) -> None:
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(result["statuses"].items()))
    line = (
        f"{name:<34} {result['rps']:>9,.0f} req/s  p50 {result['p50']:>8}  "
        f"p99 {result['p99']:>8}  [{statuses}]  socket errors: {result['socket_errors']}"
    )
    if ratio_to:
        line += f"  -> {100 * result['rps'] / ratio_to['rps']:.0f} % of the static file"
    print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--redis", help="REDIS_URL for the run (default: memory cache)")
    parser.add_argument("--database", help="DATABASE_URL for the run (default: a fresh SQLite)")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk not found (apt-get install wrk)", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="bounce-load-"))
    static_root = work / "static"
    env = site_env(work, args.database, args.redis)
    prepare(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start(env, port)
    try:
        pages = {"directory page /": "/", "code page /codes/5-7-606/": "/codes/5-7-606/",
                 "decoder page GET /decode/": "/decode/"}  # fmt: skip
        # A static file of each page's size, served by WhiteNoise. WhiteNoise
        # indexes STATIC_ROOT when gunicorn starts, so restart it after writing.
        sizes = {}
        for name, path in pages.items():
            body = fetch(base + path)
            sizes[name] = len(body)
            (static_root / f"bench-{len(body)}.html").write_bytes(b"x" * len(body))
        server.terminate()
        server.wait(timeout=30)
        server = start(env, port)
        for path in pages.values():  # warm every worker's view of the cache
            fetch(base + path)

        scripts = {}
        for name, text in (("get", TALLY), ("post", POST_TYPICAL.format(ndr=NDR) + TALLY),
                           ("mixed", POST_MIXED.format(ndr=NDR) + TALLY)):  # fmt: skip
            scripts[name] = work / f"{name}.lua"
            scripts[name].write_text(textwrap.dedent(text))

        print(f"gunicorn on {base}, {args.connections} connections, {args.seconds} s per run, "
              f"cache: {'Redis' if args.redis else 'memory'}, "
              f"database: {'given' if args.database else 'SQLite'}")  # fmt: skip
        for name, path in pages.items():
            static = wrk(f"{base}/static/bench-{sizes[name]}.html", args.seconds,
                         args.connections, scripts["get"])  # fmt: skip
            page = wrk(base + path, args.seconds, args.connections, scripts["get"])
            show(f"static file, {sizes[name]:,} bytes", static)
            show(name, page, ratio_to=static)
        api = base + "/api/decode"
        typical = wrk(api, args.seconds, args.connections, scripts["post"])
        show(f"POST /api/decode ({NDR.stat().st_size:,} B NDR)", typical)
        show(
            "POST /api/decode, 1 in 10 bad",
            wrk(api, args.seconds, args.connections, scripts["mixed"]),
        )
        memory = worker_memory_mb(server.pid)
        print("gunicorn worker memory (RSS): " + ", ".join(f"{mb:.0f} MB" for mb in memory))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
