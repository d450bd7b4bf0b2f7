"""Deadlines as delegations word them, read as the last day the words allow:
"in February 2024" is 29 February 2024 (month precision), "by the end of 2025" is
31 December 2025 (year), "next year" the 31 December after the statement's date.

Full dates ("by 31 March 2025") are read by dateparser, like the heading's date.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from tracker.importing.heading import _MONTHS, DATE_SHAPES, read_date
from tracker.vocabulary import DeadlinePrecision

_LEAD = r"(?:by|before|no\s+later\s+than|not\s+later\s+than|until|till|in|on|during|at|within|for|through|throughout)"
_END_OF = r"(?:(?:the\s+)?(?:end|close|beginning|start|middle|first\s+half|second\s+half)\s+of\s+)?"
_PART = r"(?:(?:early|mid|late|mid-)\s*-?\s*)?"
_YEAR = r"(?:19|20)\d{2}"
_QUARTERS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "last": 4,
}
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "eighteen": 18, "twenty": 20, "a": 1,
}  # fmt: skip

_PATTERNS = [
    ("day", re.compile(rf"\b{_LEAD}\s+{_END_OF}(?P<date>{DATE_SHAPES.pattern})", re.I | re.X)),
    (
        "quarter",
        re.compile(
            rf"\b{_LEAD}\s+(?:the\s+)?(?:end\s+of\s+the\s+)?(?P<q>first|second|third|fourth|1st|2nd|3rd|4th|last)\s+quarter\s+of\s+(?P<year>{_YEAR})"
            rf"|\b{_LEAD}\s+Q(?P<qn>[1-4])\s+(?P<year2>{_YEAR})",
            re.I,
        ),
    ),
    ("month", re.compile(rf"\b{_LEAD}\s+{_END_OF}{_PART}(?P<month>{_MONTHS})\.?,?\s+(?P<year>{_YEAR})\b", re.I)),
    (
        "range",
        re.compile(rf"\b(?:from|for|over|between)\s+(?:the\s+period\s+)?{_YEAR}\s*(?:to|until|through|and|–|-|—)\s*(?P<year>{_YEAR})\b", re.I),
    ),
    ("year", re.compile(rf"\b{_LEAD}\s+{_END_OF}(?:the\s+year\s+)?(?P<year>{_YEAR})\b(?!\s*[–-]\s*\d)", re.I)),
    (
        "relative_year",
        re.compile(r"\b(?:by|before|in|during|within|for|until)?\s*(?:the\s+)?(?:end\s+of\s+)?(?P<which>this|next|the\s+current|the\s+coming|the\s+next)\s+(?:calendar\s+|fiscal\s+)?year\b", re.I),
    ),
    ("relative_month", re.compile(r"\b(?:by|in|before|within)?\s*(?:the\s+)?(?:end\s+of\s+)?(?P<which>this|next)\s+month\b", re.I)),
    (
        "within",
        re.compile(r"\b(?:within|over|in)\s+(?:the\s+)?(?:next|coming)?\s*(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen|twenty|a)\s+(?P<unit>years?|months?)\b", re.I),
    ),
]  # fmt: skip


@dataclass(frozen=True)
class Deadline:
    text: str
    on: datetime.date
    precision: DeadlinePrecision
    start: int
    end: int


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _month_number(word: str) -> int:
    word = word[:3].casefold()
    return [name[:3].casefold() for name in calendar.month_name[1:]].index(word) + 1


def _read(kind: str, match: re.Match, delivered_on: datetime.date | None) -> tuple[datetime.date, str] | None:
    groups = match.groupdict()
    if kind == "day":
        day = read_date(groups["date"])
        return (day, DeadlinePrecision.DAY) if day else None
    if kind == "quarter":
        quarter = int(groups["qn"]) if groups.get("qn") else _QUARTERS[groups["q"].casefold()]
        year = int(groups.get("year") or groups["year2"])
        return _month_end(year, quarter * 3), DeadlinePrecision.QUARTER
    if kind == "month":
        return _month_end(int(groups["year"]), _month_number(groups["month"])), DeadlinePrecision.MONTH
    if kind in ("range", "year"):
        return datetime.date(int(groups["year"]), 12, 31), DeadlinePrecision.YEAR
    if delivered_on is None:
        return None
    which = groups.get("which", "").casefold().split()[-1] if groups.get("which") else ""
    if kind == "relative_year":
        year = delivered_on.year + (which in ("next", "coming"))
        return datetime.date(year, 12, 31), DeadlinePrecision.YEAR
    if kind == "relative_month":
        month = _add_months(delivered_on, 1 if which == "next" else 0)
        return _month_end(month.year, month.month), DeadlinePrecision.MONTH
    if kind == "within":
        raw = groups["n"].casefold()
        n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
        months = n * 12 if groups["unit"].casefold().startswith("year") else n
        precision = DeadlinePrecision.YEAR if months % 12 == 0 else DeadlinePrecision.MONTH
        return _add_months(delivered_on, months), precision
    return None


def find_deadline(
    text: str, *, offset: int = 0, delivered_on: datetime.date | None = None
) -> Deadline | None:
    """The deadline worded in `text` (one sentence), or None. A date before the statement
    was delivered is history, not a deadline. Offsets are `offset` + positions in `text`."""
    found: list[Deadline] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            read = _read(kind, match, delivered_on)
            if read is None:
                continue
            day, precision = read
            if delivered_on and day < delivered_on:
                continue
            words = match.group(0).strip()
            start = match.start() + match.group(0).find(words)
            taken.append(span)
            found.append(Deadline(words, day, precision, offset + start, offset + start + len(words)))
    if not found:
        return None
    # "by" names the deadline itself; otherwise the first date in the sentence.
    found.sort(
        key=lambda d: (not re.match(r"(?i)by|before|no\s+later|not\s+later|until|within", d.text), d.start)
    )
    return found[0]
