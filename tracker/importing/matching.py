"""Who an imported statement names, found among the speakers and entities already
held, so that "ISHIKANE Kimihiro", "Kimihiro Ishikane" and "Ambassador Ishikane" are
one person, and "Japan", "JPN" and "the State of Japan" one state."""

from __future__ import annotations

import re

from tracker.importing.countries import country_named
from tracker.importing.heading import _HONORIFIC_WORDS, GROUPS
from tracker.models import Entity, Speaker
from tracker.vocabulary import EntityKind


def find_entity(name: str, code: str = "") -> Entity | None:
    """The entity held under this name or ISO 3166 code, or under another name of the same state."""
    if code:
        found = Entity.objects.filter(code=code).first()
        if found:
            return found
    found = Entity.objects.filter(name__iexact=name.strip()).first()
    if found:
        return found
    country = country_named(name)
    if country is not None:
        return (
            Entity.objects.filter(code=country.code).first()
            or Entity.objects.filter(name__iexact=country.name).first()
        )
    return None


def new_entity(name: str, code: str = "") -> Entity:
    """An entity not yet held, of the kind its name tells: a state (with its ISO code),
    a group such as the European Union, or an organisation."""
    country = country_named(code or name)
    if country is not None:
        return Entity(name=country.name, kind=EntityKind.STATE, code=country.code)
    kind = EntityKind.GROUP if name in GROUPS.values() else EntityKind.ORGANISATION
    return Entity(name=name.strip(), kind=kind)


def name_words(name: str) -> frozenset[str]:
    """A person's name as a set of words, whatever their order and case, without honorifics."""
    words = re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", name.casefold())
    return frozenset(
        word for word in words if word not in _HONORIFIC_WORDS and f"{word}." not in _HONORIFIC_WORDS
    )


def find_speaker(name: str, entity: Entity | None) -> Speaker | None:
    """The speaker of `entity` with the same name in any order, or the only one whose
    name holds every word given ("Ambassador Ishikane")."""
    if entity is None or entity.pk is None:
        return None
    wanted = name_words(name)
    if not wanted:
        return None
    speakers = list(Speaker.objects.filter(entity=entity))
    same = [speaker for speaker in speakers if name_words(speaker.name) == wanted]
    if same:
        return same[0]
    partial = [speaker for speaker in speakers if wanted < name_words(speaker.name)]
    return partial[0] if len(partial) == 1 else None
