"""The managers' pledge list: each filter, the as-of date, sorting, pages, bad input."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import evidence_on, make_pledge, make_statement, recorded_days_ago, retract, update_on
from tests.helpers import HTMX, queries_for
from tracker import services
from tracker.filters import PledgeFilter
from tracker.models import Entity, Pledge, Speaker, Theme
from tracker.vocabulary import EntityKind, Status

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = datetime.date(2024, 1, 31), datetime.date(2024, 2, 29), datetime.date(2024, 3, 31)


def listed(manager_client, **params) -> list[int]:
    """The pks of the pledges the list shows (first page), in order."""
    response = manager_client.get(reverse("pledge_list"), params)
    assert response.status_code == 200
    return [pledge.pk for pledge in response.context["page"].object_list]


@pytest.fixture
def world(today, analyst):
    """Two entities' pledges in several states; `world[name]` is a pledge."""
    freedonia = make_statement(sentences=6)
    sylvania = make_statement(sentences=3, entity_name="Sylvania")
    rule_of_law, _ = Theme.objects.get_or_create(name="Rule of law")
    pledges = {
        "fulfilled": make_pledge(freedonia, 1, summary="Host a summit on water"),
        "stalled": make_pledge(
            freedonia, 2, deadline_on=datetime.date(2024, 6, 30), deadline_precision="month", kind="financial"
        ),
        "overdue": make_pledge(
            freedonia, 3, deadline_on=today - datetime.timedelta(days=5), deadline_precision="day"
        ),
        "due_soon": make_pledge(
            freedonia, 4, deadline_on=today + datetime.timedelta(days=20), deadline_precision="day"
        ),
        "untouched": make_pledge(freedonia, 5),
        "sylvanian": make_pledge(sylvania, 1, summary="Sylvania will plant trees"),
    }
    pledges["stalled"].themes.add(rule_of_law)
    evidence = evidence_on(pledges["fulfilled"], analyst)
    update_on(pledges["fulfilled"], analyst, Status.IN_PROGRESS, effective_on=JAN)
    update_on(
        pledges["fulfilled"],
        analyst,
        Status.FULFILLED,
        effective_on=MAR,
        rationale="Held.",
        evidence=[evidence],
    )
    update_on(pledges["stalled"], analyst, Status.STALLED, effective_on=FEB)
    mistaken = update_on(pledges["sylvanian"], analyst, Status.WITHDRAWN, effective_on=FEB, rationale="Oops.")
    retract(mistaken, analyst)
    return pledges


def pks(world, *names) -> set[int]:
    return {world[name].pk for name in names}


def test_the_list_shows_every_pledge_newest_statement_first(manager_client, world):
    assert set(listed(manager_client)) == pks(world, *world)


def test_filter_by_several_statuses(manager_client, world):
    shown = listed(manager_client, status=["fulfilled", "stalled"])
    assert set(shown) == pks(world, "fulfilled", "stalled")


def test_filter_by_entity_speaker_statement_theme_and_kind(manager_client, world):
    sylvania = Entity.objects.get(name="Sylvania")
    assert set(listed(manager_client, entity=sylvania.pk)) == pks(world, "sylvanian")
    speaker = Speaker.objects.get(entity=sylvania)
    assert set(listed(manager_client, speaker=speaker.pk)) == pks(world, "sylvanian")
    assert set(listed(manager_client, statement=world["sylvanian"].statement_id)) == pks(world, "sylvanian")
    assert set(listed(manager_client, theme=Theme.objects.get(name="Rule of law").pk)) == pks(
        world, "stalled"
    )
    assert set(listed(manager_client, kind="financial")) == pks(world, "stalled")


def test_entity_speaker_and_statement_are_typed_by_name_and_show_their_name(manager_client, world):
    sylvania = Entity.objects.get(name="Sylvania")
    speaker = Speaker.objects.get(entity=sylvania)
    statement = world["sylvanian"].statement
    for params in (
        {"entity": "sylvania"},
        {"speaker": f"{speaker.name} (Sylvania)"},
        {"statement": statement.slug},
    ):
        assert set(listed(manager_client, **params)) == pks(world, "sylvanian"), params
    # Both entities' speakers have this name: which one is meant must be said.
    response = manager_client.get(reverse("pledge_list"), {"speaker": speaker.name})
    assert response.context["filter"].form.errors["speaker"] == [
        f"More than one speaker is called “{speaker.name}”: choose one of the suggestions."
    ]
    # A link gives the id; the input shows the name, which is what it sends next.
    content = manager_client.get(reverse("pledge_list"), {"statement": statement.pk}).content.decode()
    assert f'name="statement" value="{statement.slug}"' in content
    content = manager_client.get(reverse("pledge_list"), {"speaker": speaker.pk}).content.decode()
    assert f'value="{speaker.name} (Sylvania)"' in content


def test_a_speaker_of_an_entity_whose_name_holds_brackets_is_found_by_its_suggestion(manager_client, today):
    statement = make_statement(sentences=2, entity_name="Iran (Islamic Republic of)")
    pledge = make_pledge(statement, 1)
    typed = f"{statement.speaker.name} (Iran (Islamic Republic of))"
    response = manager_client.get(reverse("suggestions", args=["speaker"]), {"speaker": "islamic"})
    assert f'<option value="{typed}">' in response.content.decode()
    assert listed(manager_client, speaker=typed) == [pledge.pk]
    # The statement's short name, in any case.
    assert listed(manager_client, statement=statement.slug.upper()) == [pledge.pk]


def test_a_name_found_for_one_request_is_looked_up_again_for_the_next(manager_client, world):
    assert set(listed(manager_client, entity="Sylvania")) == pks(world, "sylvanian")
    Entity.objects.filter(name="Sylvania").update(name="Sylvanian Republic")
    response = manager_client.get(reverse("pledge_list"), {"entity": "Sylvania"})
    assert response.context["filter"].form.errors["entity"][0].startswith("No entity is called “Sylvania”")
    response = manager_client.get(reverse("statement_list"), {"entity": "Sylvania"})
    assert "entity" in response.context["form"].errors


def test_no_filter_lists_every_record_in_the_page(manager_client, world):
    content = manager_client.get(reverse("pledge_list")).content.decode()
    for name in ("entity", "speaker", "statement"):
        assert f'<select name="{name}"' not in content
        assert f'list="{name}-suggestions"' in content
        assert f'<datalist id="{name}-suggestions"></datalist>' in content


def test_suggestions_match_every_word_typed_and_are_few(manager_client, world):
    def suggested(name: str, typed: str) -> list[str]:
        response = manager_client.get(reverse("suggestions", args=[name]), {name: typed})
        assert response.status_code == 200
        return re.findall(r'<option value="([^"]*)">', response.content.decode())

    assert suggested("entity", "sylv") == ["Sylvania"]
    speaker = Speaker.objects.get(entity__name="Sylvania")
    assert suggested("speaker", "sylvania") == [f"{speaker.name} (Sylvania)"]
    assert suggested("statement", world["sylvanian"].statement.slug) == [world["sylvanian"].statement.slug]
    assert suggested("statement", "no such words") == []
    assert suggested("statement", "") == []
    assert suggested("statement", "x" * 5000) == []  # bounded, never an error
    assert suggested("entity", "syl\x00v") == ["Sylvania"]  # a NUL is left out (PostgreSQL refuses one)
    for n in range(30):
        Entity.objects.create(name=f"Ruritania {n:02}", kind=Entity.objects.get(name="Sylvania").kind)
    assert len(suggested("entity", "ruritania")) == 15
    assert manager_client.get(reverse("suggestions", args=["quote"]), {"quote": "a"}).status_code == 404


def test_filter_by_deadline_range(manager_client, world):
    shown = listed(manager_client, deadline_after="2024-06-01", deadline_before="2024-07-01")
    assert set(shown) == pks(world, "stalled")


def test_filter_overdue_and_not(manager_client, world):
    assert set(listed(manager_client, overdue="yes")) == pks(world, "overdue", "stalled")
    assert pks(world, "overdue", "stalled").isdisjoint(listed(manager_client, overdue="no"))


def test_filter_final_and_not(manager_client, world):
    assert set(listed(manager_client, final="yes")) == pks(world, "fulfilled")
    assert world["fulfilled"].pk not in listed(manager_client, final="no")


def test_filter_has_evidence(manager_client, world):
    assert set(listed(manager_client, has_evidence="yes")) == pks(world, "fulfilled")
    assert world["fulfilled"].pk not in listed(manager_client, has_evidence="no")


def test_filter_due_within_days(manager_client, world):
    assert set(listed(manager_client, due_within=30)) == pks(world, "due_soon")


def test_filter_changed_within_days_and_not_checked(today, manager_client, world, analyst):
    update_on(
        world["untouched"], analyst, Status.IN_PROGRESS, effective_on=today - datetime.timedelta(days=3)
    )
    # Everything above was recorded today: nothing is unchecked, however long ago it took effect.
    assert set(listed(manager_client, not_checked="yes")) == set()
    recorded_days_ago(world["due_soon"], analyst, Status.IN_PROGRESS, days=200)
    recorded_days_ago(world["overdue"], analyst, Status.FULFILLED, days=200)  # closed: checked enough
    assert set(listed(manager_client, changed_within=30)) == pks(world, "untouched")
    assert set(listed(manager_client, not_checked="yes")) == pks(world, "due_soon")


def test_search_reads_the_quote_the_summary_and_the_statement_title(manager_client, world):
    assert set(listed(manager_client, q="summit water")) == pks(world, "fulfilled")  # summary
    assert world["stalled"].pk in listed(manager_client, q="thing number 2")  # quote
    statement_title = world["sylvanian"].statement.title
    assert world["sylvanian"].pk in listed(manager_client, q=statement_title)
    assert set(listed(manager_client, q="plant trees")) == pks(world, "sylvanian")


# --- as of a date ----------------------------------------------------------------------


def test_as_of_a_date_an_update_effective_after_it_does_not_count(manager_client, world):
    shown = manager_client.get(reverse("pledge_list"), {"as_of": "2024-02-15"}).context["page"].object_list
    status = {pledge.pk: pledge.shown for pledge in shown}
    assert status[world["fulfilled"].pk] == Status.IN_PROGRESS  # fulfilled only from March
    assert status[world["stalled"].pk] == Status.NOT_ASSESSED  # stalled from 29 February
    assert set(listed(manager_client, as_of="2024-02-15", status="in_progress")) == pks(world, "fulfilled")


def test_a_retracted_update_never_counts(manager_client, world):
    for day in ("2024-03-01", ""):
        shown = {
            p.pk: p.shown
            for p in manager_client.get(reverse("pledge_list"), {"as_of": day}, follow=True)
            .context["page"]
            .object_list
        }
        assert shown[world["sylvanian"].pk] == Status.NOT_ASSESSED


def test_pledges_made_after_the_as_of_date_are_not_listed(manager_client, world):
    assert listed(manager_client, as_of="2024-01-09") == []  # the statements are of 10 January 2024


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"theme": "rule"},
        {"kind": "financial", "q": "thing"},
        {"status": ["in_progress", "not_assessed"]},
        {"overdue": "no", "sort": "-last_change"},
        {"has_evidence": "yes", "sort": "status"},
    ],
)
@pytest.mark.parametrize("day", ["2024-02-15", "2024-03-31", ""])
def test_the_count_of_the_list_is_the_number_of_pledges_it_lists(manager_client, world, day, params):
    """The list counts its pledges apart from finding its page (without working out how
    each stood, where no filter in use reads it): both must say the same."""
    if "theme" in params:
        params = {**params, "theme": Theme.objects.get(name="Rule of law").pk}
    response = manager_client.get(reverse("pledge_list"), {"as_of": day, **params}, follow=True)
    page = response.context["page"]
    assert page.paginator.count == len(page.object_list) == len(set(page.object_list))
    reads_status = any(name in params for name in ("status", "overdue"))
    filterset = response.context["filter"]
    counted_sql = str(filterset.counted().query)
    assert ("tracker_statusperiod" in counted_sql) == bool(day and reads_status)


# A value for each of the list's filters (a new filter must be given one here).
EACH_FILTER = {
    "q": "thing",
    "status": ["stalled"],
    "entity": "a record (below)",
    "speaker": "a record",
    "statement": "a record",
    "theme": "a record",
    "kind": "financial",
    "deadline_after": "2024-01-01",
    "deadline_before": "2030-01-01",
    "due_within": "400",
    "overdue": "yes",
    "final": "no",
    "has_evidence": "no",
    "changed_within": "3000",
    "not_checked": "no",
}


def test_every_filter_alone_is_counted_as_the_list_shows_it(manager_client, world):
    """A filter left out of PledgeFilter.READ_HOW_IT_STOOD must not read how a pledge
    stood: alone, as of a past day, its count is the number of pledges listed."""
    filters = set(PledgeFilter.base_filters) - {"as_of", "known_on", "sort"}
    assert filters == set(EACH_FILTER)
    assert filters >= PledgeFilter.READ_HOW_IT_STOOD
    records = {
        "entity": world["stalled"].actor_id,
        "speaker": world["stalled"].statement.speaker_id,
        "statement": world["stalled"].statement_id,
        "theme": Theme.objects.get(name="Rule of law").pk,
    }
    for name, value in {**EACH_FILTER, **records}.items():
        response = manager_client.get(reverse("pledge_list"), {"as_of": "2024-03-31", name: value})
        page = response.context["page"]
        assert not response.context["filter"].form.errors, name
        assert page.paginator.count == len(page.object_list), name


def test_the_as_of_date_cannot_be_in_the_future(today, manager_client, world):
    response = manager_client.get(
        reverse("pledge_list"), {"as_of": (today + datetime.timedelta(days=1)).isoformat()}
    )
    assert response.status_code == 200
    assert "The as-of date cannot be in the future." in response.content.decode()


def test_the_as_of_date_is_part_of_every_link_on_the_list(manager_client, world):
    content = manager_client.get(
        reverse("pledge_list"), {"as_of": "2024-02-15", "status": "in_progress"}
    ).content.decode()
    exports = re.findall(r'href="(/pledges/export\.\w+\?[^"]*)"', content)
    assert exports and all("as_of=2024-02-15" in href and "status=in_progress" in href for href in exports)


# --- sorting and pages -------------------------------------------------------------------


def test_sort_by_deadline_last_change_status_and_entity(manager_client, world):
    by_deadline = listed(manager_client, sort="deadline", deadline_after="2000-01-01")
    assert by_deadline == [world[name].pk for name in ("stalled", "overdue", "due_soon")]
    by_status = [Pledge.objects.get(pk=pk).status for pk in listed(manager_client, sort="-status")]
    assert by_status == sorted(by_status, key=lambda s: Status(s).order, reverse=True)
    by_change = listed(manager_client, sort="last_change", changed_within=3000)
    assert by_change == [world["stalled"].pk, world["fulfilled"].pk]
    by_entity = listed(manager_client, sort="-entity")
    assert by_entity[0] == world["sylvanian"].pk


@pytest.mark.parametrize("sort", ["status", "-status", "deadline", "-entity", "last_checked"])
def test_a_sort_with_ties_lists_each_pledge_once_in_the_record_order_within_a_tie(manager_client, sort):
    """Sorted by status, 120 pledges all "not assessed" tie: the pages list each once, in
    the record's order (the database may return ties in any order otherwise)."""
    statements = [make_statement(sentences=60) for _ in range(2)]
    statements[1].delivered_on = statements[0].delivered_on + datetime.timedelta(days=1)
    statements[1].slug = "later-statement"
    statements[1].save()
    for statement in statements:
        for number in range(1, 61):
            make_pledge(statement, number)
    walked = []
    for page in (1, 2, 3):
        response = manager_client.get(reverse("pledge_list"), {"sort": sort, "page": page})
        walked += [pledge.pk for pledge in response.context["page"].object_list]
    record = list(
        Pledge.objects.order_by("-statement__delivered_on", "statement__slug", "number").values_list(
            "pk", flat=True
        )
    )
    assert walked == record


@pytest.mark.parametrize("sort", ["", "deadline", "-deadline", "-status"])
def test_the_pages_past_the_middle_read_backwards_and_show_the_same_pledges(manager_client, sort):
    """A page in the second half is read from the end (CountedPaginator): every page
    shows the pledges it would show read from the start, deadlines missing or not."""
    statements = [make_statement(sentences=65) for _ in range(2)]
    statements[1].delivered_on = statements[0].delivered_on + datetime.timedelta(days=1)
    statements[1].save()
    for statement in statements:
        for number in range(1, 66):
            if number % 3:
                deadline = datetime.date(2025, 1, 1) + datetime.timedelta(days=number % 7)
                make_pledge(statement, number, deadline_on=deadline, deadline_precision="day")
            else:
                make_pledge(statement, number)
    params = {"sort": sort} if sort else {}
    filterset = PledgeFilter(params, queryset=Pledge.objects.all())
    record = list(filterset.qs.values_list("pk", flat=True))
    assert len(record) == 130
    shown = {}
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(reverse("pledge_list"), {**params, "page": page})
        shown[page] = [pledge.pk for pledge in response.context["page"].object_list]
        sql = " ".join(query["sql"] for query in queries.captured_queries)
        skipped = [int(n) for n in re.findall(r"OFFSET (\d+)", sql)]
        # Read from the end, the last page skips nothing, the second skips 50 either way.
        assert max(skipped, default=0) <= 50
    assert shown == {1: record[:50], 2: record[50:100], 3: record[100:]}


def test_the_list_counts_from_the_tallies_today_leaving_out_statements_dated_later(
    manager_client, world, today
):
    later = make_statement(sentences=2)
    later.delivered_on = today + datetime.timedelta(days=4)
    later.save()
    make_pledge(later, 1)
    shown_today = Pledge.objects.as_of(today).count()
    assert shown_today == len(world)
    with CaptureQueriesContext(connection) as queries:
        response = manager_client.get(reverse("pledge_list"))
    assert response.context["page"].paginator.count == shown_today
    assert any("tracker_statustally" in query["sql"] for query in queries.captured_queries)
    # A filter in use, or a past day: counted pledge by pledge, the same way.
    assert (
        manager_client.get(reverse("pledge_list"), {"kind": "financial"}).context["page"].paginator.count
        == Pledge.objects.as_of(today).filter(kind="financial").count()
    )
    past = today - datetime.timedelta(days=1)
    assert (
        manager_client.get(reverse("pledge_list"), {"as_of": past.isoformat()})
        .context["page"]
        .paginator.count
        == Pledge.objects.as_of(past).count()
    )


def test_pages_keep_the_filters(manager_client):
    statement = make_statement(sentences=120)
    for number in range(1, 121):
        make_pledge(statement, number, kind="financial" if number % 2 else "event_or_activity")
    response = manager_client.get(reverse("pledge_list"), {"kind": "financial"})
    assert response.context["page"].paginator.count == 60
    next_link = (
        re.search(r'href="([^"]*)" rel="next"', response.content.decode()).group(1).replace("&amp;", "&")
    )
    assert "kind=financial" in next_link and "page=2" in next_link
    second = manager_client.get(reverse("pledge_list") + next_link)
    assert [Pledge.objects.get(pk=pk).kind for pk in (p.pk for p in second.context["page"].object_list)] == [
        "financial"
    ] * 10


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"status": "done"}, "status", "Select a valid choice. done is not one of the available choices."),
        ({"as_of": "2024-13-40"}, "as_of", "Enter a valid date."),
        ({"deadline_after": "soon"}, "deadline_after", "Enter a valid date."),
        ({"due_within": "-3"}, "due_within", "Ensure this value is greater than or equal to 0."),
        ({"entity": "999999"}, "entity", "No entity has the number 999999 here"),
        # Digits Python reads as digits, but no number: a name like any other.
        ({"entity": "²"}, "entity", "No entity is called “²”"),
        ({"speaker": "①"}, "speaker", "No speaker is called “①”"),
        ({"statement": "١"}, "statement", "No statement is called “١”"),
        ({"entity": "9" * 40}, "entity", "No entity is called “" + "9" * 40 + "”"),
        ({"entity": "x" * 199}, "entity", "No entity is called “" + "x" * 60 + "…”"),
        ({"statement": "a\x00b"}, "statement", "Names hold no NUL character"),
        ({"statement": "no-such-statement"}, "statement", "No statement is called “no-such-statement”"),
        ({"speaker": "x" * 201}, "speaker", "Type at most 200 characters"),
        ({"sort": "price"}, "sort", "Select a valid choice."),
    ],
)
def test_a_bad_filter_value_is_shown_beside_its_filter_never_a_server_error(
    manager_client, world, params, field, message
):
    response = manager_client.get(reverse("pledge_list"), params)
    assert response.status_code == 200
    form = response.context["filter"].form
    assert message in " ".join(form.errors[field])
    content = response.content.decode()
    assert f'id="id_{field}_error"' in content
    # The other filters and the list still work.
    assert response.context["page"].paginator.count == len(world)


@pytest.mark.parametrize(
    ("page", "shown", "message"),
    [
        ("-1", 1, "There is no page -1"),
        ("abc", 1, "is not a page number"),
        ("99", 1, "There is no page 99"),
        ("2.5", 1, "is not a page number"),
    ],
)
def test_a_bad_page_shows_a_page_that_exists_and_says_why(manager_client, world, page, shown, message):
    response = manager_client.get(reverse("pledge_list"), {"page": page})
    assert response.status_code == 200
    assert response.context["page"].number == shown
    assert message in response.content.decode()


# --- htmx ----------------------------------------------------------------------------------


def test_htmx_gets_the_results_alone(manager_client, world):
    response = manager_client.get(reverse("pledge_list"), {"status": "stalled"}, headers=HTMX)
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="results"')
    assert "<form" not in content
    assert response.context["page"].paginator.count == 1
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_with_a_bad_filter_gets_the_filters_too_to_show_the_message(manager_client, world):
    response = manager_client.get(reverse("pledge_list"), {"as_of": "2024-13-40"}, headers=HTMX)
    assert response.headers["HX-Retarget"] == "#list-layout"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert 'id="id_as_of_error"' in response.content.decode()


def test_going_back_in_history_gets_the_whole_page(manager_client, world):
    response = manager_client.get(
        reverse("pledge_list"),
        {"status": "stalled"},
        headers={**HTMX, "HX-History-Restore-Request": "true"},
    )
    assert "<h1>Pledges</h1>" in response.content.decode()


# --- queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params", [{}, {"as_of": "2024-02-15", "status": "in_progress", "sort": "last_change"}]
)
def test_the_list_takes_the_same_number_of_queries_for_3_or_40_pledges(manager_client, analyst, params):
    statement = make_statement(sentences=40)

    def count() -> int:
        return queries_for(manager_client, reverse("pledge_list"), params)

    for number in range(1, 4):
        update_on(make_pledge(statement, number), analyst, Status.IN_PROGRESS, effective_on=JAN)
    few = count()
    for number in range(4, 41):
        pledge = make_pledge(statement, number)
        update_on(pledge, analyst, Status.IN_PROGRESS, effective_on=JAN)
        Entity.objects.create(name=f"Entity {number}", kind=EntityKind.STATE)
    assert count() == few


def test_a_shared_address_keeps_only_the_filters_in_use(manager_client, world):
    sent = {"q": "", "as_of": "", "status": "fulfilled", "entity": "", "page": "1", "sort": ""}
    response = manager_client.get(reverse("pledge_list"), sent)
    assert response.status_code == 302
    assert response["Location"] == reverse("pledge_list") + "?status=fulfilled&page=1"
    # With htmx, the address pushed into the browser's history is the same.
    response = manager_client.get(reverse("pledge_list"), sent, headers={"HX-Request": "true"})
    assert response["HX-Push-Url"] == reverse("pledge_list") + "?status=fulfilled&page=1"
    assert {p.pk for p in response.context["page"].object_list} == pks(world, "fulfilled")


def test_the_filters_say_how_many_are_active(manager_client, world):
    content = manager_client.get(reverse("pledge_list"), {"status": ["fulfilled", "stalled"], "q": "thing"})
    assert "<summary>Filters (2 active)</summary>" in content.content.decode()
    assert "<summary>Filters</summary>" in manager_client.get(reverse("pledge_list")).content.decode()


def test_after_live_filtering_the_links_carry_only_the_filters_in_use(manager_client, world):
    sent = {"q": "", "as_of": "", "status": "fulfilled", "entity": "", "sort": ""}
    content = manager_client.get(
        reverse("pledge_list"), sent, headers={"HX-Request": "true"}
    ).content.decode()
    assert f'href="{reverse("list_briefing")}?status=fulfilled"' in content
    assert f'href="{reverse("export_pledges", args=["csv"])}?status=fulfilled"' in content


# --- search, by an index --------------------------------------------------------------------


def test_search_folds_case_in_any_script_and_needs_every_word(manager_client, world):
    statement = make_statement(sentences=2, entity_name="Sylvania")
    pledge = make_pledge(statement, 1, summary="Sylvania will fund the ÉCOLE in Tromsø")
    assert listed(manager_client, q="école TROMSØ") == [pledge.pk]
    assert listed(manager_client, q="école nowhere") == []
    # Short words are searched too, without the index.
    assert pledge.pk in listed(manager_client, q="in")
    # Quotes and other marks are words like any other, never an error.
    assert listed(manager_client, q='"école"') == []
    assert manager_client.get(reverse("pledge_list"), {"q": 'AND OR NOT * " ( )'}).status_code == 200


def test_a_word_never_matches_across_the_quote_summary_and_title(manager_client, world):
    pledge = world["sylvanian"]
    text = pledge.search_text
    quote_end, summary_start = pledge.quote[-3:].casefold(), pledge.summary[:3].casefold()
    assert f"{quote_end}\n{summary_start}" in text
    assert pledge.pk not in listed(manager_client, q=f"{quote_end}{summary_start}")


def test_a_new_statement_title_is_searched_at_once(manager_client, world):
    statement = world["sylvanian"].statement
    statement.title = "Statement on reforestation in the highlands"
    services.save_statement(statement=statement, changed_by=None)
    assert listed(manager_client, q="reforestation highlands") == [world["sylvanian"].pk]


def test_search_is_served_by_an_index(world):
    from django.db import connection

    plan = Pledge.objects.matching(["summit"]).explain()
    if connection.vendor == "sqlite":
        assert "VIRTUAL TABLE INDEX" in plan  # the FTS5 table of trigrams
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'tracker_pledge_search_trgm'")
            assert "gin_trgm_ops" in cursor.fetchone()[0]
