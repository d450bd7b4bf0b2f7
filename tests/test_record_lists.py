"""The lists of statements, entities and speakers: each with its pledges by status and its
compliance rate, filtered, dated, and in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import evidence_on, make_pledge, make_statement, update_on
from tests.helpers import queries_for
from tracker.models import Entity, Pledge, Speaker
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def judged(analyst):
    """Freedonia: one pledge fulfilled, one not assessed; Sylvania: one not fulfilled."""
    freedonia = make_statement(sentences=2)
    sylvania = make_statement(sentences=1, entity_name="Sylvania")
    kept, _ = make_pledge(freedonia, 1), make_pledge(freedonia, 2)
    broken = make_pledge(sylvania, 1)
    for pledge, status in ((kept, Status.FULFILLED), (broken, Status.NOT_FULFILLED)):
        evidence = evidence_on(pledge, analyst, url=f"https://example.org/{pledge.pk}")
        update_on(
            pledge,
            analyst,
            status,
            effective_on=datetime.date(2024, 3, 1),
            rationale="Seen.",
            evidence=[evidence],
        )
    return {"freedonia": freedonia, "sylvania": sylvania}


def shown(client, name: str, **params) -> dict:
    page = client.get(reverse(name), params).context["page"]
    return {str(record): record.figures for record in page.object_list}


def test_each_entity_with_its_pledges_by_status_and_its_rate(manager_client, judged):
    rows = shown(manager_client, "entity_list")
    assert rows["Freedonia"]["pledges"] == 2 and rows["Freedonia"]["rate"] == 100.0
    assert rows["Freedonia"]["by_status"][Status.NOT_ASSESSED] == 1 and rows["Freedonia"]["too_few"]
    assert rows["Sylvania"]["rate"] == 0.0
    content = manager_client.get(reverse("entity_list")).content.decode()
    assert "too few to compare" in content and "?entity=" in content


def test_the_statements_are_filtered_by_words_and_entity(manager_client, judged):
    sylvania = Entity.objects.get(name="Sylvania")
    page = manager_client.get(reverse("statement_list"), {"entity": sylvania.pk}).context["page"]
    assert [statement.pk for statement in page.object_list] == [judged["sylvania"].pk]
    page = manager_client.get(reverse("statement_list"), {"q": judged["freedonia"].title}).context["page"]
    assert [statement.pk for statement in page.object_list] == [judged["freedonia"].pk]
    assert page.object_list[0].figures["by_status"][Status.FULFILLED] == 1


def test_the_speakers_list_takes_the_dates(manager_client, judged):
    speaker = Speaker.objects.get(entity__name="Freedonia")
    page = manager_client.get(reverse("speaker_list"), {"as_of": "2024-02-01"}).context["page"]
    before = next(record.figures for record in page.object_list if record.pk == speaker.pk)
    assert before["by_status"][Status.NOT_ASSESSED] == 2 and before["rate"] is None
    page = manager_client.get(reverse("speaker_list")).context["page"]
    now = next(record.figures for record in page.object_list if record.pk == speaker.pk)
    assert now["rate"] == 100.0


@pytest.mark.parametrize(
    ("name", "key", "named"),
    [("entity_list", "actor_id", "actor__name"), ("statement_list", "statement_id", "statement__title")],
)
def test_the_lists_today_read_the_tallies_and_show_what_counting_shows(
    manager_client, judged, name, key, named
):
    rows = shown(manager_client, name)
    today = timezone.localdate()
    for record in manager_client.get(reverse(name)).context["page"].object_list:
        counted = Pledge.objects.as_of(today).filter(**{key: record.pk}).compliance_by(key, named)
        assert rows[str(record)] == counted[0]
    with CaptureQueriesContext(connection) as queries:
        manager_client.get(reverse(name))
    assert any("tracker_statustally" in query["sql"] for query in queries.captured_queries)


def test_the_entity_list_today_leaves_out_the_pledges_of_a_statement_dated_later(manager_client, judged):
    later = make_statement(sentences=2, entity_name="Sylvania")
    later.delivered_on = timezone.localdate() + datetime.timedelta(days=2)
    later.save()
    make_pledge(later, 1)
    rows = shown(manager_client, "entity_list")
    assert rows["Sylvania"]["pledges"] == 1 and rows["Sylvania"]["rate"] == 0.0


@pytest.mark.parametrize("name", ["statement_list", "entity_list", "speaker_list"])
def test_each_list_takes_the_same_number_of_queries_for_few_or_many(manager_client, analyst, name):
    for n in range(2):
        make_pledge(make_statement(sentences=1, entity_name=f"Entity {n}"), 1)
    few = queries_for(manager_client, reverse(name))
    for n in range(2, 12):
        make_pledge(make_statement(sentences=1, entity_name=f"Entity {n}"), 1)
    assert queries_for(manager_client, reverse(name)) == few


def test_a_search_too_long_is_refused_naming_the_field(manager_client, judged):
    response = manager_client.get(reverse("entity_list"), {"q": "x" * 500, "as_of": "not a date"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "q" in form.errors and "as_of" in form.errors


def test_the_lists_are_in_the_menu(manager_client):
    content = manager_client.get(reverse("dashboard")).content.decode()
    for name in ("statement_list", "entity_list", "speaker_list"):
        assert f'href="{reverse(name)}"' in content
