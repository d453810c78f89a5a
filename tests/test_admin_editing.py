"""Editing the directory in the admin: previews, the shipped text, revert, review."""

import datetime
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.forms.models import model_to_dict
from django.utils import timezone

from errorcodes.markup import render_markdown
from errorcodes.models import Component, ErrorCode, FaqEntry
from errorcodes.sync import sync_directory
from errorcodes.textdiff import diff_lines

pytestmark = pytest.mark.django_db

HOSTILE = (
    "### Steps\n\n1. Click [here](javascript:alert(1)) or [there](https://sender.office.com/)\n"
    "2. <script>alert('x')</script> then <img src=x onerror=alert(2)>\n\n"
    '<a href="javascript:alert(3)">plain html link</a> and `code`'
)
CODE_URL = "/admin/errorcodes/errorcode/{}/change/"


def form_data(row, **changes) -> dict:
    """What the change form posts for ``row`` unchanged, with ``changes`` applied."""
    data = {}
    for name, value in {**model_to_dict(row), **changes}.items():
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


def post_code(client, code, **changes):
    return client.post(CODE_URL.format(code.pk), form_data(code, **changes))


def preview_box(page: str, field: str) -> str:
    """The inner HTML of a field's preview on an admin page."""
    start = page.index(f'id="id_{field}-preview">') + len(f'id="id_{field}-preview">')
    return page[start : page.index("</div></div>", start)]


def result_rows(page: str) -> list[str]:
    """The rows of a change list's results table."""
    table = page[page.index('<table id="result_list">') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)


def test_a_diff_marks_the_changed_words_of_similar_lines_and_whole_lines_otherwise():
    lines = diff_lines(
        "One\nSend it to the sender's admin now\nTwo",
        "One\nSend it to the recipient's admin now\nTwo\nThree",
    )
    marked = [
        (line.kind, [(p.kind, p.text) for p in line.pieces if p.kind != "same"]) for line in lines
    ]
    assert marked == [
        ("same", []),
        ("removed", [("removed", "sender's")]),
        ("added", [("added", "recipient's")]),
        ("same", []),
        ("added", [("added", "Three")]),
    ]
    apart = diff_lines("Wrong title", "Recipient not found")
    assert [(line.kind, line.pieces[0].kind) for line in apart] == [
        ("removed", "removed"),
        ("added", "added"),
    ]
    far = diff_lines(
        "\n".join(f"line {n}" for n in range(20)),
        "\n".join(f"line {n}" for n in range(19)) + "\nend",
    )
    assert [line.kind for line in far] == ["same", "same", "removed", "added"]


# Preview


def test_the_live_preview_renders_as_the_public_page_does_even_hostile_markdown(admin_client):
    response = admin_client.post("/admin/errorcodes/errorcode/preview/", {"text": HOSTILE})
    html = response.json()["html"]
    assert html == render_markdown(HOSTILE)
    assert "javascript:" not in html and "<script" not in html and "onerror" not in html
    assert '<a href="https://sender.office.com/" rel="noopener noreferrer">there</a>' in html
    # Saved, the public page shows exactly this rendering.
    code = ErrorCode.objects.get(slug="5-7-13")
    assert post_code(admin_client, code, fix_md=HOSTILE).status_code == 302
    public = admin_client.get(code.get_absolute_url()).content.decode()
    assert html in public


def test_every_markdown_model_has_a_live_preview_address(admin_client):
    for model in ("component", "faqentry", "provider", "errorcode"):
        response = admin_client.post(f"/admin/errorcodes/{model}/preview/", {"text": "**bold**"})
        assert response.json() == {"html": "<p><strong>bold</strong></p>"}, model


def test_the_preview_address_needs_a_post_a_staff_user_and_a_sane_size(admin_client, client):
    assert admin_client.get("/admin/errorcodes/errorcode/preview/").status_code == 405
    refused = admin_client.post("/admin/errorcodes/errorcode/preview/", {"text": "x" * 200_001})
    assert refused.status_code == 413 and "Too long" in refused.json()["error"]
    anonymous = client.post("/admin/errorcodes/errorcode/preview/", {"text": "x"})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_the_change_form_shows_each_markdown_field_rendered(admin_client):
    faq = FaqEntry.objects.first()
    page = admin_client.get(f"/admin/errorcodes/faqentry/{faq.pk}/change/").content.decode()
    assert preview_box(page, "answer_md") == faq.answer_html
    assert 'data-preview-url="/admin/errorcodes/faqentry/preview/"' in page
    assert "js/markdown-preview.js" in page
    assert 'name="_preview" value="Preview"' in page


def test_the_preview_button_shows_the_typed_text_and_saves_nothing(admin_client):
    code = ErrorCode.objects.get(slug="5-7-13")
    before = code.fix_md
    response = admin_client.post(
        CODE_URL.format(code.pk), {**form_data(code, fix_md=HOSTILE), "_preview": "Preview"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Preview only: nothing has been saved." in page
    assert preview_box(page, "fix_md") == render_markdown(HOSTILE)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page  # the box keeps it, escaped
    assert "<script>alert('x')</script>" not in page
    assert "Please correct the error" not in page
    code.refresh_from_db()
    assert code.fix_md == before
    assert not LogEntry.objects.filter(object_id=code.pk).exists()


def test_the_preview_button_still_reports_errors(admin_client):
    code = ErrorCode.objects.get(slug="5-7-13")
    data = {**form_data(code, title=""), "_preview": "Preview"}
    page = admin_client.post(CODE_URL.format(code.pk), data).content.decode()
    assert "This field is required." in page


# Shipped vs edited


def test_the_change_list_tells_edited_rows_and_filters_them(admin_client):
    code = ErrorCode.objects.get(slug="5-1-10")
    assert post_code(admin_client, code, title="Recipient not found (our words)").status_code == 302
    listing = admin_client.get("/admin/errorcodes/errorcode/").content.decode()
    assert "Edited here" in listing and "As shipped" in listing
    edited = admin_client.get("/admin/errorcodes/errorcode/?content=edited").content.decode()
    assert "Recipient not found (our words)" in edited
    assert len(result_rows(edited)) == 1
    shipped = admin_client.get("/admin/errorcodes/errorcode/?content=shipped").content.decode()
    assert "our words" not in shipped and "5.7.13" in shipped


def test_the_change_form_shows_the_difference_from_the_shipped_text(admin_client):
    code = ErrorCode.objects.get(slug="5-1-10")
    fix = code.fix_md.replace("\n", "\nAsk the helpdesk first.\n", 1)
    post_code(admin_client, code, fix_md=fix, title=f"{code.title} (our words)")
    page = admin_client.get(CODE_URL.format(code.pk)).content.decode()
    assert "This entry differs from the shipped text in 2 fields" in page
    assert '<li class="diff-added"><span class="diff-sign" aria-hidden="true">+</span>' in page
    assert "Ask the helpdesk first." in page
    assert "<ins> (our words)</ins>" in page
    untouched = admin_client.get(CODE_URL.format("5-7-13")).content.decode()
    assert "differs from the shipped text" not in untouched


def test_a_releases_new_text_for_an_edited_row_is_kept_beside_it(admin_client, tmp_path):
    import json
    import shutil

    from django.conf import settings

    code = ErrorCode.objects.get(slug="5-1-10")
    post_code(admin_client, code, title="Recipient not found (our words)")
    release = tmp_path / "fixtures"
    shutil.copytree(settings.DIRECTORY_FIXTURES_DIR, release)
    for path in release.glob("*.json"):
        rows = json.loads(path.read_text())
        for row in rows:
            if row["model"] == "errorcodes.errorcode" and row["pk"] == "5-1-10":
                row["fields"]["title"] = "Recipient address not found (new release)"
                path.write_text(json.dumps(rows))
    report = sync_directory(release)
    assert "errorcode 5-1-10" in report.waiting
    code.refresh_from_db()
    assert code.title == "Recipient not found (our words)"
    assert code.release_content["title"] == "Recipient address not found (new release)"
    waiting = admin_client.get("/admin/errorcodes/errorcode/?content=waiting").content.decode()
    assert "new shipped text waiting" in waiting and "(our words)" in waiting
    page = admin_client.get(CODE_URL.format(code.pk)).content.decode()
    assert "A newer release ships different text for this entry" in page
    assert "<del>Recipient Not Found</del>" in page  # little in common: the whole line
    assert "<ins>Recipient address not found (new release)</ins>" in page
    # Merged by hand: the release's text becomes what the row is compared with.
    data = {**form_data(code, title="Recipient address not found (ours)"), "_release_merged": "1"}
    assert admin_client.post(CODE_URL.format(code.pk), data).status_code == 302
    code.refresh_from_db()
    assert code.release_content == {}
    assert code.shipped_content["title"] == "Recipient address not found (new release)"
    assert code.shipped_state() == "edited"


# Revert


def test_revert_asks_first_then_restores_the_shipped_text_and_the_public_page(admin_client):
    code = ErrorCode.objects.get(slug="5-1-10")
    shipped_title, shipped_fix = code.title, code.fix_md
    public = code.get_absolute_url()
    post_code(admin_client, code, title="Wrong title", fix_md="1. Wrong fix", related=[])
    assert "Wrong fix" in admin_client.get(public).content.decode()  # cached now
    action = {"action": "revert_to_shipped", "_selected_action": [code.pk, "5-7-13"]}
    confirm = admin_client.post("/admin/errorcodes/errorcode/", action)
    page = confirm.content.decode()
    assert confirm.status_code == 200 and "Revert to shipped content?" in page
    assert "<del>Wrong title</del>" in page
    assert "1 selected already matches the shipped text." in page
    ErrorCode.objects.get(slug="5-1-10")  # nothing changed yet
    assert ErrorCode.objects.get(slug="5-1-10").title == "Wrong title"

    done = admin_client.post("/admin/errorcodes/errorcode/", {**action, "post": "yes"})
    assert done.status_code == 302
    code.refresh_from_db()
    assert (code.title, code.fix_md) == (shipped_title, shipped_fix)
    assert code.related.exists()
    assert code.shipped_state() == "shipped"
    entry = LogEntry.objects.filter(object_id=code.pk).latest("action_time")
    assert "Reverted to the shipped content" in entry.get_change_message()
    page = admin_client.get(public).content.decode()
    assert "Wrong fix" not in page and shipped_title in page


def test_revert_leaves_rows_added_here_alone(admin_client):
    component = Component.objects.create(name="HOUSE", summary="Our own component")
    action = {"action": "revert_to_shipped", "_selected_action": [component.pk], "post": "yes"}
    response = admin_client.post("/admin/errorcodes/component/", action, follow=True)
    assert (
        "1 component added here, with no shipped text to go back to: left unchanged."
        in response.content.decode()
    )
    assert Component.objects.get(name="HOUSE").summary == "Our own component"


# Review queue


def test_due_for_review_on_both_sides_of_the_threshold(admin_client, settings):
    settings.DIRECTORY_REVIEW_DAYS = 180
    today = timezone.localdate()
    ErrorCode.objects.update(checked_on=today)
    ErrorCode.objects.filter(slug="5-1-10").update(checked_on=today - datetime.timedelta(days=181))
    ErrorCode.objects.filter(slug="5-7-13").update(checked_on=today - datetime.timedelta(days=180))
    ErrorCode.objects.filter(slug="5-2-3").update(checked_on=None)
    due = admin_client.get("/admin/errorcodes/errorcode/?review=due").content.decode()
    rows = result_rows(due)
    assert len(rows) == 2
    assert "5.2.3" in rows[0] and "5.1.10" in rows[1]  # never checked first, then the oldest
    recent = admin_client.get("/admin/errorcodes/errorcode/?review=recent").content.decode()
    assert "5.7.13" in recent and "5.1.10" not in recent
    dashboard = admin_client.get("/admin/").content.decode()
    assert "2 error codes due for review" in dashboard and "(1 never checked)" in dashboard
    assert "/admin/errorcodes/errorcode/?review=due" in dashboard
    settings.DIRECTORY_REVIEW_DAYS = 30
    ErrorCode.objects.filter(slug="5-7-13").update(checked_on=today - datetime.timedelta(days=31))
    assert "3 error codes due for review" in admin_client.get("/admin/").content.decode()


def test_mark_as_checked_today_sets_the_date_and_is_no_content_edit(admin_client):
    code = ErrorCode.objects.get(slug="5-7-13")
    ErrorCode.objects.filter(pk=code.pk).update(checked_on=datetime.date(2025, 1, 2))
    code.refresh_from_db()
    assert post_code(admin_client, code, mark_checked="on").status_code == 302
    code.refresh_from_db()
    assert code.checked_on == timezone.localdate()
    assert code.shipped_state() == "shipped"  # a release can still update it
    entry = LogEntry.objects.filter(object_id=code.pk).latest("action_time")
    assert "Mark as checked today" in entry.get_change_message()


# Try it, permissions


def test_the_change_form_links_the_decode_page_with_the_example_and_the_public_page(
    admin_client,
):
    code = ErrorCode.objects.get(slug="5-7-13")
    page = admin_client.get(CODE_URL.format(code.pk)).content.decode()
    assert '<a href="/decode/?example=5-7-13"' in page
    assert f'<a href="{code.get_absolute_url()}"' in page
    decode = admin_client.get("/decode/?example=5-7-13").content.decode()
    assert code.example_bounce.splitlines()[0][:30] in decode


def test_a_directory_editor_can_edit_entries_but_not_users(client):
    editor = User.objects.create_user("editor", password="a long enough pass phrase", is_staff=True)
    editor.groups.add(Group.objects.get(name="Directory editors"))
    client.force_login(editor)
    code = ErrorCode.objects.get(slug="5-7-13")
    assert client.get(CODE_URL.format(code.pk)).status_code == 200
    assert post_code(client, code, title="Edited by an editor").status_code == 302
    assert ErrorCode.objects.get(slug="5-7-13").title == "Edited by an editor"
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    assert "Directory review" in client.get("/admin/").content.decode()


def test_saving_a_form_unchanged_from_a_browser_is_no_edit(admin_client):
    code = ErrorCode.objects.get(slug="5-1-10")
    # A browser sends a textarea's lines with CRLF.
    crlf = {
        name: getattr(code, name).replace("\n", "\r\n") for name in ("explanation_md", "fix_md")
    }
    assert post_code(admin_client, code, **crlf).status_code == 302
    code.refresh_from_db()
    assert "\r" not in code.fix_md
    assert code.shipped_state() == "shipped"


def test_previewing_a_new_entry_creates_nothing(admin_client):
    data = {"slug": "house-rules", "question": "House rules?", "answer_md": "**Ask us**"}
    page = admin_client.post(
        "/admin/errorcodes/faqentry/add/", {**data, "order": 1, "_preview": "Preview"}
    ).content.decode()
    assert "Preview only: nothing has been saved." in page
    assert preview_box(page, "answer_md") == "<p><strong>Ask us</strong></p>"
    assert not FaqEntry.objects.filter(slug="house-rules").exists()
