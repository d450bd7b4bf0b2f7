"""The analyst's queue (tracker.rules.NEEDS_AN_ANALYST): pledges never assessed, overdue
and not final, not checked for 180 days, or resting on withdrawn evidence; the longest
unchecked first. The rules' boundaries are in tests/test_rules.py."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_pledge, make_statement, recorded_days_ago, retract, update_on
from tests.helpers import queries_for
from tracker.models import Pledge, StatusUpdate
from tracker.views.shared import next_in_queue
from tracker.vocabulary import DeadlinePrecision, Status

pytestmark = pytest.mark.django_db


def updated(
    pledge: Pledge, author, status: Status, *, days_ago: int, retracted: bool = False
) -> StatusUpdate:
    """An update recorded (and taking effect) `days_ago` days ago."""
    if days_ago:
        update = recorded_days_ago(pledge, author, status, days=days_ago)
    else:
        update = update_on(pledge, author, status, effective_on=timezone.localdate(), rationale="Seen.")
    if retracted:
        retract(update, author)
    return update


def queue() -> list[Pledge]:
    return list(Pledge.objects.needing_an_analyst(today=timezone.localdate()))


def with_deadline(pledge: Pledge, days_from_now: int) -> Pledge:
    Pledge.objects.filter(pk=pledge.pk).update(
        deadline_on=timezone.localdate() + datetime.timedelta(days=days_from_now),
        deadline_precision=DeadlinePrecision.DAY,
    )
    return Pledge.objects.get(pk=pledge.pk)


def test_a_pledge_never_assessed_is_in_the_queue(today, statement):
    pledge = make_pledge(statement, 1)
    assert queue() == [pledge]
    assert queue()[0].reasons_for_attention(today=today) == ["never assessed"]


def test_a_recently_updated_pledge_with_no_deadline_is_not(statement, analyst):
    updated(make_pledge(statement, 1), analyst, Status.IN_PROGRESS, days_ago=10)
    assert queue() == []


def test_an_overdue_pledge_that_is_not_final_is_in_the_queue(today, statement, analyst):
    pledge = with_deadline(make_pledge(statement, 1), -3)
    updated(pledge, analyst, Status.IN_PROGRESS, days_ago=1)
    [listed] = queue()
    assert listed == pledge
    assert listed.reasons_for_attention(today=today)[0].startswith("overdue since")


def test_an_overdue_pledge_with_a_final_status_is_not(statement, analyst):
    pledge = with_deadline(make_pledge(statement, 1), -3)
    updated(pledge, analyst, Status.WITHDRAWN, days_ago=1)
    assert queue() == []


def test_a_pledge_not_checked_for_180_days_is_in_the_queue(today, statement, analyst):
    unchecked = make_pledge(statement, 1)
    updated(unchecked, analyst, Status.IN_PROGRESS, days_ago=181)
    fresh = make_pledge(statement, 2)
    updated(fresh, analyst, Status.IN_PROGRESS, days_ago=179)
    [listed] = queue()
    assert listed == unchecked
    assert listed.reasons_for_attention(today=today)[0].startswith("not checked since")


def test_a_retracted_update_does_not_count_as_an_update(statement, analyst):
    pledge = make_pledge(statement, 1)
    updated(pledge, analyst, Status.IN_PROGRESS, days_ago=200)
    updated(pledge, analyst, Status.STALLED, days_ago=5, retracted=True)
    assert queue() == [pledge]


def test_the_queue_is_oldest_first(statement, analyst):
    never = make_pledge(statement, 1)
    older = make_pledge(statement, 2)
    updated(older, analyst, Status.IN_PROGRESS, days_ago=400)
    old = make_pledge(statement, 3)
    updated(old, analyst, Status.IN_PROGRESS, days_ago=200)
    overdue = with_deadline(make_pledge(statement, 4), -1)
    updated(overdue, analyst, Status.IN_PROGRESS, days_ago=2)
    reviewed_long_ago = make_pledge(statement, 5)
    updated(reviewed_long_ago, analyst, Status.STALLED, days_ago=600)
    recorded_days_ago(reviewed_long_ago, analyst, Status.STALLED, days=300, review=True)
    assert queue() == [never, older, reviewed_long_ago, old, overdue]


def test_the_queue_page_lists_the_pledges_with_their_reasons(client_for, analyst, seed):
    content = client_for(analyst).get(reverse("analyst_queue")).content.decode()
    assert content.count('data-label="Why">never assessed') == 8
    assert "overdue since 29 February 2024" in content


def test_the_queue_page_takes_the_same_number_of_queries_for_3_or_30_pledges(client_for, analyst):
    client = client_for(analyst)
    statement = make_statement(sentences=30)
    for number in range(1, 4):
        make_pledge(statement, number)

    def count() -> int:
        return queries_for(client, reverse("analyst_queue"))

    few = count()
    for number in range(4, 31):
        updated(make_pledge(statement, number), analyst, Status.IN_PROGRESS, days_ago=300)
    assert count() == few


def test_the_queue_is_in_the_navigation_of_analysts_not_of_managers(client_for, analyst, manager):
    link = f'href="{reverse("analyst_queue")}"'
    assert link in client_for(analyst).get(reverse("pledge_list")).content.decode()
    assert link not in client_for(manager).get(reverse("pledge_list")).content.decode()


def test_the_queue_counts_what_it_lists_and_leaves_out_statements_dated_later(client_for, analyst):
    """A statement dated after today (entered ahead of the meeting, say) is in no queue
    yet: neither in its rows nor in its count, which is worked out apart from them."""
    today = timezone.localdate()
    now, ahead = make_statement(sentences=3), make_statement(sentences=2)
    ahead.delivered_on = today + datetime.timedelta(days=3)
    ahead.save()
    listed = [make_pledge(now, number) for number in (1, 2, 3)]
    for number in (1, 2):
        make_pledge(ahead, number)
    updated(listed[2], analyst, Status.IN_PROGRESS, days_ago=0)  # checked today: not in the queue
    assert queue() == listed[:2]
    assert Pledge.objects.count_needing_an_analyst(today=today) == 2
    content = client_for(analyst).get(reverse("analyst_queue")).content.decode()
    assert "2 pledges need an analyst." in content
    assert content.count('data-label="Why">never assessed') == 2


def test_the_never_checked_come_in_the_order_of_their_statements_dates(statement):
    earlier = make_statement(sentences=1)
    earlier.delivered_on = statement.delivered_on - datetime.timedelta(days=30)
    earlier.save()
    later_first, earlier_first = make_pledge(statement, 1), make_pledge(earlier, 1)
    assert queue() == [earlier_first, later_first]


def test_walking_the_queue_from_its_first_pledge_meets_each_once_in_its_order(statement, analyst):
    """next_in_queue() reads the queue in two parts (those checked when this one was,
    then those checked later): the walk is the queue, ties and all."""
    earlier = make_statement(sentences=3)
    earlier.delivered_on = statement.delivered_on - datetime.timedelta(days=30)
    earlier.save()
    never = [
        make_pledge(statement, 1),
        make_pledge(earlier, 2),
        make_pledge(statement, 2),
        make_pledge(earlier, 1),
    ]
    checked = [make_pledge(statement, number) for number in (3, 4, 5)] + [make_pledge(earlier, 3)]
    for pledge, days in zip(checked, (400, 300, 400, 250), strict=True):
        updated(pledge, analyst, Status.IN_PROGRESS, days_ago=days)
    # Two checked at the same moment: the record's order decides between them.
    moment = Pledge.objects.get(pk=checked[0].pk).last_checked_at
    Pledge.objects.filter(pk=checked[2].pk).update(last_checked_at=moment)
    overdue = with_deadline(make_pledge(statement, 6), -1)
    updated(overdue, analyst, Status.IN_PROGRESS, days_ago=0)
    expected = queue()
    assert expected[:4] == [never[3], never[1], never[0], never[2]]
    assert expected[4:] == [checked[0], checked[2], checked[1], checked[3], overdue]
    began = timezone.now()
    walked = [expected[0]]
    while (following := next_in_queue(Pledge.objects.get(pk=walked[-1].pk), began)) is not None:
        walked.append(following)
    assert walked == expected
    # One checked since the walk began is passed over.
    assert next_in_queue(Pledge.objects.get(pk=expected[-2].pk), began - datetime.timedelta(hours=1)) is None
