"""Provenance: each quote occurs in its source, each value (and shared hedge/unit) in its quote.

Matching is on folded text (NFKC, whitespace removed); when that fails we also try
traditional→simplified folding so a quote pasted from a simplified copy is reported as such,
not as absent. A failure shows the nearest passage of the source.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from factledger.checks import Check, CheckContext, CheckOutput
from factledger.model import Fact, Period, Result, Source, fingerprint
from factledger.quantity import HEDGES_AFTER, HEDGES_BEFORE
from factledger.text import fold


@lru_cache(maxsize=1)
def _t2s():  # OpenCC costs ~50 ms to build; only failing quotes need it
    import opencc

    return opencc.OpenCC("t2s.json")


def nearest_passage(haystack: str, needle: str, width: int = 60) -> str:
    """The passage of ``haystack`` most like ``needle`` (for error messages)."""
    if not haystack or not needle:
        return ""
    n = min(len(needle), width)
    best, best_ratio = 0, -1.0
    matcher = difflib.SequenceMatcher(None, "", needle[:n], autojunk=False)

    def consider(i: int) -> None:
        nonlocal best, best_ratio
        matcher.set_seq1(haystack[i : i + n])
        # quick_ratio bounds ratio from above: skip windows that cannot beat the best
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            return
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = i, ratio

    # coarse scan on the first characters, then refine around the best anchor
    step = max(1, n // 4)
    for i in range(0, max(1, len(haystack) - n + 1), step):
        consider(i)
    for i in range(max(0, best - step), min(len(haystack), best + step)):
        consider(i)
    return haystack[best : best + max(len(needle), n) + 10]


def dropped_hedge(value: str, quote: str) -> str | None:
    """A hedge the quote puts right next to every occurrence of the value but the value lacks."""
    hits = []
    i = quote.find(value)
    while value and i >= 0:
        before, after = quote[:i], quote[i + len(value) :]
        # a hedge the parser knows, left outside the value (超過1.5億元 recorded as 1.5億元)
        word = next((w for w in HEDGES_BEFORE if before.endswith(w)), None) or next(
            (w for w in HEDGES_AFTER if after.startswith(w)), None
        )
        if word is None:
            return None  # one bare occurrence is enough to read the value as written
        hits.append(word)
        i = quote.find(value, i + 1)
    return hits[0] if hits else None


_CN_ORD = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_YEAR_RE = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
_QUARTER_RE = re.compile(r"Q([1-4])|([一二三四1-4])季")
_HALF_RE = re.compile(r"(上|下)半年|H([12])")
_MONTH_DAY_RE = re.compile(r"(?<![0-9])([0-9]{1,2})月(?:([0-9]{1,2})[日號])?")


def period_text_ranges(text: str, period: Period) -> list[tuple[date, date]]:
    """The date ranges a period_text can mean ('Q1' in any year the period touches), or [] when
    it names no calendar unit we read (前三季度 reads as its last quarter: still overlapping)."""
    years = [int(y) for y in _YEAR_RE.findall(text)] or list(
        range(period.start.year, period.end.year + 1)
    )
    ranges: list[tuple[date, date]] = []
    for y in years:
        if m := _MONTH_DAY_RE.search(text):
            month = int(m[1])
            if not 1 <= month <= 12:
                return []
            last = calendar.monthrange(y, month)[1]
            day = int(m[2]) if m[2] and 1 <= int(m[2]) <= last else None
            ranges.append((date(y, month, day or 1), date(y, month, day or last)))
        elif m := _QUARTER_RE.search(text):
            q = _CN_ORD[m[1] or m[2]]
            ranges.append((date(y, 3 * q - 2, 1), date(y, 3 * q, calendar.monthrange(y, 3 * q)[1])))
        elif m := _HALF_RE.search(text):
            first = m[1] == "上" or m[2] == "1"
            ranges.append(
                (date(y, 1, 1), date(y, 6, 30)) if first else (date(y, 7, 1), date(y, 12, 31))
            )
        elif _YEAR_RE.search(text):
            ranges.append((date(y, 1, 1), date(y, 12, 31)))
    return ranges


def check_fact(fact: Fact, source: Source, folded_source: str) -> list[Result]:
    problems: list[str] = []
    quote = fold(fact.quote)
    if quote not in folded_source:
        simp = _t2s().convert
        if simp(quote) in simp(folded_source):
            problems.append(
                "quote: found only after traditional/simplified folding — copy the source's "
                "characters exactly"
            )
        else:
            near = nearest_passage(folded_source, quote)
            problems.append(f"quote: not found in {source.file}; nearest passage: 「{near}」")
    value = fold(fact.value)
    if value not in quote:
        problems.append(f"value: {fact.value!r} is not a span of the quote")
    elif fact.hedge is None and (word := dropped_hedge(value, quote)):
        problems.append(
            f"value: the quote says {word!r} next to {fact.value!r}; include it in the value "
            f"(or give it as hedge:) so the interval says what the source says"
        )
    for name, text in (("hedge", fact.hedge), ("unit", fact.unit)):
        if text is not None and fold(text) not in quote:
            problems.append(f"{name}: {text!r} does not occur in the quote")
    for text in fact.period_text:
        if fold(text) not in quote:
            problems.append(f"period_text: {text!r} does not occur in the quote")
            continue
        ranges = period_text_ranges(fold(text), fact.period)
        if ranges and not any(s <= fact.period.end and fact.period.start <= e for s, e in ranges):
            problems.append(
                f"period: {fact.period.text} does not overlap what its period_text {text!r} says "
                f"({ranges[0][0].isoformat()}..{ranges[0][1].isoformat()})"
            )
    if not problems:
        return [
            Result(
                id=f"provenance:{fact.id}",
                kind="provenance",
                severity="error",
                verdict="pass",
                message=f"quote found in {source.id}; value is a span of the quote",
                fact_ids=(fact.id,),
                file=fact.file,
                line=fact.line,
                fingerprint=fingerprint(fact.quote, fact.value),
            )
        ]
    return [
        Result(
            id=f"provenance:{fact.id}:{p.split(':', 1)[0]}",
            kind="provenance",
            severity="error",
            verdict="fail",
            message=p,
            fact_ids=(fact.id,),
            file=fact.file,
            line=fact.line_of(p.split(":", 1)[0]),
            fingerprint=fingerprint(fact.quote, fact.value, p),
        )
        for p in problems
    ]


def check(facts: Iterable[Fact], sources: dict[str, Source]) -> list[Result]:
    folded = {sid: fold(src.text) for sid, src in sources.items()}
    results: list[Result] = []
    for fact in facts:
        source = sources.get(fact.source)
        if source is None:  # the loader already reported the unknown source
            continue
        results.extend(check_fact(fact, source, folded[fact.source]))
    return results


def run(ctx: CheckContext) -> CheckOutput:
    return CheckOutput(check(ctx.facts, ctx.corpus.sources))


CHECK = Check("provenance", run, ("provenance",))
