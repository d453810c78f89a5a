"""Hardened settings: check --deploy passes, HTTPS by default, knobs from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x7#k2!pL9qR4vT8wZ1yB6nM3cF5hJ0dG-sA_eU*iO&rE@tY^uQ$",
    "DJANGO_ALLOWED_HOSTS": "bounces.example.com",
}


def run(args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(env)
    return subprocess.run(args, cwd=ROOT, env=clean, capture_output=True, text=True)


def settings_of(names, **env):
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    )
    result = run(
        [sys.executable, "-c", code], DJANGO_SETTINGS_MODULE="decoder_site.settings", **env
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_passes_with_only_the_key_and_hosts_set():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_defaults_are_https_only():
    values = settings_of(
        [
            "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
            "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER", "ADMIN_URL",
        ],
        **PRODUCTION,
    )  # fmt: skip
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["ADMIN_URL"] == "admin/"


def test_proxy_knobs_come_from_the_environment():
    values = settings_of(
        ["SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS", "ADMIN_URL"],
        DJANGO_SSL_REDIRECT="0",
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://bounces.example.com",
        DJANGO_ADMIN_URL="/backstage-7f3/",
        **PRODUCTION,
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://bounces.example.com"]
    assert values["ADMIN_URL"] == "backstage-7f3/"


def test_database_and_cache_urls_select_postgresql_and_redis():
    values = settings_of(
        ["DATABASES", "CACHES"],
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    # A stalled server costs a request seconds, not forever.
    assert database["OPTIONS"]["connect_timeout"] == 2
    assert "statement_timeout=5000" in database["OPTIONS"]["options"]
    for alias in ("default", "ratelimit"):
        cache = values["CACHES"][alias]
        assert cache["BACKEND"] == "decoder_site.cache.ResilientRedisCache"
        assert cache["OPTIONS"]["socket_timeout"] == 0.5
    assert values["CACHES"]["default"]["KEY_PREFIX"] != values["CACHES"]["ratelimit"]["KEY_PREFIX"]


def test_without_redis_every_worker_shares_the_rate_limit_counters():
    caches = settings_of(["CACHES"], DJANGO_CACHE_DIR="/srv/cache", REDIS_URL="")["CACHES"]
    assert caches["ratelimit"]["BACKEND"].endswith("FileBasedCache")
    assert caches["ratelimit"]["LOCATION"] == "/srv/cache/ratelimit"
