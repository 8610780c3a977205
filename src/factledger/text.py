"""Where text of a quote or value sits in its source: folding, locating, sentence and clause
bounds.

Quotes, values and mentions are compared on *folded* text (NFKC, whitespace dropped), so a quote
may write a full-width comma as ``,`` or leave out a line break. Provenance, coverage and the
report's highlighting all use these functions, so they agree on what "is in the source" means.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import lru_cache

_WS = re.compile(r"\s+")
SENTENCE_END = "。!?;!?;\n"


@lru_cache(maxsize=1 << 17)  # sources and shared quotes are folded by several checks
def fold(text: str) -> str:
    """NFKC, then drop whitespace: how quotes, values and mentions are compared."""
    return _WS.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=512)
def fold_map(text: str) -> tuple[str, tuple[int, ...]]:
    """``fold(text)`` and, for each of its characters, the offset in ``text`` it came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            if not c.isspace():
                out.append(c)
                origin.append(i)
    return "".join(out), tuple(origin)


def locate(
    text: str, needle: str, start: int = 0, end: int | None = None
) -> tuple[int, int] | None:
    """Where ``needle`` occurs in ``text[start:end]`` as the checks match it, in ``text``'s own
    offsets (sources keep full-width punctuation and spaces that quotes may write otherwise)."""
    folded, origin = fold_map(text)
    want = fold(needle)
    if not want or not origin:
        return None
    lo = bisect.bisect_left(origin, start)
    hi = len(origin) if end is None else bisect.bisect_left(origin, end)
    i = folded.find(want, lo, hi)
    if i < 0:
        return None
    return origin[i], origin[i + len(want) - 1] + 1


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``text[start:end]`` to whole sentences (a quote is at most one, but may be part)."""
    s = start
    while s > 0 and text[s - 1] not in SENTENCE_END:
        s -= 1
    e = end
    if e > start and text[e - 1] in SENTENCE_END:
        return s, e
    while e < len(text):
        e += 1
        if text[e - 1] in SENTENCE_END:
            break
    return s, e


# --- clauses -------------------------------------------------------------------------------------
# A quote is one or more whole clauses of its source: it starts right after a clause delimiter or
# at the start of a line (the title is the first line of Source.text), and ends at a delimiter
# (which it may include) or at the end of a line. Widths do not matter: each character is read
# through NFKC, so ，and , are the same delimiter. 、 separates the items of an enumeration inside
# a clause, so it is not a delimiter.
CLAUSE_DELIMITERS = frozenset("。!?;,:.")
# Of those, the ones that end a sentence: clause_bounds includes these in the clause it returns.
SENTENCE_DELIMITERS = frozenset("。!?;.")
# Closing quotation marks and brackets belong to the clause they close (…臨時。”據悉 starts a
# clause at 據).
CLOSERS = frozenset("」』”’)]}】〉》〕\"'")
# . , and : between two digits are part of a number (1.5億, 3,850, 10:30), not delimiters.
_NUMBER_PUNCTUATION = frozenset(".,:")
_LINE_BREAKS = frozenset("\n\r\u2028\u2029")


def _nfkc(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch)


def _is_digit(text: str, i: int) -> bool:
    return 0 <= i < len(text) and _nfkc(text[i]) in tuple("0123456789")


def is_clause_delimiter(text: str, i: int) -> bool:
    """Whether ``text[i]`` ends a clause: 。！？；，：. in any width (… reads as ...), except
    . , : between two digits."""
    c = _nfkc(text[i])[:1]
    if c not in CLAUSE_DELIMITERS:
        return False
    return not (c in _NUMBER_PUNCTUATION and _is_digit(text, i - 1) and _is_digit(text, i + 1))


def _starts_clause(text: str, start: int) -> bool:
    """Whether a clause may start at ``start``: after a delimiter (and any closing marks that
    follow it), at the start of a line, or at the start of the text."""
    j = start - 1
    while j >= 0 and (text[j].isspace() or _nfkc(text[j]) in CLOSERS):
        if text[j] in _LINE_BREAKS:
            return True
        j -= 1
    return j < 0 or is_clause_delimiter(text, j)


def _ends_clause(text: str, start: int, end: int) -> bool:
    """Whether a clause begun at ``start`` may end at ``end``: its last character (before any
    closing marks) is a delimiter, or the next one is, or the line or text ends there."""
    j = end - 1
    while j >= start and (text[j].isspace() or _nfkc(text[j]) in CLOSERS):
        j -= 1
    if j >= start and is_clause_delimiter(text, j):
        return True
    k = end
    while k < len(text) and text[k].isspace():
        if text[k] in _LINE_BREAKS:
            return True
        k += 1
    return k >= len(text) or is_clause_delimiter(text, k)


def is_clause(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is whole clauses of ``text`` (see :func:`clause_bounds`)."""
    return start < end and _starts_clause(text, start) and _ends_clause(text, start, end)


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The smallest span of whole clauses around ``text[start:end]``: from the start of the clause
    ``start`` lies in to the end of the clause ``end`` lies in, with its closing delimiter when
    that ends a sentence (。！？；) and the closing marks after it; surrounding whitespace left
    out. Offsets are ``text``'s own (e.g. from :func:`locate`)."""
    s = max(0, min(start, len(text)))
    while s > 0 and not _starts_clause(text, s):
        s -= 1
    e = max(s, min(end, len(text)))
    while e < len(text) and not _ends_clause(text, s, e):
        e += 1
    if e < len(text) and is_clause_delimiter(text, e) and _nfkc(text[e])[:1] in SENTENCE_DELIMITERS:
        # the sentence's end as written: 。, ?!, ......, with the closing marks after it
        while e < len(text) and (
            _nfkc(text[e]) in CLOSERS
            or (is_clause_delimiter(text, e) and _nfkc(text[e])[:1] in SENTENCE_DELIMITERS)
        ):
            e += 1
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def locate_all(text: str, needle: str) -> list[tuple[int, int]]:
    """Every place ``needle`` occurs in ``text`` as the checks match it (see :func:`locate`), in
    ``text``'s own offsets."""
    folded, origin = fold_map(text)
    want = fold(needle)
    out: list[tuple[int, int]] = []
    i = folded.find(want) if want else -1
    while i >= 0:
        out.append((origin[i], origin[i + len(want) - 1] + 1))
        i = folded.find(want, i + 1)
    return out
