"""Charts drawn on the server as SVG, so that they need no JavaScript; the pages give
their figures as tables too.

The figures come from tracker.figures; the functions here only turn them into
geometry, which the templates in templates/tracker/includes/ draw, escaping every label.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from tracker.vocabulary import Status

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

    @property
    def label_position(self) -> str:
        return format_html('x="{}" y="{}"', f"{self.label_x:.1f}", f"{self.label_y:.1f}")

    @property
    def markup(self) -> str:
        """Its segments as SVG, each a link to the pledges it counts, named by its own
        title; every value escaped. Written here rather than in the template (or with
        format_html): a month chart has hundreds of segments, and rendering each through
        the template took most of the dashboard's time."""
        return mark_safe(  # noqa: S308 - every value below is escaped or a number formatted here
            "".join(
                f'<a href="{escape(segment.href)}"><title>{escape(segment.label)}</title>'
                f'<rect class="fill--{escape(segment.status.value)}" x="{segment.x:.2f}" y="{segment.y:.2f}" '
                f'width="{segment.width:.2f}" height="{segment.height:.2f}"></rect></a>'
                for segment in self.segments
            )
        )


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
    # Room on the right for half of the last month's label, centred under its bar.
    width = left + band * len(columns) + 40
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
    axis = {
        "x": left,
        "top": top,
        "bottom": top + plot,
        "right": left + band * len(columns),
        "max": max_total,
    }
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


def figure_cells(cells: list[tuple[Status, int, str]]) -> str:
    """The cells of one row of a chart's table of figures: each count a link to the
    pledges it counts (none for 0). Written here for the reason of Bar.markup."""
    return mark_safe(  # noqa: S308 - the link is escaped, the count a number formatted here
        "".join(
            f'<td><a href="{escape(href)}">{number_format(n)}</a></td>' if n else "<td>0</td>"
            for _, n, href in cells
        )
    )
