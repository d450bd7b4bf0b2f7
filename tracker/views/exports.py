"""Exports: the pledge list as CSV or JSON, exactly as the list shows it (every page, the
same filters, as-of and as-known-on dates), with what a report needs of each pledge's
status (its rationale, who judged it and when, its evidence), and one pledge's full
history as CSV. A CSV starts with a UTF-8 byte-order mark, so that spreadsheets read its
curly quotes right (`?bom=no` leaves it out, for scripts); its file name says its
filters and dates.

Rows are streamed as they are read, a chunk at a time, so that 100,000 pledges take no
more memory than 100. The columns are documented in README.md; keep them stable.
"""

import csv
import datetime
import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.contrib.auth.decorators import permission_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from tracker import history, rules
from tracker.models import AMOUNT_FIELDS, DEADLINE_FIELDS, Pledge, all_known, as_one_parameter
from tracker.views.shared import filtered_pledges
from tracker.vocabulary import Status

# A thousand rows at a time: an export of 100,000 pledges holds no more than one of 1,000,
# and reads the rows with few queries.
CHUNK = 1000

PLEDGE_COLUMNS = [
    "id",
    "url",
    "statement",
    "statement_title",
    "delivered_on",
    "organ",
    "speaker",
    "entity",
    "number",
    "summary",
    "quote",
    "quote_start",
    "quote_end",
    "kind",
    "themes",
    *DEADLINE_FIELDS,
    *AMOUNT_FIELDS,
    "beneficiaries",
    "status",
    "status_label",
    "final",
    "last_change_on",
    "last_checked_on",
    "overdue",
    "status_rationale",
    "status_effective_on",
    "status_recorded_at",
    "judged_by",
    "evidence_urls",
    "as_of",
    "known_on",
]

# The columns whose text someone typed (or could have), which safe_cell() must read.
# The others hold what the app itself writes or the database holds to a form (numbers
# never negative, dates, booleans, its own addresses and the codes of its vocabulary),
# which cannot start a formula; leaving them out takes a tenth off an export of 100,000
# pledges.
PLEDGE_TEXT_COLUMNS = frozenset(
    {
        "statement",
        "statement_title",
        "organ",
        "speaker",
        "entity",
        "summary",
        "quote",
        "themes",
        "deadline_text",
        # (Its check holds it to three characters unchanged in capitals: "=A1" passes.)
        "currency",
        "beneficiaries",
        "status_rationale",
        "judged_by",
        "evidence_urls",
    }
)

HISTORY_COLUMNS = [
    "version",
    "recorded_at",
    "change",
    "by",
    "status",
    "status_label",
    "effective_on",
    "text",
    "url",
    "cites",
    "retracted",
]


class _Line:
    """csv.writer writes here, and hands each line back instead of keeping it."""

    def write(self, line: str) -> str:
        return line


# The first characters of a cell a spreadsheet would read as a formula (OWASP's "CSV injection").
FORMULA_STARTS = frozenset("=+-@\t\r")


def safe_cell(value):
    """The cell as a spreadsheet should show it: text that would start a formula gets a
    leading apostrophe, which spreadsheets read as "this is text" and do not show."""
    # (type() and a set rather than isinstance() and startswith(): this runs for every
    # cell of 100,000 rows.)
    if type(value) is str and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


# What the server sends at a time: a line each would be 100,000 writes to the network.
BLOCK_CHARACTERS = 64 * 1024


def _in_blocks(pieces: Iterable[str]) -> Iterator[str]:
    """The pieces joined into blocks of about BLOCK_CHARACTERS, in order."""
    block, size = [], 0
    for piece in pieces:
        block.append(piece)
        size += len(piece)
        if size >= BLOCK_CHARACTERS:
            yield "".join(block)
            block, size = [], 0
    if block:
        yield "".join(block)


def _csv_lines(
    columns: list[str], rows: Iterable[dict], texts: frozenset[str] | None = None
) -> Iterator[str]:
    """Every CSV the app gives: each cell safe to open in a spreadsheet. `texts`: the
    columns that can hold a formula (PLEDGE_TEXT_COLUMNS); all of them if not said."""
    writer = csv.writer(_Line())
    yield writer.writerow(columns)
    read = [(name, texts is None or name in texts) for name in columns]
    for row in rows:
        cell = row.get  # (a history row holds only the columns its change has)
        yield writer.writerow([safe_cell(cell(name)) if text else cell(name) for name, text in read])


# What each row reads of the pledge and what it belongs to: plain values, not objects,
# so that 100,000 rows cost no more than they must.
ROW_FIELDS = [
    "pk",
    "statement__slug",
    "statement__title",
    "statement__delivered_on",
    "statement__organ",
    "statement__speaker__name",
    "actor__name",
    "number",
    "summary",
    "quote",
    "quote_start",
    "quote_end",
    "kind",
    *DEADLINE_FIELDS,
    *AMOUNT_FIELDS,
    "beneficiaries",
    "shown_status",
    "shown_last_change_on",
    "shown_last_checked_at",
]


def _in_chunks(pledges: QuerySet, day: datetime.date, known_on: datetime.date | None) -> Iterator[dict]:
    """The pledges' ROW_FIELDS, each with its `theme_names` and the status update that
    decides its status as of `day` as known on `known_on` (`deciding`, or None), holding
    one chunk of them at a time. With all that is known, each row reads its deciding
    update by the status period holding the day (tracker.history.with_deciding_update),
    and a chunk takes two queries more (themes, cited evidence); else four.

    (prefetch_related() with iterator() keeps every chunk's objects alive to the end.)
    """
    joined = all_known(known_on)
    fields = history.deciding_fields() if joined else []
    if joined:
        pledges = history.with_deciding_update(pledges, day)
    rows = pledges.values(*ROW_FIELDS, *fields).iterator(chunk_size=CHUNK)
    while chunk := list(islice(rows, CHUNK)):
        keys = [pledge["pk"] for pledge in chunk]
        names = defaultdict(list)
        themes = Pledge.themes.through.objects.filter(pledge_id__in=as_one_parameter(keys))
        for pledge_id, name in themes.order_by("theme__name").values_list("pledge_id", "theme__name"):
            names[pledge_id].append(name)
        if joined:
            deciding = {pledge["pk"]: history.deciding_from(pledge, fields) for pledge in chunk}
            history.cite([update for update in deciding.values() if update], known_on)
        else:
            deciding = history.deciding_updates(keys, day, known_on)
        for pledge in chunk:
            pledge["theme_names"] = names[pledge["pk"]]
            pledge["deciding"] = deciding.get(pledge["pk"])
            yield pledge


def _pledge_url(request: HttpRequest) -> Callable[[int], str]:
    """Each pledge's address, from one reversed once (reversing is slow for 100,000)."""
    placeholder = 999_999_999
    address = request.build_absolute_uri(reverse("pledge_detail", args=[placeholder]))
    before, after = address.split(str(placeholder))
    return lambda pk: f"{before}{pk}{after}"


def _pledge_row(pledge: dict, dates: dict, url: Callable[[int], str], zone: datetime.tzinfo) -> dict:
    """One pledge's row; its moments in the app's time zone (`zone`, read once: asking
    Django for it on each of 100,000 rows was a tenth of the export's time)."""
    status = Status(pledge["shown_status"])
    deciding = pledge["deciding"]
    deadline_on, amount = pledge["deadline_on"], pledge["amount"]
    return {
        "id": pledge["pk"],
        "url": url(pledge["pk"]),
        "statement": pledge["statement__slug"],
        "statement_title": pledge["statement__title"],
        "delivered_on": pledge["statement__delivered_on"].isoformat(),
        "organ": pledge["statement__organ"],
        "speaker": pledge["statement__speaker__name"],
        "entity": pledge["actor__name"],
        **{name: pledge[name] for name in ("number", "summary", "quote", "quote_start", "quote_end", "kind")},
        "themes": "; ".join(pledge["theme_names"]),
        "deadline_text": pledge["deadline_text"],
        "deadline_on": deadline_on.isoformat() if deadline_on else "",
        "deadline_precision": pledge["deadline_precision"],
        "amount": str(amount) if amount is not None else "",
        "currency": pledge["currency"],
        "amount_stage": pledge["amount_stage"],
        "amount_approximate": pledge["amount_approximate"],
        "beneficiaries": pledge["beneficiaries"],
        "status": status.value,
        "status_label": status.label,
        "final": status.is_final,
        "last_change_on": pledge["shown_last_change_on"].isoformat()
        if pledge["shown_last_change_on"]
        else "",
        "last_checked_on": (
            pledge["shown_last_checked_at"].astimezone(zone).date().isoformat()
            if pledge["shown_last_checked_at"]
            else ""
        ),
        "overdue": rules.is_overdue(deadline_on, status, dates["as_of"]),
        "status_rationale": deciding.rationale if deciding else "",
        "status_effective_on": deciding.effective_on.isoformat() if deciding else "",
        "status_recorded_at": (
            # (isoformat() of the moment as a plain local one: strftime() is slower.)
            deciding.recorded_at.astimezone(zone).replace(tzinfo=None).isoformat(" ", "minutes")
            if deciding
            else ""
        ),
        "judged_by": deciding.judged_by if deciding else "",
        "evidence_urls": " ".join(url for _, url in deciding.cited) if deciding else "",
        "as_of": dates["as_of"].isoformat(),
        "known_on": dates["known_on"].isoformat(),
    }


@require_safe
@permission_required("tracker.export_pledges", raise_exception=True)
def export_pledges(request: HttpRequest, fmt: str) -> StreamingHttpResponse | HttpResponseBadRequest:
    if fmt not in ("csv", "json"):
        raise Http404("Exports come as csv or json.")
    filterset = filtered_pledges(request)
    if filterset.form.errors:
        # A file that quietly left a filter out would pass for the list asked for.
        said = "; ".join(f"{label}: {message}" for label, message in filterset.errors_in_words())
        return HttpResponseBadRequest(
            f"Nothing was exported: these filters could not be read. {said}",
            content_type="text/plain; charset=utf-8",
        )
    # Every file says the day the record was read as it stood: today, if none was asked.
    dates = {"as_of": filterset.day, "known_on": filterset.known_day or timezone.localdate()}
    # How many rows the file holds, said before they stream: a file cut short (a dropped
    # connection, a worker stopped) has fewer, and a script can tell.
    count = filterset.count()
    pledges = _in_chunks(filterset.qs, filterset.day, filterset.known_day)
    url = _pledge_url(request)
    zone = timezone.get_current_timezone()
    rows = (_pledge_row(pledge, dates, url, zone) for pledge in pledges)
    if fmt == "csv":
        lines = _csv_lines(PLEDGE_COLUMNS, rows, PLEDGE_TEXT_COLUMNS)
        if request.GET.get("bom") != "no":
            lines = itertools.chain([BOM], lines)
        response = StreamingHttpResponse(_in_blocks(lines), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(
            _in_blocks(_json_document(dates, count, rows)), content_type="application/json"
        )
    response[ROW_COUNT_HEADER] = str(count)
    response["Content-Disposition"] = content_disposition_header(True, export_name(filterset, fmt))
    return response


ROW_COUNT_HEADER = "X-Row-Count"


# What tells a spreadsheet that the file is UTF-8 (Excel reads it as Windows-1252 without).
BOM = "\ufeff"
# File names stay short enough for every file system.
NAME_CHARACTERS = 150


def export_name(filterset, fmt: str) -> str:
    """pledges-japan-fulfilled-as-of-2024-06-30.csv: the filters in use, in words where
    they have them, then the dates."""
    filterset.form.errors  # noqa: B018 - validates the form, once; a filter that cannot be read is left out
    data = filterset.form.cleaned_data
    words = []
    for name in ("entity", "speaker", "theme"):
        if data.get(name):
            words.append(slugify(str(data[name]), allow_unicode=True))
    if data.get("statement"):
        words.append(data["statement"].slug)
    words += [slugify(value.replace("_", "-")) for value in dict.fromkeys(data.get("status") or ())]
    if data.get("kind"):
        words.append(slugify(data["kind"].replace("_", "-")))
    if filterset.in_use() - {"entity", "speaker", "theme", "statement", "status", "kind"}:
        words.append("filtered")
    name = "-".join(["pledges", *[word for word in words if word]])[:NAME_CHARACTERS].rstrip("-")
    name += f"-as-of-{filterset.day.isoformat()}"
    if filterset.known_day:
        name += f"-known-on-{filterset.known_day.isoformat()}"
    return f"{name}.{fmt}"


def _json_document(dates: dict, count: int, rows: Iterable[dict]) -> Iterator[str]:
    """One JSON object, which closes only once every row is in: a file cut short does not
    parse. `count` says how many pledges it holds."""
    known_on = dates["known_on"].isoformat()
    yield (
        f'{{"as_of": "{dates["as_of"].isoformat()}", "known_on": {json.dumps(known_on)}, "count": {count}, '
        f'"columns": {json.dumps(PLEDGE_COLUMNS)}, "pledges": ['
    )
    separator = "\n"
    for row in rows:
        yield separator + json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


@require_safe
@permission_required("tracker.export_pledges", raise_exception=True)
def pledge_history_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Every change to one pledge's history, in the order it was made (tracker.history)."""
    pledge = get_object_or_404(Pledge.objects.with_history(), pk=pk)
    rows = [_history_row(entry) for entry in history.of_pledge(pledge)]
    response = StreamingHttpResponse(
        _csv_lines(HISTORY_COLUMNS, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="pledge-{pledge.pk}-history.csv"'
    return response


def _history_row(entry: history.Entry) -> dict:
    row = {
        "version": entry.version or "",
        "recorded_at": entry.at.isoformat(),
        "change": entry.label,
        "by": entry.by.get_username() if entry.by else "",
    }
    if entry.kind in (history.UPDATE, history.RETRACTION):
        update = entry.update
        row |= {
            "status": update.status,
            "status_label": update.get_status_display(),
            "effective_on": update.effective_on.isoformat(),
        }
    if entry.kind in (history.REVIEW, history.REVIEW_RETRACTION):
        # A review confirms the status that stood; it took effect on the day it was recorded.
        review = entry.review
        row |= {
            "status": review.status,
            "status_label": review.get_status_display(),
            "effective_on": timezone.localdate(review.recorded_at).isoformat(),
        }
    if entry.kind == history.UPDATE:
        row |= {
            "text": entry.update.rationale,
            "cites": " ".join(item.url for item in entry.update.evidence.all()),
            "retracted": entry.update.is_retracted,
        }
    elif entry.kind == history.REVIEW:
        row |= {
            "text": entry.review.note,
            "cites": " ".join(item.url for item in entry.review.evidence.all()),
            "retracted": entry.review.is_retracted,
        }
    elif entry.kind == history.RETRACTION:
        row["text"] = entry.retraction.reason
    elif entry.kind == history.REVIEW_RETRACTION:
        row["text"] = entry.review_retraction.reason
    elif entry.kind == history.EVIDENCE:
        row |= {
            "text": entry.evidence.title,
            "url": entry.evidence.url,
            "retracted": entry.evidence.is_withdrawn,
        }
    elif entry.kind == history.WITHDRAWAL:
        row |= {"text": entry.withdrawal.reason, "url": entry.evidence.url}
    elif entry.kind == history.EDIT:
        row["text"] = entry.changes
    elif entry.kind == history.REVISION:
        row["text"] = "The statement's text before the change is kept with the statement."
    return row
