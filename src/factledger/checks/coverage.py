"""Coverage: is every numeric mention of a source recorded as a fact or ignored with a reason?

A mention is covered when it lies inside the value span (or a period_text span) of a fact of
that source, at an occurrence of the fact's quote. Coverage = covered / (mentions − ignored).
For sources marked ``curation: complete`` every uncovered mention is an error; coverage findings
cannot be acknowledged — they are resolved by a fact or an ignore entry.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from factledger import payloads as pl
from factledger.checks import (
    Check,
    CheckContext,
    CheckOutput,
    Incremental,
    Lookup,
    Unit,
    UnitsView,
    keyed,
    run_all,
    source_key,
)
from factledger.load import Corpus, Ignore
from factledger.mentions import Mention, find_mentions
from factledger.model import Fact, Result, Source, fingerprint
from factledger.text import fold

CONTEXT_CHARS = 18


@dataclass
class SourceCoverage:
    source: str
    curation: str
    mentions: list[Mention]
    covered: list[Mention] = field(default_factory=list)
    ignored: list[tuple[Mention, Ignore]] = field(default_factory=list)
    uncovered: list[Mention] = field(default_factory=list)
    unused_ignores: list[Ignore] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        denominator = len(self.mentions) - len(self.ignored)
        return len(self.covered) / denominator if denominator else 1.0

    def payload(self, text: str) -> pl.CoverageData:
        return pl.CoverageData(
            source=self.source,
            curation=self.curation,
            mentions=len(self.mentions),
            covered=len(self.covered),
            ignored=len(self.ignored),
            uncovered=[
                pl.UncoveredMention(m.text, m.start, context(text, m)) for m in self.uncovered
            ],
            coverage=round(self.ratio, 4),
        )


def context(text: str, m: Mention) -> str:
    return (
        text[max(0, m.start - CONTEXT_CHARS) : m.start]
        + "【"
        + m.text
        + "】"
        + text[m.end : m.end + CONTEXT_CHARS]
    )


def _occurrences(haystack: str, needle: str) -> list[int]:
    out, i = [], haystack.find(needle)
    while needle and i >= 0:
        out.append(i)
        i = haystack.find(needle, i + 1)
    return out


def covered_spans(text: str, facts: list[Fact]) -> list[tuple[int, int]]:
    """Spans of the folded source text that facts' values and period texts occupy."""
    spans: list[tuple[int, int]] = []
    for f in facts:
        quote = fold(f.quote)
        parts = [fold(f.value), *(fold(t) for t in f.period_text)]
        for q in _occurrences(text, quote):
            for part in parts:
                spans += [(q + i, q + i + len(part)) for i in _occurrences(quote, part)]
    return spans


def measure(source: Source, facts: list[Fact], ignores: list[Ignore]) -> SourceCoverage:
    text = fold(source.text)
    cov = SourceCoverage(source.id, source.curation, find_mentions(text))
    # spans sorted by start with a running max of ends: "inside some span" by bisection,
    # O((mentions + spans) log spans) rather than mentions × spans
    spans = sorted(covered_spans(text, facts))
    starts = [s for s, _ in spans]
    reach = list(accumulate((e for _, e in spans), max))
    ignore_spans: list[tuple[int, int, Ignore]] = []
    for ig in ignores:
        if ig.context is None:
            ignore_spans.append((0, len(text), ig))
        else:
            ctx = fold(ig.context)
            ignore_spans += [(i, i + len(ctx), ig) for i in _occurrences(text, ctx)]
    used: set[int] = set()
    for m in cov.mentions:
        i = bisect_right(starts, m.start) - 1
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


def measure_corpus(corpus: Corpus) -> dict[str, SourceCoverage]:
    facts_by_source: dict[str, list[Fact]] = defaultdict(list)
    for f in corpus.facts:
        facts_by_source[f.source].append(f)
    ignores_by_source: dict[str, list[Ignore]] = defaultdict(list)
    for ig in corpus.ignores:
        ignores_by_source[ig.source].append(ig)
    return {
        sid: measure(src, facts_by_source[sid], ignores_by_source[sid])
        for sid, src in sorted(corpus.sources.items())
    }


def summary(per_source: dict[str, SourceCoverage]) -> dict:
    mentions = sum(len(c.mentions) for c in per_source.values())
    covered = sum(len(c.covered) for c in per_source.values())
    ignored = sum(len(c.ignored) for c in per_source.values())
    uncovered = sum(len(c.uncovered) for c in per_source.values())
    denominator = mentions - ignored
    return {
        "mentions": mentions,
        "covered": covered,
        "ignored": ignored,
        "uncovered": uncovered,
        "coverage": round(covered / denominator, 4) if denominator else 1.0,
        "covered_share_of_mentions": round(covered / mentions, 4) if mentions else 1.0,
    }


def source_results(src: Source, cov: SourceCoverage, text: str) -> list[Result]:
    """The findings of one source's coverage, then its summary result."""
    sid = src.id
    severity = "error" if src.curation == "complete" else "info"
    results: list[Result] = []
    for m in cov.uncovered:
        ctx = context(text, m)
        results.append(Result(
            id=f"coverage:{sid}:{m.start}", kind="coverage", severity=severity,
            verdict="uncovered",
            message=f"mention 「{m.text}」 is neither in a fact nor ignored: …{ctx}…",
            file=src.file, fingerprint=fingerprint(sid, m.start, m.text),
            data=pl.MentionData(m.text, ctx),
        ))  # fmt: skip
    for ig in cov.unused_ignores:
        results.append(Result(
            id=f"coverage:{sid}:unused-ignore:{ig.line}", kind="coverage",
            severity="warning", verdict="unused",
            message=f"ignore entry {ig.mention!r} matches no uncovered mention: remove it",
            file=ig.file, line=ig.line, fingerprint=fingerprint(sid, ig.mention, ig.context),
            data=pl.IgnoreData(ig.mention, ig.context),
        ))  # fmt: skip
    results.append(Result(
        id=f"coverage:{sid}", kind="coverage", severity=severity,
        verdict="covered" if not cov.uncovered else "uncovered",
        message=f"{sid}: {len(cov.covered)} of {len(cov.mentions)} mentions covered, "
        f"{len(cov.ignored)} ignored, {len(cov.uncovered)} uncovered "
        f"({cov.ratio:.0%} coverage, curation {src.curation})",
        file=src.file, fingerprint=fingerprint(sid, len(cov.uncovered)),
        data=cov.payload(text),
    ))  # fmt: skip
    return results


def check_corpus(corpus: Corpus) -> tuple[list[Result], dict]:
    out = run(CheckContext(corpus, corpus.settings))
    return out.results, out.extras


def run_units(ctx: CheckContext, keys: Sequence[str] | None) -> list[Unit]:
    """One unit per source (``info``: its coverage figures, as the report shows them)."""
    if keys is None:
        sources = ctx.corpus.sources
        facts, ignores = ctx.facts, ctx.corpus.ignores
    else:
        wanted = keyed(keys, "source:")
        sources = ctx.lookup.sources(wanted)
        facts, ignores = ctx.lookup.facts_of_sources(wanted), ctx.lookup.ignores(wanted)
    facts_by_source: dict[str, list[Fact]] = defaultdict(list)
    for f in facts:
        facts_by_source[f.source].append(f)
    ignores_by_source: dict[str, list[Ignore]] = defaultdict(list)
    for ig in ignores:
        ignores_by_source[ig.source].append(ig)
    units = []
    for sid, src in sorted(sources.items()):
        cov = measure(src, facts_by_source[sid], ignores_by_source[sid])
        text = fold(src.text)
        units.append(Unit(
            source_key(sid), source_results(src, cov, text),
            info=cov.payload(text).to_json(), order=sid,
        ))  # fmt: skip
    return units


def affected(keys: Collection[str], lookup: Lookup) -> set[str]:
    """A source's unit depends on its text, its facts and its ignore entries."""
    return {source_key(s) for s in keyed(keys, "in-source:")}


def summarize(ctx: CheckContext, units: UnitsView) -> CheckOutput:
    sources = {info["source"]: info for info in units.infos()}
    return CheckOutput([], {"summary": figures(sources.values()), "sources": sources})


def figures(payloads: Any) -> dict:
    """The corpus's coverage figures from each source's (``CoverageData.to_json``)."""
    payloads = list(payloads)
    mentions = sum(p["mentions"] for p in payloads)
    covered = sum(p["covered"] for p in payloads)
    ignored = sum(p["ignored"] for p in payloads)
    uncovered = sum(len(p["uncovered"]) for p in payloads)
    denominator = mentions - ignored
    return {
        "mentions": mentions,
        "covered": covered,
        "ignored": ignored,
        "uncovered": uncovered,
        "coverage": round(covered / denominator, 4) if denominator else 1.0,
        "covered_share_of_mentions": round(covered / mentions, 4) if mentions else 1.0,
    }


INCREMENTAL = Incremental(affected, run_units, summarize)


def run(ctx: CheckContext) -> CheckOutput:
    return run_all(ctx, INCREMENTAL)


CHECK = Check("coverage", run, ("coverage",), incremental=INCREMENTAL)
