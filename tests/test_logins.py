"""Logins: throttled per account and per address, logged, with password change, sessions
that end when idle, and pages no cache keeps."""

import io
import logging

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


def log_in(client, username: str, password: str, *, address: str = "10.0.0.1", url: str = LOGIN):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_rest_the_account_even_for_the_right_one(client, analyst):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, analyst.username, "wrong").status_code == 200

    locked = log_in(client, analyst.username, "wrong")
    right = log_in(client, analyst.username, PASSWORD, address="10.0.0.2")

    assert locked.status_code == right.status_code == 429
    assert "Too many failed logins" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_failures_from_one_address_rest_that_address(client, analyst, manager):
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, f"someone-{n}", "wrong", address="10.9.9.9")

    assert log_in(client, manager.username, PASSWORD, address="10.9.9.9").status_code == 429
    assert log_in(client, manager.username, PASSWORD, address="10.1.1.1").status_code == 302


def test_the_admin_login_is_throttled_too(client, administrator):
    admin_login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, administrator.username, "wrong", url=admin_login)

    assert log_in(client, administrator.username, PASSWORD, url=admin_login).status_code == 429


def test_a_right_password_before_the_limit_starts_the_count_again(client, analyst):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, analyst.username, "wrong")
    assert log_in(client, analyst.username, PASSWORD).status_code == 302
    client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, analyst.username, "wrong")
    assert log_in(client, analyst.username, PASSWORD).status_code == 302


def test_logins_failures_and_refusals_are_logged_with_who_and_where(client, analyst, manager, caplog):
    caplog.set_level(logging.INFO, logger="tracker.security")

    log_in(client, analyst.username, "wrong")
    log_in(client, analyst.username, PASSWORD)
    client.force_login(manager)
    client.get(reverse("analyst_queue"), REMOTE_ADDR="10.0.0.7")

    said = [record.getMessage() for record in caplog.records if record.name == "tracker.security"]
    assert f"login failed: {analyst.username} from 10.0.0.1" in said
    assert f"login: {analyst.username} from 10.0.0.1" in said
    assert f"access refused: GET /queue/ by {manager.username} from 10.0.0.7" in said
    assert not [message for message in said if PASSWORD in message or "wrong" in message]


def test_logged_in_pages_and_exports_are_kept_by_no_cache(manager_client, seed):
    page = manager_client.get(reverse("pledge_list"))
    export = manager_client.get(reverse("export_pledges", args=["csv"]))

    assert page["Cache-Control"] == export["Cache-Control"] == "private, no-store"


def test_sessions_end_when_the_browser_closes_and_after_eight_idle_hours(manager_client):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert manager_client.session.get_expire_at_browser_close()


def test_everyone_can_change_their_password(client_for, manager):
    client = client_for(manager)
    url = reverse("password_change")

    page = client.get(url)
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )

    assert page.status_code == 200
    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.check_password("a-new-long-passphrase")
    assert f'href="{url}"' in client.get(reverse("dashboard")).content.decode()


def test_demo_accounts_cannot_log_in_once_debug_is_off(client, settings):
    from django.core.management import call_command

    settings.DEBUG = True  # as on a developer's machine, where demo accounts are made
    call_command("create_demo_accounts", stdout=io.StringIO())
    settings.DEBUG = False

    refused = log_in(client, "manager", "manager-demo-password")

    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_session_opened_with_a_demo_password_ends_when_debug_is_off(client, settings):
    from django.core.management import call_command

    settings.DEBUG = True  # as on a developer's machine, where demo accounts are made
    call_command("create_demo_accounts", stdout=io.StringIO())
    assert log_in(client, "manager", "manager-demo-password").status_code == 302
    settings.DEBUG = False

    assert client.get(reverse("dashboard")).status_code == 302


def test_remove_demo_accounts_removes_them(client, settings):
    from django.contrib.auth.models import User
    from django.core.management import call_command

    settings.DEBUG = True  # as on a developer's machine, where demo accounts are made
    call_command("create_demo_accounts", stdout=io.StringIO())
    call_command("remove_demo_accounts", stdout=io.StringIO())

    assert not User.objects.filter(username__in=["analyst", "manager", "admin"]).exists()


def test_a_forgotten_password_is_reset_through_a_link_sent_by_email(client, manager, mailoutbox):
    import re

    manager.email = "maria@example.org"
    manager.save()

    client.post(reverse("password_reset"), {"email": "maria@example.org"})

    [mail] = mailoutbox
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.body).group(1)
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-fresh-long-passphrase", "new_password2": "a-fresh-long-passphrase"},
    )
    manager.refresh_from_db()
    assert manager.check_password("a-fresh-long-passphrase")


def test_behind_the_proxy_failures_count_for_the_clients_address_not_the_proxys(client, manager, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxy = {"REMOTE_ADDR": "10.0.0.254", "HTTP_X_FORWARDED_PROTO": "https"}
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": f"someone-{n}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="203.0.113.9",
            **proxy,
        )

    elsewhere = client.post(
        LOGIN,
        {"username": manager.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        **proxy,
    )
    client.logout()
    there = client.post(
        LOGIN,
        {"username": manager.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        **proxy,
    )

    assert elsewhere.status_code == 302
    assert there.status_code == 429


def test_a_lockout_is_logged_once_and_the_page_offers_a_reset(client, analyst, caplog):
    caplog.set_level(logging.INFO, logger="tracker.security")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, analyst.username, "wrong")

    page = log_in(client, analyst.username, PASSWORD)

    said = [record.getMessage() for record in caplog.records if record.name == "tracker.security"]
    assert f"login locked out: {analyst.username} from 10.0.0.1" in said
    assert not [record for record in caplog.records if record.name.startswith("axes")]
    assert f'href="{reverse("password_reset")}"' in page.content.decode()
