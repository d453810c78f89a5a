"""Security headers, error pages, health check, admin login limit, logs."""

import io
import json
import logging

import pytest
from django.core.cache import caches
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_every_response_carries_the_security_headers(client):
    for url in ("/", "/codes/5-7-13/", "/decode/", "/codes/nope/"):
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert "unsafe-inline" not in script_src
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert "camera=()" in response["Permissions-Policy"]
        assert len(response["X-Request-ID"]) >= 8


def test_a_proxys_request_id_is_kept_and_a_hostile_one_replaced(client):
    assert client.get("/", HTTP_X_REQUEST_ID="lb-0123456789")["X-Request-ID"] == "lb-0123456789"
    assert client.get("/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


@pytest.mark.urls("tests.production.error_urls")
def test_error_pages_leak_nothing(client):
    client.raise_request_exception = False
    server_error = client.get("/broken/")
    assert server_error.status_code == 500
    assert "Something went wrong on our side" in server_error.content.decode()
    assert "secret-internal-detail" not in server_error.content.decode()
    assert "Traceback" not in server_error.content.decode()
    not_found = client.get("/codes/does-not-exist/")
    assert "Page not found" in not_found.content.decode()


def test_bad_host_gets_the_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


def test_stale_form_gets_the_friendly_csrf_page():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/decode/", {"text": "550 5.1.1"})
    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()


def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens on port 9: a cache that is down.
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
)
def test_healthz_is_503_when_the_cache_is_down(client):
    caches["default"].close()
    response = client.get("/healthz")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "error"
    assert data["checks"]["database"] == "ok"
    assert data["checks"]["cache"].startswith("error")
    # Pages and the decoder still work without their cache.
    assert client.get("/codes/5-1-1/").status_code == 200
    assert client.post("/api/decode", "550 5.1.1 user unknown", content_type="text/plain").json()[
        "recipients"
    ]


def test_admin_login_is_rate_limited(client, settings):
    settings.ADMIN_LOGIN_RATE_LIMIT = "3/h"  # hourly: no window boundary mid-test
    for _ in range(3):
        response = client.post("/admin/login/", {"username": "x", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/admin/login/", {"username": "x", "password": "wrong"})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"


def test_log_lines_are_json_with_the_request_id_and_no_body(client):
    handler = logging.getLogger().handlers[0]
    assert handler.formatter.__class__.__name__ == "JsonFormatter"
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        secret = "person.9981@contoso.com"
        client.post("/api/decode", f"550 5.1.1 <{secret}>", content_type="image/png")
        client.get(f"/codes/nope/?q={secret}", HTTP_X_REQUEST_ID="trace-12345678")
    finally:
        handler.setStream(previous)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    not_found = next(line for line in lines if line["message"].startswith("Not Found"))
    assert not_found["request_id"] == "trace-12345678"
    assert not_found["request"] == "GET /codes/nope/"
    assert any(line["status_code"] == 415 for line in lines)
    assert secret not in buffer.getvalue()
