"""Start the real site under gunicorn on a loopback port, for the benchmarks."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, timeout: float = 10) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def site_env(work: Path, database: str | None = None, redis: str | None = None, **extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "decoder_site.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "DJANGO_CACHE_DIR": str(work / "cache"),
        "DATABASE_URL": database or f"sqlite:///{work / 'site.sqlite3'}",
        # The benchmark is one client: lift the per-client limit for the run.
        "DECODER_RATE_LIMIT": "100000000/s",
        "DJANGO_LOG_LEVEL": "ERROR",
        **extra,
    }
    env.pop("REDIS_URL", None)
    if redis:
        env["REDIS_URL"] = redis
    return env


def prepare(env: dict) -> None:
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate"], ["sync_directory"], ["collectstatic", "--noinput"]):
        subprocess.run(manage + command + ["-v", "0"], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip


def start(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "decoder_site.wsgi",
         "--config", "python:decoder_site.gunicorn", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            fetch(base + "/healthz", timeout=2)
            return server
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("the site did not start") from None
            time.sleep(0.2)


@contextlib.contextmanager
def served(database: str | None = None, redis: str | None = None, **extra):
    """Yield (base URL, gunicorn process, environment, work folder) of a fresh site."""
    work = Path(tempfile.mkdtemp(prefix="bounce-bench-"))
    env = site_env(work, database, redis, **extra)
    prepare(env)
    port = free_port()
    server = start(env, port)
    try:
        yield f"http://127.0.0.1:{port}", server, env, work
    finally:
        server.terminate()
        server.wait(timeout=30)
