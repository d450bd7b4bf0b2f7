"""Only the services change a pledge's status and version. An administrator's edit and a
fixture reload write only what they own, under the pledge's lock; a change to what
analysts judge keeps the old values and moves the version; a fixture never puts a
pledge's history under other words."""

import copy
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import evidence_on, update_on
from tests.helpers import HTMX, form_values
from tracker import services
from tracker.models import Pledge, PledgeRevision, StatusUpdate
from tracker.signals import FixtureRowRefused
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db

SEED = "japan-unsc-2023-12-07"


def admin_form(client, pledge) -> dict:
    """The pledge's admin change page as an administrator would submit it untouched."""
    page = client.get(reverse("admin:tracker_pledge_change", args=[pledge.pk]))
    return form_values(page.context["adminform"].form)


@pytest.fixture
def admin_client_(client_for, administrator):
    return client_for(administrator)


def test_an_admin_form_opened_before_a_follow_up_does_not_rewind_the_pledge(
    admin_client_, analyst, judges_pledge
):
    stale = admin_form(admin_client_, judges_pledge)
    update_on(judges_pledge, analyst, Status.IN_PROGRESS, rationale="Invitations sent.")

    response = admin_client_.post(reverse("admin:tracker_pledge_change", args=[judges_pledge.pk]), stale)

    assert response.status_code == 302
    judges_pledge.refresh_from_db()
    assert (judges_pledge.status, judges_pledge.version) == (Status.IN_PROGRESS, 2)


def test_an_admin_edit_of_what_analysts_judge_keeps_the_old_words_and_moves_the_version(
    admin_client_, administrator, analyst, judges_pledge
):
    update_on(judges_pledge, analyst, Status.IN_PROGRESS, rationale="Invitations sent.")
    judges_pledge.refresh_from_db()
    old_summary = judges_pledge.summary
    data = admin_form(admin_client_, judges_pledge) | {"summary": "Train judges from the region in Malta"}

    admin_client_.post(reverse("admin:tracker_pledge_change", args=[judges_pledge.pk]), data)

    judges_pledge.refresh_from_db()
    assert judges_pledge.version == 3
    assert judges_pledge.status == Status.IN_PROGRESS
    [revision] = PledgeRevision.objects.filter(pledge=judges_pledge)
    assert revision.version == 3
    assert revision.before == {"summary": old_summary}
    assert revision.after == {"summary": "Train judges from the region in Malta"}
    assert revision.changed_by == administrator


def test_an_analysts_form_based_on_the_old_words_gets_a_409_that_names_the_edit(
    client_for, admin_client_, analyst, judges_pledge
):
    based_on = judges_pledge.version
    data = admin_form(admin_client_, judges_pledge) | {"summary": "Train judges in Malta"}
    admin_client_.post(reverse("admin:tracker_pledge_change", args=[judges_pledge.pk]), data)

    response = client_for(analyst).post(
        reverse("log_follow_up", args=[judges_pledge.pk]),
        {
            "based_on_version": based_on,
            "status": "in_progress",
            "effective_on": "2024-02-29",
            "rationale": "Seen.",
        },
        headers=HTMX,
    )

    assert response.status_code == 409
    assert "Pledge edited: summary" in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_an_edit_that_changes_nothing_judged_keeps_the_version(admin_client_, judges_pledge):
    data = admin_form(admin_client_, judges_pledge)

    admin_client_.post(reverse("admin:tracker_pledge_change", args=[judges_pledge.pk]), data)

    judges_pledge.refresh_from_db()
    assert judges_pledge.version == 1
    assert not PledgeRevision.objects.exists()


def test_the_history_csv_shows_the_edit_with_its_old_and_new_words(
    client_for, manager, admin_client_, judges_pledge
):
    data = admin_form(admin_client_, judges_pledge) | {"summary": "Train judges in Malta"}
    admin_client_.post(reverse("admin:tracker_pledge_change", args=[judges_pledge.pk]), data)

    response = client_for(manager).get(reverse("pledge_history_csv", args=[judges_pledge.pk]))
    content = b"".join(response.streaming_content).decode()

    assert "pledge edited" in content and "→ “\u2068Train judges in Malta\u2069”" in content


# --- fixtures ---------------------------------------------------------------------------


def fixture_with(tmp_path, seed_rows, change) -> str:
    """The seed fixture with `change(pledge_rows)` applied, written to a file."""
    rows = copy.deepcopy(seed_rows)
    change([row for row in rows if row["model"] == "tracker.pledge"])
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return str(path)


def test_reloading_the_fixture_keeps_each_pledges_status_and_version(analyst, judges_pledge):
    update_on(judges_pledge, analyst, Status.IN_PROGRESS, rationale="Invitations sent.")

    call_command("loaddata", SEED, verbosity=0)

    judges_pledge.refresh_from_db()
    assert (judges_pledge.status, judges_pledge.version) == (Status.IN_PROGRESS, 2)


def test_a_fixture_that_changes_the_quote_of_a_pledge_with_history_is_refused_whole(
    tmp_path, seed_rows, analyst, judges_pledge
):
    update_on(judges_pledge, analyst, Status.IN_PROGRESS, rationale="Invitations sent.")

    def rewrite(pledges):
        for row in pledges:
            row["fields"]["summary"] += " (edited)"
        judges = next(row for row in pledges if row["fields"]["number"] == judges_pledge.number)
        judges["fields"]["quote"] = "Japan has been working with international organizations"

    with pytest.raises(FixtureRowRefused, match=f"pledge {judges_pledge.number} of {SEED} has history"):
        call_command("loaddata", fixture_with(tmp_path, seed_rows, rewrite), verbosity=0)

    assert not Pledge.objects.filter(summary__endswith="(edited)").exists()
    judges_pledge.refresh_from_db()
    assert "invite judges" in judges_pledge.quote


def test_a_renumbered_fixture_is_refused_rather_than_sliding_history_under_other_words(
    tmp_path, seed_rows, analyst, seed
):
    second = seed.pledges.get(number=2)
    update_on(second, analyst, Status.IN_PROGRESS, rationale="Seen.")

    def renumber(pledges):
        # Pledge 1 removed: every later pledge takes the number before its own.
        del pledges[0]
        for row in pledges:
            row["fields"]["number"] -= 1

    with pytest.raises(FixtureRowRefused, match=f"pledge 2 of {SEED} has history"):
        call_command("loaddata", fixture_with(tmp_path, seed_rows, renumber), verbosity=0)

    second.refresh_from_db()
    assert second.quote.startswith("Japan continues to actively contribute")


def test_a_pledge_with_history_missing_from_the_fixture_is_kept(tmp_path, seed_rows, analyst, seed):
    last = seed.pledges.order_by("-number").first()
    update_on(last, analyst, Status.IN_PROGRESS, rationale="Seen.")

    call_command("loaddata", fixture_with(tmp_path, seed_rows, lambda pledges: pledges.pop()), verbosity=0)

    last.refresh_from_db()
    assert (last.status, last.version) == (Status.IN_PROGRESS, 2)


def test_a_fixture_that_changes_a_summary_keeps_the_old_one_and_moves_the_version(
    tmp_path, seed_rows, analyst, judges_pledge
):
    evidence_on(judges_pledge, analyst)
    old = judges_pledge.summary

    def resummarise(pledges):
        next(row for row in pledges if row["fields"]["number"] == judges_pledge.number)["fields"][
            "summary"
        ] = "New"

    call_command("loaddata", fixture_with(tmp_path, seed_rows, resummarise), verbosity=0)

    judges_pledge.refresh_from_db()
    assert (judges_pledge.summary, judges_pledge.version) == ("New", 3)
    revision = PledgeRevision.objects.get(pledge=judges_pledge)
    assert (revision.before, revision.changed_by) == ({"summary": old}, None)


def test_the_service_refuses_an_edit_from_someone_without_the_permission(analyst, judges_pledge):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.edit_pledge(pledge=judges_pledge, changed_by=analyst, values={"summary": "x"})


def test_an_admin_change_of_themes_is_kept_and_shown_on_the_pledge_page(
    admin_client_, client_for, manager, judges_pledge
):
    from tracker.models import Theme

    data = admin_form(admin_client_, judges_pledge)
    water = Theme.objects.create(name="Water")
    data["themes"] = [str(water.pk)]

    admin_client_.post(reverse("admin:tracker_pledge_change", args=[judges_pledge.pk]), data)

    judges_pledge.refresh_from_db()
    assert list(judges_pledge.themes.values_list("name", flat=True)) == ["Water"]
    revision = PledgeRevision.objects.get(pledge=judges_pledge)
    assert revision.after == {"themes": "Water"}
    assert judges_pledge.version == 2
    page = client_for(manager).get(judges_pledge.get_absolute_url()).content.decode()
    assert "Changes to this pledge" in page and "themes “" in page and "→ “\u2068Water\u2069”" in page
