"""manage.py serve runs the site as visitors see it; debug is an explicit opt-in."""

import io
import os

import pytest
from django.core.management import call_command

from errorcodes.management.commands import serve

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(monkeypatch):
    """Run serve up to the point where it hands over to gunicorn; return what it passed."""
    seen = {}

    def execv(path, argv):
        seen.update(argv=argv, env=dict(os.environ))

    monkeypatch.setattr(serve.os, "execv", execv)
    for name in ("DJANGO_DEBUG", "DJANGO_SSL_REDIRECT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DJANGO_SECRET_KEY", "serve-test-key")
    # serve writes the environment gunicorn inherits; give the test's back afterwards.
    monkeypatch.setattr(serve.os, "environ", os.environ.copy())
    return seen


def test_serve_turns_debug_off_and_the_https_redirect_off_on_loopback(started):
    call_command("serve", "--no-collectstatic", stdout=io.StringIO())
    assert started["env"]["DJANGO_DEBUG"] == "0"
    assert started["env"]["DJANGO_SSL_REDIRECT"] == "0"
    assert "--bind" in started["argv"] and "127.0.0.1:8000" in started["argv"]


def test_debug_is_an_explicit_opt_in(started):
    call_command("serve", "--no-collectstatic", "--debug", stdout=io.StringIO())
    assert started["env"]["DJANGO_DEBUG"] == "1"


def test_a_public_address_keeps_the_https_redirect(started):
    call_command("serve", "--no-collectstatic", "--host", "0.0.0.0", stdout=io.StringIO())
    assert "DJANGO_SSL_REDIRECT" not in started["env"]


def test_a_local_secret_key_is_made_once_and_kept(tmp_path):
    first = serve.local_secret_key(tmp_path)
    assert len(first) >= 50
    assert serve.local_secret_key(tmp_path) == first
    assert oct((tmp_path / ".secret-key").stat().st_mode)[-3:] == "600"
