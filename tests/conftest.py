"""Named users for each role, and the seed statement, for every test that needs them."""

import datetime
import json
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.utils import timezone

from tests.factories import make_statement
from tracker import roles
from tracker.models import Pledge, Statement

SEED = "japan-unsc-2023-12-07"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: str | None, *, staff: bool = False) -> User:
    # A transactional test empties every table afterwards, the groups too.
    if role and not Group.objects.filter(name=role).exists():
        roles.sync_groups(django_apps, None)
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD, is_staff=staff)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def analyst(db) -> User:
    return make_user("alice", roles.ANALYSTS)


@pytest.fixture
def other_analyst(db) -> User:
    return make_user("bob", roles.ANALYSTS)


@pytest.fixture
def manager(db) -> User:
    return make_user("maria", roles.MANAGERS)


@pytest.fixture
def administrator(db) -> User:
    return make_user("ada", roles.ADMINISTRATORS, staff=True)


@pytest.fixture
def nobody(db) -> User:
    """Logged in, but in no role."""
    return make_user("nemo", None)


@pytest.fixture
def seed(db) -> Statement:
    call_command("loaddata", SEED, verbosity=0)
    return Statement.objects.get(slug=SEED)


@pytest.fixture
def client_for(client):
    """`client_for(user)`: the test client, logged in as that user."""

    def log_in(user: User):
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def manager_client(client_for, manager):
    return client_for(manager)


@pytest.fixture(scope="session")
def seed_rows() -> list[dict]:
    return json.loads((FIXTURES / f"{SEED}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_fields(seed_rows) -> dict:
    """The seed statement's fields, as the fixture holds them."""
    return next(row["fields"] for row in seed_rows if row["model"] == "tracker.statement")


@pytest.fixture(scope="session")
def seed_pledges(seed_rows) -> list[dict]:
    return [row["fields"] for row in seed_rows if row["model"] == "tracker.pledge"]


@pytest.fixture(scope="session")
def seed_source_text() -> str:
    return (FIXTURES / "sources" / f"{SEED}.txt").read_text(encoding="utf-8")


@pytest.fixture
def today() -> datetime.date:
    """Today, read when the test runs (not when its module was imported)."""
    return timezone.localdate()


@pytest.fixture
def judges_pledge(seed) -> Pledge:
    """The seed's pledge to invite judges to a course in Malta in February 2024."""
    return seed.pledges.get(quote__contains="invite judges")


@pytest.fixture
def statement(db) -> Statement:
    """A statement of six pledgeable sentences, without pledges yet (tests.factories)."""
    return make_statement(sentences=6)
