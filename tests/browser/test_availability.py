"""The served site stays up: slow clients, several workers, malformed requests.

These run the real gunicorn setup (gevent workers) in a process of its own; the
figures at scale (200 slow connections, stalled Redis or PostgreSQL) are in
bench/availability_bench.py.
"""

import contextlib
import json
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from .conftest import running_site

SLOW_CLIENTS = 40  # far more than workers: sync workers stall on a handful


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("availability")
    with running_site(workdir, WEB_CONCURRENCY="2", DECODER_RATE_LIMIT="12/h") as running:
        yield running


def get(url: str, timeout: float = 5, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def post(url: str, body: bytes, content_type="text/plain"):
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_slow_clients_do_not_hold_up_other_visitors(site):
    host, port = site.url.removeprefix("http://").split(":")
    slow = []
    for n in range(SLOW_CLIENTS):
        sock = socket.create_connection((host, int(port)))
        if n % 2:  # half send their headers a line at a time, half a body that never ends
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        else:
            sock.sendall(
                b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 50000\r\n\r\nq=550"
            )
        slow.append(sock)
    stop = threading.Event()

    def drip():
        while not stop.wait(0.5):
            for sock in slow:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X-Slow: 1\r\n")

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    try:
        timings = []
        for _ in range(20):
            started = time.monotonic()
            status, _, page = get(site.url + "/codes/5-1-1/")
            timings.append(time.monotonic() - started)
            assert status == 200 and "Mailbox Does Not Exist" in page
        assert max(timings) < 1.0, timings
    finally:
        stop.set()
        for sock in slow:
            sock.close()


def test_an_edit_reaches_every_worker_within_a_second(site):
    for _ in range(20):  # every worker has the page in its memory now
        assert "Mailbox Does Not Exist" in get(site.url + "/codes/5-1-1/")[2]
    site.manage(
        "shell", "-c",
        "from errorcodes.models import ErrorCode; c = ErrorCode.objects.get(slug='5-1-1'); "
        "c.title = 'Edited in the admin'; c.save()",
    )  # fmt: skip
    time.sleep(1.2)
    pages = [get(site.url + "/codes/5-1-1/")[2] for _ in range(30)]
    assert all("Edited in the admin" in page for page in pages)


def test_the_rate_limit_is_one_limit_across_workers(site):
    statuses = [post(site.url + "/api/decode", b"550 5.1.1 unknown user") for _ in range(20)]
    assert statuses.count(200) == 12, statuses  # 12/h, not 12 per worker
    assert statuses.count(429) == 8


def raw(site, request: bytes) -> str:
    """Send bytes as they are; return the whole answer (the server closes after it)."""
    host, port = site.url.removeprefix("http://").split(":")
    chunks = []
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        with contextlib.suppress(TimeoutError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
                if b"</html>" in chunk:
                    break
    return b"".join(chunks).decode("latin-1")


def test_gunicorns_own_error_answers_carry_the_security_headers(site):
    answer = raw(site, b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    head = answer.split("\r\n\r\n", 1)[0]
    assert head.startswith("HTTP/1.1 414")
    assert "X-Content-Type-Options: nosniff" in head
    assert "Content-Security-Policy: default-src 'none'" in head
    assert "X-Frame-Options: DENY" in head


def test_the_server_log_is_json_lines(site):
    get(site.url + "/codes/nope/?q=person@contoso.com")
    lines = [line for line in site.log().splitlines() if line.strip()]
    assert lines
    for line in lines:
        entry = json.loads(line)  # every line, gunicorn's start-up lines included
        assert "person@contoso.com" not in line
        assert entry.get("level") or entry.get("logger") == "gunicorn.access"


def test_a_body_declared_too_large_is_413_before_it_is_read(site):
    answer = raw(
        site,
        b"POST /decode/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 52428800\r\n\r\ntext=550",
    )
    assert answer.startswith("HTTP/1.1 413")
    assert "That is too large to decode" in answer
