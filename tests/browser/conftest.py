"""Browser tests: the real site, served by gunicorn, driven in Debian's Chromium.

The site runs in its own process on its own SQLite file, set up the way
``manage.py serve`` does it (migrate, sync_directory, collectstatic), so these
tests see what a visitor sees, static files and error pages included.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# Without these, Chromium keeps trying to reach Google's services and the
# closed network refuses each attempt.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Site:
    """A running copy of the site: its address, environment and work folder."""

    def __init__(self, url: str, env: dict, workdir: Path, server: subprocess.Popen):
        self.url, self.env, self.workdir, self.server = url, env, workdir, server

    def manage(self, *args: str) -> str:
        """Run a management command against this site's database."""
        run = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=self.env, cwd=ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
        return run.stdout

    def log(self) -> str:
        return (self.workdir / "gunicorn.log").read_text()


@contextlib.contextmanager
def running_site(workdir: Path, **settings: str):
    """Start the site with gunicorn on a free loopback port, as ``manage.py serve`` does."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "decoder_site.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "browser-tests-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback: no TLS proxy in front of the test server.
        "DJANGO_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{workdir / 'site.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_CACHE_DIR": str(workdir / "cache"),
        "WEB_CONCURRENCY": "2",
        **settings,
    }
    for name in ("REDIS_URL",):  # the site under test uses the defaults
        env.pop(name, None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate"], ["sync_directory"], ["collectstatic", "--noinput"]):
        subprocess.run(manage + command + ["-v", "0"], env=env, cwd=ROOT, check=True)
    port = free_port()
    log = (workdir / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "decoder_site.wsgi",
         "--config", "python:decoder_site.gunicorn", "--bind", f"127.0.0.1:{port}"],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(
                        "the site did not start:\n" + (workdir / "gunicorn.log").read_text()
                    ) from None
                time.sleep(0.2)
        yield Site(url, env, workdir, server)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def site_url(tmp_path_factory):
    """The site, served by gunicorn on a free loopback port; its base URL."""
    # Many tests decode through this one site from one address: lift the limit.
    with running_site(tmp_path_factory.mktemp("site"), DECODER_RATE_LIMIT="100000/m") as site:
        yield site.url


@contextlib.contextmanager
def launched_chromium():
    """Debian's Chromium under Playwright (the test is skipped without it)."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def browser(site_url):
    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts():
    """Folder for screenshots kept after the run (test-artifacts/)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def axe_violations(page, include: list[str] | None = None) -> list[dict]:
    """axe-core's serious and critical findings on the page (or only in ``include``'s
    selectors)."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `npm ci` in the project folder")
    # Evaluated through the browser's debugging protocol: the site's CSP (rightly)
    # refuses an injected inline script.
    page.evaluate("source => { (0, eval)(source); }", AXE.read_text())
    context = {"include": [[selector] for selector in include]} if include else None
    results = page.evaluate(
        "async context => await axe.run(context || document, {resultTypes: ['violations']})",
        context,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
