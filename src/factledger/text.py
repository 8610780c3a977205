"""Where text of a quote or value sits in its source: folding, locating, sentence bounds.

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
