"""The decoder as a person uses it, in Chromium: paste, upload, keyboard, no JavaScript."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SAMPLES = Path(__file__).resolve().parents[1] / "ndr" / "samples"


def test_paste_and_decode(page, site_url, artifacts):
    page.goto(site_url + "/decode/")
    page.get_by_label("Bounce message or SMTP error line").fill(
        (SAMPLES / "ms-current-01.eml").read_text()
    )
    page.get_by_role("button", name="Decode").click()
    report = page.locator("#report")
    assert "Microsoft 365 (Exchange Online)" in report.inner_text()
    assert "bob@contoso.com" in report.inner_text()
    # With JavaScript on, focus moves to the diagnosis for screen reader and keyboard users.
    assert page.evaluate("document.activeElement.id") == "report"
    page.locator("details.technical").last.locator("summary").click()
    assert page.get_by_role("table").is_visible()
    page.screenshot(path=artifacts / "decoded-microsoft-current.png", full_page=True)


def test_upload_a_saved_bounce(page, site_url):
    page.goto(site_url + "/decode/")
    page.get_by_label("Or upload a saved bounce").set_input_files(SAMPLES / "postfix-multi-dsn.eml")
    page.get_by_role("button", name="Decode").click()
    assert page.locator("article.recipient").count() == 2


def test_drop_a_file_onto_the_form(page, site_url):
    page.goto(site_url + "/decode/")
    data = (SAMPLES / "ms-classic-01.eml").read_text()
    page.evaluate(
        """(text) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], "bounce.eml", {type: "message/rfc822"}));
            const form = document.querySelector("[data-dropzone]");
            form.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
        }""",
        data,
    )
    assert page.evaluate("document.querySelector('input[type=file]').files[0].name") == "bounce.eml"
    page.get_by_role("button", name="Decode").click()
    assert "jane.doe@contoso.com" in page.locator("#report").inner_text()


def test_keyboard_only(page, site_url):
    page.goto(site_url + "/decode/")
    textarea = page.get_by_label("Bounce message or SMTP error line")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "TEXTAREA":
            break
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    page.keyboard.insert_text("550 5.7.606 Access denied, banned sending IP [198.51.100.23]")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#report")
    assert "5.7.606" in page.locator("#report").inner_text()
    assert textarea.count() == 1


def test_works_with_javascript_disabled(browser, site_url, artifacts):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "/decode/")
    page.get_by_label("Bounce message or SMTP error line").fill(
        (SAMPLES / "ms-classic-01.eml").read_text()
    )
    page.get_by_role("button", name="Decode").click()
    assert "jane.doe@contoso.com" in page.locator("#report").inner_text()
    page.screenshot(path=artifacts / "decoded-no-javascript.png", full_page=True)
    context.close()


def test_empty_submit_shows_the_error_next_to_the_form(page, site_url):
    page.goto(site_url + "/decode/")
    page.get_by_role("button", name="Decode").click()
    assert "Paste a bounce message" in page.get_by_role("alert").inner_text()


@pytest.mark.parametrize(("width", "height", "name"), [(1366, 900, "desktop"), (390, 844, "phone")])
def test_a_pasted_report_shows_the_words_its_verdict_rests_on(
    browser, site_url, artifacts, width, height, name
):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(site_url + "/decode/")
    pasted = (SAMPLES / "text" / "exim-rewrapped-quoted.txt").read_text()
    page.get_by_label("Bounce message or SMTP error line").fill(pasted)
    page.get_by_role("button", name="Decode").click()
    marks = page.locator("#report .evidence mark")
    assert marks.count() >= 1
    assert marks.first.is_visible()
    assert "Do this first" in page.locator("#report .answer").first.inner_text()
    page.screenshot(path=artifacts / f"decoded-pasted-text-{name}.png", full_page=True)
    page.locator("#report article.recipient").first.screenshot(
        path=artifacts / f"decoded-pasted-text-{name}-card.png"
    )
    context.close()
