"""Pages per statement, entity and speaker: their pledges and where those stand."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from tracker import figures
from tracker.filters import AsOfForm, as_of_day, known_on_day
from tracker.models import Entity, Pledge, Speaker, Statement, StatusTally
from tracker.views.shared import STATEMENT_PAGE, statement_page_context


@require_safe
@permission_required("tracker.view_pledge", raise_exception=True)
def statement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    statement = get_object_or_404(Statement.objects.select_related("speaker", "entity"), slug=slug)
    return render(request, STATEMENT_PAGE, statement_page_context(request, statement))


@require_safe
@permission_required("tracker.view_pledge", raise_exception=True)
def entity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entity = get_object_or_404(Entity, pk=pk)
    pledges = Pledge.objects.filter(actor=entity)
    return _scorecard_page(request, entity, "Entity", pledges, tally="entity", entity=entity.pk)


@require_safe
@permission_required("tracker.view_pledge", raise_exception=True)
def speaker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    speaker = get_object_or_404(Speaker.objects.select_related("entity"), pk=pk)
    pledges = Pledge.objects.filter(statement__speaker=speaker)
    return _scorecard_page(request, speaker, "Speaker", pledges, speaker=speaker.pk)


def _scorecard_page(
    request: HttpRequest, subject, kind: str, pledges, *, tally: str | None = None, **filters
) -> HttpResponse:
    """An entity's or a speaker's pledges as they stand (today, or as of a date as known
    on another), and its statements; `filters` select the same pledges in the list.
    `tally`: the group of StatusTally that counts the subject's pledges, if one does."""
    form = AsOfForm(request.GET)
    day, known_on = as_of_day(form), known_on_day(form)
    standing = None
    if tally and pledges.tallied(day, known_on):
        # Its tally says how they stand, however many there are.
        standing = StatusTally.objects.standing_of(tally, subject.pk)
    card = figures.scorecard(
        pledges.as_of(day, known_on).select_related("statement", "actor"),
        day=day,
        dates=form.dates,
        standing=standing,
        **filters,
    )
    shown = figures.SHOWN_ON_A_PAGE
    # Those made by the as-of date, as the pledges are.
    statements = subject.statements.filter(delivered_on__lte=day).select_related("speaker")
    statements = list(statements.order_by("-delivered_on")[: shown + 1])
    if kind == "Entity":
        every_statement = figures.dated_link("statement_list", **form.dates, entity=subject.pk)
    else:
        every_statement = card["all_link"]  # a speaker's pledges, statement by statement
    context = {
        "subject": subject,
        "kind": kind,
        "statements": statements[:shown],
        "more_statements": every_statement if len(statements) > shown else None,
        "more_overdue": len(card["overdue"]) > shown,
        "shown": shown,
        "form": form,
        **form.dates,
        **card,
        "overdue": card["overdue"][:shown],
    }
    return render(request, "tracker/scorecard.html", context)
