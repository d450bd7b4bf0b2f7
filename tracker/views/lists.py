"""The lists of statements, entities and speakers: each with its pledges by status and
its compliance rate, as of a date as known on another, filtered by words (and for
statements and speakers, by entity), a page at a time."""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tracker import figures, rules
from tracker.filters import AsOfForm, RecordField, as_of_day, known_on_day
from tracker.models import TALLY_GROUPS, Entity, Pledge, Speaker, Statement, StatusTally
from tracker.views.shared import page_of
from tracker.vocabulary import Status

# A search by name is one LIKE: kept short.
NAME_CHARACTERS = 100


class RecordFilterForm(AsOfForm):
    q = forms.CharField(label="Name or title contains", required=False, max_length=NAME_CHARACTERS)

    def clean_q(self) -> str:
        # The whole phrase is searched, not word by word as on the pledge list.
        return self.cleaned_data.get("q") or ""

    entity = RecordField(label="Entity", finder="entity", required=False)


def _records_page(
    request: HttpRequest,
    records: QuerySet,
    *,
    kind: str,
    searched: tuple[str, ...],
    group: str,
    key: str,
    name: str,
    by_entity: str | None,
) -> HttpResponse:
    """One list: the `records` that match the filters, a page of them, each with the
    figures of its pledges (grouped by `key`, the pledges' field that names it), and the
    link to those pledges in the pledge list (filtered by `group`)."""
    form = RecordFilterForm(request.GET)
    day, known_on = as_of_day(form), known_on_day(form)
    words = form.cleaned_data.get("q") or ""
    if words:
        matches = Q()
        for field in searched:
            matches |= Q(**{f"{field}__icontains": words})
        records = records.filter(matches)
    if by_entity and form.cleaned_data.get("entity"):
        records = records.filter(**{by_entity: form.cleaned_data["entity"]})
    page, page_error = page_of(records, request)
    shown = [record.pk for record in page.object_list]
    theirs = Pledge.objects.filter(**{f"{key}__in": shown})
    if group in TALLY_GROUPS and theirs.tallied(day, known_on):
        # Their tallies say how their pledges stand, however many there are.
        rows = StatusTally.objects.filter(key__in=shown).compliance_by(group)
    else:
        rows = theirs.as_of(day, known_on).compliance_by(key, name)
    rows = {row["key"]: row for row in rows}
    link = figures.list_link(form.dates.get("as_of"), known_on)
    for record in page.object_list:
        record.figures = rows.get(record.pk)
        record.pledges_link = link(**{group: record.pk})
        record.scored_link = link(**{group: record.pk, "status": rules.SCORED_STATUSES})
    context = {
        "kind": kind,
        "page": page,
        "page_error": page_error,
        "form": form,
        "by_entity": bool(by_entity),
        "statuses": list(Status),
        **form.dates,
    }
    return render(request, "tracker/record_list.html", context)


@require_safe
@permission_required("tracker.view_pledge", raise_exception=True)
def statement_list(request: HttpRequest) -> HttpResponse:
    statements = (
        Statement.objects.select_related("speaker", "entity").defer("text").order_by("-delivered_on", "title")
    )
    return _records_page(
        request,
        statements,
        kind="statements",
        searched=("title", "organ", "meeting"),
        group="statement",
        key="statement_id",
        name="statement__title",
        by_entity="entity",
    )


@require_safe
@permission_required("tracker.view_pledge", raise_exception=True)
def entity_list(request: HttpRequest) -> HttpResponse:
    return _records_page(
        request,
        Entity.objects.order_by("name"),
        kind="entities",
        searched=("name", "code"),
        group="entity",
        key="actor_id",
        name="actor__name",
        by_entity=None,
    )


@require_safe
@permission_required("tracker.view_pledge", raise_exception=True)
def speaker_list(request: HttpRequest) -> HttpResponse:
    return _records_page(
        request,
        Speaker.objects.select_related("entity").order_by("name"),
        kind="speakers",
        searched=("name", "role"),
        group="speaker",
        key="statement__speaker_id",
        name="statement__speaker__name",
        by_entity="entity",
    )
