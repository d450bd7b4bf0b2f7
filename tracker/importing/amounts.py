"""Sums of money as statements word them: "approximately 17 million US dollars",
"USD 5 million", "$2.5 million", "€3 million", "20 million euros", "1 billion yen".

The currency is read by its ISO 4217 code, its symbol, or its name (pycountry's
list of currencies, in the singular and the plural). A hedge ("approximately",
"about", "more than", "up to") is kept as a flag, not lost.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pycountry

from tracker.vocabulary import AmountStage

_SCALES = {
    "thousand": 10**3, "k": 10**3, "million": 10**6, "m": 10**6, "mn": 10**6, "mln": 10**6,
    "billion": 10**9, "bn": 10**9, "b": 10**9, "trillion": 10**12,
}  # fmt: skip
_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "hundred": 100, "a": 1,
}  # fmt: skip
_SYMBOLS = {
    "us$": "USD",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "a$": "AUD",
    "c$": "CAD",
    "chf": "CHF",
}
# Names that pycountry spells otherwise, or that need their country to be told apart.
_NAMES = {
    "us dollar": "USD", "u.s. dollar": "USD", "united states dollar": "USD", "dollar": "USD",
    "american dollar": "USD", "euro": "EUR", "yen": "JPY", "japanese yen": "JPY",
    "pound": "GBP", "pound sterling": "GBP", "pounds sterling": "GBP", "sterling": "GBP",
    "british pound": "GBP", "swiss franc": "CHF", "norwegian krone": "NOK", "norwegian kroner": "NOK",
    "swedish krona": "SEK", "swedish kronor": "SEK", "danish krone": "DKK", "danish kroner": "DKK",
    "yuan": "CNY", "renminbi": "CNY", "chinese yuan": "CNY", "canadian dollar": "CAD",
    "australian dollar": "AUD", "new zealand dollar": "NZD", "indian rupee": "INR", "rupee": "INR",
    "korean won": "KRW", "south african rand": "ZAR", "rand": "ZAR", "real": "BRL",
    "brazilian real": "BRL", "reais": "BRL",
}  # fmt: skip
_HEDGES = (
    r"approximately|approx\.|about|around|some|nearly|almost|roughly|over|more\s+than|up\s+to|close\s+to"
    r"|in\s+excess\s+of|at\s+least|an\s+estimated|upwards\s+of|just\s+over|just\s+under|circa|c\."
)
_STAGES = [
    (AmountStage.ALLOCATED, r"allocat\w*|earmark\w*|set\s+aside|budgeted|appropriated"),
    (AmountStage.DISBURSED, r"disburs\w*|(?:has|have|had)\s+(?:already\s+)?(?:provided|paid|delivered|transferred|spent|contributed|donated)"),
    (AmountStage.COMMITTED, r"committed|commits|commit\s+(?:an?\s+)?(?:additional\s+|further\s+)?(?:USD|EUR|\$|€|£)?"),
]  # fmt: skip


@dataclass(frozen=True)
class Amount:
    value: Decimal
    currency: str
    stage: AmountStage
    approximate: bool
    text: str
    start: int
    end: int


@functools.cache
def _currency_names() -> dict[str, str]:
    names = {}
    for currency in pycountry.currencies:
        name = currency.name.casefold()
        names[name] = currency.alpha_3
        names[name + "s"] = currency.alpha_3
    for name, code in _NAMES.items():
        names[name] = code
        names.setdefault(name + "s", code)
    return names


@functools.cache
def _pattern() -> re.Pattern:
    names = sorted(_currency_names(), key=len, reverse=True)
    name_alts = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
    codes = "|".join(sorted({c.alpha_3 for c in pycountry.currencies}))
    symbols = "|".join(re.escape(s) for s in sorted(_SYMBOLS, key=len, reverse=True) if s != "chf")
    number = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|" + "|".join(_WORD_NUMBERS)
    scale = r"(?:\s*(?:thousand|million|billion|trillion|bn|mn|mln)\b|(?<=\d)(?:m|bn|k|b)\b)"
    hedge = rf"(?:(?P<hedge>{_HEDGES})\s+)?"
    return re.compile(
        rf"""{hedge}(?:
            (?P<symbol>{symbols})\s?(?P<n1>{number})(?P<s1>{scale})?
          | (?P<code1>\b(?:{codes})\b)\s?(?P<n2>{number})(?P<s2>{scale})?
          | (?P<n3>{number})(?P<s3>{scale})?\s+(?:(?P<code2>\b(?:{codes})\b)|(?P<name>(?:{name_alts}))\b)
        )""",
        re.IGNORECASE | re.VERBOSE,
    )


def _value(number: str, scale: str | None) -> Decimal | None:
    number = number.casefold()
    try:
        value = (
            Decimal(_WORD_NUMBERS[number]) if number in _WORD_NUMBERS else Decimal(number.replace(",", ""))
        )
    except InvalidOperation:
        return None
    if scale:
        value *= _SCALES[scale.strip().casefold()]
    return value


def stage_in(sentence: str) -> AmountStage:
    """How far along the money is, by the verbs of the sentence; announced unless it says more."""
    for stage, pattern in _STAGES:
        if re.search(rf"\b(?:{pattern})", sentence, re.IGNORECASE):
            return stage
    return AmountStage.ANNOUNCED


def find_amount(text: str, *, offset: int = 0) -> Amount | None:
    """The first sum of money in `text` (one sentence), or None."""
    for match in _pattern().finditer(text):
        groups = match.groupdict()
        number = groups["n1"] or groups["n2"] or groups["n3"]
        scale = groups["s1"] or groups["s2"] or groups["s3"]
        if groups["symbol"]:
            currency = _SYMBOLS[groups["symbol"].casefold()]
        elif groups["code1"] or groups["code2"]:
            currency = (groups["code1"] or groups["code2"]).upper()
            if not (groups["code1"] or "").isupper() and not (groups["code2"] or "").isupper():
                continue  # "for" or "all" is not a currency code
        else:
            currency = _currency_names()[re.sub(r"\s+", " ", groups["name"].casefold())]
        if number.casefold() in _WORD_NUMBERS and not scale:
            continue  # "one dollar" is an example, not a pledge's sum
        value = _value(number, scale)
        if value is None or value == 0:
            continue
        words = match.group(0)
        return Amount(
            value=value,
            currency=currency,
            stage=stage_in(text),
            approximate=bool(groups["hedge"]),
            text=words,
            start=offset + match.start(),
            end=offset + match.end(),
        )
    return None
