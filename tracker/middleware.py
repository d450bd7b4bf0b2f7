"""Answers the app gives whatever the view: a busy record, private pages.

A record that cannot be had in time is answered clearly, not with a bare 500.

When another person holds a pledge's row (PostgreSQL's lock_timeout), a query runs past
statement_timeout, or SQLite's write lock stays taken past its busy timeout, the view's
transaction is rolled back: nothing was saved. The answer is a 503 that says so and
shows what the person entered, so that they can submit it again in a moment; with htmx,
the form stays as it was and the page says the same (static/tracker/app.js).
"""

import logging
import time

from django.conf import settings
from django.db import OperationalError
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

# PostgreSQL's codes for a lock not had in time, and a statement cancelled for its time.
BUSY_SQLSTATES = {"55P03", "57014"}

# How long the person is asked to wait before trying again, in seconds.
RETRY_AFTER = 5


def is_busy(error: Exception) -> bool:
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) in BUSY_SQLSTATES or "database is locked" in str(error)


def _field_name(name: str) -> str:
    """A form field's name as a person reads it: new_title is "new evidence, title"."""
    if name.startswith("new_"):
        return "new evidence, " + name.removeprefix("new_").replace("_", " ")
    return name.split("-")[-1].replace("_", " ")


class BusyRecordMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_busy(exception):
            return None
        entered = [
            (_field_name(name), value)
            for name, values in request.POST.lists()
            if name != "csrfmiddlewaretoken" and not name.endswith("based_on_version")
            for value in values
            if value.strip()
        ]
        # Back where the form was, if that is a page of this site.
        came_from = request.META.get("HTTP_REFERER", "")
        here = url_has_allowed_host_and_scheme(
            came_from, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        context = {"entered": entered, "back": came_from if here else "/"}
        response = render(request, "busy.html", context, status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response


security_log = logging.getLogger("tracker.security")


def client_address(request) -> str | None:
    """The address a request came from. Behind the one proxy that BEHIND_HTTPS_PROXY
    trusts, that is the last address the proxy added to X-Forwarded-For (what came
    before it, the client could have written); else the connection's own address."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1][:64]
    # None when unknown (a request made in code): django-axes stores it as such.
    return request.META.get("REMOTE_ADDR") or None


# An active session's expiry is moved on at most this often (seconds): a write to the
# session on every request would cost a query on every page.
SESSION_REFRESH = 300


def mark_session_seen(session) -> None:
    """The session is in use now: its idle time starts again (SESSION_COOKIE_AGE)."""
    session[SEEN_AT] = int(time.time())


SEEN_AT = "tracker_seen_at"


class PrivatePagesMiddleware:
    """What a logged-in person sees is theirs: no cache keeps it (a shared computer's
    browser, a proxy). An active session is kept alive, an idle one ends. Access refused
    (403) is logged with who, what and from where."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # A changed session is saved with a new expiry: the idle time starts again.
        logged_in = user is not None and user.is_authenticated
        if logged_in and time.time() - request.session.get(SEEN_AT, 0) > SESSION_REFRESH:
            mark_session_seen(request.session)
        response = self.get_response(request)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        if response.status_code == 403:
            security_log.warning(
                "access refused: %s %s by %s from %s",
                request.method,
                request.get_full_path()[:300],
                user.get_username() if user is not None and user.is_authenticated else "anonymous",
                client_address(request) or "?",
            )
        return response
