"""Three roles, made by a data migration; what each may and may not do."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.urls import reverse

from tracker import roles

pytestmark = pytest.mark.django_db


def permissions_of(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def test_the_migrations_make_the_three_groups_with_their_permissions():
    for role, expected in roles.ROLE_PERMISSIONS.items():
        assert permissions_of(role) == set(expected)


def test_managers_can_read_everything_and_change_nothing():
    held = permissions_of(roles.MANAGERS)
    assert "tracker.view_pledge" in held and "tracker.view_statusupdate" in held
    assert not [p for p in held if p.split(".")[1].startswith(("add_", "change_", "delete_"))]


def test_analysts_log_follow_ups_but_do_not_edit_statements():
    held = permissions_of(roles.ANALYSTS)
    assert {"tracker.add_statusupdate", "tracker.add_evidence", "tracker.add_retraction"} <= held
    assert "tracker.change_statement" not in held and "tracker.change_pledge" not in held
    assert "tracker.retract_any_statusupdate" not in held


def test_nobody_may_change_or_delete_history():
    for role in roles.ROLE_PERMISSIONS:
        held = permissions_of(role)
        for model in ("statusupdate", "retraction", "evidence", "statementrevision"):
            assert f"tracker.change_{model}" not in held
            assert f"tracker.delete_{model}" not in held


def test_administrators_edit_statements_and_manage_users():
    held = permissions_of(roles.ADMINISTRATORS)
    assert {
        "tracker.change_statement",
        "tracker.add_pledge",
        "auth.change_user",
        "tracker.retract_any_statusupdate",
    } <= held


# --- pages ---------------------------------------------------------------------------

PAGES = ["home", "pledge_list"]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_but_login_needs_a_login(client, seed, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_pledge_page_needs_a_login(client, seed):
    url = seed.pledges.first().get_absolute_url()
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_the_login_page_is_open(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_logging_in_leads_to_the_pledges(client, analyst, seed):
    response = client.post(
        reverse("login"), {"username": "alice", "password": "a-long-test-password"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("pledge_list")
    assert seed.pledges.first().summary in response.content.decode()


def test_a_wrong_password_is_refused_with_a_message(client, analyst):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logging_out_takes_a_post(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", ["analyst", "manager", "administrator"])
def test_every_role_reads_the_pledges(client_for, request, seed, role):
    client = client_for(request.getfixturevalue(role))
    assert client.get(reverse("pledge_list")).status_code == 200
    assert client.get(seed.pledges.first().get_absolute_url()).status_code == 200


def test_a_user_in_no_role_is_refused(client_for, nobody, seed):
    client = client_for(nobody)
    assert client.get(reverse("pledge_list")).status_code == 403
    assert client.get(seed.pledges.first().get_absolute_url()).status_code == 403


def test_reading_pages_refuse_a_post(client_for, analyst, seed):
    client = client_for(analyst)
    assert client.post(reverse("pledge_list")).status_code == 405
    assert client.post(seed.pledges.first().get_absolute_url()).status_code == 405


def test_the_navigation_offers_the_administration_to_administrators_only(
    client_for, analyst, manager, administrator
):
    admin_link = f'href="{reverse("admin:index")}"'
    assert admin_link in client_for(administrator).get(reverse("pledge_list")).content.decode()
    assert admin_link not in client_for(analyst).get(reverse("pledge_list")).content.decode()
    assert admin_link not in client_for(manager).get(reverse("pledge_list")).content.decode()


# --- demo accounts ---------------------------------------------------------------------


def test_demo_accounts_are_refused_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("create_demo_accounts")
    assert not User.objects.exists()


def test_demo_accounts_are_made_once_per_role(settings, capsys):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("create_demo_accounts")
    groups = dict(User.objects.values_list("username", "groups__name"))
    assert groups == {"analyst": roles.ANALYSTS, "manager": roles.MANAGERS, "admin": roles.ADMINISTRATORS}
    assert User.objects.get(username="admin").is_staff
    assert not User.objects.get(username="analyst").is_staff
    assert User.objects.get(username="manager").check_password("manager-demo-password")
    assert "already there" in capsys.readouterr().out
