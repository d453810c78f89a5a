"""Directory pages come from the cache and go stale the moment anything changes."""

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings

from errorcodes.models import ErrorCode, FaqEntry

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def title_on_page(client, url="/codes/5-1-1/") -> str:
    return client.get(url).content.decode()


def test_pages_are_served_from_the_cache(client):
    assert "Mailbox Does Not Exist" in title_on_page(client)
    # A bulk update sends no signal: the cached page is still served.
    ErrorCode.objects.filter(slug="5-1-1").update(title="Changed behind the cache's back")
    assert "Mailbox Does Not Exist" in title_on_page(client)


def test_saving_an_entry_invalidates_the_directory_and_its_pages(client):
    title_on_page(client)
    directory = client.get("/").content.decode()
    assert "Mailbox Does Not Exist" in directory
    code = ErrorCode.objects.get(slug="5-1-1")
    code.title = "Nobody by that address"
    code.save()
    assert "Nobody by that address" in title_on_page(client)
    assert "Nobody by that address" in client.get("/").content.decode()


def test_an_admin_edit_shows_at_once(admin_client, client):
    assert "What is an NDR?" in client.get("/").content.decode()
    faq = FaqEntry.objects.get(slug="what-is-an-ndr")
    response = admin_client.post(
        f"/admin/errorcodes/faqentry/{faq.pk}/change/",
        {
            "slug": faq.slug,
            "question": "What is a bounce (NDR)?",
            "answer_md": faq.answer_md,
            "order": faq.order,
        },
    )
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "What is a bounce (NDR)?" in page


def test_sync_directory_invalidates_too(client):
    title_on_page(client)
    ErrorCode.objects.filter(slug="5-1-1").update(title="Stale")
    call_command("sync_directory", stdout=io.StringIO())
    # The row was "edited" (it no longer matches what was shipped) and is kept,
    # but the page is rendered afresh from the database.
    assert "Stale" in title_on_page(client)


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_answers(), reason="no Redis server on 127.0.0.1:6379")
@override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
)
def test_a_change_on_one_instance_invalidates_the_others_through_redis(client):
    caches["default"].clear()
    title_on_page(client)
    ErrorCode.objects.filter(slug="5-1-1").update(title="Edited on another instance")
    assert "Edited on another instance" not in title_on_page(client)
    # Another instance (a separate process sharing the Redis cache) saves a change.
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "decoder_site.settings"}
    subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); "
         "from errorcodes.caching import invalidate_directory; invalidate_directory()"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    # This instance notices within DIRECTORY_VERSION_SECONDS (1 s by default).
    time.sleep(1.1)
    assert "Edited on another instance" in title_on_page(client)
    caches["default"].clear()
