import pytest

from errorcodes.markup import render_markdown
from errorcodes.models import ErrorCode


def test_markdown_renders_lists_code_and_links():
    html = render_markdown(
        "1. Open **Mail flow**\n2. Run `Get-Mailbox`\n\n[docs](https://learn.microsoft.com/)"
    )
    assert "<ol>" in html
    assert "<strong>Mail flow</strong>" in html
    assert "<code>Get-Mailbox</code>" in html
    assert 'href="https://learn.microsoft.com/"' in html
    assert 'rel="noopener noreferrer"' in html


def test_a_list_right_under_a_paragraph_is_still_a_list():
    html = render_markdown("Other codes are:\n- `5.7.606` banned IP\n- `5.7.511` banned sender")
    assert "<p>Other codes are:</p>" in html
    assert html.count("<li>") == 2


def test_code_blocks_are_left_as_they_are():
    html = render_markdown("```\nline\n- not a list\n```")
    assert "- not a list" in html
    assert "<li>" not in html


@pytest.mark.parametrize(
    "source, forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="#" onclick="steal()">x</a>', "onclick"),
        ("<iframe src='https://evil.example'></iframe>", "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
    ],
)
def test_markdown_drops_anything_that_could_run(source, forbidden):
    assert forbidden not in render_markdown(source).lower()


@pytest.mark.django_db
def test_admin_typed_script_never_reaches_the_code_page(client):
    code = ErrorCode.objects.get(slug="5-7-13")
    code.fix_md = "1. Re-enable the account\n\n<script>alert('admin')</script>"
    code.save()
    page = client.get(code.get_absolute_url()).content.decode()
    assert "Re-enable the account" in page
    assert "<script>alert('admin')</script>" not in page
    assert "<script" not in page


def test_bare_https_addresses_become_links_and_plain_http_does_not():
    html = render_markdown(
        "Go to https://sender.office.com/ and confirm (see https://learn.microsoft.com/x).\n\n"
        "Not `https://in.code.example` nor http://plain.example/"
    )
    assert '<a href="https://sender.office.com/" rel="noopener noreferrer">' in html
    assert '<a href="https://learn.microsoft.com/x" rel="noopener noreferrer">' in html
    assert "<code>https://in.code.example</code>" in html
    assert 'href="http://plain.example/' not in html
    assert 'href="http://' not in render_markdown("[old](http://insecure.example/)")
