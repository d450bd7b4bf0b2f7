"""Every URL of the app, for every role and method, against one table of who may do
what. A URL that the table does not list fails the test: a new page must say who may use it."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import evidence_on, review_of, update_on
from tracker import services
from tracker.importing.drafts import draft_from_text
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db

EVERYONE = {"analyst", "manager", "administrator"}
REVIEWERS = {"analyst", "administrator"}

# name: (the methods it answers, the roles that may use it). "nobody" is logged in,
# in no role; anonymous visitors are sent to the login page everywhere but there.
ACCESS = {
    "home": ({"GET", "HEAD"}, EVERYONE | {"nobody"}),
    "dashboard": ({"GET", "HEAD"}, EVERYONE),
    "methodology": ({"GET", "HEAD"}, EVERYONE),
    "list_briefing": ({"GET", "HEAD"}, EVERYONE),
    "suggestions": ({"GET", "HEAD"}, EVERYONE),
    "entity_briefing": ({"GET", "HEAD"}, EVERYONE),
    "statement_briefing": ({"GET", "HEAD"}, EVERYONE),
    "theme_briefing": ({"GET", "HEAD"}, EVERYONE),
    "statement_list": ({"GET", "HEAD"}, EVERYONE),
    "entity_list": ({"GET", "HEAD"}, EVERYONE),
    "speaker_list": ({"GET", "HEAD"}, EVERYONE),
    "pledge_list": ({"GET", "HEAD"}, EVERYONE),
    "export_pledges": ({"GET", "HEAD"}, {"manager", "administrator"}),
    "pledge_detail": ({"GET", "HEAD"}, EVERYONE),
    "pledge_history_csv": ({"GET", "HEAD"}, {"manager", "administrator"}),
    "log_follow_up": ({"POST"}, REVIEWERS),
    "add_evidence": ({"POST"}, REVIEWERS),
    "citable_evidence": ({"GET", "HEAD"}, REVIEWERS),
    "retract_update": ({"POST"}, REVIEWERS),
    "record_review": ({"POST"}, REVIEWERS),
    "retract_review": ({"POST"}, REVIEWERS),
    "withdraw_evidence": ({"POST"}, REVIEWERS),
    "analyst_queue": ({"GET", "HEAD"}, REVIEWERS),
    "import_statement": ({"GET", "HEAD", "POST"}, {"administrator"}),
    "statement_detail": ({"GET", "HEAD"}, EVERYONE),
    "new_pledge": ({"GET", "HEAD", "POST"}, REVIEWERS),
    "reject_proposal": ({"POST"}, REVIEWERS),
    "entity_detail": ({"GET", "HEAD"}, EVERYONE),
    "speaker_detail": ({"GET", "HEAD"}, EVERYONE),
    "login": ({"GET", "HEAD", "POST"}, EVERYONE | {"nobody", "anonymous"}),
    "logout": ({"POST"}, EVERYONE | {"nobody"}),
    "password_change": ({"GET", "HEAD", "POST"}, EVERYONE | {"nobody"}),
    "password_change_done": ({"GET", "HEAD"}, EVERYONE | {"nobody"}),
    "password_reset": ({"GET", "HEAD", "POST"}, EVERYONE | {"nobody", "anonymous"}),
    "password_reset_done": ({"GET", "HEAD"}, EVERYONE | {"nobody", "anonymous"}),
    "password_reset_confirm": ({"GET", "HEAD", "POST"}, EVERYONE | {"nobody", "anonymous"}),
    "password_reset_complete": ({"GET", "HEAD"}, EVERYONE | {"nobody", "anonymous"}),
}
ROLES = ["anonymous", "nobody", "analyst", "manager", "administrator"]
METHODS = ["GET", "HEAD", "POST"]


def app_url_names() -> set[str]:
    """Every named URL of the app itself (the Django admin checks its own)."""
    names = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name != "admin":
                    walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_is_in_the_table_of_who_may_use_it():
    assert app_url_names() == set(ACCESS)


@pytest.fixture
def world(seed, analyst):
    """One of everything a URL can name: the seed, an update, a review and evidence by the
    analyst, a proposal."""
    pledge = seed.pledges.get(number=1)
    update = update_on(pledge, analyst, Status.IN_PROGRESS, rationale="Seen.")
    review = review_of(pledge, analyst)
    evidence = evidence_on(pledge, analyst)
    text = (
        "Statement by Peru at the General Assembly\n2 May 2024\n\nMr. President,\n\n"
        "Peru will host a conference."
    )
    statement = services.import_statement(draft=draft_from_text("p.txt", text), imported_by=None).statement
    return {
        "pledge": pledge,
        "update": update,
        "review": review,
        "evidence": evidence,
        "seed": seed,
        "statement": statement,
        "proposal": statement.proposals.get(),
    }


def address(name: str, world) -> str:
    pledge, seed, statement = world["pledge"], world["seed"], world["statement"]
    args = {
        "export_pledges": ["csv"],
        "pledge_detail": [pledge.pk],
        "suggestions": ["statement"],
        "pledge_history_csv": [pledge.pk],
        "log_follow_up": [pledge.pk],
        "add_evidence": [pledge.pk],
        "citable_evidence": [pledge.pk],
        "retract_update": [pledge.pk, world["update"].pk],
        "record_review": [pledge.pk],
        "retract_review": [pledge.pk, world["review"].pk],
        "withdraw_evidence": [pledge.pk, world["evidence"].pk],
        "statement_detail": [seed.slug],
        "statement_briefing": [seed.slug],
        "entity_briefing": [seed.entity_id],
        "theme_briefing": [
            seed.pledges.filter(themes__isnull=False).values_list("themes", flat=True).first()
        ],
        "new_pledge": [statement.slug],
        "reject_proposal": [statement.slug, world["proposal"].pk],
        "entity_detail": [seed.entity_id],
        "speaker_detail": [seed.speaker_id],
        "password_reset_confirm": ["MQ", "set-password"],
    }.get(name, [])
    url = reverse(name, args=args)
    # A passage to make a pledge of, so that an allowed GET shows the form.
    return url + f"?proposal={world['proposal'].pk}" if name == "new_pledge" else url


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_each_url_answers_each_role_and_method_as_the_table_says(name, world, client, request):
    methods, roles = ACCESS[name]
    url = address(name, world)
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        for method in METHODS:
            response = getattr(client, method.lower())(url)
            said = f"{method} {url} as {role}: {response.status_code}"
            if role == "anonymous" and "anonymous" not in roles:
                assert response.status_code == 302, said
                assert response["Location"].startswith(reverse("login")), said
            elif method not in methods:
                assert response.status_code == 405, said
            elif role not in roles:
                assert response.status_code == 403, said
            else:
                assert response.status_code not in (403, 404, 405, 500), said
                if response.status_code == 302 and name != "logout":
                    assert not response["Location"].startswith(reverse("login")), said


def test_the_admin_is_for_staff_only(client, request):
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        response = client.get(reverse("admin:index"))
        assert response.status_code == (200 if role == "administrator" else 302), role
