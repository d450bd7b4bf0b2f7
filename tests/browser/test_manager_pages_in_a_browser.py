"""A manager in a real browser: live filters that live in the address, the dashboard's
chart against its table, and the accessibility of the managers' pages."""

import datetime
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import log_in, serious_violations
from tests.factories import evidence_on, update_on
from tracker.models import Entity, Speaker
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def judged_seed(seed, analyst):
    """The seed, with some pledges judged: two in progress, one fulfilled."""
    pledges = {pledge.number: pledge for pledge in seed.pledges.all()}
    update_on(pledges[1], analyst, Status.IN_PROGRESS, effective_on=datetime.date(2024, 1, 15))
    update_on(pledges[3], analyst, Status.IN_PROGRESS, effective_on=datetime.date(2024, 3, 1))
    evidence = evidence_on(pledges[4], analyst, title="Course report")
    update_on(
        pledges[4],
        analyst,
        Status.FULFILLED,
        effective_on=datetime.date(2024, 2, 28),
        rationale="Held.",
        evidence=[evidence],
    )
    return seed


def rows(page: Page) -> list[str]:
    return page.locator("#results tbody tr td.col--pledge").all_inner_texts()


def test_a_manager_filters_the_list_and_the_address_keeps_the_query(page: Page, manager, judged_seed):
    log_in(page, manager.username)
    page.goto("/pledges/")
    page.evaluate("window.samePage = true")
    expect(page.locator("#results tbody tr")).to_have_count(8)

    page.get_by_label("In progress").check()
    expect(page.locator("#results tbody tr")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"status=in_progress"))
    assert page.evaluate("window.samePage") is True

    page.get_by_label("Search").fill("UNODC")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=UNODC"))
    shown = rows(page)

    page.reload()
    assert rows(page) == shown
    expect(page.get_by_label("In progress")).to_be_checked()
    expect(page.get_by_label("Search")).to_have_value("UNODC")

    page.go_back()
    expect(page.locator("#results tbody tr")).to_have_count(2)
    # The filters show what the results are, not what a snapshot of the page held.
    expect(page.get_by_label("In progress")).to_be_checked()
    expect(page.get_by_label("Search")).to_have_value("")
    page.go_forward()
    expect(page.locator("#results tbody tr")).to_have_count(1)


def test_the_as_of_date_goes_into_the_address_and_the_statuses(page: Page, manager, judged_seed):
    log_in(page, manager.username)
    page.goto("/pledges/")
    page.get_by_label("As of", exact=True).fill("2024-02-01")
    page.get_by_label("As of", exact=True).dispatch_event("change")
    expect(page).to_have_url(re.compile(r"as_of=2024-02-01"))
    expect(page.locator("#results .results-count")).to_contain_text("as of 1 February 2024")
    expect(page.locator("#results .status--in_progress")).to_have_count(1)
    expect(page.locator("#results .status--fulfilled")).to_have_count(0)


def test_with_javascript_off_the_filters_work_as_a_form(page_without_javascript: Page, manager, judged_seed):
    page = page_without_javascript
    log_in(page, manager.username)
    page.goto("/pledges/")
    page.get_by_label("Fulfilled", exact=True).check()
    page.get_by_role("button", name="Show pledges").click()
    expect(page).to_have_url(re.compile(r"status=fulfilled"))
    expect(page.locator("#results tbody tr")).to_have_count(1)


def test_a_bad_filter_shows_its_message_beside_it(page: Page, manager, judged_seed):
    log_in(page, manager.username)
    page.goto("/pledges/?as_of=2024-13-40&status=done&page=-1")
    expect(page.locator("#id_as_of_error")).to_have_text("Enter a valid date.")
    expect(page.locator("#id_status_error")).to_contain_text("Select a valid choice.")
    expect(page.locator("#results")).to_contain_text("There is no page -1")
    assert serious_violations(page) == []


def test_the_chart_and_its_table_show_the_same_figures(page: Page, manager, judged_seed):
    log_in(page, manager.username)
    page.goto("/dashboard/?as_of=2024-04-30")
    chart = {}
    for title in page.locator("#months-heading ~ div svg a > title").all_text_contents():
        label, n = title.rsplit(": ", 1)
        chart[label] = int(n)
    table = {}
    headers = page.locator("#months-table-caption ~ thead th").all_inner_texts()[1:]
    for row in page.locator("#months-table-caption ~ tbody tr").all():
        month = row.locator("th time").get_attribute("datetime")
        name = datetime.date.fromisoformat(month).strftime("%B %Y")
        for status, cell in zip(headers, row.locator("td").all_inner_texts(), strict=True):
            if int(cell):
                table[f"{name}, {status}"] = int(cell)
    assert chart == table
    assert chart["April 2024, Fulfilled"] == 1 and chart["April 2024, In progress"] == 2


def test_a_bar_of_the_chart_leads_to_the_pledges_it_counts(page: Page, manager, judged_seed):
    log_in(page, manager.username)
    page.goto("/dashboard/?as_of=2024-04-30")
    page.locator(
        "#months-heading ~ div svg a", has=page.locator("title", has_text="April 2024, In progress: 2")
    ).click()
    expect(page).to_have_url(
        re.compile(r"as_of=2024-04-30.*status=in_progress|status=in_progress.*as_of=2024-04-30")
    )
    expect(page.locator("#results tbody tr")).to_have_count(2)


@pytest.mark.parametrize("path", ["dashboard", "list", "statement", "entity", "speaker", "dashboard-as-of"])
def test_the_managers_pages_have_no_serious_accessibility_violation(page: Page, manager, judged_seed, path):
    url = {
        "dashboard": "/dashboard/",
        "dashboard-as-of": "/dashboard/?as_of=2024-02-15",
        "list": "/pledges/?status=in_progress&sort=deadline",
        "statement": judged_seed.get_absolute_url(),
        "entity": Entity.objects.get(name="Japan").get_absolute_url(),
        "speaker": Speaker.objects.get().get_absolute_url(),
    }[path]
    log_in(page, manager.username)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert serious_violations(page) == []


@pytest.mark.parametrize("path", ["/dashboard/", "/pledges/"])
def test_the_managers_pages_fit_a_phone(browser: Browser, live_server, manager, judged_seed, path):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    page = context.new_page()
    try:
        log_in(page, manager.username)
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    finally:
        context.close()


@pytest.mark.parametrize("width", [375, 1024, 1280])
def test_the_list_fits_the_screen_with_the_status_in_every_row(
    browser, live_server, manager, judged_seed, width
):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        log_in(page, manager.username)
        page.goto("/pledges/")
        statuses = page.locator("#results tbody tr .col--status")
        expect(statuses).to_have_count(8)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for status in statuses.all():
            box = status.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        fold = page.locator(".filters-fold")
        if width < 600:
            # The filters fold behind one button, and the first pledge is on the first screen.
            expect(fold).not_to_have_attribute("open", "")
            first = page.locator("#results tbody tr").first.bounding_box()
            assert first["y"] < 800
        else:
            expect(fold).to_have_attribute("open", "")
        assert serious_violations(page) == []
        # A filter that could not be read: the filters stay open with its message in view,
        # and the message does not push the page wider than the screen.
        page.goto("/pledges/?entity=" + "x" * 199)
        expect(fold).to_have_attribute("open", "")
        expect(page.locator("#id_entity_error, .field--error").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
