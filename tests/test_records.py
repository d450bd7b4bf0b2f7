"""Pages per statement, entity and speaker."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import evidence_on, make_pledge, make_statement, update_on
from tests.helpers import queries_for
from tracker import figures
from tracker.models import Pledge, Speaker, Statement, StatusTally
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db


def test_the_statement_page_highlights_and_links_every_pledge_in_the_full_text(client_for, manager, seed):
    content = client_for(manager).get(seed.get_absolute_url()).content.decode()
    text = content.split('class="statement-text statement-text--full"')[1].split(">", 1)[1].split("</div>")[0]
    for pledge in seed.pledges.all():
        assert f'<a class="pledge-mark" href="{pledge.get_absolute_url()}"' in text
    marked = re.findall(r'<a class="pledge-mark" href="[^"]+"[^>]*><mark>(.*?)</mark></a>', text, re.S)
    assert len(marked) == 8
    # Nothing of the text is lost: without the tags, it is the statement, escaped.
    plain = re.sub(r"<[^>]+>", "", text)
    assert plain == seed.text.replace("&", "&amp;").replace('"', "&quot;").replace("'", "&#x27;")


def test_the_statement_page_lists_its_pledges_with_their_status(client_for, manager, analyst, seed):
    pledge = seed.pledges.get(number=2)
    update_on(pledge, analyst, Status.IN_PROGRESS, effective_on=datetime.date(2024, 1, 5))
    content = client_for(manager).get(seed.get_absolute_url()).content.decode()
    assert content.count("status--not_assessed") == 7 and content.count("status--in_progress") == 1


def test_overlapping_quotes_are_cut_without_losing_a_word():
    statement = Statement(text="One two three four five.")
    first = Pledge(number=1, quote_start=4, quote_end=13)  # "two three"
    second = Pledge(number=2, quote_start=8, quote_end=18)  # "three four"
    pieces = statement.text_with_pledges([first, second])
    assert "".join(words for words, _ in pieces) == statement.text
    assert [(words, pledge.number if pledge else None) for words, pledge in pieces] == [
        ("One ", None),
        ("two three", 1),
        (" four", 2),
        (" five.", None),
    ]


def test_the_entity_page_shows_pledges_by_status_compliance_and_the_overdue(client_for, manager, analyst):
    statement = make_statement(sentences=4)
    kept = make_pledge(statement, 1)
    update_on(kept, analyst, Status.FULFILLED, rationale="Done.", evidence=[evidence_on(kept, analyst)])
    late = make_pledge(
        statement, 2, deadline_on=timezone.localdate() - datetime.timedelta(days=3), deadline_precision="day"
    )
    make_pledge(statement, 3)
    content = client_for(manager).get(statement.entity.get_absolute_url()).content.decode()
    assert "100.0 %" in content and "1 scored pledge" in content
    overdue = content.split('id="overdue-heading"')[1]
    assert late.summary in overdue and kept.summary not in overdue
    assert re.search(
        r'<span class="tile-number">2</span> <span class="status status--not_assessed">', content
    )


def test_the_entity_page_today_reads_its_tally_and_counts_the_same(client_for, manager, analyst):
    statement = make_statement(sentences=6)
    pledges = [make_pledge(statement, number) for number in range(1, 7)]
    for pledge, status in zip(
        pledges, [Status.FULFILLED, Status.NOT_FULFILLED, Status.IN_PROGRESS], strict=False
    ):
        update_on(pledge, analyst, status, rationale="Seen.", evidence=[evidence_on(pledge, analyst)])
    entity_pledges = Pledge.objects.filter(actor=statement.entity)
    counted = entity_pledges.as_of(timezone.localdate()).standing()
    tallied = StatusTally.objects.standing_of("entity", statement.entity_id)
    assert tallied == {**counted, "key": statement.entity_id, "name": statement.entity.name}
    nothing = StatusTally.objects.standing_of("entity", statement.entity_id + 1)
    assert nothing["pledges"] == 0 and nothing["rate"] is None and not any(nothing["by_status"].values())
    response = client_for(manager).get(statement.entity.get_absolute_url())
    assert response.context["compliance"]["rate"] == 50.0 and response.context["compliance"]["pledges"] == 6
    assert {status: n for status, n, _ in response.context["by_status"]} == {
        Status.FULFILLED: 1,
        Status.NOT_FULFILLED: 1,
        Status.IN_PROGRESS: 1,
        Status.NOT_ASSESSED: 3,
    }


def test_the_entity_page_today_leaves_out_a_statement_dated_later(client_for, manager):
    statement = make_statement(sentences=2)
    make_pledge(statement, 1)
    later = make_statement(sentences=2)
    later.delivered_on = timezone.localdate() + datetime.timedelta(days=5)
    later.save()
    make_pledge(later, 1)
    make_pledge(later, 2)
    response = client_for(manager).get(statement.entity.get_absolute_url())
    # Its tally counts all three; the page, only the one made by today.
    assert StatusTally.objects.standing_of("entity", statement.entity_id)["pledges"] == 3
    assert response.context["compliance"]["pledges"] == 1
    assert [(status, n) for status, n, _ in response.context["by_status"]] == [(Status.NOT_ASSESSED, 1)]


def test_an_entity_or_speaker_page_lists_the_first_few_and_links_to_every_one(
    client_for, manager, monkeypatch
):
    monkeypatch.setattr(figures, "SHOWN_ON_A_PAGE", 2)
    late = {"deadline_on": timezone.localdate() - datetime.timedelta(days=3), "deadline_precision": "day"}
    statements = [make_statement(sentences=3) for _ in range(3)]
    for statement in statements:
        for number in range(1, 4):
            make_pledge(statement, number, **late)
    client = client_for(manager)
    entity = statements[0].entity
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    content = client.get(entity.get_absolute_url(), {"as_of": yesterday}).content.decode()
    overdue = content.split('id="overdue-heading"')[1].split('id="statements-heading"')[0]
    assert overdue.count('data-label="Pledge"') == 2
    assert "The first 2, by deadline." in overdue and "Every overdue pledge, in the list" in overdue
    listed = content.split('id="statements-heading"')[1]
    assert listed.count("<li>") == 2
    every = reverse("statement_list") + f"?entity={entity.pk}&amp;as_of={yesterday}"
    assert f'href="{every}">Every statement of {entity}</a>' in listed
    speaker = statements[0].speaker
    listed = client.get(speaker.get_absolute_url()).content.decode().split('id="statements-heading"')[1]
    assert listed.count("<li>") == 2 and "statements, in the list</a>" in listed


def test_the_record_lists_take_the_entity_by_name(client_for, manager):
    statement = make_statement(sentences=3)
    make_statement(sentences=3, entity_name="Sylvania")
    response = client_for(manager).get(reverse("statement_list"), {"entity": "freedonia"})
    assert [record.pk for record in response.context["page"].object_list] == [statement.pk]
    response = client_for(manager).get(reverse("statement_list"), {"entity": "Ruritania"})
    assert response.context["form"].errors["entity"][0].startswith("No entity is called “Ruritania”")


def test_the_speaker_page_shows_their_statements_and_pledges(client_for, manager, seed):
    speaker = Speaker.objects.get()
    content = client_for(manager).get(speaker.get_absolute_url()).content.decode()
    assert seed.title in content
    assert re.search(
        r'<span class="tile-number">8</span> <span class="status status--not_assessed">', content
    )
    assert "No pledge has been judged" in content


@pytest.mark.parametrize("page", ["statement", "entity", "speaker"])
def test_record_pages_take_the_same_number_of_queries_for_3_or_30_pledges(client_for, manager, analyst, page):
    client = client_for(manager)
    statement = make_statement(sentences=30)
    url = {
        "statement": statement.get_absolute_url(),
        "entity": statement.entity.get_absolute_url(),
        "speaker": statement.speaker.get_absolute_url(),
    }[page]

    def count() -> int:
        return queries_for(client, url)

    for number in range(1, 4):
        make_pledge(statement, number, deadline_on=datetime.date(2024, 3, 1), deadline_precision="day")
    few = count()
    for number in range(4, 31):
        pledge = make_pledge(
            statement, number, deadline_on=datetime.date(2024, 3, 1), deadline_precision="day"
        )
        update_on(pledge, analyst, Status.IN_PROGRESS)
    assert count() == few


def test_unknown_records_are_not_found(client_for, manager):
    client = client_for(manager)
    assert client.get(reverse("statement_detail", args=["nothing-here"])).status_code == 404
    assert client.get(reverse("entity_detail", args=[9999])).status_code == 404
    assert client.get(reverse("speaker_detail", args=[9999])).status_code == 404
