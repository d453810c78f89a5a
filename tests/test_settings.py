"""Settings come from the environment, with safe local defaults."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "debug": settings.DEBUG,
    "hosts": settings.ALLOWED_HOSTS,
    "engine": db["ENGINE"],
    "name": str(db["NAME"]),
    "host": db.get("HOST", ""),
    "secret": settings.SECRET_KEY,
}))
"""


def load_settings(**env):
    """Import the real settings in a fresh interpreter with exactly this environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(env, DJANGO_SETTINGS_MODULE="decoder_site.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + PRINT_SETTINGS],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )


def test_defaults_run_locally_on_sqlite_with_debug():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is True
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(ROOT / "db.sqlite3")
    assert values["hosts"] == ["localhost", "127.0.0.1", "[::1]"]


def test_debug_off_requires_a_secret_key():
    result = load_settings(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_values_are_read_from_the_environment():
    result = load_settings(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="s3cret-from-env",
        DJANGO_ALLOWED_HOSTS="bounces.example.com, www.bounces.example.com",
        DATABASE_URL="postgres://app@db.internal:5432/bounces",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["secret"] == "s3cret-from-env"
    assert values["hosts"] == ["bounces.example.com", "www.bounces.example.com"]
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "bounces"
    assert values["host"] == "db.internal"
