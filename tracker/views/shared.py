"""What several views share: the typed htmx request, the pledge and statement pages'
contexts, the pledge list's filters and pages. Each view still checks its permission
itself, once, at its door (a decorator); nothing here checks one.
"""

import datetime
from collections.abc import Callable

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django_htmx.middleware import HtmxDetails

from tracker import history, services
from tracker.filters import AsOfForm, PledgeFilter, as_of_day, known_on_day
from tracker.forms import (
    EvidenceForm,
    FollowUpForm,
    RejectProposalForm,
    RetractForm,
    ReviewForm,
    WithdrawForm,
)
from tracker.models import Pledge, Statement
from tracker.vocabulary import ProposalState, Status

PLEDGES_PER_PAGE = 50
PLEDGE_PAGE = "tracker/pledge_detail.html"
# The pledge page shows this many of its latest status updates and pieces of evidence,
# and folds the rest behind a link, so that a long history does not slow it down.
HISTORY_SHOWN = 20
STATEMENT_PAGE = "tracker/statement_detail.html"
# A long record can hold thousands of proposals: the page shows them in the text's order,
# this many at a time; the next ones come up as these are reviewed.
PROPOSALS_SHOWN = 100


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it: `request.htmx` says whether, and
    how, htmx made it."""

    htmx: HtmxDetails


def get_pledge(pk: int, *, whole_history: bool = False) -> Pledge:
    """The pledge with all that its page shows, or 404: its latest HISTORY_SHOWN status
    updates and pieces of evidence, or all of them. The view has checked at its door that
    the person may do what it does."""
    latest = None if whole_history else HISTORY_SHOWN
    pledge = get_object_or_404(Pledge.objects.for_detail(latest=latest), pk=pk)
    pledge.history_shown = latest
    return pledge


# How long a walk through the queue may last before it starts afresh.
QUEUE_WALK_LASTS = datetime.timedelta(days=2)


def queue_walk(request: HttpRequest) -> datetime.datetime | None:
    """When the analyst began walking through the queue, if this pledge page was opened
    from it (`?queue=1`: now) or along the walk (`?queue=<that moment, in milliseconds>`,
    kept in the links and the forms: `walk_mark`), or None. A moment that cannot be one
    starts afresh."""
    value = request.GET.get("queue") or request.POST.get("queue") or ""
    if not value:
        return None
    now = timezone.now()
    if value.isdigit() and len(value) <= 15:
        began = datetime.datetime.fromtimestamp(int(value) / 1000, tz=datetime.UTC)
        if now - QUEUE_WALK_LASTS <= began <= now:
            return began
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def walk_mark(walk_began: datetime.datetime) -> int:
    """The moment a walk through the queue began, as its links and forms carry it."""
    return round(walk_began.timestamp() * 1000)


def next_in_queue(pledge: Pledge, walk_began: datetime.datetime) -> Pledge | None:
    """The pledge after this one in the analyst's queue, or None at its end. `pledge`
    holds its place: its last check as it was when the page was shown. Pledges checked
    since the walk began are passed over: one still in the queue after its check (overdue,
    say) would otherwise come round again and again."""
    today = timezone.localdate()
    following = Pledge.objects.needing_an_analyst(today=today).exclude(pk=pledge.pk)
    for part in following.after_in_queue(pledge, checked_before=walk_began):
        found = part.first()
        if found is not None:
            return found
    return None


class CountedPaginator(Paginator):
    """A paginator that counts the rows by a quicker way giving as many (`count`).

    `from_the_end`: a page in the second half is read from the end, in the reverse order,
    then turned round. A database finds a page by skipping the rows before it, so the
    last of 100,000 pledges would skip 99,950; read backwards it skips none, and no page
    skips more than half. Only for a queryset whose order is total (no two rows tie):
    otherwise the rows at a tie could come in another order each way. The count places
    the page from the end: a pledge made between the count and the page moves the pages
    past the middle by one row, as one made between two pages moves the pages after it."""

    def __init__(
        self,
        object_list,
        per_page,
        *,
        count: Callable[[], int] | None = None,
        from_the_end: bool = False,
    ):
        super().__init__(object_list, per_page)
        self.count_rows = count
        self.from_the_end = from_the_end

    @cached_property
    def count(self) -> int:
        return self.count_rows() if self.count_rows is not None else super().count

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not self.from_the_end or bottom <= self.count // 2:
            return super().page(number)
        top = min(bottom + self.per_page, self.count)
        if top + self.orphans >= self.count:
            top = self.count
        backwards = self.object_list.reverse()[self.count - top : self.count - bottom]
        return self._get_page(list(backwards)[::-1], number, self)


def page_of(
    queryset: QuerySet,
    request: HttpRequest,
    *,
    by_ids: bool = False,
    count: Callable[[], int] | None = None,
) -> tuple[Page, str]:
    """The page asked for, and what was wrong with the asking, if anything.

    `by_ids`: the page is found by the rows' ids alone, then only its rows are read
    whole (one query more), and a page in the second half from the end (the queryset's
    order must be total: CountedPaginator). Sorting narrow rows that way keeps a deep
    page (the last of 100,000 pledges) about as quick as the first, and what each row
    computes (its status as of a date ...) is computed for the rows shown only.
    `count`: a function counting the rows by a quicker way (PledgeFilter.count)."""
    rows = queryset.values_list("pk", flat=True) if by_ids else queryset
    paginator = CountedPaginator(
        rows,
        PLEDGES_PER_PAGE,
        count=count,
        from_the_end=by_ids,
    )
    asked = request.GET.get("page", "1")
    try:
        page, error = paginator.page(asked), ""
    except PageNotAnInteger:
        page, error = paginator.page(1), f"“{asked}” is not a page number: showing page 1."
    except EmptyPage:
        number = 1 if float(asked) < 1 else paginator.num_pages
        page, error = paginator.page(number), f"There is no page {asked}: showing page {number}."
    if by_ids:
        ids = list(page.object_list)
        rows = queryset.in_bulk(ids) if ids else {}
        page.object_list = [rows[pk] for pk in ids]
    return page, error


def filtered_pledges(request: HttpRequest) -> PledgeFilter:
    """The pledge list's filters, read from the address; the exports read the same."""
    return PledgeFilter(
        request.GET,
        queryset=Pledge.objects.select_related("statement__entity", "statement__speaker", "actor"),
    )


def pledge_page_context(request: HttpRequest, pledge: Pledge, **bound) -> dict:
    """The pledge page's context. `bound` holds forms that came back with errors or a
    conflict (keyed follow_up_form, review_form, evidence_form, retract_form,
    withdraw_form), and `conflict`."""
    user = request.user
    version = {"based_on_version": pledge.version}
    context = {
        "pledge": pledge,
        "conflict": bound.get("conflict"),
        # A retry of a submit that was saved, though its answer was lost, meets its own
        # entry: one of the same kind, by the same person.
        "conflict_yours": any(
            change.by == user and change.kind == bound.get("conflict_kind")
            for change in bound.get("conflict") or ()
        ),
        "conflict_form": bound.get("conflict_form"),
    }
    if user.has_perm("tracker.add_statusupdate"):
        context["follow_up_form"] = bound.get("follow_up_form") or FollowUpForm(
            pledge=pledge, initial=version
        )
    # A review confirms a status: there is none to confirm before the first assessment.
    if bound.get("review_form"):
        context["review_form"] = bound["review_form"]
    elif user.has_perm("tracker.add_review") and pledge.current_status is not Status.NOT_ASSESSED:
        context["review_form"] = ReviewForm(pledge=pledge, initial=version)
    if user.has_perm("tracker.add_evidence"):
        context["evidence_form"] = bound.get("evidence_form") or EvidenceForm(initial=version)
    walk_began = queue_walk(request)
    if walk_began and user.has_perm("tracker.add_statusupdate"):
        context["from_queue"] = True
        context["queue_walk"] = walk_mark(walk_began)
        context["next_in_queue"] = next_in_queue(pledge, walk_began)
    context["timeline"] = history.timeline(pledge, limit=getattr(pledge, "history_shown", None))
    context["edits"] = history.edits(pledge)
    shown_evidence = pledge.evidence.all()
    # How many older entries the page folds away (see HISTORY_SHOWN).
    entries = getattr(pledge, "updates_count", 0) + getattr(pledge, "reviews_count", 0)
    context["earlier_updates"] = entries - len(context["timeline"])
    context["earlier_evidence"] = getattr(pledge, "evidence_count", 0) - len(shown_evidence)
    context["evidence_shown"] = {item.pk for item in shown_evidence}
    retract_form = bound.get("retract_form")
    for entry in context["timeline"]:
        # Only the updates and reviews this person may retract get a form: their own, or
        # any for an administrator.
        row = entry.update or entry.review
        if retract_form is not None and (retract_form.kind, retract_form.update_pk) == (entry.kind, row.pk):
            # Sent back with its errors, even when the row was retracted meanwhile.
            row.retract_form = retract_form
        elif row.is_retracted or not services.can_retract(user, row):
            row.retract_form = None
        else:
            row.retract_form = RetractForm(initial=version, update_pk=row.pk, kind=entry.kind)
    withdraw_form = bound.get("withdraw_form")
    for item in shown_evidence:
        if withdraw_form is not None and withdraw_form.evidence_pk == item.pk:
            item.withdraw_form = withdraw_form
        elif item.is_withdrawn or not services.can_withdraw(user, item):
            item.withdraw_form = None
        else:
            item.withdraw_form = WithdrawForm(initial=version, evidence_pk=item.pk)
    return context


def statement_page_context(request: HttpRequest, statement: Statement) -> dict:
    """The statement and its pledges in its text and, for those who review them, the
    pledges proposed in it that await review."""
    form = AsOfForm(request.GET)
    pledges = list(
        Pledge.objects.as_of(as_of_day(form), known_on_day(form))
        .filter(statement=statement)
        .select_related("statement", "actor")
        .order_by("number")
    )
    context = {
        "statement": statement,
        "pledges": pledges,
        "pieces": statement.text_with_pledges(pledges),
        "form": form,
        **form.dates,
    }
    if request.user.has_perm("tracker.review_proposals"):
        context.update(proposal_rows(statement))
    return context


def proposal_rows(statement: Statement, *, forms: dict | None = None) -> dict:
    """The proposals awaiting review, each with its form to reject it (`forms` holds those
    posted back with errors), and how many were reviewed already."""
    forms = forms or {}
    awaiting = statement.proposals.awaiting_review().order_by("quote_start")
    proposals = list(awaiting[:PROPOSALS_SHOWN])
    return {
        "proposal_rows": [
            (proposal, forms.get(proposal.pk) or RejectProposalForm(proposal_pk=proposal.pk))
            for proposal in proposals
        ],
        "proposals_awaiting": awaiting.count() if len(proposals) == PROPOSALS_SHOWN else len(proposals),
        # Merging needs two sentences at least.
        "can_merge": len(proposals) > 1,
        "proposals_reviewed": statement.proposals.exclude(state=ProposalState.PROPOSED).count(),
    }
