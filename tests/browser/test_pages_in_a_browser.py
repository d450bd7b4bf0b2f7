"""Every page in a real browser: accessible (axe-core), usable by keyboard and on a phone."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in, serious_violations
from tests.factories import evidence_on, make_pledge, make_statement, retract, update_on
from tests.test_long_history import ENTRIES, with_long_history
from tracker.vocabulary import SourceType, Status

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def pledge_with_history(judges_pledge, analyst):
    pledge = judges_pledge
    evidence = evidence_on(
        pledge,
        analyst,
        title="IIJ course report",
        publisher="IIJ Malta",
        source_type=SourceType.PARTNER,
        excerpt="Judges from the region attended.",
    )
    first = update_on(pledge, analyst, Status.IN_PROGRESS, rationale="Invitations sent.")
    update_on(pledge, analyst, Status.FULFILLED, rationale="The course took place.", evidence=[evidence])
    retract(first, analyst, reason="Wrong date.")
    return pledge


def test_the_login_page_has_no_serious_accessibility_violation(page: Page):
    page.goto("/accounts/login/")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    assert serious_violations(page) == []


def test_the_pledge_list_has_no_serious_accessibility_violation(page: Page, analyst, seed):
    log_in(page, analyst.username)
    expect(page.get_by_role("row")).to_have_count(9)
    assert serious_violations(page) == []


def test_the_pledge_page_has_no_serious_accessibility_violation(page: Page, analyst, pledge_with_history):
    log_in(page, analyst.username)
    page.goto(pledge_with_history.get_absolute_url())
    expect(page.locator("#quote")).to_have_text(pledge_with_history.quote)
    expect(page.locator(".timeline-entry--retracted")).to_contain_text("Wrong date.")
    assert serious_violations(page) == []


def test_the_statement_text_opens_on_the_highlighted_quote(page: Page, analyst, seed):
    pledge = seed.pledges.order_by("-number").first()  # the last words of the statement
    log_in(page, analyst.username)
    page.goto(pledge.get_absolute_url())
    visible = page.evaluate(
        """() => {
            const box = document.querySelector(".statement-text").getBoundingClientRect();
            const quote = document.getElementById("quote").getBoundingClientRect();
            return quote.top >= box.top && quote.bottom <= box.bottom;
        }"""
    )
    assert visible, "the quote is scrolled into view inside the statement text"


def test_an_analyst_logs_in_and_opens_a_pledge_from_the_list(page: Page, analyst, seed):
    log_in(page, analyst.username)
    pledge = seed.pledges.get(quote__contains="17 million")
    page.get_by_role("link", name=pledge.summary).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(pledge.summary)
    expect(page.locator("#current-status")).to_contain_text("Not assessed")


def test_the_skip_link_is_the_first_stop_for_the_keyboard_and_shows_its_focus(page: Page, analyst, seed):
    log_in(page, analyst.username)
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to content")
    assert focused.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


@pytest.mark.parametrize("path", ["/pledges/", "pledge"])
def test_pages_fit_a_phone_screen_without_sideways_scrolling(browser, live_server, analyst, seed, path):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    try:
        log_in(page, analyst.username)
        page.goto(seed.pledges.first().get_absolute_url() if path == "pledge" else path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        assert serious_violations(page) == []
    finally:
        context.close()


def test_earlier_entries_of_a_long_history_unfold_in_place(page: Page, analyst):
    pledge = with_long_history(make_pledge(make_statement(), 1), analyst)
    log_in(page, analyst.username)
    page.goto(pledge.get_absolute_url())
    page.evaluate("window.samePage = true")
    expect(page.locator("#timeline .timeline-entry")).to_have_count(20)

    page.get_by_role("link", name=f"Show {ENTRIES - 20} earlier entries").click()

    expect(page.locator("#timeline .timeline-entry")).to_have_count(ENTRIES)
    assert page.evaluate("window.samePage") is True
