"""Reviews (a pledge checked, its status still standing) and evidence withdrawn: who may
record them, what they change, how the pledge page and its history show them, and
"Save and go to the next" from the queue. The queue's rules are in tests/test_rules.py;
the database's refusal to edit them, in tests/test_history_guard.py."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.factories import (
    evidence_on,
    make_pledge,
    retract_review_of,
    review_of,
    update_on,
    withdraw,
)
from tests.helpers import HTMX, csv_rows
from tracker import history, services
from tracker.models import HistoryEditRefused, Pledge, Review
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed(statement, analyst) -> Pledge:
    """A pledge in progress, with one piece of evidence cited, all by the analyst."""
    pledge = make_pledge(statement, 1)
    evidence = evidence_on(pledge, analyst, url="https://www.unodc.org/report", title="UNODC report")
    update_on(pledge, analyst, Status.IN_PROGRESS, rationale="Course announced.", evidence=[evidence])
    pledge.refresh_from_db()
    return pledge


def review_url(pledge) -> str:
    return reverse("record_review", args=[pledge.pk])


def withdraw_url(evidence) -> str:
    return reverse("withdraw_evidence", args=[evidence.pledge_id, evidence.pk])


# --- reviews ---------------------------------------------------------------------------


def test_a_review_confirms_the_status_without_changing_it_and_counts_as_the_last_check(assessed, analyst):
    before = assessed.last_checked_at
    review = review_of(assessed, analyst, note="Ministry page unchanged.")
    assessed.refresh_from_db()

    assert review.status == Status.IN_PROGRESS and assessed.current_status is Status.IN_PROGRESS
    assert assessed.last_checked_at == review.recorded_at > before
    assert assessed.status_updates.count() == 1
    assert review.version == assessed.version


def test_a_pledge_never_assessed_has_nothing_to_confirm(statement, analyst):
    pledge = make_pledge(statement, 1)
    with pytest.raises(ValidationError, match="never been assessed"):
        review_of(pledge, analyst)
    assert not Review.objects.exists()


def test_managers_record_no_review(assessed, manager):
    with pytest.raises(PermissionDenied):
        review_of(assessed, manager)


def test_a_review_is_retracted_by_its_author_or_an_administrator_only(
    assessed, analyst, other_analyst, administrator
):
    review = review_of(assessed, analyst)
    with pytest.raises(PermissionDenied):
        retract_review_of(review, other_analyst)
    retract_review_of(review, administrator, reason="Checked the wrong pledge.")
    assessed.refresh_from_db()
    # The retracted review no longer counts as a check: the update before it does.
    assert assessed.last_checked_at == assessed.status_updates.get().recorded_at
    with pytest.raises(ValidationError, match="already been retracted"):
        retract_review_of(review, administrator)


def test_a_review_is_never_edited(assessed, analyst):
    review = review_of(assessed, analyst, note="First.")
    review.note = "Changed."
    with pytest.raises(HistoryEditRefused):
        review.save()
    with pytest.raises(HistoryEditRefused):
        Review.objects.filter(pk=review.pk).update(note="Changed.")
    with pytest.raises(HistoryEditRefused):
        review.evidence.clear()


def test_a_review_posted_with_htmx_adds_it_to_the_timeline_and_says_so(client_for, analyst, assessed):
    cited = assessed.evidence.get()
    response = client_for(analyst).post(
        review_url(assessed),
        {
            "review-based_on_version": assessed.version,
            "review-note": "Still on the site.",
            "review-evidence": cited.pk,
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    said = json.loads(response["HX-Trigger-After-Settle"])["pledgeChanged"]
    assert said["message"] == "Review recorded: the status still stands."
    content = response.content.decode()
    assert 'id="review-form"' in content and 'id="timeline" hx-swap-oob="true"' in content
    review = Review.objects.get()
    assert f'id="review-{review.pk}"' in content and "Still on the site." in content
    assert list(review.evidence.all()) == [cited]


def test_a_review_posted_without_javascript_redirects_to_the_timeline(client_for, analyst, assessed):
    response = client_for(analyst).post(review_url(assessed), {"review-based_on_version": assessed.version})
    assert response.status_code == 302 and response["Location"].endswith("#timeline")
    page = client_for(analyst).get(response["Location"]).content.decode()
    assert "Review recorded: the status still stands." in page
    assert "Still" in page and f'id="review-{Review.objects.get().pk}"' in page


def test_a_review_based_on_an_older_version_is_refused_and_shows_what_changed(
    client_for, analyst, other_analyst, assessed
):
    shown = assessed.version
    review_of(assessed, other_analyst, note="Checked by Bob.")
    response = client_for(analyst).post(
        review_url(assessed), {"review-based_on_version": shown}, headers=HTMX
    )
    assert response.status_code == 409
    assert "Reviewed: Still in progress" in response.content.decode()
    assert Review.objects.count() == 1


# --- evidence withdrawn ------------------------------------------------------------------


def test_the_analyst_who_added_evidence_or_an_administrator_may_withdraw_it(
    assessed, analyst, other_analyst, administrator, manager
):
    evidence = assessed.evidence.get()
    for stranger in (other_analyst, manager):
        with pytest.raises(PermissionDenied):
            withdraw(evidence, stranger)
    assert services.can_withdraw(analyst, evidence) and services.can_withdraw(administrator, evidence)
    withdrawal = withdraw(evidence, administrator, reason="A duplicate of the ministry's page.")
    assert withdrawal.reason == "A duplicate of the ministry's page."
    with pytest.raises(ValidationError, match="already been withdrawn"):
        withdraw(evidence, administrator)


def test_a_withdrawal_needs_a_reason(assessed, analyst):
    with pytest.raises(ValidationError, match="Say why"):
        withdraw(assessed.evidence.get(), analyst, reason="  ")


def test_withdrawn_evidence_can_no_longer_be_cited(assessed, analyst):
    evidence = assessed.evidence.get()
    withdraw(evidence, analyst)
    with pytest.raises(ValidationError, match="Withdrawn evidence cannot be cited"):
        update_on(assessed, analyst, Status.FULFILLED, rationale="Held.", evidence=[evidence])
    with pytest.raises(ValidationError, match="Withdrawn evidence cannot be cited"):
        review_of(assessed, analyst, evidence=[evidence])


def test_a_fulfilled_status_resting_on_withdrawn_evidence_needs_other_evidence_to_be_confirmed(
    statement, analyst, client_for
):
    pledge = make_pledge(statement, 1)
    only = evidence_on(pledge, analyst)
    update_on(pledge, analyst, Status.FULFILLED, rationale="Held.", evidence=[only])
    withdraw(only, analyst)
    pledge.refresh_from_db()
    assert pledge.status_evidence_withdrawn and pledge.current_status is Status.FULFILLED

    with pytest.raises(ValidationError, match="cite other evidence"):
        review_of(pledge, analyst)

    page = client_for(analyst).get(pledge.get_absolute_url()).content.decode()
    assert "Its only evidence was withdrawn" in page
    assert page.count("Its only evidence was withdrawn") == 2  # beside the status, and on the update

    # A new follow-up decides the status afresh.
    update_on(pledge, analyst, Status.IN_PROGRESS, rationale="Only the first part was delivered.")
    pledge.refresh_from_db()
    assert not pledge.status_evidence_withdrawn


def test_the_pledge_page_strikes_withdrawn_evidence_through_with_who_when_and_why(
    client_for, analyst, manager, assessed
):
    evidence = assessed.evidence.get()
    withdraw(evidence, analyst, reason="The wrong page.")
    page = client_for(manager).get(assessed.get_absolute_url()).content.decode()
    item = page.split(f'id="evidence-{evidence.pk}"')[1].split("</li>")[0]
    assert "<s><a href" in item and "Withdrawn by alice on" in item and "Reason: The wrong page." in item
    # Managers read it, and get no form to withdraw anything.
    assert "Withdraw this evidence" not in page
    assert "Has evidence" in client_for(manager).get(reverse("pledge_list")).content.decode()
    listed = client_for(manager).get(reverse("pledge_list"), {"has_evidence": "yes"}).context["page"]
    assert assessed not in listed.object_list


def test_only_the_evidence_a_person_may_withdraw_has_its_form(client_for, analyst, other_analyst, assessed):
    theirs = assessed.evidence.get()
    mine = evidence_on(assessed, other_analyst, url="https://example.org/bob", title="Bob's find")
    page = client_for(other_analyst).get(assessed.get_absolute_url()).content.decode()
    assert withdraw_url(mine) in page and withdraw_url(theirs) not in page
    response = client_for(other_analyst).post(withdraw_url(theirs), {f"withdraw-{theirs.pk}-reason": "No."})
    assert response.status_code == 403


def test_a_withdrawal_posted_with_htmx_strikes_the_evidence_and_refreshes_the_timeline(
    client_for, analyst, assessed
):
    evidence = assessed.evidence.get()
    response = client_for(analyst).post(
        withdraw_url(evidence),
        {
            f"withdraw-{evidence.pk}-based_on_version": assessed.version,
            f"withdraw-{evidence.pk}-reason": "A duplicate.",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="evidence-list"')
    assert "evidence-item--withdrawn" in content and 'id="timeline" hx-swap-oob="true"' in content
    assert "(withdrawn)" in content  # what the update cites, struck through


def test_a_withdrawal_without_a_reason_is_refused_naming_the_field(client_for, analyst, assessed):
    evidence = assessed.evidence.get()
    response = client_for(analyst).post(
        withdraw_url(evidence),
        {f"withdraw-{evidence.pk}-based_on_version": assessed.version, f"withdraw-{evidence.pk}-reason": ""},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "Why withdraw it?" in response.content.decode()
    assert not evidence.__class__.objects.filter(withdrawal__isnull=False).exists()


def test_a_link_to_withdrawn_evidence_is_still_recognised_as_on_the_pledge(assessed, analyst):
    withdraw(assessed.evidence.get(), analyst)
    with pytest.raises(ValidationError, match="already evidence on this pledge"):
        evidence_on(assessed, analyst, url="https://unodc.org/report/?utm_source=x")


# --- history -------------------------------------------------------------------------------


def test_reviews_retractions_and_withdrawals_are_in_the_history_csv_and_the_409_notice(
    client_for, analyst, manager, administrator, assessed
):
    shown = assessed.version
    review = review_of(assessed, analyst, note="Checked.", evidence=[assessed.evidence.get()])
    retract_review_of(review, analyst, reason="Wrong pledge.")
    withdraw(assessed.evidence.get(), administrator, reason="Dead link.")

    changes = [entry.label for entry in history.since(Pledge.objects.get(pk=assessed.pk), shown)]
    assert changes == ["review", "review retracted", "evidence withdrawn"]

    rows = csv_rows(client_for(manager).get(reverse("pledge_history_csv", args=[assessed.pk])))
    by_change = {row["change"]: row for row in rows}
    assert by_change["review"]["text"] == "Checked." and by_change["review"]["retracted"] == "True"
    assert by_change["review"]["status"] == "in_progress"
    assert by_change["review"]["cites"] == "https://www.unodc.org/report"
    assert by_change["review retracted"]["text"] == "Wrong pledge."
    assert by_change["evidence withdrawn"]["text"] == "Dead link."
    assert by_change["evidence withdrawn"]["by"] == "ada"
    assert by_change["evidence"]["retracted"] == "True"
    assert [int(row["version"]) for row in rows] == sorted(int(row["version"]) for row in rows)


def test_recent_activity_shows_reviews(client_for, manager, analyst, assessed):
    review = review_of(assessed, analyst)
    content = client_for(manager).get(reverse("dashboard")).content.decode()
    assert f"#review-{review.pk}" in content and "alice checked" in content


# --- the queue, one pledge after another ------------------------------------------------------


def test_the_queue_links_each_pledge_opened_from_it_to_the_next(client_for, analyst, statement):
    first, second = make_pledge(statement, 1), make_pledge(statement, 2)
    queue = client_for(analyst).get(reverse("analyst_queue")).content.decode()
    assert f'href="{first.get_absolute_url()}?queue=1"' in queue

    page = client_for(analyst).get(first.get_absolute_url() + "?queue=1").content.decode()
    assert f'href="{second.get_absolute_url()}?queue=1"' in page
    assert "Save and go to the next" in page
    assert "Save and go to the next" not in client_for(analyst).get(first.get_absolute_url()).content.decode()


def next_follow_up(pledge, **fields) -> dict:
    return {
        "based_on_version": pledge.version,
        "status": "in_progress",
        "effective_on": pledge.statement.delivered_on.isoformat(),
        "rationale": "Invitations were sent.",
        "queue": "1",
        "then": "next",
        **fields,
    }


def test_save_and_go_to_the_next_works_through_the_queue_until_it_is_empty(client_for, analyst, statement):
    pledges = [make_pledge(statement, number) for number in (1, 2, 3)]
    client = client_for(analyst)

    response = client.post(reverse("log_follow_up", args=[pledges[0].pk]), next_follow_up(pledges[0]))
    assert response["Location"] == pledges[1].get_absolute_url() + "?queue=1"
    # With htmx, the browser is sent there whole.
    response = client.post(
        reverse("log_follow_up", args=[pledges[1].pk]), next_follow_up(pledges[1]), headers=HTMX
    )
    assert response["HX-Redirect"] == pledges[2].get_absolute_url() + "?queue=1"
    response = client.post(reverse("log_follow_up", args=[pledges[2].pk]), next_follow_up(pledges[2]))
    assert response["Location"] == reverse("analyst_queue")

    queue = client.get(response["Location"])
    assert queue.context["page"].paginator.count == 0
    content = queue.content.decode()
    assert "Follow-up logged. That was the last pledge in the queue." in content
    assert "Nothing needs an analyst now" in content


def test_save_and_go_to_the_next_goes_on_from_the_pledge_past_the_ones_skipped(
    client_for, analyst, statement
):
    pledges = [make_pledge(statement, number) for number in (1, 2, 3)]
    client = client_for(analyst)
    # The analyst skipped the first, and saves the second: the third comes next, then the first.
    response = client.post(reverse("log_follow_up", args=[pledges[1].pk]), next_follow_up(pledges[1]))
    assert response["Location"] == pledges[2].get_absolute_url() + "?queue=1"
    response = client.post(reverse("log_follow_up", args=[pledges[2].pk]), next_follow_up(pledges[2]))
    assert response["Location"] == pledges[0].get_absolute_url() + "?queue=1"


def test_a_refused_save_and_go_to_the_next_stays_on_the_pledge_with_its_errors(
    client_for, analyst, statement
):
    pledge = make_pledge(statement, 1)
    make_pledge(statement, 2)
    response = client_for(analyst).post(
        reverse("log_follow_up", args=[pledge.pk]), next_follow_up(pledge, rationale=""), headers=HTMX
    )
    assert response.status_code == 422
    assert "Say why the status changes" in response.content.decode()
    # The form still offers to go on, once corrected.
    assert 'name="then" value="next"' in response.content.decode()


def test_what_the_pledge_stores_always_equals_what_its_history_gives(statement, analyst, administrator):
    pledge = make_pledge(statement, 1)
    first = evidence_on(pledge, analyst, url="https://example.org/a", title="A")
    second = evidence_on(pledge, analyst, url="https://example.org/b", title="B")
    steps = [
        lambda: update_on(pledge, analyst, Status.FULFILLED, rationale="Held.", evidence=[first]),
        lambda: review_of(pledge, analyst, evidence=[second]),
        lambda: withdraw(first, analyst),
        lambda: retract_review_of(Review.objects.get(), administrator),
        lambda: update_on(
            pledge, analyst, Status.STALLED, rationale="Back-dated.", effective_on=statement.delivered_on
        ),
        lambda: withdraw(second, administrator),
    ]
    for step in steps:
        step()
        held = Pledge.objects.get(pk=pledge.pk)
        stored = {
            name: getattr(held, name) for name in ("status", "last_checked_at", "status_evidence_withdrawn")
        }
        assert stored == services.stored_from_history(held)
    # The back-dated update does not decide the status; the fulfilled one rests on nothing now.
    assert held.current_status is Status.FULFILLED and held.status_evidence_withdrawn
