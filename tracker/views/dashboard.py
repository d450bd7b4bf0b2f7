"""The managers' dashboard: where every pledge stands, as of a date. The figures, each
with the link to the pledge list it counts, come from tracker.figures; the charts draw
them (tracker.charts)."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tracker import figures, rules
from tracker.charts import figure_cells, stacked_columns, stacked_rows
from tracker.filters import AsOfForm, as_of_day, known_on_day
from tracker.models import RATE_ORDERS
from tracker.vocabulary import Status


@require_safe
@permission_required("tracker.view_pledge", raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    form = AsOfForm(request.GET)
    day = as_of_day(form)
    asked = form.cleaned_data.get("as_of")
    known_on = known_on_day(form)
    rates_by = request.GET.get("rates_by", "name")
    rates_by = rates_by if rates_by in RATE_ORDERS else "name"
    shown = figures.dashboard(day, as_of=asked, known_on=known_on, rates_by=rates_by)
    months, themes = shown["months"], shown["themes"]
    month_chart = stacked_columns(
        [(end.strftime("%b %Y"), _counts(row)) for end, row in months],
        href=lambda i, status: _link(months[i][1], status),
        describe=lambda i, status, n: f"{months[i][0]:%B %Y}, {status.label}: {n}",
    )
    theme_chart = stacked_rows(
        [(str(theme) if theme else "No theme", _counts(row)) for theme, row in themes],
        href=lambda i, status: _link(themes[i][1], status),
        describe=lambda i, status, n: f"{themes[i][0] or 'No theme'}, {status.label}: {n}",
    )
    context = {
        **shown,
        "form": form,
        "day": day,
        "as_of": asked,
        "known_on": known_on,
        "rates_by": rates_by,
        "rate_orders": RATE_ORDERS,
        "rates_by_label": RATE_ORDERS[rates_by],
        "too_few": rules.TOO_FEW_TO_COMPARE,
        "month_chart": month_chart,
        "month_table": [(end, figure_cells(row)) for end, row in months],
        "theme_chart": theme_chart,
        "theme_table": [(theme or "No theme", figure_cells(row)) for theme, row in themes],
        "statuses": list(Status),
    }
    return render(request, "tracker/dashboard.html", context)


def _counts(row: list[tuple[Status, int, str]]) -> dict[Status, int]:
    return {status: n for status, n, _ in row}


def _link(row: list[tuple[Status, int, str]], status: Status) -> str:
    return next(link for each, _, link in row if each is status)
