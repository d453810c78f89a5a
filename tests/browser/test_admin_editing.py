"""The directory's admin in the browser: live preview, the no-script Preview
button, the difference from the shipped text, the revert confirmation and the
review queue on the dashboard. Screenshots go to test-artifacts/admin/."""

import json

import pytest

from .conftest import axe_violations, launched_chromium, running_site

pytestmark = pytest.mark.browser

PASSWORD = "browser tests only, not a real one"
CODE = "/admin/errorcodes/errorcode/5-1-10/change/"


@pytest.fixture(scope="module")
def admin_site(tmp_path_factory):
    with running_site(tmp_path_factory.mktemp("admin-site")) as site:
        site.manage(
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            f"User.objects.create_superuser('editor', 'editor@example.com', '{PASSWORD}')",
        )
        yield site


@pytest.fixture(scope="module")
def chromium():
    with launched_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def shots(artifacts):
    folder = artifacts / "admin"
    folder.mkdir(exist_ok=True)
    return folder


def signed_in(chromium, site, scheme="light", scripts=True, width=1366):
    context = chromium.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, java_script_enabled=scripts
    )
    page = context.new_page()
    page.goto(site.url + "/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(site.url + "/admin/")
    return context, page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_preview_follows_the_typing_and_runs_nothing(chromium, admin_site, shots, scheme):
    context, page = signed_in(chromium, admin_site, scheme)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: errors.append(f"dialog: {d.message}") or d.dismiss())
    try:
        page.goto(admin_site.url + CODE)
        box = page.locator("#id_fix_md")
        preview = page.locator("#id_fix_md-preview")
        assert preview.locator("ol li").count() >= 3  # drawn by the server at first
        box.fill(
            "### If you sent the message\n\n1. Check the **address** with the recipient\n"
            "2. <script>alert('x')</script><img src=x onerror=alert(1)>"
            "[a link](javascript:alert(2))\n"
        )
        preview.locator("strong", has_text="address").wait_for(timeout=5000)
        assert preview.locator("h3").inner_text() == "If you sent the message"
        assert preview.locator("script, img, [href^=javascript]").count() == 0
        assert errors == []  # nothing ran, and the CSP let the script and its request through
        page.locator(".field-fix_md").scroll_into_view_if_needed()
        page.locator(".field-fix_md").screenshot(path=shots / f"preview-live-{scheme}.png")
    finally:
        context.close()


def test_without_scripts_the_preview_button_shows_the_rendering_and_saves_nothing(
    chromium, admin_site, shots
):
    context, page = signed_in(chromium, admin_site, scripts=False)
    try:
        page.goto(admin_site.url + CODE)
        page.fill("#id_title", "Title typed but not saved")
        page.fill("#id_fix_md", "1. Only **previewed**, never saved")
        page.click("input[name=_preview]")
        assert "Preview only: nothing has been saved." in page.inner_text(".preview-notice")
        assert page.inner_text("#id_fix_md-preview strong") == "previewed"
        assert page.input_value("#id_title") == "Title typed but not saved"
        # Only what was typed differs (the browser's CRLF line ends are no change).
        summary = page.inner_text(".shipped-summary")
        assert "in 2 fields: Title, Fix steps (Markdown)" in summary
        page.screenshot(path=shots / "preview-button-nojs.png")
        page.goto(admin_site.url + CODE)
        assert page.input_value("#id_title") != "Title typed but not saved"
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_edit_shows_its_difference_then_reverts(chromium, admin_site, shots, scheme):
    context, page = signed_in(chromium, admin_site, scheme)
    try:
        page.goto(admin_site.url + CODE)
        shipped_title = page.input_value("#id_title")
        fix = page.input_value("#id_fix_md")
        page.fill("#id_title", shipped_title + " (house style)")
        page.fill("#id_fix_md", fix.replace("\n", "\nCall the service desk on 1234 first.\n", 1))
        page.click("input[name=_continue]")
        page.locator(".shipped-summary").wait_for()
        assert "differs from the shipped text in 2 fields" in page.inner_text(".shipped-summary")
        diff = page.locator("section.shipped-box")
        added = diff.locator("#diff-fix_md .diff-added").first.inner_text()
        assert "Call the service desk on 1234 first." in added
        diff.scroll_into_view_if_needed()
        diff.screenshot(path=shots / f"diff-{scheme}.png")
        # The parts this project adds to Django's admin.
        ours = [".shipped-summary", "section.shipped-box", ".markdown-editor", ".preview-row"]
        violations = axe_violations(page, ours)
        assert violations == [], json.dumps(violations, indent=1)
        page.screenshot(path=shots / f"change-form-{scheme}.png", full_page=True)

        page.goto(admin_site.url + "/admin/errorcodes/errorcode/?content=edited")
        assert page.locator("#result_list tbody tr").count() == 1
        page.screenshot(path=shots / f"change-list-edited-{scheme}.png")
        page.check("#result_list tbody input.action-select")
        page.select_option("select[name=action]", "revert_to_shipped")
        page.click("button[name=index]")
        assert "Revert to shipped content?" in page.inner_text("#content")
        page.screenshot(path=shots / f"revert-confirmation-{scheme}.png", full_page=True)
        page.click("input[value^='Yes, revert']")
        assert "Reverted 1 error code to the shipped content." in page.inner_text(".messagelist")
        page.goto(admin_site.url + CODE)
        assert page.input_value("#id_title") == shipped_title
        assert page.locator(".shipped-summary").count() == 0
    finally:
        context.close()


def test_the_dashboard_counts_the_entries_due_for_review(chromium, admin_site, shots):
    admin_site.manage(
        "shell",
        "-c",
        "from errorcodes.models import ErrorCode; "
        "ErrorCode.objects.filter(slug__in=['5-1-10', '5-7-13']).update(checked_on=None)",
    )
    context, page = signed_in(chromium, admin_site)
    try:
        queue = page.locator(".review-queue")
        assert "due for review" in queue.inner_text() and "(2 never checked)" in queue.inner_text()
        page.screenshot(path=shots / "dashboard.png")
        queue.locator("a").click()
        first = page.locator("#result_list tbody tr").first.inner_text()
        assert "5.1.10" in first or "5.7.13" in first  # never checked: first in the queue
        page.screenshot(path=shots / "review-queue.png")
    finally:
        context.close()
