"""Prototypes of the performance fixes proposed for modules this benchmark does not own.

``python benchmarks/run.py --proposed`` measures every size twice, as is and with these patches
applied in the child process, and checks that both runs give the same results (ids, verdicts,
messages, fingerprints). Nothing here is imported by factledger itself: each patch is a sketch
of a change to make in the named module, kept behaviour-preserving so the figures are honest.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import gc
from collections.abc import Callable


def gc_off_during_run() -> None:
    """engine.run: no cyclic GC while the corpus is built (millions of young container objects
    make every generation-2 pass rescan the whole heap); collect once at the end."""
    from factledger import engine

    run = engine.run

    @functools.wraps(run)
    def wrapped(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return run(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    engine.run = wrapped


def fx_rate_cache() -> None:
    """fx: cache the published rate per (from, to, day) — a few distinct days, many facts."""
    from factledger import fx

    fx._published_rate = functools.cache(fx._published_rate)
    fx.rate = functools.cache(fx.rate)


def coverage_bisect() -> None:
    """coverage.measure: 'is this mention inside some span' by bisection over spans sorted by
    start with a running max of ends — O((m + s) log s) instead of O(m × s) per source."""
    from factledger import coverage
    from factledger.mentions import find_mentions, fold

    def measure(source, facts, ignores):
        text = fold(source.text)
        cov = coverage.SourceCoverage(source.id, source.curation, find_mentions(text))
        spans = sorted(coverage.covered_spans(text, facts))
        starts = [s for s, _ in spans]
        reach: list[int] = []
        for _s, e in spans:
            reach.append(max(e, reach[-1]) if reach else e)
        ignore_spans = []
        for ig in ignores:
            if ig.context is None:
                ignore_spans.append((0, len(text), ig))
            else:
                ctx = fold(ig.context)
                ignore_spans += [(i, i + len(ctx), ig) for i in coverage._occurrences(text, ctx)]
        used: set[int] = set()
        for m in cov.mentions:
            i = bisect.bisect_right(starts, m.start) - 1
            if i >= 0 and reach[i] >= m.end:
                cov.covered.append(m)
                continue
            hit = next(
                (ig for s, e, ig in ignore_spans
                 if fold(ig.mention) == m.text and s <= m.start and m.end <= e),
                None,
            )  # fmt: skip
            if hit is not None:
                cov.ignored.append((m, hit))
                used.add(id(hit))
            else:
                cov.uncovered.append(m)
        cov.unused_ignores = [ig for ig in ignores if id(ig) not in used]
        return cov

    coverage.measure = measure


def provenance_prune() -> None:
    """provenance.nearest_passage: skip windows whose quick_ratio() (an upper bound of ratio())
    cannot beat the best so far; the chosen passage is exactly the same."""
    from factledger import provenance

    def nearest_passage(haystack: str, needle: str, width: int = 60) -> str:
        if not haystack or not needle:
            return ""
        n = min(len(needle), width)
        probe = needle[:n]
        best, best_ratio = 0, -1.0
        sm = difflib.SequenceMatcher(None, probe, "", autojunk=False)

        def consider(i: int) -> None:
            nonlocal best, best_ratio
            sm.set_seq2(haystack[i : i + n])
            if sm.real_quick_ratio() <= best_ratio or sm.quick_ratio() <= best_ratio:
                return
            ratio = sm.ratio()
            if ratio > best_ratio:
                best, best_ratio = i, ratio

        step = max(1, n // 4)
        for i in range(0, max(1, len(haystack) - n + 1), step):
            consider(i)
        lo = max(0, best - step)
        for i in range(lo, min(len(haystack), best + step)):
            consider(i)
        return haystack[best : best + max(len(needle), n) + 10]

    provenance.nearest_passage = nearest_passage


def loader_memo() -> None:
    """loader: memoise parse_quantity and parse_period (pure functions of their text; values
    and periods repeat across sources, ~3 sources per figure)."""
    from factledger import loader

    loader.parse_quantity = functools.lru_cache(maxsize=1 << 16)(loader.parse_quantity)
    loader.parse_period = functools.lru_cache(maxsize=1 << 12)(loader.parse_period)


def fold_memo() -> None:
    """provenance/coverage: fold each source text once (both steps fold every source again, and
    provenance folds each shared quote once per fact)."""
    from factledger import coverage, provenance
    from factledger.mentions import fold

    memo = functools.lru_cache(maxsize=1 << 17)(fold)
    provenance.fold = memo
    coverage.fold = memo


# Text columns no expectation reads or reports (the quote is most of the frame's bytes).
NOT_FOR_EXPECTATIONS = (
    "quote", "qualifiers", "source", "entity", "metric", "period_text", "hedge",
    "written_unit", "written_lo", "written_hi", "stated_start", "stated_end",
)  # fmt: skip


def expectations_narrow() -> None:
    """expectations.check: hand great-expectations only the columns it checks or reports;
    every batch hashes the whole frame (pandas hash_pandas_object), text columns included."""
    from factledger import expectations

    check = expectations.check

    @functools.wraps(check)
    def narrow(df):
        return check(df.drop(columns=[c for c in NOT_FOR_EXPECTATIONS if c in df.columns]))

    expectations.check = narrow


PATCHES: dict[str, Callable[[], None]] = {
    "gc-off-during-run": gc_off_during_run,
    "fx-rate-cache": fx_rate_cache,
    "coverage-bisect": coverage_bisect,
    "provenance-prune": provenance_prune,
    "loader-memo": loader_memo,
    "fold-memo": fold_memo,
    "expectations-narrow": expectations_narrow,
}


def apply(names: list[str] | None = None) -> list[str]:
    chosen = names or list(PATCHES)
    for name in chosen:
        PATCHES[name]()
    return chosen
