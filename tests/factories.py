"""Small builders for records the seed does not have."""

import datetime
import itertools

from tracker.models import Entity, Pledge, Speaker, Statement
from tracker.vocabulary import EntityKind, PledgeKind

_counter = itertools.count(1)


def make_statement(*, sentences: int = 3, entity_name: str = "Freedonia") -> Statement:
    n = next(_counter)
    entity, _ = Entity.objects.get_or_create(name=entity_name, defaults={"kind": EntityKind.STATE})
    speaker, _ = Speaker.objects.get_or_create(name="Rufus T. Firefly", entity=entity)
    text = " ".join(f"Freedonia will do thing number {i} by next year." for i in range(1, sentences + 1))
    return Statement.objects.create(
        slug=f"freedonia-{n}",
        title=f"Statement {n}",
        speaker=speaker,
        entity=entity,
        delivered_on=datetime.date(2024, 1, 10),
        organ="General Assembly",
        text=text,
    )


def make_pledge(statement: Statement, number: int, **fields) -> Pledge:
    quote = f"Freedonia will do thing number {number} by next year."
    start = statement.text.index(quote)
    values = {
        "statement": statement,
        "number": number,
        "quote": quote,
        "quote_start": start,
        "quote_end": start + len(quote),
        "summary": f"Do thing {number}",
        "actor": statement.entity,
        "kind": PledgeKind.EVENT_OR_ACTIVITY,
    }
    values.update(fields)
    return Pledge.objects.create(**values)
