"""Each page's number of queries, pinned on the seed with some history. The tests beside
each page check that the number does not grow with the data; these say what it is, so
that a change that adds a query to a page is seen, and decided on purpose."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import evidence_on, make_pledge, make_statement, update_on
from tests.helpers import queries_for
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db

# page: (who asks, its address from the seed's statement and one of its pledges, queries)
PAGES = {
    # Today: the headline counts and statuses in one query (stored fields and tallies);
    # the compliance rate per entity, theme and statement from the tallies, a query each
    # (the theme chart counts from the theme rates). The statuses month by month: the read
    # model's month counts. As of a past day, the headline counts and statuses are one
    # query too, counted pledge by pledge.
    "dashboard": ("manager", lambda statement, pledge: reverse("dashboard"), 12),
    "dashboard as of a date": (
        "manager",
        lambda statement, pledge: reverse("dashboard") + "?as_of=2024-06-30",
        12,
    ),
    # The page's ids, then its rows; the entity, speaker and statement filters fetch
    # their suggestions as one types.
    "pledge list": ("manager", lambda statement, pledge: reverse("pledge_list"), 8),
    "pledge list, 3 filters": (
        "manager",
        lambda statement, pledge: reverse("pledge_list") + "?overdue=no&not_checked=no&due_within=90",
        6,
    ),
    "pledge page": ("manager", lambda statement, pledge: pledge.get_absolute_url(), 11),
    "pledge page, with its forms": ("analyst", lambda statement, pledge: pledge.get_absolute_url(), 13),
    "statement page": ("manager", lambda statement, pledge: statement.get_absolute_url(), 6),
    "statement page, with its proposals": (
        "analyst",
        lambda statement, pledge: statement.get_absolute_url(),
        8,
    ),
    "entity page": (
        "manager",
        lambda statement, pledge: reverse("entity_detail", args=[statement.entity_id]),
        9,
    ),
    "queue": ("analyst", lambda statement, pledge: reverse("analyst_queue"), 6),
    # Its worked example counts today's statuses as the dashboard does: one query.
    "methodology": ("manager", lambda statement, pledge: reverse("methodology"), 5),
    # The pledges, each with its deciding update (by the status period holding the day); per
    # chunk of 1,000, their themes and the evidence their updates cite; and the count of rows
    # the file states in its header.
    "export": ("manager", lambda statement, pledge: reverse("export_pledges", args=["csv"]), 8),
    "history export": (
        "manager",
        lambda statement, pledge: reverse("pledge_history_csv", args=[pledge.pk]),
        11,
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_each_page_takes_its_pinned_number_of_queries(page, seed, client_for, request):
    role, address, expected = PAGES[page]
    user = request.getfixturevalue(role)
    pledge = seed.pledges.get(number=1)
    evidence = evidence_on(pledge, user if role == "analyst" else request.getfixturevalue("analyst"))
    update_on(pledge, evidence.added_by, Status.FULFILLED, rationale="Done.", evidence=[evidence])

    assert queries_for(client_for(user), address(seed, pledge)) == expected


def test_the_dashboard_with_a_statement_dated_later_takes_as_many(seed, client_for, manager, today):
    """Rare: the rates are counted pledge by pledge instead of read from the tallies."""

    later = make_statement(sentences=3, entity_name="Sylvania")
    later.delivered_on = today + datetime.timedelta(days=3)
    later.save()
    make_pledge(later, 1)
    assert queries_for(client_for(manager), reverse("dashboard")) == PAGES["dashboard"][2]
