"""Sentences of a statement, each with its exact character offsets in the text.

sentencex (Wikimedia's segmenter) finds the boundaries and knows the abbreviations
("Mr.", "H.E.", "U.S."). On top of it, a line on its own that ends without a full
stop ("Mr. President,", "Excellencies,", a heading) is a sentence by itself: read
aloud, it is one. Offsets count characters (code points), as Python strings do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sentencex

# Spaces at either end of a sentence are not part of it: the ordinary ones and the
# non-breaking spaces that word processors leave in "empty" lines.
_SPACE = " \t\n\r\f\v\u00a0\u2007\u202f\u3000"
# A line that stands alone: up to this many words and no closing punctuation.
_SHORT_LINE_WORDS = 12
_CLOSING = tuple('.!?:;…"”’)')


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _SPACE:
        start += 1
    while end > start and text[end - 1] in _SPACE:
        end -= 1
    return start, end


def _split_standalone_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a segment after each short line that does not end a sentence."""
    pieces = []
    cursor = start
    for match in re.finditer(r"\n", text[start:end]):
        line_end = start + match.start()
        line_start, line_stop = _trimmed(text, cursor, line_end)
        line = text[line_start:line_stop]
        if not line:
            cursor = start + match.end()
            continue
        if len(line.split()) <= _SHORT_LINE_WORDS and not line.endswith(_CLOSING):
            pieces.append((line_start, line_stop))
            cursor = start + match.end()
    pieces.append((cursor, end))
    return pieces


def split_sentences(text: str, language: str = "en") -> list[Sentence]:
    """The sentences of `text`, in order, trimmed of surrounding spaces; `text[s.start:s.end]
    == s.text` always holds."""
    sentences = []
    for boundary in sentencex.get_sentence_boundaries(language or "en", text):
        for start, end in _split_standalone_lines(text, boundary["start_index"], boundary["end_index"]):
            start, end = _trimmed(text, start, end)
            if start < end:
                sentences.append(Sentence(start, end, text[start:end]))
    return sentences
