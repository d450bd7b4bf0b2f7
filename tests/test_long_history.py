"""A pledge with a long history: its page shows the latest entries and folds the rest
behind a link, in the same number of queries whatever the history's length."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import evidence_on, make_pledge, make_statement, update_on
from tests.helpers import queries_for
from tracker.models import Evidence, Pledge, StatusUpdate
from tracker.views.shared import HISTORY_SHOWN
from tracker.vocabulary import SourceType, Stance, Status

pytestmark = pytest.mark.django_db

ENTRIES = 500
EVIDENCE = 30


def with_long_history(pledge: Pledge, author) -> Pledge:
    """ENTRIES status updates and EVIDENCE pieces of evidence, written in bulk (through
    the services this would take a minute); the pledge's version and status follow."""
    start = datetime.date(2024, 1, 15)
    Evidence.objects.bulk_create(
        Evidence(
            pledge=pledge,
            url=f"https://example.org/report-{n}",
            title=f"Report {n}",
            source_type=SourceType.OFFICIAL,
            stance=Stance.SUPPORTS,
            added_by=author,
            version=n + 2,
        )
        for n in range(EVIDENCE)
    )
    StatusUpdate.objects.bulk_create(
        StatusUpdate(
            pledge=pledge,
            author=author,
            status=[Status.IN_PROGRESS, Status.STALLED][n % 2],
            effective_on=start + datetime.timedelta(days=n),
            rationale=f"Check {n}.",
            version=EVIDENCE + n + 2,
        )
        for n in range(ENTRIES)
    )
    Pledge.objects.filter(pk=pledge.pk).update(version=EVIDENCE + ENTRIES + 1, status=Status.STALLED)
    pledge.refresh_from_db()
    return pledge


def test_the_pledge_page_takes_as_many_queries_for_500_entries_as_for_one(client_for, analyst, manager):
    statement = make_statement(sentences=2)
    short = make_pledge(statement, 1)
    evidence = evidence_on(short, analyst)
    update_on(short, analyst, Status.IN_PROGRESS, rationale="Seen.", evidence=[evidence])
    long = with_long_history(make_pledge(statement, 2), analyst)
    client = client_for(manager)

    assert queries_for(client, long.get_absolute_url()) == queries_for(client, short.get_absolute_url())


def test_the_page_shows_the_latest_entries_and_folds_the_rest(client_for, analyst, manager):
    pledge = with_long_history(make_pledge(make_statement(), 1), analyst)
    client = client_for(manager)

    page = client.get(pledge.get_absolute_url()).content.decode()

    assert page.count('class="timeline-entry') == HISTORY_SHOWN
    assert f"Show {ENTRIES - HISTORY_SHOWN} earlier entries" in page
    assert f"Check {ENTRIES - 1}." in page and "Check 0." not in page
    assert f"Show {EVIDENCE - HISTORY_SHOWN} earlier pieces of evidence" in page
    whole = client.get(pledge.get_absolute_url(), {"history": "all"}).content.decode()
    assert whole.count('class="timeline-entry') == ENTRIES
    assert "earlier entries" not in whole
    assert whole.count('<li id="evidence-') == EVIDENCE


def test_a_citation_of_folded_evidence_links_to_the_whole_history(client_for, analyst, manager):
    pledge = make_pledge(make_statement(), 1)
    first = evidence_on(pledge, analyst, url="https://example.org/first", title="The first report")
    for n in range(HISTORY_SHOWN):
        evidence_on(pledge, analyst, url=f"https://example.org/{n}", title=f"Report {n}")
    update_on(pledge, analyst, Status.IN_PROGRESS, rationale="Seen.", evidence=[first])

    page = client_for(manager).get(pledge.get_absolute_url()).content.decode()

    assert f'href="{reverse("pledge_detail", args=[pledge.pk])}?history=all#evidence-{first.pk}"' in page
