"""Each rule of tracker.rules, at its boundary days: the queue, the dashboard's tile, the
list's filter, the CSV export and the predicate for one pledge must all agree."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import make_pledge, update_on
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


def test_no_change_for_180_days_agrees_everywhere_on_its_boundary_days(
    statement, analyst, today, client_for, manager
):
    last_changed = {}
    for number, ago in enumerate((179, 180, 181), start=1):
        pledge = make_pledge(statement, number)
        update_on(pledge, analyst, Status.IN_PROGRESS, effective_on=today - days(ago), rationale="Seen.")
        last_changed[pledge.pk] = ago
    stale = {pk for pk, ago in last_changed.items() if ago >= rules.STALE_AFTER_DAYS}
    client = client_for(manager)

    assert {pk for pk, ago in last_changed.items() if rules.is_stale(today - days(ago), today)} == stale
    assert set(Pledge.objects.as_of(today).stale(today).values_list("pk", flat=True)) == stale
    assert {p.pk for p in Pledge.objects.needing_an_analyst(today=today)} == stale
    assert tile(client, rules.STALE_LABEL) == len(stale) == 2
    assert listed(client, stale="yes") == exported(client, stale="yes") == stale
    assert listed(client, stale="no") == set(last_changed) - stale


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

    assert tile(client, rules.CHANGED_RECENTLY_LABEL) == len(changed) == 2
    within = str(rules.CHANGED_RECENTLY_DAYS)
    assert listed(client, changed_within=within) == exported(client, changed_within=within) == changed


def test_the_labels_on_the_pages_come_from_the_rules(client_for, manager, analyst, seed):
    dashboard = client_for(manager).get(reverse("dashboard")).content.decode()
    pledges = client_for(manager).get(reverse("pledge_list")).content.decode()
    queue = client_for(analyst).get(reverse("analyst_queue")).content.decode()

    assert rules.STALE_LABEL in dashboard and rules.STALE_LABEL in pledges
    assert rules.DUE_SOON_LABEL in dashboard and rules.CHANGED_RECENTLY_LABEL in dashboard
    assert f"no change of status for {rules.STALE_AFTER_DAYS} days or more" in queue
