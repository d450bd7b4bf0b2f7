"""The managers' dashboard: where every pledge stands, as of a date. Every number and
every bar links to the pledge list that it counts."""

import datetime
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from tracker import history, rules
from tracker.charts import monthly_status_counts, stacked_columns, stacked_rows
from tracker.filters import AsOfForm, as_of_day
from tracker.models import Pledge
from tracker.vocabulary import Status

RECENT_ACTIVITY = 10


def list_link(as_of: datetime.date | None) -> Callable[..., str]:
    """Links to the pledge list with the given filters, at the dashboard's as-of date."""

    def link(**filters) -> str:
        if as_of:
            filters["as_of"] = as_of.isoformat()
        return f"{reverse('pledge_list')}?{urlencode(filters, doseq=True)}"

    return link


@require_GET
@permission_required("tracker.view_pledge", raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    form = AsOfForm(request.GET)
    day = as_of_day(form)
    asked = form.cleaned_data.get("as_of")
    link = list_link(asked)
    pledges = Pledge.objects.as_of(day)

    by_status = [(status, n, link(status=status.value)) for status, n in pledges.count_by_status().items()]
    counts = pledges.headline_counts(day)
    headlines = [
        ("Overdue", counts["overdue"], link(overdue="yes")),
        (rules.DUE_SOON_LABEL, counts["due_soon"], link(due_within=rules.DUE_SOON_DAYS)),
        (
            rules.CHANGED_RECENTLY_LABEL,
            counts["changed_recently"],
            link(changed_within=rules.CHANGED_RECENTLY_DAYS),
        ),
        (rules.STALE_LABEL, counts["stale"], link(stale="yes")),
        ("Never assessed", counts["never_assessed"], link(status=Status.NOT_ASSESSED.value)),
    ]
    compliance = [
        {
            **row,
            "link": link(entity=row["actor_id"], status=rules.SCORED_STATUSES),
            "all_link": link(entity=row["actor_id"]),
        }
        for row in pledges.compliance_by_entity()
    ]

    months = monthly_status_counts(day)
    month_chart = stacked_columns(
        [(end.strftime("%b %Y"), figures) for end, figures in months],
        href=lambda i, status: list_link(months[i][0])(status=status.value),
        describe=lambda i, status, n: f"{months[i][0]:%B %Y}, {status.label}: {n}",
    )
    themes = pledges.count_by_theme_and_status()

    def theme_link(i: int, status: Status) -> str:
        theme = themes[i][0]
        return link(theme=theme.pk, status=status.value) if theme else link(status=status.value)

    theme_chart = stacked_rows(
        [(str(theme) if theme else "No theme", figures) for theme, figures in themes],
        href=theme_link,
        describe=lambda i, status, n: f"{themes[i][0] or 'No theme'}, {status.label}: {n}",
    )
    context = {
        "form": form,
        "day": day,
        "as_of": asked,
        "total": counts["total"],
        "all_link": link(),
        "by_status": by_status,
        "headlines": headlines,
        "compliance": compliance,
        "month_chart": month_chart,
        "month_table": [
            (end, [(status, n, list_link(end)(status=status.value)) for status, n in figures.items()])
            for end, figures in months
        ],
        "theme_chart": theme_chart,
        "theme_table": [
            (theme or "No theme", [(status, n, theme_link(i, status)) for status, n in figures.items()])
            for i, (theme, figures) in enumerate(themes)
        ],
        "statuses": list(Status),
        "activity": history.recent(day, RECENT_ACTIVITY),
    }
    return render(request, "tracker/dashboard.html", context)
