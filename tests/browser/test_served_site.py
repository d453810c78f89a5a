"""The site as gunicorn serves it off debug: static files, health check, headers."""

import gzip
import json
import re
import urllib.request


def get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def test_static_files_have_hashed_names_long_caching_and_compression(site_url):
    _, _, page = get(site_url + "/")
    stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the stylesheet is linked under its content-hashed name"
    status, headers, body = get(
        site_url + stylesheet.group(1).decode(), **{"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert b".code-card" in gzip.decompress(body)
    max_age = int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1))
    assert max_age >= 365 * 24 * 3600
    assert "immutable" in headers["Cache-Control"]


def test_health_check_answers_over_plain_http(site_url):
    status, _, body = get(site_url + "/healthz")
    assert status == 200
    assert json.loads(body) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "ratelimit": "ok"},
        "decode_failures": 0,
    }


def test_served_pages_carry_the_security_headers(site_url):
    _, headers, _ = get(site_url + "/codes/5-1-10/")
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Request-ID" in headers
