"""The directory and a code page, as a visitor sees them in Chromium."""

import pytest

pytestmark = pytest.mark.browser


def test_directory_reads_well_on_desktop_and_phone(page, site_url, artifacts):
    page.goto(site_url + "/")
    assert page.locator("h1").inner_text() == "Microsoft 365 / Outlook SMTP Error Code Directory"
    cards = page.locator(".code-card")
    assert cards.count() >= 14
    # The stylesheet is served (hashed name, by WhiteNoise) and applied.
    assert (
        page.locator(".code-card").first.evaluate("e => getComputedStyle(e).borderStyle") == "solid"
    )
    page.screenshot(path=artifacts / "directory-desktop.png", full_page=True)

    page.set_viewport_size({"width": 375, "height": 800})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the page scrolls sideways on a phone"
    page.screenshot(path=artifacts / "directory-phone.png")


def test_code_page_follows_from_the_directory_link(page, site_url, artifacts):
    page.goto(site_url + "/")
    page.get_by_role(
        "link",
        name="Full explanation & fix for 5.7.13 Public Folder Rejects Unauthenticated Sender",
    ).click()
    assert page.url.endswith("/codes/5-7-13/")
    assert "5.7.13 Public Folder Rejects Unauthenticated Sender" in page.locator("h1").inner_text()
    assert page.get_by_role("heading", name="How to fix it").is_visible()
    assert page.locator("#fix + .prose ol li").count() >= 2
    page.screenshot(path=artifacts / "code-5-7-13.png", full_page=True)


def test_dark_mode_follows_the_system_setting(browser, site_url, artifacts):
    context = browser.new_context(color_scheme="dark", viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(site_url + "/codes/4-4-7/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(13, 17, 23)"
    page.screenshot(path=artifacts / "code-4-4-7-dark.png", full_page=True)
    context.close()


def test_keyboard_users_can_skip_to_the_content(page, site_url):
    page.goto(site_url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_unknown_code_shows_the_sites_404_page(page, site_url):
    response = page.goto(site_url + "/codes/5-9-999/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
