"""How well the importer reads the labelled statements in tests/data/statements/ and
the seed: headings, dates, and the pledges it proposes (precision and recall), with
the deadlines, amounts, actors and conditions read from them.

    make extraction-report            # the figures
    make extraction-report ARGS=-v    # and every miss and every wrong proposal

Each labelled file says what a careful reader finds in it (see the README there).
Proposals are scored with the labelled heading's entity and date, so that a heading
misread is counted once, under headings, and not again under pledges.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
django.setup()

from tracker.importing.drafts import read_file  # noqa: E402
from tracker.importing.extraction import Source, get_extractor  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "statements"
SEED = ROOT / "fixtures" / "japan-unsc-2023-12-07.json"
SEED_SOURCE = ROOT / "fixtures" / "sources" / "japan-unsc-2023-12-07.txt"
# Sentences of the seed that a reader may take either way: reaffirmations of commitments
# made elsewhere (Hiroshima, the G20).
SEED_EITHER = ["In Hiroshima in May, Japan", "Also, Japan is actively involved"]
HEADING_FIELDS = ["speaker", "honorific", "role", "entity", "organ", "meeting", "delivered_on"]


@dataclass
class Labelled:
    name: str
    data: bytes
    heading: dict
    date_problem: str | None
    pledges: list[dict]
    either: list[str]
    not_pledges: list[str] = field(default_factory=list)


def labelled_statements() -> list[Labelled]:
    found = []
    for labels_path in sorted(DATA.glob("*.json")):
        labels = json.loads(labels_path.read_text(encoding="utf-8"))
        source = DATA / labels["source"]
        found.append(
            Labelled(
                name=source.name,
                data=source.read_bytes(),
                heading=labels["heading"],
                date_problem=labels.get("date_problem"),
                pledges=labels["pledges"],
                either=labels.get("either", []),
                not_pledges=labels.get("not_pledges", []),
            )
        )
    return [_seed(), *found]


def _seed() -> Labelled:
    rows = json.loads(SEED.read_text(encoding="utf-8"))
    statement = next(r["fields"] for r in rows if r["model"] == "tracker.statement")
    speaker = next(r["fields"] for r in rows if r["model"] == "tracker.speaker")
    pledges = [r["fields"] for r in rows if r["model"] == "tracker.pledge"]
    for pledge in pledges:
        pledge["actor"] = pledge["actor"][0]
        pledge["conditional"] = False
    return Labelled(
        name=SEED_SOURCE.name,
        data=SEED_SOURCE.read_bytes(),
        heading={
            "speaker": speaker["name"],
            "honorific": speaker["honorific"],
            "role": speaker["role"],
            "entity": "Japan",
            "organ": statement["organ"],
            "meeting": statement["meeting"],
            "delivered_on": statement["delivered_on"],
        },
        date_problem=None,
        pledges=pledges,
        either=SEED_EITHER,
    )


def _span(text: str, words: str) -> tuple[int, int] | None:
    start = text.find(words)
    return None if start < 0 else (start, start + len(words))


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


@dataclass
class Score:
    files: int = 0
    heading_right: int = 0
    heading_total: int = 0
    dates_right: int = 0
    date_problems_reported: int = 0
    date_problems: int = 0
    labelled: int = 0
    found: int = 0
    proposed: int = 0
    proposed_right: int = 0
    not_pledges_proposed: int = 0
    not_pledges: int = 0
    deadlines_right: int = 0
    amounts_right: int = 0
    actors_right: int = 0
    conditions_right: int = 0
    lines: list[str] = field(default_factory=list)

    def ratio(self, a: int, b: int) -> str:
        return f"{a}/{b} = {a / b:.0%}" if b else "–"


def _same_deadline(proposal, label: dict) -> bool:
    if not label.get("deadline_on"):
        return proposal.deadline is None
    return (
        proposal.deadline is not None
        and proposal.deadline.on == datetime.date.fromisoformat(label["deadline_on"])
        and proposal.deadline.precision == label["deadline_precision"]
    )


def _same_amount(proposal, label: dict) -> bool:
    if label.get("amount") in (None, ""):
        return proposal.amount is None
    amount = proposal.amount
    return (
        amount is not None
        and amount.value == Decimal(str(label["amount"]))
        and amount.currency == label["currency"]
        and amount.stage == label["amount_stage"]
        and amount.approximate == bool(label.get("amount_approximate"))
    )


def score(statements: list[Labelled]) -> Score:
    result = Score()
    extractor = get_extractor()
    for item in statements:
        result.files += 1
        draft = read_file(item.name, item.data)
        # Headings.
        for name in HEADING_FIELDS:
            expected = item.heading.get(name) or ""
            got = getattr(draft, name)
            got = got.isoformat() if isinstance(got, datetime.date) else (got or "")
            if name == "delivered_on" and item.date_problem:
                continue
            result.heading_total += 1
            if got.casefold() == str(expected).casefold():
                result.heading_right += 1
                if name == "delivered_on":
                    result.dates_right += 1
            else:
                result.lines.append(f"{item.name}: heading {name}: read {got!r}, labelled {expected!r}")
        if item.date_problem:
            result.date_problems += 1
            if any("date" in problem for problem in draft.problems):
                result.date_problems_reported += 1
            else:
                result.lines.append(f"{item.name}: the date problem ({item.date_problem}) was not reported")
        # Pledges, read with the labelled entity and date.
        entity = item.heading["entity"]
        day = item.heading.get("delivered_on")
        source = Source(
            text=draft.text,
            entity=entity,
            delivered_on=datetime.date.fromisoformat(day) if day else None,
        )
        proposals = extractor.propose(source)
        labels = [(label, _span(draft.text, label["quote"])) for label in item.pledges]
        for label, span in labels:
            if span is None:
                result.lines.append(
                    f"{item.name}: labelled quote not in the text read: {label['quote'][:70]!r}"
                )
        either = [s for s in (_span(draft.text, words) for words in item.either) if s]
        result.labelled += len(labels)
        matched: dict[int, object] = {}
        for proposal in proposals:
            span = (proposal.start, proposal.end)
            hits = [
                i
                for i, (_, lspan) in enumerate(labels)
                if lspan and _overlap(span, lspan) * 2 >= lspan[1] - lspan[0]
            ]
            if hits:
                result.proposed += 1
                result.proposed_right += 1
                for i in hits:
                    matched.setdefault(i, proposal)
            elif any(_overlap(span, e) for e in either):
                continue
            else:
                result.proposed += 1
                result.lines.append(
                    f"{item.name}: proposed, not a pledge: {proposal.quote[:90]!r} ({proposal.reason})"
                )
        for words in item.not_pledges:
            span = _span(draft.text, words)
            if span is None:
                continue
            result.not_pledges += 1
            if any(_overlap(span, (p.start, p.end)) for p in proposals):
                result.not_pledges_proposed += 1
        for i, (label, _) in enumerate(labels):
            proposal = matched.get(i)
            if proposal is None:
                result.lines.append(f"{item.name}: missed: {label['quote'][:90]!r}")
                continue
            result.found += 1
            checks = {
                "deadline": _same_deadline(proposal, label),
                "amount": _same_amount(proposal, label),
                "actor": proposal.actor == label.get("actor", entity),
                "condition": bool(proposal.condition) == bool(label.get("conditional")),
            }
            result.deadlines_right += checks["deadline"]
            result.amounts_right += checks["amount"]
            result.actors_right += checks["actor"]
            result.conditions_right += checks["condition"]
            for name, right in checks.items():
                if not right:
                    got = {
                        "deadline": proposal.deadline
                        and (proposal.deadline.text, proposal.deadline.on, proposal.deadline.precision.value),
                        "amount": proposal.amount
                        and (
                            proposal.amount.text,
                            proposal.amount.value,
                            proposal.amount.currency,
                            proposal.amount.stage.value,
                            proposal.amount.approximate,
                        ),
                        "actor": proposal.actor,
                        "condition": proposal.condition,
                    }[name]
                    result.lines.append(f"{item.name}: {name} read {got!r} in {label['quote'][:60]!r}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss and wrong proposal")
    args = parser.parse_args(argv)
    statements = labelled_statements()
    result = score(statements)
    r = result.ratio
    print(f"Labelled statements: {result.files} (the seed and tests/data/statements/)")
    print(f"Extractor: {get_extractor().name}")
    print(f"Headings:  fields read right  {r(result.heading_right, result.heading_total)}")
    print(f"           dates read right   {r(result.dates_right, result.files - result.date_problems)}")
    print(
        f"           no date / two dates reported  {r(result.date_problems_reported, result.date_problems)}"
    )
    print(f"Pledges:   recall     {r(result.found, result.labelled)}")
    print(f"           precision  {r(result.proposed_right, result.proposed)}")
    print(f"           non-pledge sentences proposed  {r(result.not_pledges_proposed, result.not_pledges)}")
    print(f"Of the pledges found: deadlines  {r(result.deadlines_right, result.found)}")
    print(f"                      amounts    {r(result.amounts_right, result.found)}")
    print(f"                      actors     {r(result.actors_right, result.found)}")
    print(f"                      conditions {r(result.conditions_right, result.found)}")
    if args.verbose:
        print("\n" + "\n".join(result.lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
