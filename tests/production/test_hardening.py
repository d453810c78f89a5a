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
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "ratelimit": "ok"},
        "decode_failures": 0,
    }
    assert "no-cache" in response["Cache-Control"]


DOWN = {
    "BACKEND": "decoder_site.cache.ResilientRedisCache",
    # Nothing listens on port 9: a cache that is down.
    "LOCATION": "redis://127.0.0.1:9/0",
    "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
}


@override_settings(CACHES={"default": DOWN, "ratelimit": DOWN})
def test_healthz_is_503_when_the_cache_is_down(client):
    caches["default"].close()
    caches["ratelimit"].close()
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


def test_healthz_notices_a_database_it_cannot_write_to(client, monkeypatch):
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    def read_only(*args, **kwargs):
        raise OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(QuerySet, "update", read_only)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error: OperationalError"


def login(client, username="admin", password="wrong", **extra):
    return client.post("/admin/login/", {"username": username, "password": password}, **extra)


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("admin", "a@example.com", "right-horse-9")


def test_a_client_that_keeps_failing_is_refused_and_no_one_else(client, admin_user, settings):
    settings.ADMIN_LOGIN_CLIENT_FAILURES = 3
    for _ in range(3):
        assert login(client, "someone").status_code == 200  # the form again, with an error
    refused = login(client, "someone")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    # Another client, even with the right password, is not affected.
    other = login(client, "admin", "right-horse-9", REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302


def test_behind_a_trusted_proxy_clients_are_told_apart(client, admin_user, settings):
    settings.ADMIN_LOGIN_CLIENT_FAILURES = 3
    settings.TRUSTED_PROXY_HOPS = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(4):
        login(client, "admin", HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy)
    assert login(client, "admin", HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy).status_code == 429
    # The admin, behind the same proxy, signs in: the stranger's failures are the stranger's.
    settings.ADMIN_LOGIN_ACCOUNT_FAILURES = 100
    ok = login(client, "admin", "right-horse-9", HTTP_X_FORWARDED_FOR="192.0.2.10", **proxy)
    assert ok.status_code == 302
    # A client cannot pick its own address by writing the header itself.
    forged = {"HTTP_X_FORWARDED_FOR": "192.0.2.10, 203.0.113.66", **proxy}
    assert login(client, "admin", **forged).status_code == 429


def test_an_account_locked_after_many_failures_says_why(client, admin_user, settings):
    settings.ADMIN_LOGIN_ACCOUNT_FAILURES = 3
    for n in range(3):
        login(client, "Admin", REMOTE_ADDR=f"203.0.113.{n + 1}")
    locked = login(client, "admin", "right-horse-9", REMOTE_ADDR="192.0.2.50")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "too many failed sign-ins to <strong>admin</strong>" in page
    assert "manage.py unlock_admin admin" in page
    from django.core.management import call_command

    call_command("unlock_admin", "admin", stdout=io.StringIO())
    assert login(client, "admin", "right-horse-9", REMOTE_ADDR="192.0.2.50").status_code == 302


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


def test_deeply_nested_json_is_a_400_not_a_500(client):
    response = client.post("/api/decode", "[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": "The JSON is nested too deeply."}


@pytest.mark.parametrize("url", ["/?q=%00", "/?q=5.1.1%00x", "/decode/?example=%00"])
def test_a_nul_byte_in_the_query_string_is_harmless(client, url):
    response = client.get(url)
    assert response.status_code == 200


def test_a_database_that_refuses_the_data_is_a_400_and_one_that_fails_a_503(rf, settings):
    from django.db import DataError, OperationalError

    from decoder_site.availability import server_error

    for error, status in ((DataError("NUL"), 400), (OperationalError("stalled"), 503)):
        try:
            raise error
        except type(error):
            response = server_error(rf.get("/"))
        assert response.status_code == status
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(rf.get("/")).status_code == 500


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS", "PUT", "DELETE", "PATCH"])
def test_methods_the_site_has_no_use_for_get_405(client, method):
    page = client.generic(method, "/")
    assert page.status_code == 405
    assert page["Allow"] == "GET, HEAD, POST"
    api = client.generic(method, "/api/decode")
    assert api.status_code == 405 and api.json() == {"error": "Use POST."}


def test_a_form_post_declared_too_large_is_413_even_with_csrf_checks():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/decode/", "text=550", content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )  # fmt: skip
    assert response.status_code == 413
    assert "That is too large to decode" in response.content.decode()


def test_decode_results_are_never_stored_by_a_cache(client):
    page = client.post("/decode/", {"text": "550 5.1.1 <person@contoso.com> unknown"})
    api = client.post("/api/decode", "550 5.1.1 unknown", content_type="text/plain")
    for response in (page, api):
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"


def test_a_stalled_request_is_answered_503_at_the_deadline(rf, settings, monkeypatch):
    import gevent

    from decoder_site import availability

    settings.REQUEST_DEADLINE_SECONDS = 0.2
    monkeypatch.setattr(availability, "gevent_is_serving", lambda: True)

    def stalled_view(request):
        gevent.sleep(5)  # what a query to a stopped database server does under gevent

    middleware = availability.RequestDeadlineMiddleware(stalled_view)
    response = middleware(rf.get("/codes/5-1-1/"))
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()
    assert response["Retry-After"] == "30"
