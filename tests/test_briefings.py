"""Briefings per entity, statement, theme and filtered list: the summary and every pledge
with its status, rationale and evidence, dated as of a date as known on another."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    evidence_on,
    made_days_ago,
    make_pledge,
    make_statement,
    recorded_days_ago,
    update_on,
)
from tests.helpers import queries_for
from tracker.models import Pledge, Theme
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def briefed(analyst):
    statement = make_statement(sentences=3)
    water, _ = Theme.objects.get_or_create(name="Water")
    kept = make_pledge(statement, 1, summary="Host the water summit")
    kept.themes.add(water)
    evidence = evidence_on(kept, analyst, url="https://example.org/summit-report", title="Summit report")
    update_on(
        kept,
        analyst,
        Status.FULFILLED,
        effective_on=timezone.localdate(),
        rationale="Held in March.",
        evidence=[evidence],
    )
    late = make_pledge(
        statement,
        2,
        summary="Fund the wells",
        deadline_on=datetime.date(2024, 6, 30),
        deadline_precision="day",
    )
    make_pledge(statement, 3, summary="Train engineers")
    return {"statement": statement, "kept": kept, "late": late, "water": water}


def test_an_entity_briefing_has_the_summary_then_each_pledge(manager_client, briefed):
    response = manager_client.get(reverse("entity_briefing", args=[briefed["statement"].entity_id]))
    content = response.content.decode()
    summary, pledges = content.split('id="pledges-heading"')
    assert (
        "100.0 %" in summary
        and "resting on 1 scored pledge of 3" in summary
        and "too few to compare" in summary
    )
    assert "Overdue: 1" in summary and "Fund the wells" in summary
    assert "Host the water summit" in summary.split("What changed since")[1]
    assert "Held in March." in pledges and "https://example.org/summit-report" in pledges
    assert "Summit report" in pledges and "Train engineers" in pledges
    assert "As of today, as known today (" in content
    assert f'Made on <time datetime="{timezone.localdate().isoformat()}">' in content


def test_a_briefing_as_known_on_an_earlier_day_does_not_see_what_was_recorded_since(
    manager_client, briefed, analyst
):
    pledge = briefed["late"]
    for each in briefed["statement"].pledges.all():
        made_days_ago(each, 400)
    recorded_days_ago(pledge, analyst, Status.STALLED, days=30, effective_on=datetime.date(2024, 3, 1))
    known_on = timezone.localdate() - datetime.timedelta(days=60)
    url = reverse("statement_briefing", args=[briefed["statement"].slug])
    then = manager_client.get(url, {"as_of": "2024-06-30", "known_on": known_on.isoformat()}).context
    assert {p.summary: p.shown for p in then["pledges"]}["Fund the wells"] is Status.NOT_ASSESSED
    now = manager_client.get(url, {"as_of": "2024-06-30"}).context
    assert {p.summary: p.shown for p in now["pledges"]}["Fund the wells"] is Status.STALLED
    content = manager_client.get(
        url, {"as_of": "2024-06-30", "known_on": known_on.isoformat()}
    ).content.decode()
    assert 'As of <time datetime="2024-06-30">30 June 2024</time>, as known on' in content


def test_a_theme_briefing_and_a_filtered_list_briefing(manager_client, briefed):
    theme = manager_client.get(reverse("theme_briefing", args=[briefed["water"].pk])).context
    assert [p.summary for p in theme["pledges"]] == ["Host the water summit"]
    listed = manager_client.get(reverse("list_briefing"), {"status": "not_assessed", "q": "wells"}).context
    assert [p.summary for p in listed["pledges"]] == ["Fund the wells"]
    assert all("status=not_assessed" in link for _, _, link in listed["by_status"])


def test_a_briefing_takes_the_same_number_of_queries_for_few_or_many(manager_client, analyst):
    statement = make_statement(sentences=30)
    for number in range(1, 4):
        make_pledge(statement, number)
    update_on(statement.pledges.first(), analyst, Status.IN_PROGRESS, rationale="Begun.")
    url = reverse("statement_briefing", args=[statement.slug])
    few = queries_for(manager_client, url)
    for number in range(4, 31):
        pledge = make_pledge(statement, number)
        evidence = evidence_on(pledge, analyst, url=f"https://example.org/{number}")
        update_on(pledge, analyst, Status.FULFILLED, rationale="Done.", evidence=[evidence])
    assert queries_for(manager_client, url) == few


def test_a_changes_since_date_that_cannot_be_read_is_named(manager_client, briefed):
    url = reverse("entity_briefing", args=[briefed["statement"].entity_id])
    response = manager_client.get(url, {"since": "1800-01-01"})
    assert response.status_code == 200
    assert "since" in response.context["form"].errors


def test_a_list_briefing_says_which_filters_it_could_not_read(manager_client, briefed):
    content = manager_client.get(reverse("list_briefing"), {"entity": "abc", "q": "wells"}).content.decode()
    assert "These filters could not be read and were left out" in content
    assert "Entity: No entity is called “abc”" in content


def test_a_period_that_starts_after_the_as_of_date_is_refused(manager_client, briefed):
    url = reverse("entity_briefing", args=[briefed["statement"].entity_id])
    response = manager_client.get(url, {"as_of": "2024-03-01", "since": "2024-06-01"})
    assert "cannot be after the as-of date" in response.context["form"].errors["since"][0]


def test_a_list_briefing_prints_the_filters_it_counts(manager_client, briefed):
    content = manager_client.get(
        reverse("list_briefing"), {"status": ["not_assessed", "fulfilled"], "theme": briefed["water"].pk}
    ).content.decode()
    assert "<strong>Filters:</strong> Status: Not assessed, Fulfilled; Theme: Water." in content


def test_what_changed_counts_a_judgement_recorded_in_the_period_though_back_dated(
    manager_client, briefed, analyst
):
    late = briefed["late"]
    update_on(late, analyst, Status.STALLED, effective_on=datetime.date(2024, 3, 1), rationale="Frozen.")
    context = manager_client.get(reverse("statement_briefing", args=[briefed["statement"].slug])).context
    assert {pledge.summary for pledge in context["changed"]} == {"Host the water summit", "Fund the wells"}


def test_a_briefing_gives_each_pledge_its_address_and_its_deadline_as_worded(manager_client, briefed):
    Pledge.objects.filter(pk=briefed["late"].pk).update(
        deadline_text="by mid-2024", deadline_precision="month"
    )
    content = manager_client.get(
        reverse("statement_briefing", args=[briefed["statement"].slug])
    ).content.decode()
    assert f"http://testserver{briefed['late'].get_absolute_url()}" in content
    assert "deadline: by mid-2024" in content and "due by mid-2024" in content
