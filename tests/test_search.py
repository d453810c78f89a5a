"""Directory search: codes as people write them, ranges, identifiers, rule ids, words."""

import re

import pytest

from errorcodes import caching
from errorcodes.models import AntispamRule, ErrorCode, ExceptionIdentifier
from errorcodes.search import code_in_address, directory_search, read_code
from tests.test_pages import text_of

pytestmark = pytest.mark.django_db

SPAMHAUS_LINE = "550 5.7.1 Service unavailable, Client host [1.2.3.4] blocked using Spamhaus"


def result_slugs(page: str) -> list[str]:
    """The slugs of the result cards, in the order the page shows them."""
    return re.findall(r'<li class="code-card" id="code-([^"]+)"', page)


def search_page(client, query: str) -> str:
    response = client.get("/", {"q": query})
    assert response.status_code == 200
    return text_of(response)


def entry_of_exception(identifier: str) -> str:
    return ExceptionIdentifier.objects.get(identifier=identifier).entry_id


def entry_of_rule(pattern: str) -> str:
    return AntispamRule.objects.get(pattern=pattern).entry_id


# --- The form -------------------------------------------------------------------


def test_search_form_is_the_first_form_and_comes_before_the_area_navigation(client):
    page = text_of(client.get("/"))
    first_form = page.index("<form")
    form = page[first_form : page.index("</form>", first_form)]
    assert 'role="search"' in form
    assert 'method="get"' in form
    assert 'name="q"' in form and 'type="search"' in form
    # Labelled for screen readers: a <label for> naming the input.
    assert '<label for="code-search">' in form and 'id="code-search"' in form
    assert "<script" not in form
    assert first_form < page.index('class="area-nav"')
    assert first_form < page.index('class="provider-box"')
    assert first_form < page.index('id="identify-heading"')
    # Right under the page's heading and lead line, before the longer introduction.
    assert page.index('<p class="lead">') < first_form
    assert first_form < page.index("Microsoft 365 bounce messages mix standard SMTP codes")


def test_results_echo_the_query_in_the_search_box(client):
    page = search_page(client, "550 5.7.1")
    assert 'value="550 5.7.1"' in page


# --- Exact codes first ----------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["5.7.1", "550-5.7.1", "550 5.7.1", "5-7-1", "#5.7.1", "  5.7.1  ", "550 #5.7.1"]
)
def test_a_code_shows_its_own_entries_first_however_it_is_written(client, query):
    slugs = result_slugs(search_page(client, query))
    same_status = set(ErrorCode.objects.filter(status="5.7.1").values_list("slug", flat=True))
    assert len(same_status) > 1, "the generic 5.7.1 entry and its variants"
    assert slugs[0] == "5-7-1"
    assert set(slugs[: len(same_status)]) == same_status
    for other in ("5-7-14", "5-7-124"):
        assert other not in slugs[: len(same_status)]


@pytest.mark.parametrize("query", ["5.7.1", "550-5.7.1", "5-7-1", "#5.7.1", " 5.7.1 "])
def test_the_spellings_of_a_code_are_one_query(query):
    assert read_code(query) == "5.7.1"
    assert [e.slug for e in directory_search(query).entries][1:] == [
        e.slug for e in directory_search("5.7.1").entries
    ][1:]


def test_a_pasted_smtp_line_reads_its_code_and_ranks_the_variant_it_names_first(client):
    page = search_page(client, SPAMHAUS_LINE)
    slugs = result_slugs(page)
    assert slugs[0] == "5-7-1-spamhaus"
    assert "5-7-1" in slugs[1:]
    assert "read as the code <code>5.7.1</code>" in page
    assert "<code>Spamhaus</code> with 5.7.1 is explained under" in page


def test_a_variant_token_next_to_a_code_wins_in_any_case(client):
    assert result_slugs(search_page(client, "5.7.1 s3150"))[0] == "5-7-1-s3150"


def test_a_pasted_line_with_an_exception_ranks_that_exceptions_entry_first(client):
    line = "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
    assert result_slugs(search_page(client, line))[0] == entry_of_exception(
        "RESOLVER.ADR.RecipientNotFound"
    )


# --- Ranges ---------------------------------------------------------------------


def test_a_code_inside_a_range_finds_its_range_entry_and_says_so(client):
    page = search_page(client, "5.7.720")
    assert result_slugs(page)[0] == "5-7-700"
    assert "5.7.720</code> is in the range 5.7.709\N{EN DASH}5.7.749 of" in page
    assert 'href="/codes/5-7-700/">5.7.700 Tenant Blocked from Sending' in page


def test_a_temporary_code_inside_a_range_finds_its_range_entry(client):
    page = search_page(client, "4.7.610")
    assert result_slugs(page)[0] == "4-7-500"
    assert "4.7.610</code> is in the range 4.7.501\N{EN DASH}4.7.649 of" in page


def test_a_code_an_entry_lists_finds_that_entry(client):
    page = search_page(client, "5.7.133")
    assert result_slugs(page)[0] == "5-7-12"
    assert "5.7.133</code> is covered by" in page


# --- Identifiers and rule ids ---------------------------------------------------


@pytest.mark.parametrize(
    ("query", "identifier"),
    [
        ("AccountDisabled", "STOREDRV.Deliver.Exception:AccountDisabledException"),
        ("accountdisabled", "STOREDRV.Deliver.Exception:AccountDisabledException"),
        ("RecipientNotFound", "RESOLVER.ADR.RecipientNotFound"),
        ("RESOLVER.ADR.RecipientNotFound", "RESOLVER.ADR.RecipientNotFound"),
        ("QuotaExceeded", "STOREDRV.Deliver.Exception:QuotaExceededException"),
    ],
)
def test_exception_identifiers_find_their_entries(client, query, identifier):
    page = search_page(client, query)
    assert result_slugs(page)[0] == entry_of_exception(identifier)
    assert f"The exception <code>{identifier}</code> is explained under" in page


def test_recipient_not_found_is_not_confused_with_recip_not_found(client):
    # RESOLVER.ADR.RecipNotFound (5.1.1) is another identifier with another entry.
    assert entry_of_exception("RESOLVER.ADR.RecipientNotFound") != entry_of_exception(
        "RESOLVER.ADR.RecipNotFound"
    )
    assert result_slugs(search_page(client, "RecipientNotFound"))[0] == "5-1-10"


@pytest.mark.parametrize(
    ("query", "pattern"),
    [("S3150", "S3150"), ("s3150", "S3150"), ("AS(7910)", "AS(7910)"), ("SC-001", "SC-001")],
)
def test_antispam_rule_ids_find_their_entries(client, query, pattern):
    page = search_page(client, query)
    assert result_slugs(page)[0] == entry_of_rule(pattern)
    assert "Anti-spam rule <code>" in page


def test_an_as_rule_the_table_does_not_list_finds_the_as_family_entry(client):
    # AS(2200) is not in fixtures/antispam.json: the "ASnnnn" family row answers for it.
    assert not AntispamRule.objects.filter(pattern__contains="2200").exists()
    family = AntispamRule.objects.get(pattern__startswith="ASnnnn (").entry_id
    for query in ("AS(2200)", "as(2200)", "AS2200"):
        page = search_page(client, query)
        assert result_slugs(page)[0] == family, query
        assert "is not in Microsoft's anti-spam rule table" in page


def test_a_variant_token_alone_finds_its_entry_first(client):
    assert result_slugs(search_page(client, "spamhaus"))[0] == "5-7-1-spamhaus"


def test_a_partial_identifier_shared_by_many_entries_lists_them_all_without_a_verdict(client):
    page = search_page(client, "RESOLVER")
    entries = set(
        ExceptionIdentifier.objects.filter(identifier__startswith="RESOLVER.").values_list(
            "entry", flat=True
        )
    )
    slugs = result_slugs(page)
    assert set(slugs[: len(entries)]) == entries
    assert 'class="resolved"' not in page


# --- Words ----------------------------------------------------------------------


@pytest.mark.parametrize("query", ["mailbox full", "MAILBOX FULL", "full mailbox"])
def test_words_search_titles_and_summaries_in_any_case(client, query):
    assert result_slugs(search_page(client, query))[0] == "5-2-2"


def test_a_word_from_the_example_bounce_finds_the_entry(client):
    assert "5-7-606" in result_slugs(search_page(client, "AS16012609"))


def test_the_start_of_a_code_lists_the_codes_that_start_so(client):
    slugs = result_slugs(search_page(client, "5.7"))
    assert slugs and "5-7-1" in slugs and "5-2-2" not in slugs
    statuses = ErrorCode.objects.filter(slug__in=slugs).values_list("status", "also_matches")
    assert all(status.startswith("5.7.") or "5.7." in also for status, also in statuses), (
        "every result has a 5.7.x code"
    )


def test_the_results_header_says_what_was_searched_and_how_many(client):
    page = search_page(client, "5.7.1")
    count = len(result_slugs(page))
    assert count > 1
    assert f"<strong>{count} results</strong> for <q" in page
    assert '<q class="searched">5.7.1</q>' in page
    assert 'class="area-nav"' not in page, "a search lists results, not areas"
    assert 'href="/#codes">Show all codes</a>' in page


def test_no_match_says_so_and_offers_the_decoder(client):
    page = search_page(client, "zzzz-nothing-like-it")
    assert result_slugs(page) == []
    assert "No code in the directory matches <strong>zzzz-nothing-like-it</strong>" in page
    assert 'href="/decode/"' in page


# --- Hostile input --------------------------------------------------------------


def test_nul_and_control_characters_in_the_query_are_harmless(client):
    page = search_page(client, "5.7\x00.1")
    assert "\x00" not in page
    assert result_slugs(page)[0] == "5-7-1"
    for query in ("\x00", "\x00\x01\x1b", "5.7.720\x00"):
        response = client.get("/", {"q": query})
        assert response.status_code == 200
        assert "\x00" not in text_of(response)
    assert result_slugs(search_page(client, "5.7.720\x00"))[0] == "5-7-700"


def test_a_pasted_line_with_line_breaks_reads_as_one_line(client):
    assert result_slugs(search_page(client, "550 5.7.1\r\nblocked using Spamhaus"))[0] == (
        "5-7-1-spamhaus"
    )


def test_html_in_the_query_is_escaped_everywhere_it_is_echoed(client):
    for query in ("<script>alert(1)</script>", '5.7.720 "><img src=x onerror=alert(1)>'):
        page = search_page(client, query)
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;" in page
    page = search_page(client, '5.7.720 "><b>x</b>')
    assert 'value="5.7.720 &quot;&gt;&lt;b&gt;x&lt;/b&gt;"' in page
    assert '<q class="searched">5.7.720 &quot;&gt;&lt;b&gt;x&lt;/b&gt;</q>' in page


def test_a_very_long_query_is_capped(client):
    page = search_page(client, "5.7.1 " + "x" * 5000)
    value = re.search(r'id="code-search" name="q" value="([^"]*)"', page).group(1)
    assert len(value) <= 300
    assert result_slugs(page)[0] == "5-7-1"


def test_a_search_is_never_cached(client):
    search_page(client, "5.7.1")
    assert not caching.LOCAL_PAGES
    client.get("/")
    assert caching.LOCAL_PAGES, "the directory itself is cached"
    cached_count = len(caching.LOCAL_PAGES)
    page = search_page(client, "5.7.720")
    assert result_slugs(page)[0] == "5-7-700", "a search is not answered from the cache"
    assert len(caching.LOCAL_PAGES) == cached_count


# --- Code addresses -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/codes/5.7.1/", "/codes/5-7-1/"),
        ("/codes/550-5.7.1/", "/codes/5-7-1/"),
        ("/codes/550-5-7-1/", "/codes/5-7-1/"),
        ("/codes/5-7-720/", "/codes/5-7-700/"),
        ("/codes/5.7.720/", "/codes/5-7-700/"),
        ("/codes/4.7.610/", "/codes/4-7-500/"),
        ("/codes/5.7.133/", "/codes/5-7-12/"),
        ("/codes/5.2.2/", "/codes/5-2-2/"),
        ("/codes/5-7-1-S3150/", "/codes/5-7-1-s3150/"),
    ],
)
def test_a_code_in_the_address_redirects_to_its_entry(client, path, target):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == target
    assert client.get(target).status_code == 200


def test_a_merged_entrys_old_address_still_redirects(client):
    response = client.get("/codes/5-7-133/")
    assert response.status_code == 301
    assert response["Location"] == "/codes/5-7-12/"


@pytest.mark.parametrize(
    "path",
    ["/codes/nope/", "/codes/not.a.code/", "/codes/9-9-99/", "/codes/5.9.999/", "/codes/5.7/"],
)
def test_an_address_that_names_no_entry_is_a_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in text_of(response)


@pytest.mark.parametrize(
    ("text", "code"),
    [("5.7.1", "5.7.1"), ("5-7-720", "5.7.720"), ("550-5.7.1", "5.7.1"), ("nope", None)],
)
def test_code_in_address(text, code):
    assert code_in_address(text) == code
