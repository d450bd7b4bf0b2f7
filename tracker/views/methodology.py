"""The methodology page: what each status means, what counts as evidence, how the
compliance rate is computed, what needs an analyst, and what "as of" and "as known on"
mean. Every word and number comes from the code's own vocabulary and rules, so that the
page cannot drift from what the app does."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from tracker import rules
from tracker.filters import AsOfForm
from tracker.models import Pledge, compliance_rate
from tracker.services import STATUSES_NEEDING_EVIDENCE
from tracker.vocabulary import STATUS_MEANINGS, SourceType, Stance, Status


@require_safe
@permission_required("tracker.view_pledge", raise_exception=True)
def methodology(request: HttpRequest) -> HttpResponse:
    statuses = [
        {
            "status": status,
            "means": STATUS_MEANINGS[status][0],
            "when": STATUS_MEANINGS[status][1],
            "needs_evidence": status in STATUSES_NEEDING_EVIDENCE,
        }
        for status in Status
    ]
    context = {
        "statuses": statuses,
        "source_types": SourceType.choices,
        "stances": Stance.choices,
        "needs_an_analyst": rules.NEEDS_AN_ANALYST,
        "closed_explained": rules.CLOSED_EXPLAINED,
        "not_checked_days": rules.NOT_CHECKED_DAYS,
        "example": worked_example(),
        "illustration": illustration(fulfilled=3, partial=1, not_fulfilled=1),
        "as_of_help": AsOfForm.base_fields["as_of"].help_text,
        "known_on_help": AsOfForm.base_fields["known_on"].help_text,
    }
    return render(request, "tracker/methodology.html", context)


def worked_example() -> dict:
    """The compliance rate of every pledge today, step by step: how many of each scored
    status, their scores, the mean, and the rate."""
    # As the dashboard counts them today: from the tallies, whatever the number of pledges.
    _, counts, _ = Pledge.objects.counts_today(timezone.localdate())
    rows = [
        {"status": status, "count": counts[status], "score": status.compliance_score}
        for status in Status
        if status.compliance_score is not None
    ]
    scored = sum(row["count"] for row in rows)
    total = sum(row["count"] * row["score"] for row in rows)
    mean = total / scored if scored else None
    return {
        "rows": rows,
        "scored": scored,
        "pledges": sum(counts.values()),
        "total": total,
        "mean": None if mean is None else round(mean, 3),
        "rate": compliance_rate(mean),
        "too_few": rules.too_few_to_compare(scored),
    }


def illustration(*, fulfilled: int, partial: int, not_fulfilled: int) -> dict:
    """The rate of a made-up mix of judgements, computed as the app computes it."""
    scored = fulfilled + partial + not_fulfilled
    mean = (fulfilled - not_fulfilled) / scored
    return {
        "fulfilled": fulfilled,
        "partial": partial,
        "not_fulfilled": not_fulfilled,
        "scored": scored,
        "mean": round(mean, 3),
        "rate": compliance_rate(mean),
    }
