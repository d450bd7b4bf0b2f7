"""Helpers the test files share: counting a page's queries, reading a streamed export,
the header of an htmx request, a form posted back as shown, a free port."""

import csv
import datetime
import io
import socket

from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

# What htmx adds to each of its requests.
HTMX = {"HX-Request": "true"}


def queries_for(client, url: str, params: dict | None = None) -> int:
    """How many queries the page at `url` takes to answer (it must answer 200)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
        assert response.status_code == 200
        if isinstance(response, StreamingHttpResponse):
            b"".join(response.streaming_content)
    return len(queries)


def body(response) -> str:
    """A streamed answer (an export) read whole, without its byte-order mark."""
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode("utf-8-sig")


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response))))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def form_values(form) -> dict:
    """What a browser would send back for the form as it is shown, unchanged."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, list | tuple):
            value = [str(getattr(item, "pk", item)) for item in value]
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[form.add_prefix(name)] = value
    return data
