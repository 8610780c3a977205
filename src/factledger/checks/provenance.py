"""Provenance: each quote is whole clauses of its source, each value a whole number of its quote,
and the hedge and period text are where they claim to be.

Matching is on folded text (NFKC, whitespace removed); when that fails we also try
traditional→simplified folding so a quote pasted from a simplified copy is reported as such,
not as absent. A failure shows the nearest passage of the source, or the whole clause a cut-out
quote should be.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from functools import lru_cache

from factledger.checks import (
    Check,
    CheckContext,
    CheckOutput,
    Incremental,
    Lookup,
    Unit,
    fact_key,
    fact_order,
    keyed,
    run_all,
    source_key,
)
from factledger.mentions import cuts_none, mentions_of, whole_mention_spans
from factledger.model import Fact, Period, Result, Source, fingerprint
from factledger.period import is_period_mention
from factledger.quantity import HEDGES_AFTER, HEDGES_BEFORE, prefix_words_end, suffix_words_end
from factledger.text import clause_bounds, fold, is_clause, locate_all


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


def dropped_hedge(quote: str, start: int, end: int) -> str | None:
    """A hedge the (folded) quote puts right next to the value at ``quote[start:end]`` but the
    value leaves out (超過1.5億元 recorded as 1.5億元)."""
    # one test against all the words first, as most values have none beside them
    if quote.endswith(_BEFORE, 0, start):
        return next(w for w in HEDGES_BEFORE if quote.endswith(w, 0, start))
    if quote.startswith(_AFTER, end):
        return next(w for w in HEDGES_AFTER if quote.startswith(w, end))
    return None


# The items of an enumeration before the value: 1.5億元、2.5億元、 (each ends in 、, none crosses
# a clause delimiter).
_ITEMS_BEFORE = re.compile(r"(?:[^、,;:。!?]+、)+")


def _inside_longer_hedge(quote: str, at: int, hedge: str) -> bool:
    """Whether the hedge found at ``at`` is the tail of a longer one (超過 in 不超過)."""
    for word in HEDGES_BEFORE:
        lead = len(word) - len(hedge)
        if lead > 0 and word.endswith(hedge) and quote[max(0, at - lead) : at + len(hedge)] == word:
            return True
    return False


def hedge_stands_by(quote: str, start: int, end: int, hedge: str) -> bool:
    """Whether ``hedge`` qualifies the value at ``quote[start:end]`` (folded text): it stands right
    before the value, with only value words between (約為, 約合人民幣, 分別超過), or right after it
    (以上, 左右); or it is the shared hedge of the 、-enumeration the value belongs to, before the
    first item (分別超過1.5億元、2.5億元、3億元). A hedge elsewhere in the clause (增長超過一倍)
    does not qualify the value."""
    if hedge and hedge in quote[start:end]:  # the value carries it itself
        return True
    i = quote.find(hedge)
    while hedge and 0 <= i < start:
        stop = prefix_words_end(quote, i)
        if stop >= i + len(hedge) and not _inside_longer_hedge(quote, i, hedge):
            between = quote[stop:start]
            if not between:
                return True
            items = between.split("、")[:-1]
            if _ITEMS_BEFORE.fullmatch(between) and all(mentions_of(item) for item in items):
                return True
        i = quote.find(hedge, i + 1)
    stop = suffix_words_end(quote, end)
    return hedge in quote[end:stop]


_BEFORE, _AFTER = tuple(HEDGES_BEFORE), tuple(HEDGES_AFTER)


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
    elif clause := _cut_out(source.text, fact.quote):
        problems.append(
            "quote: not whole clauses of the source (a quote starts after 。！？；，： or at the "
            f"start of a line, and ends at one); the whole clause is 「{clause}」"
        )
    problems += _value_problems(fact, quote)
    for name, text in (("hedge", fact.hedge), ("unit", fact.unit)):
        if text is not None and fold(text) not in quote:
            problems.append(f"{name}: {text!r} does not occur in the quote")
    problems += _period_text_problems(fact, quote)
    if not problems:
        return [
            Result(
                id=f"provenance:{fact.id}",
                kind="provenance",
                severity="error",
                verdict="pass",
                message=f"quote is whole clauses of {source.id}; value is a whole number of it",
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


def _cut_out(text: str, quote: str) -> str | None:
    """The whole clause around the quote's first place in ``text`` when no place of it is whole
    clauses; None when one is."""
    places = locate_all(text, quote)
    if not places or any(is_clause(text, s, e) for s, e in places):
        return None
    s, e = clause_bounds(text, *places[0])
    return text[s:e]


def _value_problems(fact: Fact, quote: str) -> list[str]:
    value = fold(fact.value)
    if value not in quote:
        return [f"value: {fact.value!r} is not a span of the quote"]
    spans = whole_mention_spans(quote, value)
    if not spans:
        i = quote.find(value)
        cut = [m.text for m in mentions_of(quote) if m.start < i + len(value) and i < m.end]
        what = f"it cuts the number {'、'.join(cut)}" if cut else "it holds no number"
        return [f"value: {fact.value!r} is not a whole number of the quote: {what}"]
    n = fact.occurrence or 1
    if n > len(spans):  # the loader reports it; a fact built by hand may still carry it
        return [f"occurrence: {n}, but the quote holds {fact.value!r} {len(spans)} time(s)"]
    start, end = spans[n - 1]
    if fact.hedge is None:
        if word := dropped_hedge(quote, start, end):
            return [
                f"value: the quote says {word!r} next to {fact.value!r}; include it in the value "
                f"(or give it as hedge:) so the interval says what the source says"
            ]
        return []
    hedge = fold(fact.hedge)
    if hedge in quote and not hedge_stands_by(quote, start, end, hedge):
        return [
            f"hedge: {fact.hedge!r} does not qualify {fact.value!r} in the quote: a hedge stands "
            "next to the value or before the first item of the enumeration the value is in"
        ]
    return []


def _period_text_problems(fact: Fact, quote: str) -> list[str]:
    problems = []
    mentions = mentions_of(quote)
    for text in fact.period_text:
        folded = fold(text)
        places = [i for i in range(len(quote)) if quote.startswith(folded, i)] if folded else []
        if not places:
            problems.append(f"period_text: {text!r} does not occur in the quote")
            continue
        if not is_period_mention(folded):
            problems.append(
                f"period_text: {text!r} is not a mention a period can be read from "
                "(Q3, 第三季, 上半年, 2025年, 9月23日, 一個月前, ...)"
            )
            continue
        if not any(cuts_none(mentions, i, i + len(folded)) for i in places):
            problems.append(f"period_text: {text!r} is part of a longer number in the quote")
            continue
        ranges = period_text_ranges(folded, fact.period)
        if ranges and not any(s <= fact.period.end and fact.period.start <= e for s, e in ranges):
            problems.append(
                f"period: {fact.period.text} does not overlap what its period_text {text!r} says "
                f"({ranges[0][0].isoformat()}..{ranges[0][1].isoformat()})"
            )
    return problems


def check(facts: Iterable[Fact], sources: dict[str, Source]) -> list[Result]:
    folded = {sid: fold(src.text) for sid, src in sources.items()}
    results: list[Result] = []
    for fact in facts:
        source = sources.get(fact.source)
        if source is None:  # the loader already reported the unknown source
            continue
        results.extend(check_fact(fact, source, folded[fact.source]))
    return results


def run_units(ctx: CheckContext, keys: Sequence[str] | None) -> list[Unit]:
    """One unit per fact (its results depend on the fact and its source's text)."""
    if keys is None:
        facts, sources = ctx.facts, ctx.corpus.sources
    else:
        facts = ctx.lookup.facts(keyed(keys, "fact:"))
        sources = ctx.lookup.sources({f.source for f in facts})
    folded: dict[str, str] = {}
    units = []
    for fact in facts:
        source = sources.get(fact.source)
        if source is None:  # the loader already reported the unknown source
            continue
        if fact.source not in folded:
            folded[fact.source] = fold(source.text)
        units.append(Unit(
            fact_key(fact.id), check_fact(fact, source, folded[fact.source]),
            depends=frozenset({source_key(fact.source)}), order=fact_order(fact),
        ))  # fmt: skip
    return units


def affected(keys: Collection[str], lookup: Lookup) -> set[str]:
    """The changed facts, and every fact of a changed source."""
    out = {k for k in keys if k.startswith("fact:")}
    out.update(fact_key(f.id) for f in lookup.facts_of_sources(keyed(keys, "source:")))
    return out


INCREMENTAL = Incremental(affected, run_units)


def run(ctx: CheckContext) -> CheckOutput:
    return run_all(ctx, INCREMENTAL)


CHECK = Check("provenance", run, ("provenance",), separable=True, incremental=INCREMENTAL)
