"""A record that cannot be had in time is answered clearly, not with a bare 500.

When another person holds a pledge's row (PostgreSQL's lock_timeout), a query runs past
statement_timeout, or SQLite's write lock stays taken past its busy timeout, the view's
transaction is rolled back: nothing was saved. The answer is a 503 that says so and
shows what the person entered, so that they can submit it again in a moment; with htmx,
the form stays as it was and the page says the same (static/tracker/app.js).
"""

from django.db import OperationalError
from django.shortcuts import render

# PostgreSQL's codes for a lock not had in time, and a statement cancelled for its time.
BUSY_SQLSTATES = {"55P03", "57014"}

# How long the person is asked to wait before trying again, in seconds.
RETRY_AFTER = 5


def is_busy(error: Exception) -> bool:
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) in BUSY_SQLSTATES or "database is locked" in str(error)


class BusyRecordMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_busy(exception):
            return None
        entered = [
            (name, value)
            for name, values in request.POST.lists()
            if name != "csrfmiddlewaretoken" and not name.endswith("based_on_version")
            for value in values
            if value.strip()
        ]
        response = render(request, "busy.html", {"entered": entered}, status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
