"""Reviews (a pledge checked, its status still standing) and evidence withdrawn: who may
record them, what they change, how the pledge page and its history show them, and
"Save and go to the next" from the queue. The queue's rules are in tests/test_rules.py;
the database's refusal to edit them, in tests/test_history_guard.py."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.factories import (
    evidence_on,
    make_pledge,
    retract,
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
    status = page.split('id="current-status"')[1].split("</div>")[0]
    assert "Its only evidence was withdrawn." in status
    timeline = page.split('id="timeline"')[1].split("</ol>")[0]
    assert '<p class="flag">Its only evidence was withdrawn.</p>' in timeline
    review_form = page.split('id="review-form"')[1].split("</form>")[0]
    assert "Cite evidence (needed: its only evidence was withdrawn)" in review_form
    assert "add it first with “Add evidence on its own” below" in review_form

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
    with pytest.raises(ValidationError, match=r"already evidence on this pledge.* and withdrawn on"):
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

    response = client_for(analyst).get(first.get_absolute_url() + "?queue=1")
    page, walk = response.content.decode(), response.context["queue_walk"]
    assert f'href="{second.get_absolute_url()}?queue={walk}"' in page
    assert f'<input type="hidden" name="queue" value="{walk}">' in page
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
    second, walk = response["Location"].split("?queue=")
    assert second == pledges[1].get_absolute_url()
    # With htmx, the browser is sent there whole.
    response = client.post(
        reverse("log_follow_up", args=[pledges[1].pk]), next_follow_up(pledges[1], queue=walk), headers=HTMX
    )
    assert response["HX-Redirect"] == f"{pledges[2].get_absolute_url()}?queue={walk}"
    response = client.post(
        reverse("log_follow_up", args=[pledges[2].pk]), next_follow_up(pledges[2], queue=walk)
    )
    assert response["Location"] == reverse("analyst_queue")

    queue = client.get(response["Location"])
    assert queue.context["page"].paginator.count == 0
    content = queue.content.decode()
    said = f"Follow-up logged on “{pledges[2].summary}”. That was the last pledge in the queue to check now."
    assert said in content
    assert "Nothing needs an analyst now" in content


def test_save_and_go_to_the_next_goes_on_from_the_pledge_and_stops_at_the_end_of_the_walk(
    client_for, analyst, statement, today
):
    pledges = [make_pledge(statement, number) for number in (1, 2, 3)]
    overdue = make_pledge(statement, 4, deadline_on=statement.delivered_on, deadline_precision="day")
    update_on(overdue, analyst, Status.IN_PROGRESS, effective_on=today, rationale="Begun.")
    client = client_for(analyst)
    # The analyst skipped the first, and saves the second: the third comes next, on the
    # same walk (its start in the address).
    response = client.post(reverse("log_follow_up", args=[pledges[1].pk]), next_follow_up(pledges[1]))
    third, walk = response["Location"].split("?queue=")
    assert third == pledges[2].get_absolute_url() and walk.isdigit()
    # The overdue pledge was checked before the walk began: it comes next.
    response = client.post(
        reverse("log_follow_up", args=[pledges[2].pk]), next_follow_up(pledges[2], queue=walk)
    )
    assert response["Location"] == f"{overdue.get_absolute_url()}?queue={walk}"
    # Reviewed, it stays in the queue (overdue), checked on this walk: the walk ends
    # rather than bring it round again.
    overdue.refresh_from_db()
    response = client.post(
        review_url(overdue),
        {"review-based_on_version": overdue.version, "queue": walk, "then": "next"},
    )
    assert response["Location"] == reverse("analyst_queue")
    queue = client.get(response["Location"]).context["page"].object_list
    assert [pledge.pk for pledge in queue] == [pledges[0].pk, overdue.pk]


@pytest.mark.parametrize("walk", ["1", "abc", "9" * 30, "0"])
def test_a_walk_that_cannot_be_read_starts_afresh(client_for, analyst, statement, walk):
    first, second = make_pledge(statement, 1), make_pledge(statement, 2)
    page = client_for(analyst).get(first.get_absolute_url(), {"queue": walk})
    assert page.status_code == 200
    assert page.context["next_in_queue"] == second


def test_a_manager_refused_a_page_is_told_why_on_a_page_of_the_app(client_for, manager):
    response = client_for(manager).get(reverse("analyst_queue"))
    assert response.status_code == 403
    content = response.content.decode()
    assert "<h1>Not allowed</h1>" in content and "maria" in content


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
        stored = {name: getattr(held, name) for name in services.STORED_FROM_HISTORY}
        assert stored == services.stored_from_history(held)
    # The back-dated update does not decide the status; the fulfilled one rests on nothing now.
    assert held.current_status is Status.FULFILLED and held.status_evidence_withdrawn


# --- what a refused form says ----------------------------------------------------------------


@pytest.mark.parametrize("version", [None, "", "abc", "-1", "0", "9223372036854775808"])
def test_a_form_without_a_version_it_could_have_been_shown_is_refused_saying_so(
    client_for, analyst, assessed, version
):
    data = {"review-note": "Checked."}
    if version is not None:
        data["review-based_on_version"] = version
    response = client_for(analyst).post(review_url(assessed), data, headers=HTMX)
    assert response.status_code == 422
    content = response.content.decode()
    assert "does not say which version of the pledge it was filled in on" in content
    # It comes back based on the pledge as it is, to be sent again.
    assert f'name="review-based_on_version" value="{assessed.version}"' in content
    assert not Review.objects.exists()


def test_retracting_twice_or_withdrawing_twice_says_it_was_done_already(client_for, analyst, assessed):
    review = review_of(assessed, analyst)
    retract_review_of(review, analyst)
    evidence = assessed.evidence.get()
    withdraw(evidence, analyst)
    assessed.refresh_from_db()
    client = client_for(analyst)

    prefix = f"retract-review-{review.pk}"
    response = client.post(
        reverse("retract_review", args=[assessed.pk, review.pk]),
        {f"{prefix}-based_on_version": assessed.version, f"{prefix}-reason": "Again."},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "This review has already been retracted." in response.content.decode()

    prefix = f"withdraw-{evidence.pk}"
    response = client.post(
        withdraw_url(evidence),
        {f"{prefix}-based_on_version": assessed.version, f"{prefix}-reason": "Again."},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "This evidence has already been withdrawn." in response.content.decode()


def test_a_review_of_a_pledge_no_longer_assessed_says_why_and_keeps_the_note(client_for, analyst, statement):
    pledge = make_pledge(statement, 1)
    for headers in (HTMX, {}):
        response = client_for(analyst).post(
            review_url(pledge),
            {"review-based_on_version": pledge.version, "review-note": "Keep me."},
            headers=headers,
        )
        assert response.status_code == 422
        content = response.content.decode()
        assert "Nothing to confirm yet: this pledge has never been assessed." in content
        assert "Keep me." in content


def test_a_conflict_says_already_saved_only_for_an_entry_of_the_same_kind(client_for, analyst, assessed):
    shown = assessed.version
    withdraw(assessed.evidence.get(), analyst)
    response = client_for(analyst).post(
        review_url(assessed), {"review-based_on_version": shown}, headers=HTMX
    )
    assert response.status_code == 409
    content = response.content.decode()
    assert "Not saved: this pledge changed since you opened it." in content
    assert "Already saved" not in content


def test_citing_evidence_that_cannot_be_cited_says_why(client_for, analyst, assessed):
    evidence = assessed.evidence.get()
    withdraw(evidence, analyst)
    assessed.refresh_from_db()
    response = client_for(analyst).post(
        review_url(assessed),
        {"review-based_on_version": assessed.version, "review-evidence": evidence.pk},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "cannot be cited here: it is not on this pledge, or it was withdrawn" in response.content.decode()


def test_a_review_of_a_status_since_changed_is_refused(client_for, analyst, other_analyst, assessed):
    form_status = assessed.status
    update_on(assessed, other_analyst, Status.STALLED, rationale="Funding stopped.")
    assessed.refresh_from_db()
    # The page's scripts moved the form's version on; the status it confirms stayed.
    response = client_for(analyst).post(
        review_url(assessed),
        {"review-based_on_version": assessed.version, "review-status": form_status},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "The status is now “Stalled”, not the one this form confirms" in response.content.decode()
    assert not Review.objects.exists()


def test_a_follow_up_with_htmx_redraws_the_review_form_for_the_new_status(client_for, analyst, statement):
    pledge = make_pledge(statement, 1)
    response = client_for(analyst).post(
        reverse("log_follow_up", args=[pledge.pk]),
        {
            "based_on_version": pledge.version,
            "status": "stalled",
            "effective_on": statement.delivered_on.isoformat(),
            "rationale": "Blocked.",
        },
        headers=HTMX,
    )
    content = response.content.decode()
    section = content.split('<div id="review-section" hx-swap-oob="true">')[1]
    assert "“Stalled” still stands" in section
    assert 'name="review-status" value="stalled"' in section


def test_a_review_of_another_status_does_not_reconfirm_one_resting_on_withdrawn_evidence(statement, analyst):
    pledge = make_pledge(statement, 1)
    first, second, third = (
        evidence_on(pledge, analyst, url=f"https://example.org/{n}", title=n) for n in ("one", "two", "three")
    )
    update_on(pledge, analyst, Status.IN_PROGRESS, rationale="Begun.", evidence=[first])
    fulfilled = update_on(pledge, analyst, Status.FULFILLED, rationale="Done.", evidence=[second])
    review_of(pledge, analyst, evidence=[third])  # "still fulfilled"
    retract(fulfilled, analyst)
    withdraw(first, analyst)
    pledge.refresh_from_db()
    assert pledge.current_status is Status.IN_PROGRESS
    assert pledge.status_evidence_withdrawn


def test_as_of_a_past_day_a_back_dated_update_recorded_later_counts_as_not_checked(
    statement, analyst, manager_client, today
):
    pledge = make_pledge(statement, 1)
    update_on(pledge, analyst, Status.IN_PROGRESS, effective_on=statement.delivered_on, rationale="Begun.")
    day = statement.delivered_on + datetime.timedelta(days=200)
    assert day < today
    as_of = {"as_of": day.isoformat()}

    def listed(**filters) -> set[int]:
        page = manager_client.get(reverse("pledge_list"), {**as_of, **filters}).context["page"]
        return {p.pk for p in page.object_list}

    # Nothing was recorded by then: as of that day, nobody had checked it.
    assert listed(not_checked="yes") == {pledge.pk}
    assert listed(not_checked="no") == set()
    assert listed() == listed(not_checked="yes") | listed(not_checked="no")


@pytest.mark.django_db(transaction=True)
def test_history_dumped_and_loaded_again_gives_each_pledge_what_it_stored(tmp_path, analyst, administrator):
    """loaddata saves a row before it links what the row cites, and withdrawals before the
    updates: the pledge is recomputed once everything is in."""
    from django.core.management import call_command

    from tests.factories import make_statement

    statement = make_statement(sentences=3)
    resting, confirmed = make_pledge(statement, 1), make_pledge(statement, 2)
    only = evidence_on(resting, analyst, url="https://example.org/only")
    update_on(resting, analyst, Status.FULFILLED, rationale="Held.", evidence=[only])
    withdraw(only, analyst)
    old, new = (evidence_on(confirmed, analyst, url=f"https://example.org/{n}") for n in ("old", "new"))
    update_on(confirmed, analyst, Status.FULFILLED, rationale="Held.", evidence=[old])
    withdraw(old, administrator)
    review_of(confirmed, analyst, evidence=[new])
    fields = (*services.STORED_FROM_HISTORY, "version")

    def stored(pledge) -> dict:
        values = {name: getattr(pledge, name) for name in fields}
        # JSON keeps a moment to the millisecond.
        moment = values["last_checked_at"]
        values["last_checked_at"] = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
        return values

    before = {p.pk: stored(p) for p in Pledge.objects.all()}
    withdrawn = "status_evidence_withdrawn"
    assert [before[resting.pk][withdrawn], before[confirmed.pk][withdrawn]] == [True, False]

    dump = tmp_path / "history.json"
    call_command(
        "dumpdata", "auth.group", "auth.user", "tracker", natural_foreign=True, output=str(dump), verbosity=0
    )
    call_command("flush", interactive=False, verbosity=0)
    assert not Pledge.objects.exists()
    call_command("loaddata", str(dump), verbosity=0)

    assert {p.pk: stored(p) for p in Pledge.objects.all()} == before
    for pledge in Pledge.objects.all():
        assert services.stored_from_history(pledge) == {name: getattr(pledge, name) for name in fields[:-1]}
