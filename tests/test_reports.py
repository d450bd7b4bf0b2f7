"""What a manager hands on: "as of" a date "as known on" another, so that last quarter's
report reads the same after a back-filled update; and exports with the reasons for each
status, a byte-order mark for spreadsheets and a name that says what they hold."""

import datetime
import html
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    evidence_on,
    made_days_ago,
    make_pledge,
    recorded_days_ago,
    retract,
    update_on,
    withdraw,
)
from tests.helpers import body, csv_rows
from tracker import rules
from tracker.models import Pledge
from tracker.vocabulary import STATUS_MEANINGS, SourceType, Status

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2024, 6, 30)


@pytest.fixture
def reported(statement, analyst):
    """A pledge in progress since March 2024, recorded 100 days ago; and a report of it as of
    30 June 2024 as known on 50 days ago. Then, today, an update back-filled to May 2024
    (fulfilled), and the March update retracted."""
    pledge = made_days_ago(make_pledge(statement, 1, summary="Host the regional workshop"), 400)
    march = recorded_days_ago(
        pledge, analyst, Status.IN_PROGRESS, days=100, effective_on=datetime.date(2024, 3, 1)
    )
    known_on = timezone.localdate() - datetime.timedelta(days=50)
    evidence = evidence_on(pledge, analyst, url="https://example.org/workshop", title="Workshop report")
    update_on(
        pledge,
        analyst,
        Status.FULFILLED,
        effective_on=datetime.date(2024, 5, 15),
        rationale="The workshop was held in May.",
        evidence=[evidence],
    )
    retract(march, analyst, reason="Wrong pledge.")
    return {"pledge": pledge, "known_on": known_on, "march": march}


def dates(reported) -> dict:
    return {"as_of": AS_OF.isoformat(), "known_on": reported["known_on"].isoformat()}


def listed_status(client, params) -> str:
    [pledge] = client.get(reverse("pledge_list"), params).context["page"].object_list
    return pledge.shown.value


def test_a_back_filled_update_changes_as_of_but_not_a_report_as_known_on_an_earlier_day(
    manager_client, reported
):
    as_of_only = {"as_of": AS_OF.isoformat()}
    # What is recorded now: fulfilled in May, the March update retracted.
    assert listed_status(manager_client, as_of_only) == Status.FULFILLED
    # As the record stood 50 days ago: only the March update, not yet retracted.
    assert listed_status(manager_client, dates(reported)) == Status.IN_PROGRESS

    [row] = csv_rows(manager_client.get(reverse("export_pledges", args=["csv"]), dates(reported)))
    assert (row["status"], row["as_of"], row["known_on"]) == (
        "in_progress",
        AS_OF.isoformat(),
        reported["known_on"].isoformat(),
    )
    assert row["status_rationale"] == "Judged then." and row["evidence_urls"] == ""

    dashboard = manager_client.get(reverse("dashboard"), dates(reported))
    by_status = {status: n for status, n, _ in dashboard.context["by_status"]}
    assert by_status[Status.IN_PROGRESS] == 1 and by_status[Status.FULFILLED] == 0
    assert all("known_on=" in link for _, _, link in dashboard.context["by_status"])
    content = dashboard.content.decode()
    assert "as known on" in content


@pytest.mark.parametrize("page", ["statement", "entity", "speaker"])
def test_the_statement_entity_and_speaker_pages_take_both_dates(manager_client, reported, page):
    statement = reported["pledge"].statement
    address = {
        "statement": statement.get_absolute_url(),
        "entity": reverse("entity_detail", args=[statement.entity_id]),
        "speaker": reverse("speaker_detail", args=[statement.speaker_id]),
    }[page]
    now = manager_client.get(address).content.decode()
    then = manager_client.get(address, dates(reported)).content.decode()
    assert "Fulfilled" in now
    assert "In progress" in then and "Fulfilled</span>" not in then
    known = reported["known_on"]
    assert f'as known on <time datetime="{known.isoformat()}">{known.day} {known:%B %Y}</time>' in then


def test_the_export_gives_the_reasons_for_each_status(manager_client, reported, analyst):
    [row] = csv_rows(manager_client.get(reverse("export_pledges", args=["csv"])))
    assert row["status"] == "fulfilled"
    assert row["status_rationale"] == "The workshop was held in May."
    assert row["status_effective_on"] == "2024-05-15"
    assert row["judged_by"] == analyst.username
    assert row["evidence_urls"] == "https://example.org/workshop"
    assert row["overdue"] == "False" and row["known_on"] == timezone.localdate().isoformat()
    assert (
        datetime.datetime.strptime(row["status_recorded_at"], "%Y-%m-%d %H:%M").date() == timezone.localdate()
    )
    # Withdrawn evidence is not given as a reason.
    withdraw(Pledge.objects.get().evidence.get(), analyst)
    [row] = csv_rows(manager_client.get(reverse("export_pledges", args=["csv"])))
    assert row["evidence_urls"] == ""


def test_an_overdue_pledge_says_so_in_the_export(manager_client, statement):
    make_pledge(statement, 1, deadline_on=datetime.date(2024, 2, 29), deadline_precision="day")
    [row] = csv_rows(manager_client.get(reverse("export_pledges", args=["csv"])))
    assert row["overdue"] == "True"


def test_the_csv_starts_with_a_byte_order_mark_unless_asked_not_to(manager_client, reported):
    url = reverse("export_pledges", args=["csv"])
    raw = b"".join(manager_client.get(url).streaming_content)
    assert raw.startswith("\ufeff".encode()) and raw[3:5] == b"id"
    raw = b"".join(manager_client.get(url, {"bom": "no"}).streaming_content)
    assert raw.startswith(b"id,")
    # JSON never has one.
    document = json.loads(body(manager_client.get(reverse("export_pledges", args=["json"]), dates(reported))))
    assert document["known_on"] == reported["known_on"].isoformat()


@pytest.mark.parametrize(
    "params, name",
    [
        ({}, "pledges-as-of-{today}.csv"),
        ({"entity": "{entity}", "status": ["fulfilled"]}, "pledges-freedonia-fulfilled-as-of-{today}.csv"),
        (
            {"status": ["not_assessed", "in_progress"], "as_of": "2024-06-30", "known_on": "2024-07-01"},
            "pledges-not-assessed-in-progress-as-of-2024-06-30-known-on-2024-07-01.csv",
        ),
        ({"q": "workshop", "overdue": "no"}, "pledges-filtered-as-of-{today}.csv"),
        ({"kind": "financial", "as_of": "2024-06-30"}, "pledges-financial-as-of-2024-06-30.csv"),
    ],
)
def test_the_file_name_says_the_filters_and_the_dates(manager_client, statement, params, name):
    make_pledge(statement, 1)
    params = {
        key: value.format(entity=statement.entity_id) if isinstance(value, str) else value
        for key, value in params.items()
    }
    response = manager_client.get(reverse("export_pledges", args=["csv"]), params)
    expected = name.format(today=timezone.localdate().isoformat())
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'


def test_the_as_known_on_date_is_bounded_and_named_when_wrong(manager_client):
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for value, message in [(future, "cannot be in the future"), ("1900-01-01", "Give a date from")]:
        response = manager_client.get(reverse("pledge_list"), {"known_on": value})
        assert response.status_code == 200
        assert message in response.context["filter"].form.errors["known_on"][0]


# --- the methodology page ---------------------------------------------------------------------


def test_the_methodology_page_says_what_every_status_in_the_vocabulary_means(manager_client):
    response = manager_client.get(reverse("methodology"))
    content = response.content.decode()
    for status in Status:
        row = content.split(f'id="status-{status.value}"')[1].split("</tr>")[0]
        assert status.label in row
        for words in STATUS_MEANINGS[status]:
            assert html_escaped(words) in row
    for _, label in SourceType.choices:
        assert html_escaped(label) in content
    for rule in rules.NEEDS_AN_ANALYST:
        assert html_escaped(rule) in content
    assert 'href="/methodology/"' in content  # in the menu of every page


def html_escaped(text: str) -> str:
    return html.escape(text)


def test_the_worked_example_computes_the_rate_from_the_data(manager_client, statement, analyst):
    for number, status in enumerate([Status.FULFILLED, Status.FULFILLED, Status.NOT_FULFILLED], start=1):
        pledge = make_pledge(statement, number)
        evidence = evidence_on(pledge, analyst, url=f"https://example.org/{number}")
        update_on(pledge, analyst, status, rationale="Seen.", evidence=[evidence])
    make_pledge(statement, 4)
    example = manager_client.get(reverse("methodology")).context["example"]
    assert (example["scored"], example["pledges"], example["total"]) == (3, 4, 1)
    assert example["rate"] == round((1 / 3 + 1) / 2 * 100, 1) == 66.7
    content = manager_client.get(reverse("methodology")).content.decode()
    assert "Mean score: 1 / 3 = 0.333" in content and "66.7 %" in content and "too few to compare" in content
    assert "the rate (0.4 + 1) / 2 × 100 = 70.0 %" in content


def test_a_pledge_recorded_after_the_as_known_on_day_is_not_in_the_report(
    manager_client, reported, statement
):
    make_pledge(statement, 2, summary="Added to the record later")
    page = manager_client.get(reverse("pledge_list"), dates(reported)).context["page"]
    assert [pledge.summary for pledge in page.object_list] == ["Host the regional workshop"]
    page = manager_client.get(reverse("pledge_list"), {"as_of": AS_OF.isoformat()}).context["page"]
    assert len(page.object_list) == 2


def test_a_file_name_keeps_a_name_in_any_script_and_says_each_status_once(manager_client, statement):
    statement.entity.name = "Российская Федерация"
    statement.entity.save()
    make_pledge(statement, 1)
    response = manager_client.get(
        reverse("export_pledges", args=["csv"]),
        {"entity": statement.entity_id, "status": ["fulfilled", "fulfilled"]},
    )
    today = timezone.localdate().isoformat()
    said = response["Content-Disposition"]
    assert said.startswith("attachment; filename*=utf-8''pledges-")
    assert "%D1%80%D0%BE%D1%81" in said  # "рос", encoded
    assert said.endswith(f"-fulfilled-as-of-{today}.csv") and said.count("fulfilled") == 1
