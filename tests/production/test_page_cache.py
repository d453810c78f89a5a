"""Directory pages come from the cache and go stale the moment anything changes."""

import io
import time
import uuid

import pytest
from django.core.management import call_command

from errorcodes import caching
from errorcodes.models import DirectoryVersion, ErrorCode, FaqEntry

pytestmark = pytest.mark.django_db


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


def test_a_change_saved_by_another_process_shows_within_a_second(client):
    title_on_page(client)
    ErrorCode.objects.filter(slug="5-1-1").update(title="Edited by another worker")
    assert "Edited by another worker" not in title_on_page(client)
    # What another worker's (or instance's) save does: a new version in the database.
    DirectoryVersion.objects.update(token=uuid.uuid4().hex)
    time.sleep(1.1)  # DIRECTORY_VERSION_SECONDS
    assert "Edited by another worker" in title_on_page(client)


def test_only_canonical_addresses_are_cached(client):
    for n in range(50):
        client.get(f"/?x={n}")
        client.get(f"/codes/5-1-1/?utm={n}")
    # "/" and "/codes/5-1-1/" whatever the query: what is stored here is stored in the
    # shared cache too (cached_page keeps both in step).
    assert len(caching.LOCAL_PAGES) == 2
    client.get("/?q=person@contoso.com")
    assert len(caching.LOCAL_PAGES) == 2  # a search is never kept
