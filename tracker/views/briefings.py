"""Briefings: a page to print and hand on, for an entity, a statement, a theme or any
filtered list of pledges. A one-page summary (counts by status, the compliance rate with
what it rests on, overdue, what changed in the period), then each pledge with its quote,
status, rationale and evidence links; dated, as of a date as known on another."""

import datetime

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from tracker import figures, history, rules
from tracker.filters import AsOfForm, DateInput, as_of_day, known_on_day
from tracker.models import Entity, Pledge, Statement, Theme
from tracker.views.pledges import filters_in_use
from tracker.views.shared import filtered_pledges

# A briefing is read on paper: past this many pledges, the rest are left to the list.
BRIEFING_PLEDGES = 200
# "What changed" looks back this far before the as-of date, unless asked otherwise.
PERIOD_DAYS = 90


class BriefingForm(AsOfForm):
    since = forms.DateField(
        label="Changes since",
        required=False,
        widget=DateInput(),
        help_text=f"The start of the period whose changes the summary lists. Empty: {PERIOD_DAYS} days "
        "before the as-of date.",
    )

    def clean_since(self) -> datetime.date | None:
        day = self.cleaned_data.get("since")
        if day and not (rules.EARLIEST_DATE <= day <= timezone.localdate()):
            raise forms.ValidationError(f"Give a date from {rules.EARLIEST_DATE:%-d %B %Y} to today.")
        return day


@require_safe
@permission_required("tracker.view_pledge", raise_exception=True)
def entity_briefing(request: HttpRequest, pk: int) -> HttpResponse:
    entity = get_object_or_404(Entity, pk=pk)
    return _briefing(request, f"Pledges by {entity}", Pledge.objects.filter(actor=entity), entity=entity.pk)


@require_safe
@permission_required("tracker.view_pledge", raise_exception=True)
def statement_briefing(request: HttpRequest, slug: str) -> HttpResponse:
    statement = get_object_or_404(Statement.objects.defer("text"), slug=slug)
    pledges = Pledge.objects.filter(statement=statement)
    return _briefing(request, f"Pledges in: {statement.title}", pledges, statement=statement.pk)


@require_safe
@permission_required("tracker.view_pledge", raise_exception=True)
def theme_briefing(request: HttpRequest, pk: int) -> HttpResponse:
    theme = get_object_or_404(Theme, pk=pk)
    return _briefing(request, f"Pledges on {theme}", Pledge.objects.filter(themes=theme), theme=theme.pk)


@require_safe
@permission_required("tracker.view_pledge", raise_exception=True)
def list_briefing(request: HttpRequest) -> HttpResponse:
    """The pledge list as filtered (the same filters and dates), as a briefing."""
    filterset = filtered_pledges(request)
    return _briefing(request, "Pledges, as filtered", None, filterset=filterset)


def _briefing(request: HttpRequest, title: str, pledges, *, filterset=None, **filters) -> HttpResponse:
    """The briefing of `pledges` (or of the pledge list's `filterset`); `filters` select the
    same pledges in the list, for the summary's links."""
    form = BriefingForm(request.GET)
    form.errors  # noqa: B018 - validates the form, once; a date that cannot be read is left out
    if filterset is not None:
        day, known_on, chosen = filterset.day, filterset.known_day, filterset.qs
        asked_day = filterset.form.cleaned_data.get("as_of")
        filters = {
            key: values
            for key, values in filters_in_use(request).lists()
            if key not in ("as_of", "known_on", "since", "page", "sort")
        }
        filters_said = filterset.in_words()
    else:
        day, known_on = as_of_day(form), known_on_day(form)
        asked_day = form.cleaned_data.get("as_of")
        chosen = pledges.as_of(day, known_on)
        filters_said = []
    asked = {name: value for name, value in (("as_of", asked_day), ("known_on", known_on)) if value}
    since = form.cleaned_data.get("since")
    if since and since > day:
        form.add_error("since", "The period's start cannot be after the as-of date.")
        since = None
    since = since or day - datetime.timedelta(days=PERIOD_DAYS)
    chosen = chosen.select_related("statement", "actor")
    card = figures.scorecard(chosen, day=day, dates=asked, **filters)
    shown = list(chosen.order_by("-statement__delivered_on", "statement_id", "number")[:BRIEFING_PLEDGES])
    deciding = history.deciding_updates([pledge.pk for pledge in shown], day, known_on)
    for pledge in shown:
        pledge.deciding = deciding.get(pledge.pk)
    changed = [
        pledge
        for pledge in shown
        if rules.changed_in_period(
            pledge.shown_last_change_on, pledge.deciding.recorded_at if pledge.deciding else None, since, day
        )
    ]
    context = {
        "title": title,
        "filters_said": filters_said,
        "form": form,
        "day": day,
        "as_of": asked_day,
        "known_on": known_on,
        "since": since,
        "made_on": timezone.localdate(),
        "changed": changed,
        "pledges": shown,
        "more": card["compliance"]["pledges"] - len(shown),
        # Filters of the list that could not be read, and were left out.
        "filter_errors": filterset.errors_in_words() if filterset is not None else [],
        **card,
    }
    return render(request, "tracker/briefing.html", context)
