"""The managers' dashboard: its figures, as of a date, and the pledges behind each one."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import evidence_on, make_pledge, make_statement, retract, update_on
from tests.helpers import queries_for
from tracker import figures, history
from tracker.figures import dashboard as dashboard_figures
from tracker.figures import monthly_status_counts
from tracker.models import Entity, Evidence, Pledge, Statement, Theme
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db


def judged(statement, number, analyst, *statuses_and_days):
    """A pledge with updates: ("fulfilled", date), ..."""
    pledge = make_pledge(statement, number)
    for status, day in statuses_and_days:
        extra = {}
        if Status(status).is_final:
            extra = {
                "rationale": "Seen.",
                "evidence": [evidence_on(pledge, analyst, url=f"https://e.org/{day}")],
            }
        update_on(pledge, analyst, Status(status), effective_on=day, **extra)
    return pledge


@pytest.fixture
def world(today, analyst):
    freedonia = make_statement(sentences=6)
    sylvania = make_statement(sentences=4, entity_name="Sylvania")
    jan, feb, mar = datetime.date(2024, 1, 20), datetime.date(2024, 2, 10), datetime.date(2024, 3, 5)
    pledges = {
        "kept": judged(freedonia, 1, analyst, ("in_progress", jan), ("fulfilled", mar)),
        "half": judged(freedonia, 2, analyst, ("partially_fulfilled", feb)),
        "broken": judged(freedonia, 3, analyst, ("not_fulfilled", feb)),
        "withdrawn": judged(freedonia, 4, analyst, ("withdrawn", feb)),
        "kept_too": judged(sylvania, 1, analyst, ("fulfilled", jan)),
        "open": make_pledge(sylvania, 2),
    }
    mistaken = update_on(
        pledges["open"],
        analyst,
        Status.FULFILLED,
        effective_on=jan,
        rationale="No.",
        evidence=[evidence_on(pledges["open"], analyst)],
    )
    retract(mistaken, analyst)
    Pledge.objects.filter(pk=pledges["open"].pk).update(
        deadline_on=today - datetime.timedelta(days=1), deadline_precision="day"
    )
    return pledges


def test_compliance_is_the_g7_rate_with_the_pledges_it_rests_on(manager_client, world):
    compliance = {
        group: rows for group, _, rows, _ in manager_client.get(reverse("dashboard")).context["compliance"]
    }
    rows = {row["name"]: row for row in compliance["entity"]}
    # Freedonia: +1, 0, −1 (withdrawn is not scored): mean 0, rate 50 %.
    assert (rows["Freedonia"]["rate"], rows["Freedonia"]["scored"], rows["Freedonia"]["pledges"]) == (
        50.0,
        3,
        4,
    )
    # Sylvania: one fulfilled (+1); the retracted "fulfilled" never counts: 100 %, on one.
    assert (rows["Sylvania"]["rate"], rows["Sylvania"]["scored"]) == (100.0, 1)


def test_compliance_arithmetic_two_kept_one_broken(today, analyst):
    statement = make_statement(sentences=3)
    day = datetime.date(2024, 2, 1)
    for number, status in enumerate(["fulfilled", "fulfilled", "not_fulfilled"], start=1):
        judged(statement, number, analyst, (status, day))
    [row] = Pledge.objects.as_of(today).compliance_by_entity()
    assert row["rate"] == round((1 / 3 + 1) / 2 * 100, 1) == 66.7


def test_counts_by_status_as_of_a_date(manager_client, world):
    figures = {
        status: n
        for status, n, _ in manager_client.get(reverse("dashboard"), {"as_of": "2024-02-01"}).context[
            "by_status"
        ]
    }
    assert figures[Status.IN_PROGRESS] == 1  # "kept", fulfilled only from March
    assert figures[Status.FULFILLED] == 1  # "kept_too"; the retracted one never counts
    assert figures[Status.NOT_ASSESSED] == 4
    figures = {status: n for status, n, _ in manager_client.get(reverse("dashboard")).context["by_status"]}
    assert figures[Status.FULFILLED] == 2 and figures[Status.IN_PROGRESS] == 0


def test_headline_counts(today, manager_client, world, analyst):
    update_on(
        world["withdrawn"], analyst, Status.IN_PROGRESS, effective_on=today - datetime.timedelta(days=2)
    )
    Pledge.objects.filter(pk=world["withdrawn"].pk).update(
        deadline_on=today + datetime.timedelta(days=30), deadline_precision="day"
    )
    headlines = {label: n for label, n, _ in manager_client.get(reverse("dashboard")).context["headlines"]}
    assert headlines == {
        "Overdue": 1,  # "open"
        "Due in the next 90 days": 1,  # "withdrawn", now in progress again
        "Changed in the last 30 days": 1,
        # Every update here was recorded today (tests.test_rules counts the unchecked).
        "Not checked for 180 days": 0,
        "Never assessed": 1,
    }


def numbers_and_links(content: str) -> set[tuple[int, str]]:
    """Every number on the page that is a link: tiles, table cells and chart segments."""
    found = re.findall(r'<a href="([^"]+)"><span class="tile-number">(\d+)</span>', content)
    found += re.findall(r'<td[^>]*><a href="([^"]+)">(\d+)(?: scored pledges?)?</a></td>', content)
    found += re.findall(r'<a href="([^"]+)"><title>[^<]*: (\d+)</title>', content)
    return {(int(n), html.unescape(href)) for href, n in found}


def follow(manager_client, links) -> None:
    for number, href in links:
        assert href.startswith(reverse("pledge_list"))
        assert manager_client.get(href).context["page"].paginator.count == number, href


@pytest.mark.parametrize("as_of", ["", "2024-02-15"])
def test_every_number_leads_to_the_pledges_it_counts(manager_client, world, as_of):
    content = manager_client.get(reverse("dashboard"), {"as_of": as_of} if as_of else {}).content.decode()
    # The months are followed in the next test, over a shorter span.
    content = content.split('id="months-heading"')[0] + content.split('id="themes-heading"')[1]
    links = numbers_and_links(content)
    assert len(links) > 15
    if as_of:
        assert all(f"as_of={as_of}" in href for _, href in links)
    follow(manager_client, links)


def test_every_bar_of_the_month_chart_leads_to_the_pledges_it_counts(manager_client, world):
    content = manager_client.get(reverse("dashboard"), {"as_of": "2024-04-10"}).content.decode()
    months = content.split('id="months-heading"')[1].split('id="themes-heading"')[0]
    links = numbers_and_links(months)
    ends = {href.split("as_of=")[1][:10] for _, href in links}
    assert ends == {"2024-01-31", "2024-02-29", "2024-03-31", "2024-04-10"}
    follow(manager_client, links)


def test_the_month_chart_and_its_table_show_the_same_figures(manager_client, world):
    content = manager_client.get(reverse("dashboard")).content.decode()
    section = content.split('id="months-heading"')[1].split('id="themes-heading"')[0]
    chart = {
        (label.split(", ")[0], label.split(", ")[1]): int(n)
        for label, n in re.findall(r"<title>([^<]*): (\d+)</title>", section)
    }
    table_rows = re.findall(
        r'<time datetime="(\d{4}-\d{2}-\d{2})">[^<]*</time></th>(.*?)</tr>', section, re.S
    )
    table = {}
    for day, cells in table_rows:
        month = datetime.date.fromisoformat(day).strftime("%B %Y")
        for status, cell in zip(Status, re.findall(r"<td>(.*?)</td>", cells), strict=True):
            n = int(re.sub(r"<[^>]+>", "", cell))
            if n:
                table[(month, status.label)] = n
    assert chart == table
    assert chart[("March 2024", "Fulfilled")] == 2


def test_monthly_figures_follow_the_effective_dates(world):
    months = dict(monthly_status_counts(datetime.date(2024, 3, 31)))
    jan, feb, mar = (months[datetime.date(2024, m, d)] for m, d in ((1, 31), (2, 29), (3, 31)))
    assert (jan[Status.IN_PROGRESS], jan[Status.FULFILLED], jan[Status.NOT_ASSESSED]) == (1, 1, 4)
    assert (feb[Status.PARTIALLY_FULFILLED], feb[Status.NOT_FULFILLED], feb[Status.WITHDRAWN]) == (1, 1, 1)
    assert (mar[Status.FULFILLED], mar[Status.IN_PROGRESS], mar[Status.NOT_ASSESSED]) == (2, 0, 1)
    assert all(sum(figures.values()) == 6 for figures in months.values())


def test_the_theme_chart_counts_pledges_by_theme_and_status(today, manager_client, world):
    theme = Theme.objects.create(name="Water")
    world["kept"].themes.add(theme)
    world["broken"].themes.add(theme)
    rows = {
        theme: {status: n for status, n, _ in figures}
        for theme, figures in dashboard_figures(today, as_of=None)["themes"]
    }
    assert rows[theme][Status.FULFILLED] == 1 and rows[theme][Status.NOT_FULFILLED] == 1
    assert sum(rows[None].values()) == 4  # the pledges without a theme
    assert list(rows)[-1] is None  # last
    content = manager_client.get(reverse("dashboard")).content.decode()
    assert "<title>Water, Fulfilled: 1</title>" in content


def test_the_charts_and_their_tables_escape_what_they_show(manager_client, world):
    """The charts' segments and the tables' cells are written in Python (tracker.charts):
    a theme's name is shown as text, never read as markup."""
    theme = Theme.objects.create(name='<script>alert("x")</script> & Co')
    world["kept"].themes.add(theme)
    content = manager_client.get(reverse("dashboard")).content.decode()
    assert "<script>alert" not in content
    assert (
        "<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co, Fulfilled: 1</title>" in content
    )
    # Each link's "&" between filters is escaped in the attribute, and reads back whole.
    cells = re.findall(r'<td><a href="([^"]+)">1</a></td>', content)
    assert any("&amp;" in href for href in cells)
    assert not [href for href in cells if re.search(r"&(?!amp;)", href)]


def test_recent_activity_lists_the_latest_updates_and_evidence_with_links(manager_client, world):
    activity = manager_client.get(reverse("dashboard")).context["activity"]
    assert len(activity) == 10
    assert activity[0].at >= activity[-1].at
    content = manager_client.get(reverse("dashboard")).content.decode()
    assert f'href="{world["open"].get_absolute_url()}#update-' in content


def test_the_dashboard_takes_the_same_number_of_queries_whatever_the_data(manager_client, analyst):
    def count(params) -> int:
        return queries_for(manager_client, reverse("dashboard"), params)

    statement = make_statement(sentences=30)
    judged(statement, 1, analyst, ("in_progress", datetime.date(2024, 2, 1)))
    few = [count({}), count({"as_of": "2024-03-01"})]
    for number in range(2, 31):
        judged(
            statement,
            number,
            analyst,
            ("in_progress", datetime.date(2024, 2, 1)),
            ("stalled", datetime.date(2024, 5, 1)),
        )
        Theme.objects.create(name=f"Theme {number}").pledges.add(
            Pledge.objects.get(statement=statement, number=number)
        )
    Entity.objects.create(name="Ruritania", kind="state")
    assert [count({}), count({"as_of": "2024-03-01"})] == few


def test_a_bad_as_of_date_is_shown_beside_the_field(today, manager_client, world):
    response = manager_client.get(reverse("dashboard"), {"as_of": "2024-13-40"})
    assert response.status_code == 200
    assert 'id="id_as_of_error"' in response.content.decode()
    assert response.context["day"] == today


def test_managers_land_on_the_dashboard(manager_client):
    assert manager_client.get(reverse("home")).url == reverse("dashboard")


def test_the_rate_per_theme_and_per_statement_says_what_it_rests_on(manager_client, world):
    water, _ = Theme.objects.get_or_create(name="Water")
    for name in ("kept", "broken"):
        world[name].themes.add(water)

    def rates(**params) -> dict:
        context = manager_client.get(reverse("dashboard"), params).context
        return {group: rows for group, _, rows, _ in context["compliance"]}

    compliance = rates()
    by_theme = {
        row["name"]: (row["rate"], row["scored"], row["pledges"], row["too_few"])
        for row in compliance["theme"]
    }
    # Water: +1 and −1; no theme: 0 and +1 (withdrawn and not assessed are not scored).
    assert by_theme == {"Water": (50.0, 2, 2, True), None: (75.0, 2, 4, True)}
    by_statement = {row["key"]: (row["rate"], row["scored"]) for row in compliance["statement"]}
    assert by_statement == {
        world["kept"].statement_id: (50.0, 3),
        world["open"].statement_id: (100.0, 1),
    }
    # Ordered by rate, the highest first; by scored pledges, the most first.
    assert [row["key"] for row in rates(rates_by="rate")["statement"]] == [
        world["open"].statement_id,
        world["kept"].statement_id,
    ]
    assert rates(rates_by="scored")["statement"][0]["key"] == world["kept"].statement_id
    content = manager_client.get(reverse("dashboard")).content.decode()
    assert content.count('<span class="too-few">too few to compare</span>') == 2 + 2 + 2
    # A theme's rate links to the scored pledges of that theme.
    [water_row] = [row for row in compliance["theme"] if row["name"] == "Water"]
    assert f"theme={water.pk}" in water_row["link"] and "status=fulfilled" in water_row["link"]


def test_a_statement_dated_after_its_updates_does_not_break_the_month_chart(manager_client, world):
    # An administrator moved a statement's date after updates that took effect before it.
    statement = world["kept"].statement
    Statement.objects.filter(pk=statement.pk).update(delivered_on=datetime.date(2024, 3, 31))
    response = manager_client.get(reverse("dashboard"))
    assert response.status_code == 200
    months = dict(monthly_status_counts(timezone.localdate()))
    assert months[datetime.date(2024, 3, 31)][Status.FULFILLED] >= 1


def test_recent_activity_as_of_a_day_takes_what_was_recorded_by_its_end(statement, analyst):
    pledge = make_pledge(statement, 1)
    day = datetime.date(2025, 3, 10)
    last_minute = timezone.make_aware(datetime.datetime(2025, 3, 10, 23, 59))
    next_morning = timezone.make_aware(datetime.datetime(2025, 3, 11, 0, 0))
    for n, moment in enumerate((last_minute, next_morning), start=2):
        Evidence.objects.create(
            pledge=pledge,
            url=f"https://example.org/{n}",
            title=f"Source {n}",
            source_type="official",
            stance="supports",
            added_by=analyst,
            added_at=moment,
            version=n,
        )
    assert [entry.evidence.title for entry in history.recent(day, 10)] == ["Source 2"]


def test_each_table_of_rates_shows_the_first_few_and_links_to_every_one(manager_client, world, monkeypatch):
    monkeypatch.setattr(figures, "RATES_SHOWN", 1)
    context = manager_client.get(reverse("dashboard"), {"as_of": "2024-06-30", "rates_by": "rate"}).context
    tables = {group: (rows, more) for group, _, rows, more in context["compliance"]}
    rows, more = tables["entity"]
    assert len(rows) == 1 and more == reverse("entity_list") + "?as_of=2024-06-30"
    # Themes are few: all of them, whatever the number.
    assert tables["theme"][1] is None
    content = manager_client.get(reverse("dashboard"), {"rates_by": "scored"}).content.decode()
    assert "The first 1 in this order (most scored pledges first)." in content
    assert f'href="{reverse("statement_list")}">Every statement, with its rate</a>' in content
