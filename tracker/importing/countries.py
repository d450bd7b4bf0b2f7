"""States by their names and ISO 3166 codes, from pycountry's list, plus the short
forms that delegations use ("the United States", "U.S.", "Republic of Korea")."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pycountry

# The name a state goes by at the UN where pycountry's short name reads as an index
# entry ("Korea, Republic of").
_PREFERRED = {
    "KOR": "Republic of Korea",
    "PRK": "Democratic People's Republic of Korea",
    "VAT": "Holy See",
    "PSE": "State of Palestine",
    "COD": "Democratic Republic of the Congo",
    "FSM": "Micronesia",
}
_ALIASES = {
    "USA": ["U.S.", "US", "U.S.A.", "America", "United States of America", "the United States"],
    "GBR": ["UK", "U.K.", "Britain", "Great Britain"],
    "RUS": ["Russia"],
    "KOR": ["South Korea", "Korea"],
    "PRK": ["North Korea", "DPRK"],
    "TUR": ["Turkey", "Turkiye"],
    "CZE": ["Czech Republic"],
    "NLD": ["the Netherlands", "Holland"],
    "ARE": ["UAE"],
    "CIV": ["Cote d'Ivoire", "Ivory Coast"],
}


@dataclass(frozen=True)
class Country:
    code: str
    name: str


def _key(name: str) -> str:
    name = name.casefold().replace("’", "'")
    name = re.sub(r"^the\s+", "", name)
    return re.sub(r"\s+", " ", name).strip(" .")


@functools.cache
def _by_key() -> dict[str, Country]:
    table: dict[str, Country] = {}
    for record in pycountry.countries:
        short = record.name
        if "," in short:
            short = getattr(record, "common_name", None) or getattr(record, "official_name", short)
        country = Country(record.alpha_3, _PREFERRED.get(record.alpha_3, short))
        names = [
            record.name,
            getattr(record, "official_name", ""),
            getattr(record, "common_name", ""),
            country.name,
            *_ALIASES.get(record.alpha_3, []),
        ]
        for name in filter(None, names):
            table.setdefault(_key(name), country)
    return table


def country_named(name_or_code: str) -> Country | None:
    """The state that `name_or_code` names: "Japan", "JPN", "the United States", "U.S."."""
    value = name_or_code.strip()
    if re.fullmatch(r"[A-Z]{3}", value):
        record = pycountry.countries.get(alpha_3=value)
        if record is not None:
            return _by_key()[_key(record.name)]
    return _by_key().get(_key(value))


@functools.cache
def _pattern() -> re.Pattern:
    # Longest names first, so that "Republic of Korea" wins over "Korea".
    names = sorted(
        {name for name in _by_key() if len(name) > 2 or name in {"uk", "us"}}, key=len, reverse=True
    )
    alternatives = "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in names)
    return re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])", re.IGNORECASE)


def countries_in(text: str) -> list[tuple[int, int, Country]]:
    """Every state named in `text`, as (start, end, country), in order."""
    found = []
    for match in _pattern().finditer(text):
        words = match.group(0)
        # "US" in capitals only: "us" is a pronoun.
        if _key(words) in {"us", "uk"} and not words.isupper():
            continue
        found.append((match.start(), match.end(), _by_key()[_key(words)]))
    return found
