"""The directory and code pages render the directory's real content."""

import re

import pytest

from errorcodes.models import ErrorCode
from tests.test_directory_data import SEED_CODES

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return response.content.decode()


def test_directory_groups_codes_by_area_with_critical_codes_first(client):
    page = text_of(client.get("/"))
    sections = re.split(r'<h3 id="area-', page)[1:]
    assert [section.split('"', 1)[0] for section in sections][:3] == [
        "addressing",
        "mailbox",
        "size",
    ]
    for section in sections:
        tiers = ["Critical" in card for card in section.split('<li class="code-card"')[1:]]
        assert tiers == sorted(tiers, reverse=True), "critical codes first in each area"
    assert page.count('<li class="code-card"') == ErrorCode.objects.count()
    assert 'href="#area-reputation"' in page


def test_directory_search_works_without_javascript(client):
    page = text_of(client.get("/", {"q": "5.7.606"}))
    assert page.count('<li class="code-card"') == 1
    assert "Banned Sending IP" in page
    assert 'value="5.7.606"' in page
    empty = text_of(client.get("/", {"q": "<script>nothing</script>"}))
    assert "No code in the directory matches" in empty
    assert "<script>nothing" not in empty


def test_directory_has_every_section_of_the_seed_page(client):
    page = text_of(client.get("/"))
    assert page.count("<h1") == 1
    for heading in (
        "Microsoft 365 / Outlook SMTP Error Code Directory",
        "How to identify a Microsoft 365 bounce",
        "Microsoft 365 error codes",
        "Microsoft NDR component glossary",
        "Microsoft sender tools",
        "Frequently asked questions",
        "Got a Microsoft 365 bounce to decode?",
    ):
        assert heading in page
    assert "*.mail.protection.outlook.com" in page
    assert "QuotaExceededException" in page
    assert 'href="https://sender.office.com/"' in page
    assert 'href="/decode/"' in page
    assert "Does error 5.4.1 mean my IP address is blocked?" in page


def test_each_card_links_to_its_code_page(client):
    page = text_of(client.get("/"))
    for code in ErrorCode.objects.all():
        assert f'href="/codes/{code.slug}/"' in page
        # The accessible name starts with the visible text (WCAG 2.5.3, label in name).
        assert f'fix<span class="visually-hidden"> for {code.status} ' in page


@pytest.mark.parametrize("slug", [row[0] for row in SEED_CODES])
def test_every_code_page_shows_its_explanation_and_fix(client, slug):
    code = ErrorCode.objects.get(slug=slug)
    response = client.get(f"/codes/{slug}/")
    assert response.status_code == 200
    page = text_of(response)
    assert page.count("<h1") == 1
    assert f"{code.status} {code.title}" in page
    assert code.fix_html in page
    assert (
        code.explanation_html.replace("<h3>Common causes", '<h3 id="causes">Common causes') in page
    )
    assert "How to fix it" in page
    assert "Who can fix it" in page
    if code.is_permanent:
        assert "Permanent failure." in page
    else:
        assert "Temporary failure." in page
    if code.component:
        assert f'href="/#component-{code.component.anchor}"' in page


def test_every_code_page_shows_its_sources_and_when_it_was_checked(client):
    for code in ErrorCode.objects.prefetch_related("sources"):
        page = text_of(client.get(code.get_absolute_url()))
        assert '<h2 id="sources">Sources</h2>' in page, code.slug
        checked = code.checked_on.isoformat()
        assert f'Checked against Microsoft\'s documentation on <time datetime="{checked}">' in page
        for source in code.sources.all():
            assert f'<a href="{source.url}" rel="noopener noreferrer">' in page, code.slug
        if code.basis == ErrorCode.Basis.OBSERVED:
            assert "this entry rests on real bounces" in page, code.slug
        illustration = "An illustration written for this site" in page
        assert illustration is code.example_is_illustrative, code.slug


def test_external_links_in_explanations_open_no_window_back_to_the_site(client):
    for code in ErrorCode.objects.all():
        html = code.explanation_html + code.fix_html
        for link in re.findall(r"<a [^>]*>", html):
            if 'href="https://' in link:
                assert 'rel="noopener noreferrer"' in link, (code.slug, link)
            else:
                assert re.search(r'href="(/|mailto:)', link), (code.slug, link)


def test_code_page_links_related_codes(client):
    code = ErrorCode.objects.filter(related__isnull=False).distinct().first()
    page = text_of(client.get(code.get_absolute_url()))
    for other in code.related.all():
        assert f'href="{other.get_absolute_url()}"' in page


def test_unknown_code_is_a_friendly_404(client):
    response = client.get("/codes/9-9-99/")
    assert response.status_code == 404
    page = text_of(response)
    assert "Page not found" in page
    assert 'href="/decode/"' in page


def test_pages_load_no_third_party_resources(client):
    for url in ("/", "/codes/5-7-13/", "/codes/nope/"):
        page = text_of(client.get(url))
        assert not re.search(r'src="(https?:)?//', page)
        for link in re.findall(r"<link[^>]*>", page):
            assert 'href="/' in link, link


def test_code_page_lists_the_other_codes_an_entry_covers(client):
    page = text_of(client.get("/codes/4-7-500/"))
    covered = "4.7.501-4.7.649, 4.7.652-4.7.699, 4.7.700 and 4.7.850-4.7.899"
    en_dash = "\N{EN DASH}"
    assert f"(also covers {covered.replace('-', en_dash)})" in page


def test_a_code_page_leads_with_a_summary_and_links_to_each_part(client):
    page = text_of(client.get("/codes/5-1-10/"))
    summary = page[page.index('<div class="summary-box">') : page.index('<nav class="jump"')]
    assert "Will it arrive?" in summary and "No: a permanent failure" in summary
    assert '<span class="audience">If you sent the message:</span>' in summary
    assert '<span class="audience">If you are the recipient&#x27;s email admin:</span>' in summary
    assert page.index('<div class="summary-box">') < page.index('<h2 id="meaning">')
    for anchor in ("meaning", "fix", "causes", "example", "sources"):
        assert f'<a href="#{anchor}">' in page
        assert f'id="{anchor}"' in page


def test_directory_pages_are_served_compressed_and_small(client):
    import gzip

    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert len(response.content) <= 20_000  # the whole directory, over the wire
    assert "Error code directory" in gzip.decompress(response.content).decode()
    # Again, from the cache this time.
    again = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert again["Content-Encoding"] == "gzip" and again.content == response.content
    assert "Content-Encoding" not in client.get("/")  # a client that takes no gzip


def test_pages_carrying_the_csrf_token_are_never_compressed(client):
    # BREACH: a compressed page that reflects input and carries a secret leaks it.
    response = client.get("/decode/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert "csrfmiddlewaretoken" in response.content.decode()


def test_every_page_has_an_icon(client):
    page = text_of(client.get("/codes/5-1-1/"))
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"
