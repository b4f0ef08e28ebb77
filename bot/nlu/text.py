"""Splitting a message into the pieces people write in: sentences, then clauses.

Long messages mix several things ("my ex posted our videos... he's back in Florida now,
and yesterday he was outside my work"). The frame is read piece by piece, so each piece
is judged on its own words (a past "was outside" is not a present "is outside"), and
every piece of a long message is read, not just its start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List

# Curly quotes straightened, so patterns only need the ASCII apostrophe and quote.
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
# A sentence ends at . ! ? ; or a line break (runs of them count once).
_SENTENCE_END = re.compile(r"(?:[.!?;]+(?=\s|$)|\n+|\s[-\u2013\u2014]\s)")
# Inside a long sentence, these start a new clause.
_CLAUSE_BREAK = re.compile(
    r",\s*(?=(?:and|but|so|then|also|plus|now|because|cos|coz|which|who)\b)|"
    r"\s(?=(?:and then|and now|and also|but also|but now|and yesterday|and today|and last)\b)",
    re.IGNORECASE,
)
LONG_SENTENCE_WORDS = 25


@dataclass(frozen=True)
class Piece:
    text: str
    start: int
    end: int


def clean(text: str) -> str:
    """Straight quotes, no control characters; same length, so offsets still point into the original."""
    text = (text or "").translate(_QUOTES)
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)


def sentences(text: str) -> List[Piece]:
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        _add(pieces, text, start, match.start())
        start = match.end()
    _add(pieces, text, start, len(text))
    return pieces


def clauses(text: str) -> List[Piece]:
    """Sentences, with long ones cut at ", and ...", "and then ..." and the like."""
    out: List[Piece] = []
    for sentence in sentences(text):
        if len(sentence.text.split()) <= LONG_SENTENCE_WORDS:
            out.append(sentence)
            continue
        start = sentence.start
        for match in _CLAUSE_BREAK.finditer(text, sentence.start, sentence.end):
            _add(out, text, start, match.start())
            start = match.end()
        _add(out, text, start, sentence.end)
    return out


def _add(pieces: List[Piece], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and any(ch.isalnum() for ch in text[start:end]):
        pieces.append(Piece(text[start:end], start, end))
