"""Every page type as visitors see it: desktop and phone, light and dark.

Each page is checked with axe-core (no serious or critical violation), for
sideways scrolling at 390 px, and photographed into test-artifacts/pages/ to be
looked at. On a decoded bounce, the first fix step must be on the first screen
for every hand-written sample.
"""

import json
import re
from pathlib import Path

import pytest

from .conftest import AXE, ROOT, axe_violations

pytestmark = pytest.mark.browser

SAMPLES = ROOT / "tests" / "ndr" / "samples"
VIEWPORTS = {"desktop": (1366, 900), "phone": (390, 844)}
SCHEMES = ("light", "dark")


def paste(page, site_url: str, text: str) -> None:
    page.goto(site_url + "/decode/")
    page.locator("textarea").fill(text)
    page.get_by_role("button", name="Decode", exact=True).click()
    page.wait_for_load_state()


def open_page(page, site_url: str, kind: str) -> None:
    """Bring ``page`` to one page type of the site."""
    if kind == "directory":
        page.goto(site_url + "/")
    elif kind == "search":
        page.goto(site_url + "/?q=550+5.7.1")
    elif kind == "code":
        page.goto(site_url + "/codes/5-1-10/")
    elif kind == "decode-form":
        page.goto(site_url + "/decode/")
    elif kind == "decoded":
        paste(page, site_url, (SAMPLES / "ms-current-01.eml").read_text())
    elif kind == "decoded-many":
        paste(page, site_url, (SAMPLES / "postfix-multi-dsn.eml").read_text())
    elif kind == "why":
        paste(page, site_url, (SAMPLES / "headers" / "ms-classic-dmarc-unsigned.eml").read_text())
        page.locator(".why details").first.evaluate("e => { e.open = true; }")
    elif kind == "headers-paste":
        paste(page, site_url, (SAMPLES / "headers" / "paste-slow-gateway.txt").read_text())
        page.locator(".why details").first.evaluate("e => { e.open = true; }")
    elif kind == "not-a-bounce":
        paste(page, site_url, "Hello, see you at lunch on Friday?")
    elif kind == "not-found":
        page.goto(site_url + "/codes/9-9-999/")
    elif kind == "admin-login":
        page.goto(site_url + "/admin/login/")
    else:
        raise ValueError(kind)


PAGE_TYPES = [
    "directory", "search", "code", "decode-form", "decoded", "decoded-many", "why",
    "headers-paste", "not-a-bounce", "not-found", "admin-login",
]  # fmt: skip


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_every_page_type_is_accessible_fits_the_screen_and_is_photographed(
    browser, site_url, artifacts, kind, size, scheme
):
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `npm ci` in the project folder")
    width, height = VIEWPORTS[size]
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    try:
        open_page(page, site_url, kind)
        folder = artifacts / "pages"
        folder.mkdir(exist_ok=True)
        page.screenshot(path=folder / f"{kind}-{size}-{scheme}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{kind} scrolls sideways by {overflow} px at {width} px"
        violations = axe_violations(page)
        assert violations == [], json.dumps(violations, indent=1)
    finally:
        context.close()


def hand_written_samples() -> list[Path]:
    return sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix in (".eml", ".txt"))


@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_first_fix_step_is_on_the_first_screen_for_every_sample(browser, site_url, size):
    width, height = VIEWPORTS[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    late, wide, checked = [], [], 0
    try:
        for sample in hand_written_samples():
            text = sample.read_text(errors="replace")
            if len(text) > 200_000:
                continue
            paste(page, site_url, text)
            step = page.locator(".first-step").first
            if step.count():
                checked += 1
                top = step.evaluate("e => e.getBoundingClientRect().top")
                if top > height:
                    late.append(f"{sample.name}: {top:.0f} px")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                wide.append(f"{sample.name}: {overflow} px")
    finally:
        context.close()
    assert checked > 80
    assert late == [], f"first step below the first screen at {width}x{height}: {late}"
    assert wide == [], f"sideways scrolling at {width} px: {wide}"


def test_the_decode_button_is_on_a_phones_first_screen(browser, site_url):
    width, height = VIEWPORTS["phone"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(site_url + "/decode/")
    button = page.get_by_role("button", name="Decode", exact=True)
    box = button.bounding_box()
    assert box["y"] + box["height"] <= height
    context.close()


def test_copy_diagnosis_puts_the_plain_text_on_the_clipboard(browser, site_url):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    paste(page, site_url, (SAMPLES / "postfix-multi-dsn.eml").read_text())
    page.get_by_role("button", name="Copy diagnosis").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "To: alice@example.org" in copied and "First step" in copied
    assert re.search(r"Copied\.", page.locator(".copy-status").inner_text())
    page.get_by_role("button", name=re.compile("Copy the 1 address")).click()
    assert page.evaluate("navigator.clipboard.readText()").strip() == "alice@example.org"
    context.close()


def test_a_paste_too_large_to_send_is_stopped_in_the_browser_and_kept(browser, site_url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(site_url + "/decode/")
    limit = int(page.locator("form#decode-form").get_attribute("data-read-max-bytes"))
    text = "550 5.1.1 unknown user\n" * (limit // 20)
    page.locator("textarea").evaluate("(e, t) => { e.value = t; }", text)
    page.get_by_role("button", name="Decode", exact=True).click()
    assert page.url.endswith("/decode/")
    assert "the decoder reads bounces of up to" in page.locator("#form-errors").inner_text()
    assert page.locator("textarea").evaluate("e => e.value.length") == len(text)
    context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_route_picture_is_legible_in_both_schemes(browser, site_url, artifacts, size, scheme):
    width, height = VIEWPORTS[size]
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    paste(page, site_url, (SAMPLES / "headers" / "paste-slow-gateway.txt").read_text())
    chart = page.locator("svg.route-chart")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box["width"] <= width
    # The host names are drawn in the page's text colour, which follows the scheme.
    fill = chart.locator("text").first.evaluate("e => getComputedStyle(e).fill")
    color = page.evaluate("getComputedStyle(document.body).color")
    assert fill == color
    size_px = chart.locator("text").first.evaluate("e => e.getBoundingClientRect().height")
    assert size_px >= 11  # readable on a phone
    page.locator(".why").screenshot(path=artifacts / "pages" / f"why-route-{size}-{scheme}.png")
    context.close()
