"""Named users for each role, and the seed statement, for every test that needs them."""

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from tracker import roles
from tracker.models import Statement

SEED = "japan-unsc-2023-12-07"
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
