"""The heading of a statement: who spoke, for whom, where and when; and where its
body begins.

Delegations head their texts in a few ways: "Statement by H.E. Ambassador X,
Permanent Representative of Y to the United Nations, at the Security Council Open
Debate on ...", or a name line, a role line, a mission line and "New York, 14 March
2024". The body begins at the salutation ("Mr. President,") or at the first line of
prose. The date is found by its shape and read by dateparser; a heading with no date
or with two different ones is reported, never guessed.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

import dateparser

from tracker.importing.countries import countries_in, country_named

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
DATE_SHAPES = re.compile(
    rf"""(?<![\w/.-])(?:
        \d{{4}}[/.-]\d{{1,2}}[/.-]\d{{1,2}}                              # 2023/12/7
      | \d{{1,2}}[./-]\d{{1,2}}[./-]\d{{4}}                              # 07.12.2023
      | \d{{1,2}}{_ORDINAL}(?:\s+|-)(?:of\s+)?{_MONTHS}\.?,?(?:\s+|-)\d{{4}}  # 7 December 2023, 7-Dec-2023
      | {_MONTHS}\.?\s+\d{{1,2}}{_ORDINAL},?\s+\d{{4}}                      # December 7, 2023
    )(?![\w/-])""",
    re.IGNORECASE | re.VERBOSE,
)

SALUTATION = re.compile(
    r"""^\W*(?:
        (?:Mr\.?|Mister|Madam|Madame|Mme\.?|Ms\.?|Mrs\.?)\s+(?:Vice[- ])?(?:President|Chair\w*|Co-Chairs?|Secretary-General|Moderator|Facilitator|Speaker|High\s+Commissioner)
      | (?:Your\s+)?Excellenc(?:y|ies)\b | Distinguished\b | Dear\s+(?:colleagues|friends)\b | Colleagues\b
      | Ladies\s+and\s+gentlemen\b | Friends\b | Good\s+(?:morning|afternoon|evening)\b
      | Thank\s+you\b | I\s+thank\b | At\s+the\s+outset\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_BOILERPLATE = re.compile(
    r"^\W*(?:check\s+against\s+(?:the\s+)?delivery|as\s+delivered|unofficial\s+translation|embargoed\b.*"
    r"|please\s+check\s+against\s+delivery|draft|\[?original:.*)\W*$",
    re.IGNORECASE,
)
# A day written before a date, making a range of two: "14–15 March 2024", "14 and 15 March 2024".
_DAY_BEFORE = re.compile(rf"(?<![\w/.-])(?P<day>\d{{1,2}}){_ORDINAL}\s*(?:[-–—]|and|&|to)\s*$", re.IGNORECASE)
# What stands beside a date on its line but says nothing of the statement.
_BESIDE_DATE = re.compile(
    r"\(?\s*(?:please\s+)?check\s+against\s+(?:the\s+)?delivery\s*\)?|\(?\s*as\s+delivered\s*\)?"
    r"|\b(?:at\s+)?\d{1,2}(?:[:.]\d{2})?\s*(?:a\.m\.|p\.m\.|am\b|pm\b|h\b)|\(\s*\)",
    re.IGNORECASE,
)


def _same_month(day: datetime.date, other: int) -> datetime.date | None:
    try:
        return day.replace(day=other) if other != day.day else None
    except ValueError:
        return None


_HONORIFIC_WORDS = {
    "h.e.", "h.e", "he", "his", "her", "excellency", "ambassador", "mr.", "mr", "ms.", "ms", "mrs.",
    "mrs", "miss", "dr.", "dr", "prof.", "prof", "professor", "hon.", "hon", "honourable",
    "honorable", "the", "rt.", "right", "sir", "dame", "minister", "counsellor", "counselor",
    "senator", "judge", "madam", "mme", "mme.", "m.", "s.e.", "sr.", "sra.",
}  # fmt: skip
_SPEAKER = re.compile(
    r"(?:\b(?:statement|remarks|address|intervention|speech|explanation\s+of\s+(?:vote|position)|presentation)"
    r"(?:\s+on\s+behalf\s+of\s+[^,\n]+?)?(?:\s+(?:delivered|made|presented|given|read))?\s+|^\W*(?:delivered|presented|read)\s+)by\s+(?P<rest>.+)",
    re.IGNORECASE | re.MULTILINE,
)
_ROLE_WORDS = re.compile(
    r"\b(?:representative|minister|counsell?or|advis[eo]r|secretary|coordinator|head\s+of|charg[ée]|deputy|observer|envoy|ambassador,|mission\s+to)\b",
    re.IGNORECASE,
)
# Where the speaker's name (and after it, the role) stops.
_CLAUSE_END = re.compile(
    r",|\s+(?:at|before|to|during|in|on\s+behalf\s+of|for)\s+(?:the|its|a|an)\b|\s+on\s+behalf\s+of\b|$",
    re.IGNORECASE,
)
_ROLE_END = re.compile(
    r",?\s+(?:at|before|during|on\s+behalf\s+of)\s+(?:the\b|its\b|a\b)|,\s*$|$", re.IGNORECASE
)
_NO_PERSON = re.compile(
    r"^(?:the\s+)?(?:delegation|permanent\s+mission|mission|representative|government)\b", re.I
)
_ON_BEHALF = re.compile(
    r"on\s+behalf\s+of\s+(?:the\s+)?(?P<who>[^,;\n]+?)(?:\s+and\s+its\s+member\s+states\b|[,;\n]|\s+at\s+the\b|$)",
    re.I,
)

_ORDINALS = "First|Second|Third|Fourth|Fifth|Sixth"
ORGANS = [
    (re.compile(rf"\b(?P<n>{_ORDINALS})\s+Committee\b", re.I), None),
    (re.compile(r"\bHuman\s+Rights\s+Council\b", re.I), "Human Rights Council"),
    (re.compile(r"\bSecurity\s+Council\b|\bUNSC\b", re.I), "Security Council"),
    (re.compile(r"\bEconomic\s+and\s+Social\s+Council\b|\bECOSOC\b", re.I), "Economic and Social Council"),
    (re.compile(r"\bPeacebuilding\s+Commission\b", re.I), "Peacebuilding Commission"),
    (re.compile(r"\bCommission\s+on\s+(?:the\s+Status\s+of\s+Women|Narcotic\s+Drugs|Crime\s+Prevention\s+and\s+Criminal\s+Justice)\b", re.I), ""),
    (re.compile(r"\bConference\s+on\s+Disarmament\b", re.I), "Conference on Disarmament"),
    (re.compile(r"\bHigh-level\s+Political\s+Forum\b", re.I), "High-level Political Forum"),
    (re.compile(r"\bGeneral\s+Assembly\b|\bUNGA\b", re.I), "General Assembly"),
]  # fmt: skip
_MEETING = re.compile(
    r"(?P<m>(?:(?:ministerial|high-level|high\s+level|annual|open|arria[- ]formula|informal|thematic|general|plenary|special|signature|quarterly|interactive)\s+)*"
    r"(?:open\s+debate|debate|briefing|meeting|dialogue|session|consultations?|segment)\b.*)",
    re.IGNORECASE,
)
_AGENDA = re.compile(r"\bagenda\s+item\b.*", re.IGNORECASE)
# Groups that delegations speak for, with the kind of entity each one is.
GROUPS = {
    "european union": "European Union",
    "eu": "European Union",
    "group of 77 and china": "Group of 77 and China",
    "g77 and china": "Group of 77 and China",
    "african group": "African Group",
    "non-aligned movement": "Non-Aligned Movement",
    "caricom": "Caribbean Community",
    "caribbean community": "Caribbean Community",
    "asean": "Association of Southeast Asian Nations",
    "nordic countries": "Nordic countries",
    "african union": "African Union",
    "au": "African Union",
}


@dataclass
class Heading:
    """What the heading says; empty strings for what it does not."""

    title: str = ""
    speaker: str = ""
    honorific: str = ""
    role: str = ""
    entity: str = ""
    entity_code: str = ""
    organ: str = ""
    meeting: str = ""
    delivered_on: datetime.date | None = None
    date_text: str = ""
    body_start: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class _Line:
    start: int
    end: int
    text: str


def _lines(text: str) -> list[_Line]:
    lines, cursor = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip(" \t\u00a0\u200b#*_")
        offset = raw.find(stripped[:1]) if stripped else 0
        lines.append(_Line(cursor + offset, cursor + offset + len(stripped), stripped))
        cursor += len(raw) + 1
    return lines


def _is_prose(line: str) -> bool:
    return len(line.split()) >= 8 and bool(re.search(r"[.!?][\"”’)]?$", line)) and not _SPEAKER.search(line)


def read_date(words: str) -> datetime.date | None:
    """A date written in one of the forms delegations use, read day first where it is
    ambiguous (07.12.2023 is 7 December), as the UN writes dates."""
    parsed = dateparser.parse(
        words,
        languages=["en"],
        settings={"DATE_ORDER": "DMY", "STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    if parsed is None and re.fullmatch(r"\d{4}[/.-]\d{1,2}[/.-]\d{1,2}", words.strip()):
        parsed = dateparser.parse(words, settings={"DATE_ORDER": "YMD", "STRICT_PARSING": True})
    return parsed.date() if parsed else None


def dates_in(text: str) -> list[tuple[str, datetime.date]]:
    found = []
    for match in DATE_SHAPES.finditer(text):
        day = read_date(match.group(0))
        if day is not None:
            found.append((match.group(0), day))
    return found


def _split_honorific(words: str) -> tuple[str, str]:
    tokens = words.split()
    taken = 0
    while taken < len(tokens) - 1 and tokens[taken].casefold() in _HONORIFIC_WORDS:
        taken += 1
    honorific = " ".join(tokens[:taken])
    if honorific.casefold().startswith("the "):
        honorific = honorific[4:]
    return honorific, " ".join(tokens[taken:])


def _organ(text: str) -> tuple[str, re.Match | None]:
    for pattern, name in ORGANS:
        match = pattern.search(text)
        if match:
            if name is None:
                return f"{match.group('n').capitalize()} Committee", match
            return name or re.sub(r"\s+", " ", match.group(0)), match
    return "", None


def _meeting(text: str, organ_match: re.Match | None, lines: list[str]) -> str:
    if organ_match is not None:
        after = text[organ_match.end() :].split("\n", 1)[0]
        after = re.sub(r"^(?:['’]s|\s*[:–—-])?\s*", "", after)
        found = _MEETING.match(after)
        if found:
            return found.group("m").strip(" ,.")
    for line in lines:
        agenda = _AGENDA.search(line)
        if agenda:
            return agenda.group(0).strip(" ,.")
    for line in lines:
        found = re.search(r"\bat\s+the\s+(?P<m>.*)", line, re.IGNORECASE)
        meeting = found and _MEETING.search(found.group("m"))
        if meeting:
            return meeting.group("m").strip(" ,.")
    for line in lines:
        if _MEETING.match(line) and not _SPEAKER.search(line):
            return line.strip(" ,.")
    return ""


def _is_person(who: str) -> bool:
    """ "H.E. Ms. Ana Lind" is a person; "Switzerland", "the Kingdom of the Netherlands" and
    "the Delegation of Kenya" are not."""
    if not who or _NO_PERSON.match(who):
        return False
    has_honorific = who.split()[0].casefold() in _HONORIFIC_WORDS - {"the"}
    return has_honorific or not (countries_in(who) or who.casefold().strip() in GROUPS)


def _entity(heading: str, role: str, known: list[str]) -> tuple[str, str]:
    behalf = _ON_BEHALF.search(heading)
    if behalf:
        who = behalf.group("who").strip()
        group = GROUPS.get(who.casefold())
        if group:
            return group, ""
        country = country_named(who)
        if country:
            return country.name, country.code
    for words in (role, heading):
        for name in known:
            if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", words, re.IGNORECASE) and not country_named(
                name
            ):
                return name, ""
        found = countries_in(words)
        if found:
            return found[0][2].name, found[0][2].code
        for key, group in GROUPS.items():
            if re.search(rf"(?<!\w){re.escape(key)}(?!\w)", words, re.IGNORECASE if len(key) > 3 else 0):
                return group, ""
    return "", ""


def read_heading(text: str, *, known_entities: list[str] = ()) -> Heading:
    """Read the heading at the top of `text`; `body_start` is where the body begins."""
    heading = Heading()
    lines = _lines(text)
    heading_lines: list[_Line] = []
    body = None
    for line in lines:
        if not line.text:
            continue
        if SALUTATION.match(line.text) or _is_prose(line.text) or len(heading_lines) >= 12:
            body = line
            break
        heading_lines.append(line)
    heading.body_start = body.start if body else (heading_lines[-1].end if heading_lines else 0)
    if body is None and heading_lines:
        heading.problems.append("no body found under the heading")

    dates: dict[datetime.date, str] = {}
    not_dates: list[str] = []
    kept: list[str] = []
    for line in heading_lines:
        if _BOILERPLATE.match(line.text):
            continue
        rest = line.text
        for words, day in dates_in(line.text):
            dates.setdefault(day, words)
            # "14–15 March 2024", "14 and 15 March 2024": a second day before the date.
            before = _DAY_BEFORE.search(line.text, 0, line.text.index(words))
            if before and (first := _same_month(day, int(before.group("day")))):
                dates.setdefault(first, f"{first:%-d %B %Y}")
                rest = rest.replace(before.group(0), "")
            rest = rest.replace(words, "")
        for match in DATE_SHAPES.finditer(rest):
            # Shaped like a date, but none (31 February 2024).
            not_dates.append(match.group(0))
            rest = rest.replace(match.group(0), "")
        if rest != line.text:
            # What stood beside the date: the words joining two dates, the time, a note.
            rest = _BESIDE_DATE.sub("", rest)
            rest = re.sub(
                r"^\s*(?:and|or|to|&)(?:\s+|$)|\s+(?:and|or|to|&)\s*$", "", rest.strip(" ,;:–—-"), flags=re.I
            )
        rest = re.sub(
            r"^(?:(?:dated?|delivered(?:\s+on)?|posted|published|issued|updated|on)\s*[:,;]?\s*)+$",
            "",
            rest.strip(" ,;:–—-"),
            flags=re.I,
        )
        place_only = (
            re.fullmatch(r"[A-Z][\w .'-]{0,40}", rest) and rest != line.text and len(rest.split()) <= 3
        )
        if rest and not place_only:
            kept.append(rest.strip(" ,;:–—-"))
    if len(dates) == 1:
        ((heading.delivered_on, heading.date_text),) = dates.items()
    elif len(dates) > 1:
        heading.problems.append(
            "the heading gives two dates ("
            + " and ".join(dates[day] for day in sorted(dates))
            + "): say which"
        )
    elif not_dates:
        heading.problems.append(
            f"the heading's date “{not_dates[0]}” is not a date of the calendar: give the date"
        )
    else:
        heading.problems.append("no date found in the heading")

    joined = "\n".join(kept)
    heading.title = ", ".join(kept).rstrip(" ,;:")[:500]
    found_by = False
    for speaker in _SPEAKER.finditer(joined):
        found_by = True
        rest = speaker.group("rest")
        name_end = _CLAUSE_END.search(rest)
        who = rest[: name_end.start()].strip()
        if _is_person(who):
            heading.honorific, heading.speaker = _split_honorific(who)
            after = rest[name_end.end() :] if name_end.group(0).startswith(",") else ""
            heading.role = after[: _ROLE_END.search(after).start()].strip(" ,")
            break
    if not found_by:
        for index, line in enumerate(kept):
            first = line.split()[0].casefold() if line.split() else ""
            if first in _HONORIFIC_WORDS and len(line.split()) <= 8:
                name_part, _, role_part = line.partition(",")
                heading.honorific, heading.speaker = _split_honorific(name_part)
                roles = [role_part.strip()] if role_part.strip() else kept[index + 1 : index + 3]
                heading.role = ", ".join(r for r in roles if not _organ(r)[0])
                break
    if heading.speaker and not heading.role:
        # The role on a line of its own, under the name: "Permanent Representative of Norway".
        roles = [line for line in kept if _ROLE_WORDS.search(line) and not _SPEAKER.search(line)]
        heading.role = roles[0] if roles else ""
    heading.entity, heading.entity_code = _entity(joined, heading.role, list(known_entities))
    heading.organ, organ_match = _organ(joined)
    heading.meeting = _meeting(joined, organ_match, kept)
    return heading
