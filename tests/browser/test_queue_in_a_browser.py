"""An analyst's day in a real browser: working through the queue with "Save and go to the
next" until it is empty, the confirmation each save shows, and evidence withdrawn with
JavaScript on and off."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in, serious_violations
from tests.factories import evidence_on, make_pledge, recorded_days_ago, update_on
from tracker.models import EvidenceWithdrawal, Review
from tracker.vocabulary import DeadlinePrecision, Status

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue(statement, analyst):
    """Three pledges that need an analyst, in the queue's order: one never assessed, one
    not checked for 200 days, one overdue."""
    never = make_pledge(statement, 1, summary="Host a regional conference")
    unchecked = make_pledge(statement, 2, summary="Train border officials")
    recorded_days_ago(unchecked, analyst, Status.IN_PROGRESS, days=200)
    overdue = make_pledge(
        statement,
        3,
        summary="Fund the shelter programme",
        deadline_on=timezone.localdate() - datetime.timedelta(days=10),
        deadline_precision=DeadlinePrecision.DAY,
    )
    update_on(overdue, analyst, Status.IN_PROGRESS, effective_on=timezone.localdate(), rationale="Begun.")
    return [never, unchecked, overdue]


def test_an_analyst_works_through_the_queue_until_it_is_empty(page: Page, analyst, queue):
    log_in(page, analyst.username)
    page.goto("/queue/")
    expect(page.locator("h1 + .lede")).to_contain_text("3 pledges need an analyst")
    page.get_by_role("link", name="Host a regional conference").click()

    # Never assessed: a first status.
    form = page.locator("#follow-up-form")
    form.get_by_label("Status").select_option(label="Not started")
    form.get_by_label("Rationale").fill("No announcement yet.")
    form.get_by_role("button", name="Save and go to the next").click()
    expect(page.locator(".messages")).to_contain_text(
        "Follow-up logged on “Host a regional conference”. Here is the next pledge in the queue."
    )
    expect(page.locator("h1")).to_have_text("Train border officials")

    # Not checked for 200 days, and nothing changed: a review.
    review = page.locator("#review-form")
    review.get_by_label("Note (optional)").fill("The training calendar still lists it.")
    review.get_by_role("button", name="Save and go to the next").click()
    expect(page.locator(".messages")).to_contain_text(
        "Review recorded: the status still stands on “Train border officials”."
    )
    expect(page.locator("h1")).to_have_text("Fund the shelter programme")

    # Overdue: delivered, with its evidence.
    form = page.locator("#follow-up-form")
    form.get_by_label("Status").select_option(label="Fulfilled")
    form.get_by_label("Rationale").fill("The first grants were paid.")
    form.get_by_label("Link").fill("https://example.org/grants")
    form.get_by_label("Title").fill("Grants paid")
    form.get_by_label("Source type").select_option(label="Official record of the pledging entity")
    form.get_by_label("Stance").select_option(label="Supports delivery")
    form.get_by_role("button", name="Save and go to the next").click()

    expect(page).to_have_url("/queue/")
    expect(page.locator(".messages")).to_contain_text("That was the last pledge in the queue to check now.")
    expect(page.locator("h1 + .lede")).to_contain_text("0 pledges need an analyst")
    expect(page.locator(".queue-empty")).to_be_visible()
    assert Review.objects.get().note == "The training calendar still lists it."


def test_a_review_saved_with_htmx_shows_its_confirmation_and_takes_the_focus_to_it(
    page: Page, analyst, queue
):
    unchecked = queue[1]
    log_in(page, analyst.username)
    page.goto(unchecked.get_absolute_url())
    page.evaluate("window.samePage = true")
    page.locator("#review-form").get_by_role("button", name="Record the review").click()

    note = page.locator(".saved-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Review recorded: the status still stands.")
    expect(page.locator("#announcer")).to_have_text("Review recorded: the status still stands.")
    entry = page.locator("#timeline .timeline-entry").first
    expect(entry).to_contain_text("Still")
    expect(entry).to_be_focused()
    expect(page.locator("#facts")).to_contain_text(timezone.localdate().strftime("%-d %B %Y"))
    assert page.evaluate("window.samePage") is True
    assert serious_violations(page) == []


@pytest.fixture
def cited(judges_pledge, analyst):
    """The seed's pledge, fulfilled on one piece of evidence that turns out to be the wrong page."""
    wrong = evidence_on(judges_pledge, analyst, url="https://example.org/wrong", title="Wrong page")
    update_on(judges_pledge, analyst, Status.FULFILLED, rationale="Held.", evidence=[wrong])
    return wrong


def test_an_analyst_withdraws_evidence_with_javascript(page: Page, analyst, judges_pledge, cited):
    log_in(page, analyst.username)
    page.goto(judges_pledge.get_absolute_url())
    page.evaluate("window.samePage = true")
    expect(page.locator("#citable-evidence")).to_contain_text("Wrong page")
    item = page.locator(f"#evidence-{cited.pk}")
    item.get_by_text("Withdraw this evidence").click()
    item.get_by_label("Why withdraw it?").fill("The link is to another course.")
    item.get_by_role("button", name="Withdraw").click()

    item = page.locator(f"#evidence-{cited.pk}")
    expect(item).to_contain_text("Withdrawn by alice")
    expect(item).to_contain_text("The link is to another course.")
    expect(item.locator("s a")).to_have_text("Wrong page (opens in a new tab)")
    expect(page.locator("#current-status")).to_contain_text("Its only evidence was withdrawn")
    expect(page.locator("#timeline")).to_contain_text("(withdrawn)")
    # It can no longer be cited: the follow-up form's list refreshed.
    expect(page.locator("#citable-evidence")).not_to_contain_text("Wrong page")
    expect(page.locator("#announcer")).to_have_text("Evidence withdrawn.")
    assert page.evaluate("window.samePage") is True
    assert EvidenceWithdrawal.objects.get().reason == "The link is to another course."


def test_an_administrator_withdraws_evidence_without_javascript(
    page_without_javascript: Page, administrator, judges_pledge, cited
):
    page = page_without_javascript
    log_in(page, administrator.username)
    page.goto(judges_pledge.get_absolute_url())
    item = page.locator(f"#evidence-{cited.pk}")
    item.get_by_text("Withdraw this evidence").click()
    item.get_by_role("button", name="Withdraw").click()
    # No reason: refused, naming the field, nothing written.
    expect(page.locator(f"#evidence-{cited.pk}")).to_contain_text("This field is required.")
    assert not EvidenceWithdrawal.objects.exists()

    item = page.locator(f"#evidence-{cited.pk}")
    item.get_by_label("Why withdraw it?").fill("A duplicate of the ministry's page.")
    item.get_by_role("button", name="Withdraw").click()
    expect(page.locator(".messages")).to_contain_text("Evidence withdrawn.")
    expect(page.locator(f"#evidence-{cited.pk}")).to_contain_text("Withdrawn by ada")
    expect(page.locator("#citable-evidence")).not_to_contain_text("Wrong page")
