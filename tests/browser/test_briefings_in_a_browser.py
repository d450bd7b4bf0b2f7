"""A briefing printed to PDF by Chromium, on A4 and on Letter: the summary on one page, the
pledges after it, and nothing wider than the page."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser

from tests.browser.helpers import log_in, serious_violations
from tracker.models import Entity

pytestmark = pytest.mark.django_db(transaction=True)

# The width a page leaves for content, in CSS pixels (96 to the inch), inside the 15 mm
# margins of the print stylesheet.
PRINTABLE = {"A4": round((210 - 30) / 25.4 * 96), "Letter": round((8.5 * 25.4 - 30) / 25.4 * 96)}


@pytest.fixture
def seeded(db):
    """The seed statement and its sourced follow-up, as `make run` loads them."""
    call_command("load_seed", stdout=io.StringIO())
    return Entity.objects.get(name="Japan")


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_an_entity_briefing_prints_cleanly(browser: Browser, live_server, manager, seeded, paper):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 900})
    page = context.new_page()
    try:
        log_in(page, manager.username)
        page.goto(f"/entities/{seeded.pk}/briefing/")
        assert serious_violations(page) == []

        whole = page.pdf(format=paper, print_background=True)
        page.evaluate("document.querySelector('.briefing-pledges').remove()")
        summary = page.pdf(format=paper, print_background=True)
        assert pages(summary) == 1
        assert 2 <= pages(whole) <= 8

        # Laid out at the page's printable width, as print: nothing sticks out.
        page.reload()
        page.emulate_media(media="print")
        page.set_viewport_size({"width": PRINTABLE[paper], "height": 1000})
        sticking_out = page.evaluate(
            """() => [...document.querySelectorAll("main *")]
                .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > innerWidth + 1)
                .map((e) => e.tagName + " " + (e.textContent || "").slice(0, 40))"""
        )
        assert sticking_out == []
        assert page.evaluate("document.documentElement.scrollWidth") <= PRINTABLE[paper]
        # The menus and the forms are not printed; the dates and the sourced evidence are.
        assert not page.locator(".site-header").is_visible()
        assert not page.locator("main form").first.is_visible()
        text = page.locator("main").inner_text()
        assert "As of today, as known today (" in text
        assert "https://www.unodc.org/unodc/en/cybercrime/ad_hoc_committee/home" in text
    finally:
        context.close()
