"""An analyst at work in a real browser: follow-ups through htmx, the conflict of two
pages, the same with JavaScript off, and the forms' accessibility."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import log_in, serious_violations
from tracker.models import Evidence, StatusUpdate

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pledge(judges_pledge):
    return judges_pledge


def open_pledge(page: Page, username: str, pledge) -> None:
    log_in(page, username)
    page.goto(pledge.get_absolute_url())
    # A mark that a full page load would wipe out.
    page.evaluate("window.samePage = true")


def fill_follow_up_with_new_evidence(page: Page) -> None:
    form = page.locator("#follow-up-form")
    form.get_by_label("Status").select_option(label="Fulfilled")
    form.get_by_label("Effective on").fill("2024-02-29")
    form.get_by_label("Rationale").fill("Twelve judges attended the course in Malta.")
    form.get_by_label("Link").fill("  HTTPS://www.unodc.org/iij-course")
    form.get_by_label("Title").fill("IIJ course report")
    form.get_by_label("Source type").select_option(label="Partner or implementer")
    form.get_by_label("Stance").select_option(label="Supports delivery")


def test_an_analyst_logs_a_follow_up_with_new_evidence_without_a_page_load(page: Page, analyst, pledge):
    open_pledge(page, analyst.username, pledge)
    expect(page.locator("#timeline")).to_contain_text("Not assessed yet")
    fill_follow_up_with_new_evidence(page)
    page.get_by_role("button", name="Log follow-up").click()

    expect(page.locator("#timeline .timeline-entry")).to_have_count(1)
    expect(page.locator("#timeline")).to_contain_text("Twelve judges attended the course in Malta.")
    expect(page.locator("#current-status")).to_contain_text("Fulfilled")
    expect(page.locator("#evidence-list")).to_contain_text("IIJ course report")
    expect(page.locator("#announcer")).to_have_text("Follow-up logged.")
    # The deadline is no longer "overdue" once the status is final.
    expect(page.locator("#facts")).not_to_contain_text("overdue")
    assert page.evaluate("window.samePage") is True
    # The fresh form is empty and based on the new version.
    expect(page.locator("#follow-up-form").get_by_label("Rationale")).to_have_value("")
    expect(page.locator("#follow-up-form input[name=based_on_version]")).to_have_value("2")
    assert Evidence.objects.get().url == "https://www.unodc.org/iij-course"


def test_invalid_input_is_shown_beside_its_field_and_the_input_is_kept(page: Page, analyst, pledge):
    open_pledge(page, analyst.username, pledge)
    form = page.locator("#follow-up-form")
    form.get_by_label("Status").select_option(label="Not fulfilled")
    form.get_by_label("Effective on").fill("2024-03-01")
    page.get_by_role("button", name="Log follow-up").click()

    expect(page.locator("#id_rationale_error")).to_have_text("A final status needs a rationale: say why.")
    expect(page.locator("#follow-up-form")).to_contain_text("needs at least one piece of evidence")
    expect(page.locator("#follow-up-form").get_by_label("Status")).to_have_value("not_fulfilled")
    expect(page.locator("#follow-up-form").get_by_label("Effective on")).to_have_value("2024-03-01")
    # The keyboard goes to the list of errors at the top of the form: it holds the error
    # that belongs to no field ("needs at least one piece of evidence") too.
    summary = page.locator("#follow-up-form .form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("needs at least one piece of evidence")
    expect(summary).to_contain_text("Rationale: A final status needs a rationale: say why.")
    assert page.evaluate("window.samePage") is True
    assert serious_violations(page) == []
    assert not StatusUpdate.objects.exists()


def test_a_second_page_with_the_old_version_gets_the_conflict(
    browser: Browser, live_server, analyst, other_analyst, pledge
):
    first = browser.new_context(base_url=live_server.url).new_page()
    second = browser.new_context(base_url=live_server.url).new_page()
    try:
        open_pledge(first, analyst.username, pledge)
        open_pledge(second, other_analyst.username, pledge)

        first.locator("#follow-up-form").get_by_label("Status").select_option(label="In progress")
        first.locator("#follow-up-form").get_by_label("Rationale").fill("Invitations went out.")
        first.get_by_role("button", name="Log follow-up").click()
        expect(first.locator("#timeline .timeline-entry")).to_have_count(1)

        second.locator("#follow-up-form").get_by_label("Status").select_option(label="Stalled")
        second.locator("#follow-up-form").get_by_label("Rationale").fill("Nothing heard.")
        second.get_by_role("button", name="Log follow-up").click()

        conflict = second.locator("#follow-up-form .conflict")
        expect(conflict).to_contain_text("Not saved: this pledge changed since you opened it.")
        expect(conflict).to_contain_text("Status update: In progress")
        expect(second.locator("#timeline")).to_contain_text("Invitations went out.")
        expect(second.locator("#follow-up-form").get_by_label("Rationale")).to_have_value("Nothing heard.")
        expect(conflict).to_be_focused()
        assert serious_violations(second) == []
        assert StatusUpdate.objects.count() == 1

        # Submitting again, on purpose, now that the analyst has seen what changed.
        second.get_by_role("button", name="Log follow-up").click()
        expect(second.locator("#timeline .timeline-entry")).to_have_count(2)
        assert StatusUpdate.objects.count() == 2
        assert second.evaluate("window.samePage") is True
    finally:
        first.context.close()
        second.context.close()


def test_with_javascript_off_the_same_follow_up_works(page_without_javascript: Page, analyst, pledge):
    page = page_without_javascript
    log_in(page, analyst.username)
    page.goto(pledge.get_absolute_url())
    fill_follow_up_with_new_evidence(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Log follow-up").click()
    assert page.url.endswith(f"{pledge.get_absolute_url()}#timeline")
    expect(page.locator(".messages")).to_contain_text("Follow-up logged.")
    expect(page.locator("#timeline")).to_contain_text("Twelve judges attended the course in Malta.")
    expect(page.locator("#current-status")).to_contain_text("Fulfilled")
    assert StatusUpdate.objects.get().evidence.get().title == "IIJ course report"


def test_with_javascript_off_errors_come_back_on_the_page(page_without_javascript: Page, analyst, pledge):
    page = page_without_javascript
    log_in(page, analyst.username)
    page.goto(pledge.get_absolute_url())
    page.locator("#evidence-form").evaluate("form => form.closest('details').open = true")
    page.locator("#evidence-form").get_by_label("Link").fill("javascript:alert(1)")
    with page.expect_navigation():
        page.get_by_role("button", name="Add evidence").click()
    expect(page.locator("#id_url_error")).to_contain_text("Only http:// and https:// links are accepted.")
    expect(page.locator("#evidence-form").get_by_label("Link")).to_have_value("javascript:alert(1)")
    assert not Evidence.objects.exists()


def test_evidence_added_on_its_own_can_be_cited_at_once_and_ticked_boxes_stay(page: Page, analyst, pledge):
    open_pledge(page, analyst.username, pledge)
    page.get_by_text("Add evidence on its own").click()
    evidence_form = page.locator("#evidence-form")
    for title, url in (
        ("Ministry press release", "https://www.mofa.go.jp/a"),
        ("IIJ news", "https://theiij.org/b"),
    ):
        evidence_form.get_by_label("Link").fill(url)
        evidence_form.get_by_label("Title").fill(title)
        evidence_form.get_by_label("Source type").select_option(
            label="Official record of the pledging entity"
        )
        evidence_form.get_by_label("Stance").select_option(label="Supports delivery")
        page.get_by_role("button", name="Add evidence").click()
        expect(page.locator("#citable-evidence")).to_contain_text(title)
        if title == "Ministry press release":
            page.locator("#citable-evidence").get_by_label(title).check()
    expect(page.locator("#citable-evidence").get_by_label("Ministry press release")).to_be_checked()
    expect(page.locator("#citable-evidence").get_by_label("IIJ news")).not_to_be_checked()
    page.locator("#follow-up-form").get_by_label("Status").select_option(label="Fulfilled")
    page.locator("#follow-up-form").get_by_label("Rationale").fill("Announced and held.")
    page.get_by_role("button", name="Log follow-up").click()
    expect(page.locator("#timeline")).to_contain_text("Cites: Ministry press release")
    assert page.evaluate("window.samePage") is True


def test_an_analyst_retracts_their_update_and_the_status_goes_back(page: Page, analyst, pledge):
    open_pledge(page, analyst.username, pledge)
    page.locator("#follow-up-form").get_by_label("Status").select_option(label="Stalled")
    page.locator("#follow-up-form").get_by_label("Rationale").fill("No news since the invitations.")
    page.get_by_role("button", name="Log follow-up").click()
    expect(page.locator("#current-status")).to_contain_text("Stalled")

    page.get_by_text("Retract this update").click()
    page.get_by_label("Why retract it?").fill("Wrong pledge.")
    page.get_by_role("button", name="Retract").click()
    expect(page.locator("#timeline")).to_contain_text("Reason: Wrong pledge.")
    expect(page.locator("#current-status")).to_contain_text("Not assessed")
    assert serious_violations(page) == []
    assert page.evaluate("window.samePage") is True


def test_the_queue_has_no_serious_accessibility_violation(page: Page, analyst, seed):
    log_in(page, analyst.username)
    page.get_by_role("link", name="Queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Queue")
    expect(page.locator("tbody tr")).to_have_count(8)
    assert serious_violations(page) == []


def test_a_manager_sees_the_pledge_page_without_forms(page: Page, manager, pledge):
    log_in(page, manager.username)
    page.goto(pledge.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(pledge.summary)
    expect(page.locator("form#follow-up-form")).to_have_count(0)
    assert serious_violations(page) == []


def test_a_busy_record_says_so_and_keeps_the_analysts_entry(page: Page, analyst, pledge):
    from tests.test_busy_records import held_by_someone_else

    open_pledge(page, analyst.username, pledge)
    form = page.locator("#follow-up-form")
    form.get_by_label("Status").select_option(label="In progress")
    form.get_by_label("Rationale").fill("Invitations went out in January.")

    with held_by_someone_else(pledge, wait_ms=None):
        form.get_by_role("button", name="Log follow-up").click()
        expect(page.locator("#request-error")).to_contain_text(
            "someone else is saving to the same record", timeout=15_000
        )

    expect(form.get_by_label("Rationale")).to_have_value("Invitations went out in January.")
    assert not StatusUpdate.objects.exists()
    form.get_by_role("button", name="Log follow-up").click()
    expect(page.locator("#timeline .timeline-entry")).to_have_count(1)


def test_a_save_is_seen_beside_the_form_and_the_keyboard_goes_to_the_new_entry(page: Page, analyst, pledge):
    open_pledge(page, analyst.username, pledge)
    form = page.locator("#follow-up-form")
    form.get_by_label("Status").select_option(label="In progress")
    form.get_by_label("Rationale").fill("Invitations went out in January.")

    form.get_by_role("button", name="Log follow-up").click()

    note = page.locator(".saved-note")
    expect(note).to_be_visible()
    expect(note).to_have_text("✓ Follow-up logged.")
    expect(page.locator("#timeline .timeline-entry").first).to_be_focused()
    expect(note).to_have_count(0, timeout=12_000)
