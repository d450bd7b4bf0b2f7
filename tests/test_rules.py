"""Each rule of tracker.rules, at its boundary days: the queue, the dashboard's tile, the
list's filter, the CSV export and the predicate for one pledge must all agree; and what
the queue holds (tracker.rules.NEEDS_AN_ANALYST), as the page and the README say it."""

import datetime
import html
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import (
    evidence_on,
    make_pledge,
    recorded_days_ago,
    retract_review_of,
    review_of,
    update_on,
    withdraw,
)
from tests.helpers import csv_rows
from tracker import rules
from tracker.models import Pledge
from tracker.vocabulary import DeadlinePrecision, Status

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def listed(client, **filters) -> set[int]:
    """The pledges the list shows with these filters."""
    page = client.get(reverse("pledge_list"), filters).context["page"]
    return {pledge.pk for pledge in page.object_list}


def exported(client, **filters) -> set[int]:
    return {int(row["id"]) for row in csv_rows(client.get(reverse("export_pledges", args=["csv"]), filters))}


def tile(client, label: str) -> int:
    headlines = client.get(reverse("dashboard")).context["headlines"]
    return next(n for name, n, _ in headlines if name == label)


def test_not_checked_for_180_days_agrees_everywhere_on_its_boundary_days(
    statement, analyst, today, client_for, manager
):
    checked_days_ago = {}
    for number, ago in enumerate((179, 180, 181), start=1):
        pledge = make_pledge(statement, number)
        recorded_days_ago(pledge, analyst, Status.IN_PROGRESS, days=ago)
        checked_days_ago[pledge.pk] = ago
    unchecked = {pk for pk, ago in checked_days_ago.items() if ago >= rules.NOT_CHECKED_DAYS}
    client = client_for(manager)

    in_hand = {
        p.pk for p in Pledge.objects.all() if rules.is_not_checked(p.last_checked_at, p.current_status, today)
    }
    assert in_hand == unchecked
    assert set(Pledge.objects.as_of(today).not_checked(today).values_list("pk", flat=True)) == unchecked
    assert {p.pk for p in Pledge.objects.needing_an_analyst(today=today)} == unchecked
    assert tile(client, rules.NOT_CHECKED_LABEL) == len(unchecked) == 2
    assert listed(client, not_checked="yes") == exported(client, not_checked="yes") == unchecked
    assert listed(client, not_checked="no") == set(checked_days_ago) - unchecked


def test_a_review_or_an_update_resets_not_checked_and_a_retracted_one_does_not(
    statement, analyst, today, client_for, manager
):
    reviewed, updated, retracted = (make_pledge(statement, n) for n in (1, 2, 3))
    for pledge in (reviewed, updated, retracted):
        recorded_days_ago(pledge, analyst, Status.IN_PROGRESS, days=400)
    review_of(reviewed, analyst, note="Ministry site unchanged.")
    update_on(updated, analyst, Status.STALLED, effective_on=today - days(300), rationale="Budget frozen.")
    retract_review_of(review_of(retracted, analyst), analyst)

    assert {p.pk for p in Pledge.objects.needing_an_analyst(today=today)} == {retracted.pk}
    assert tile(client_for(manager), rules.NOT_CHECKED_LABEL) == 1
    # A day in the past counts only what was recorded by then.
    before = today - days(10)
    assert set(Pledge.objects.as_of(before).not_checked(before).values_list("pk", flat=True)) == {
        reviewed.pk,
        updated.pk,
        retracted.pk,
    }


@pytest.mark.parametrize(
    "status, comes_back",
    [
        (Status.NOT_STARTED, True),
        (Status.IN_PROGRESS, True),
        (Status.STALLED, True),
        (Status.PARTIALLY_FULFILLED, True),
        (Status.CANNOT_BE_VERIFIED, True),
        (Status.FULFILLED, False),
        (Status.NOT_FULFILLED, False),
        (Status.WITHDRAWN, False),
    ],
)
def test_closed_statuses_leave_the_queue_and_the_others_come_back_after_180_days(
    statement, analyst, today, status, comes_back
):
    pledge = make_pledge(statement, 1)
    recorded_days_ago(pledge, analyst, status, days=rules.NOT_CHECKED_DAYS)
    assert Status(status).is_closed is not comes_back
    assert (pledge in Pledge.objects.needing_an_analyst(today=today)) is comes_back


def test_a_status_whose_only_evidence_was_withdrawn_needs_an_analyst_until_reconfirmed(
    statement, analyst, today
):
    pledge = make_pledge(statement, 1)
    wrong = evidence_on(pledge, analyst, url="https://example.org/wrong-page")
    update_on(pledge, analyst, Status.FULFILLED, effective_on=today, rationale="Held.", evidence=[wrong])
    assert list(Pledge.objects.needing_an_analyst(today=today)) == []

    withdraw(wrong, analyst)
    [listed] = Pledge.objects.needing_an_analyst(today=today)
    assert listed == pledge and listed.reasons_for_attention(today=today) == [
        "its only evidence was withdrawn"
    ]

    right = evidence_on(pledge, analyst, url="https://example.org/right-page")
    review_of(pledge, analyst, evidence=[right])
    assert list(Pledge.objects.needing_an_analyst(today=today)) == []


def test_overdue_agrees_everywhere_on_its_boundary_days(statement, analyst, today, client_for, manager):
    deadlines = {}
    for number, offset in enumerate((-1, 0, 1), start=1):
        pledge = make_pledge(
            statement, number, deadline_on=today + days(offset), deadline_precision=DeadlinePrecision.DAY
        )
        update_on(pledge, analyst, Status.IN_PROGRESS, effective_on=today, rationale="Under way.")
        deadlines[pledge.pk] = today + days(offset)
    final = make_pledge(statement, 4, deadline_on=today - days(5), deadline_precision=DeadlinePrecision.DAY)
    update_on(final, analyst, Status.WITHDRAWN, effective_on=today, rationale="Withdrawn by its author.")
    overdue = {pk for pk, deadline in deadlines.items() if deadline < today}
    client = client_for(manager)

    in_hand = {p.pk for p in Pledge.objects.all() if p.is_overdue(today)}
    assert in_hand == overdue == {min(deadlines)}
    assert {p.pk for p in Pledge.objects.needing_an_analyst(today=today)} == overdue
    assert tile(client, "Overdue") == len(overdue)
    assert listed(client, overdue="yes") == exported(client, overdue="yes") == overdue
    assert Pledge.objects.get(pk=min(deadlines)).deadline_note == "overdue"
    assert Pledge.objects.get(pk=min(deadlines) + 1).deadline_note == "due today"


def test_due_within_90_days_includes_both_ends_and_agrees_everywhere(statement, today, client_for, manager):
    offsets = {}
    for number, offset in enumerate((-1, 0, 90, 91), start=1):
        pledge = make_pledge(
            statement, number, deadline_on=today + days(offset), deadline_precision=DeadlinePrecision.DAY
        )
        offsets[pledge.pk] = offset
    due = {pk for pk, offset in offsets.items() if 0 <= offset <= rules.DUE_SOON_DAYS}
    client = client_for(manager)

    in_hand = {
        p.pk
        for p in Pledge.objects.all()
        if rules.is_due_within(p.deadline_on, p.current_status, today, rules.DUE_SOON_DAYS)
    }
    assert in_hand == due
    assert tile(client, rules.DUE_SOON_LABEL) == len(due) == 2
    within = str(rules.DUE_SOON_DAYS)
    assert listed(client, due_within=within) == exported(client, due_within=within) == due


def test_changed_within_30_days_leaves_out_the_30th_day_back(statement, analyst, today, client_for, manager):
    ago_by_pk = {}
    for number, ago in enumerate((0, 29, 30), start=1):
        pledge = make_pledge(statement, number)
        update_on(pledge, analyst, Status.IN_PROGRESS, effective_on=today - days(ago), rationale="Seen.")
        ago_by_pk[pledge.pk] = ago
    changed = {pk for pk, ago in ago_by_pk.items() if ago < rules.CHANGED_RECENTLY_DAYS}
    client = client_for(manager)

    in_hand = {
        p.pk
        for p in Pledge.objects.all()
        if rules.is_changed_within(p.last_change_on, today, rules.CHANGED_RECENTLY_DAYS)
    }
    assert in_hand == changed

    assert tile(client, rules.CHANGED_RECENTLY_LABEL) == len(changed) == 2
    within = str(rules.CHANGED_RECENTLY_DAYS)
    assert listed(client, changed_within=within) == exported(client, changed_within=within) == changed


def test_the_labels_on_the_pages_come_from_the_rules(client_for, manager, analyst, seed):
    dashboard = client_for(manager).get(reverse("dashboard")).content.decode()
    pledges = client_for(manager).get(reverse("pledge_list")).content.decode()
    queue = client_for(analyst).get(reverse("analyst_queue")).content.decode()

    assert rules.NOT_CHECKED_LABEL in dashboard and rules.NOT_CHECKED_LABEL in pledges
    assert rules.DUE_SOON_LABEL in dashboard and rules.CHANGED_RECENTLY_LABEL in dashboard
    for rule in rules.NEEDS_AN_ANALYST:
        assert html.escape(rule) in queue


def test_the_readme_says_what_the_queue_holds_in_the_words_of_the_page():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    [row] = [line for line in readme.splitlines() if line.startswith("| `/queue/`")]
    for words in [*rules.NEEDS_AN_ANALYST, rules.CLOSED_EXPLAINED]:
        assert words in row, words
