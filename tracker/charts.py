"""Charts drawn on the server as SVG, so that they need no JavaScript, with their figures
also given as tables.

The functions here compute the figures and the geometry; the templates in
templates/tracker/includes/ draw them, escaping every label.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from tracker.models import Pledge, StatusUpdate
from tracker.vocabulary import Status


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The end of each month from `first`'s to `last`'s; the last one is `last` itself."""
    ends = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        ends.append(min(month_end(datetime.date(year, month, 1)), last))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ends


def monthly_status_counts(day: datetime.date) -> list[tuple[datetime.date, dict[Status, int]]]:
    """How the statuses stood at the end of each month up to `day`, as the updates
    effective by then make them (retracted ones never count).

    Two queries, whatever the number of pledges: each pledge adds one to "not assessed"
    in the month its statement was made, and each month's last update moves it from
    one status to another; the running sum gives every month's figures.
    """
    made = dict(
        Pledge.objects.filter(statement__delivered_on__lte=day).values_list("pk", "statement__delivered_on")
    )
    if not made:
        return []
    ends = _months(min(made.values()), day)
    index = {(end.year, end.month): i for i, end in enumerate(ends)}
    updates = (
        StatusUpdate.objects.in_force()
        .filter(effective_on__lte=day, pledge__statement__delivered_on__lte=day)
        .order_by("pledge_id", "effective_on", "recorded_at", "id")
        .values_list("pledge_id", "effective_on", "status")
    )
    # The status each pledge ends each month with, for the months in which it changes.
    month_ends: dict[int, dict[int, Status]] = {
        pk: {index[(delivered.year, delivered.month)]: Status.NOT_ASSESSED} for pk, delivered in made.items()
    }
    for pk, effective_on, status in updates:
        month_ends[pk][index[(effective_on.year, effective_on.month)]] = Status(status)

    moves = [dict.fromkeys(Status, 0) for _ in ends]
    for by_month in month_ends.values():
        before = None
        for month in sorted(by_month):
            now = by_month[month]
            if before is not None:
                moves[month][before] -= 1
            moves[month][now] += 1
            before = now
    running = dict.fromkeys(Status, 0)
    figures = []
    for end, move in zip(ends, moves, strict=True):
        running = {status: running[status] + move[status] for status in Status}
        figures.append((end, running))
    return figures


# --- geometry ---------------------------------------------------------------------------


@dataclass
class Segment:
    status: Status
    count: int
    x: float
    y: float
    width: float
    height: float
    href: str
    label: str


@dataclass
class Bar:
    label: str
    total: int
    segments: list[Segment] = field(default_factory=list)
    label_x: float = 0
    label_y: float = 0
    show_label: bool = True


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar]
    max_total: int
    axis: dict = field(default_factory=dict)


def stacked_columns(
    columns: list[tuple[str, dict[Status, int]]],
    href: Callable[[int, Status], str],
    *,
    describe: Callable[[int, Status, int], str],
    height: int = 260,
) -> Chart:
    """Vertical bars, one per column (a month), stacked by status in the vocabulary's order."""
    left, bottom, top = 40, 28, 10
    band = max(14, min(48, 720 // max(len(columns), 1)))
    width = left + band * len(columns) + 10
    plot = height - bottom - top
    max_total = max((sum(counts.values()) for _, counts in columns), default=0) or 1
    every = max(1, len(columns) // 12)  # at most about twelve labels under the axis
    bars = []
    for i, (label, counts) in enumerate(columns):
        x = left + i * band + 2
        bar = Bar(label=label, total=sum(counts.values()), label_x=x + (band - 4) / 2, label_y=height - 10)
        bar.show_label = (len(columns) - 1 - i) % every == 0  # counted from the latest month
        y = top + plot
        for status in Status:
            if counts[status]:
                h = counts[status] / max_total * plot
                y -= h
                bar.segments.append(
                    Segment(
                        status,
                        counts[status],
                        x,
                        y,
                        band - 4,
                        h,
                        href(i, status),
                        describe(i, status, counts[status]),
                    )
                )
        bars.append(bar)
    axis = {"x": left, "top": top, "bottom": top + plot, "right": width - 10, "max": max_total}
    return Chart(width=width, height=height, bars=bars, max_total=max_total, axis=axis)


def stacked_rows(
    rows: list[tuple[str, dict[Status, int]]],
    href: Callable[[int, Status], str],
    *,
    describe: Callable[[int, Status, int], str],
    width: int = 720,
) -> Chart:
    """Horizontal bars, one per row (a theme), stacked by status in the vocabulary's order."""
    label_width, row_height, gap = 200, 22, 8
    plot = width - label_width - 10
    max_total = max((sum(counts.values()) for _, counts in rows), default=0) or 1
    bars = []
    for i, (label, counts) in enumerate(rows):
        y = 4 + i * (row_height + gap)
        bar = Bar(
            label=label, total=sum(counts.values()), label_x=label_width - 8, label_y=y + row_height * 0.7
        )
        x = float(label_width)
        for status in Status:
            if counts[status]:
                w = counts[status] / max_total * plot
                bar.segments.append(
                    Segment(
                        status,
                        counts[status],
                        x,
                        y,
                        w,
                        row_height,
                        href(i, status),
                        describe(i, status, counts[status]),
                    )
                )
                x += w
        bars.append(bar)
    height = 8 + len(rows) * (row_height + gap)
    return Chart(width=width, height=height, bars=bars, max_total=max_total)
