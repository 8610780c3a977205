""" "The source is wrong": an article that prints a wrong number, and whether the checks notice.

A mutation changes one number consistently in the seed, in every quote that contains it and in
the value of every fact that reads it — so provenance cannot help — and re-runs the checks that
compare facts with each other (rules, invariants, claims, conflicts), in memory. Kinds:

* ``x10`` / ``div10``: a slipped decimal point or a wrong 萬/億 reading (1.5億 → 15億 / 0.15億);
* ``x1.3``: a 30% error, written with the same number of decimals (1.5億 → 2.0億);
* ``last_digit``: the last written digit changed by one (12.4% → 12.5%), applied only where
  another source gives the same figure exactly — the disagreement written precision must catch;
* ``claim_flip``: a claim fact's claim reversed in the article (創歷史新高 → 創歷史新低,
  高於 → 低於), and the claim with it;
* ``claim_n+1`` / ``claim_n-1``: a rank or count claim one off (第二名 → 第三名, 四次 → 三次).

A mutation is **detected** when a non-passing result (error or warning) that involves a mutated
fact appears or gets worse compared with the unmutated run: it is new, or an acknowledged
finding's fingerprint changed (the reviewer must look again), or its severity rose. Provenance and
coverage results do not count (they check the curator, not the article); a provenance failure
after a mutation means the mutation itself was inconsistent and is reported as such.

Used by ``scripts/mutation_report.py --source-errors`` and ``tests/test_source_errors.py``.
Definitions: docs/mutations.md.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from factledger import engine
from factledger.checks import Check, default_checks
from factledger.checks.crosscheck import is_numeric
from factledger.diff import compare
from factledger.load import Corpus, load_corpus
from factledger.model import Claim, Fact, Finding, Source, input_problem
from factledger.quantity import QuantityError, parse_readings
from factledger.text import fold, is_clause, locate, locate_all

NUMBER_KINDS = ("x10", "x1.3", "div10", "last_digit")
CLAIM_KINDS = ("claim_flip", "claim_n+1", "claim_n-1")
KINDS = NUMBER_KINDS + CLAIM_KINDS
FACTORS = {"x10": Decimal(10), "x1.3": Decimal("1.3"), "div10": Decimal("0.1")}
# Arabic numbers as the press writes them, any width (１.５ is folded before arithmetic).
_NUMBER = re.compile(r"[0-9０-９]+(?:[,，][0-9０-９]{3})*(?:[.．][0-9０-９]+)?")
_WHOLE_DIMENSIONS = frozenset({"rank"})  # 第2名 ÷ 10 is no rank; 0.3個 is a (wrong) count
_SEVERITY = {"info": 0, "warning": 1, "error": 2}
_NOT_THE_ARTICLE = frozenset({"provenance", "coverage"})


def _ascii(text: str) -> str:
    return fold(text).replace(",", "")


def _decimals(text: str) -> int:
    return len(text.partition(".")[2])


def rewrite(number: str, kind: str, *, whole: bool) -> str | None:
    """One written number after the mutation; None when the kind cannot apply (a rank of 0.2)."""
    plain = _ascii(number)
    value = Decimal(plain)
    if kind == "last_digit":
        step = Decimal(1).scaleb(-_decimals(plain))
        new = value + step  # 12.4 → 12.5; 9 → 10 is still one step of the last digit
        return f"{new:f}"
    new = value * FACTORS[kind]
    if kind == "x1.3":  # the same number of decimals as written: 1.5 → 2.0, 3 → 4
        new = new.quantize(Decimal(1).scaleb(-_decimals(plain)), ROUND_HALF_UP)
        text = f"{new:f}"
    else:
        text = f"{new.normalize():f}"
    if whole and (new != new.to_integral_value() or new < 1):
        return None
    return text


_CHINESE = re.compile("[零〇一二兩三四五六七八九十百千萬億兆]+")
_VAGUE = re.compile("大半|幾|數|雙位數|兆的")  # no arithmetic to slip on: 一大半, 幾毛, 數十萬
_TO_SIMPLIFIED = str.maketrans({"億": "亿", "萬": "万", "兩": "两"})
_TO_TRADITIONAL = str.maketrans({"亿": "億", "万": "萬"})


def rewrite_chinese(numeral: str, kind: str) -> str | None:
    """A Chinese numeral after the mutation, as Chinese numerals (破億 → 破十億, 第二 → 第二十);
    None when the result is not a whole number (第二 ÷ 10) or the numeral is not arithmetic."""
    import cn2an  # the quantity parser's own numeral library

    text = numeral.translate(_TO_SIMPLIFIED)
    if text[0] in "十百千万亿":
        text = "一" + text  # 億 alone is one 億; 十 is ten either way
    try:
        value = Decimal(str(cn2an.cn2an(text, "smart")))
    except (ValueError, KeyError, TypeError):
        return None
    if kind == "last_digit":
        return None
    new = value * FACTORS[kind]
    if kind == "x1.3":
        new = new.quantize(Decimal(1), ROUND_HALF_UP)
    if new != new.to_integral_value() or new < 1:
        return None
    return cn2an.an2cn(int(new)).translate(_TO_TRADITIONAL)


def rewrite_numbers(text: str, kind: str, *, whole: bool) -> str | None:
    """Every number of ``text`` rewritten (a range changes at both ends): Arabic numbers, or,
    in a value written without them, Chinese numerals."""
    if not _NUMBER.search(text):
        if _VAGUE.search(text):
            return None
        parts, at = [], 0
        for m in _CHINESE.finditer(text):
            new = rewrite_chinese(m.group(), kind)
            if new is None:
                return None
            parts += [text[at : m.start()], new]
            at = m.end()
        return "".join(parts) + text[at:] if parts else None
    parts: list[str] = []
    at = 0
    for m in _NUMBER.finditer(text):
        new = rewrite(m.group(), kind, whole=whole)
        if new is None:
            return None
        parts += [text[at : m.start()], new]
        at = m.end()
    if not parts:
        return None
    return "".join(parts) + text[at:]


_OPPOSITE = {"greater_than": "less_than", "less_than": "greater_than",
             "record_high": "record_low", "record_low": "record_high"}  # fmt: skip
# The words that carry a claim's direction, each with its reverse (the first pair that matches).
_FLIPS = (("新高", "新低"), ("最高", "最低"), ("高於", "低於"), ("大於", "小於"), ("多於", "少於"),
          ("領先", "落後"), ("超越", "不及"), ("超過", "不及"))  # fmt: skip
_SHIFT = {"claim_n+1": 1, "claim_n-1": -1}


def flip_words(text: str) -> str | None:
    """The claim's words reversed (創下新低 → 創下新高); None when no direction word is written."""
    for a, b in _FLIPS:
        if a in text:
            return text.replace(a, b, 1)
        if b in text:
            return text.replace(b, a, 1)
    return None


def shift_number(text: str, delta: int) -> str | None:
    """The first whole number of ``text`` moved by ``delta``, written as it was (第二名 → 第三名,
    4次 → 5次); None when there is none or the result is below 1."""
    import cn2an

    m = _NUMBER.search(text)
    if m is not None:
        plain = _ascii(m.group())
        if "." in plain or int(plain) + delta < 1:
            return None
        return text[: m.start()] + str(int(plain) + delta) + text[m.end() :]
    m = _CHINESE.search(text)
    if m is None:
        return None
    numeral = m.group().translate(_TO_SIMPLIFIED)
    if numeral[0] in "十百千万亿":
        numeral = "一" + numeral
    try:
        value = int(cn2an.cn2an(numeral, "smart"))
    except (ValueError, KeyError, TypeError):
        return None
    if value + delta < 1:
        return None
    new = cn2an.an2cn(value + delta).translate(_TO_TRADITIONAL)
    return text[: m.start()] + new + text[m.end() :]


def _claim_rewriter(kind: str, claim: Claim) -> tuple[Callable[[str], str | None], Claim] | None:
    """How the written claim and the claim itself change under ``kind``; None when it cannot."""
    if kind == "claim_flip":
        if claim.kind not in _OPPOSITE:
            return None
        return flip_words, dataclasses.replace(claim, kind=_OPPOSITE[claim.kind])
    delta = _SHIFT[kind]
    if claim.kind not in ("rank", "count") or claim.n is None or claim.n + delta < 1:
        return None
    return (lambda text: shift_number(text, delta)), dataclasses.replace(claim, n=claim.n + delta)


def _moved_claim(kind: str, claim: Claim) -> Claim | None:
    """The claim after ``kind``: reversed or one off, or, when a number kind changes a rank or
    count (第二名 → 第二十名), its place with it; None when that is no whole number."""
    if kind in CLAIM_KINDS:
        how = _claim_rewriter(kind, claim)
        return None if how is None else how[1]
    if claim.n is None:
        return claim
    n = rewrite(str(claim.n), kind, whole=True)
    return None if n is None else dataclasses.replace(claim, n=int(Decimal(n)))


@dataclass(frozen=True)
class Detection:
    kind: str
    fact_id: str
    source: str
    detected: bool
    by: tuple[str, ...] = ()  # result kinds of the findings that caught it
    finding_ids: tuple[str, ...] = ()
    touched: bool = False  # cross-checked in the unmutated run (crosscheck.measure)
    change: str = ""  # the value before → after
    inconsistent: bool = False  # the mutation broke provenance: a harness problem, not a miss

    @property
    def why_missed(self) -> str | None:
        if self.detected:
            return None
        return "touched, but the change fits the intervals" if self.touched else "untouched"


@dataclass
class KindReport:
    kind: str
    detections: list[Detection] = field(default_factory=list)

    @property
    def applicable(self) -> int:
        return len(self.detections)

    @property
    def detected(self) -> list[Detection]:
        return [d for d in self.detections if d.detected]

    @property
    def rate(self) -> float:
        return len(self.detected) / self.applicable if self.applicable else 1.0

    def by_source(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for d in self.detections:
            n, k = out.get(d.source, (0, 0))
            out[d.source] = (n + 1, k + d.detected)
        return dict(sorted(out.items()))


def _worse(before: Finding | None, now: Finding) -> bool:
    if before is None:
        return True
    if before.status == "acknowledged" and now.status != "acknowledged":
        return True
    return _SEVERITY.get(now.result.severity, 0) > _SEVERITY.get(before.result.severity, 0)


class Harness:
    """A loaded corpus, its unmutated outcome, and mutations applied in memory one at a time."""

    def __init__(self, root: Path, checks: Iterable[Check] | None = None) -> None:
        self.root = Path(root).resolve()
        self.checks = list(
            checks
            if checks is not None
            else [c for c in default_checks() if c.cross_checks or c.name == "provenance"]
        )
        self.corpus = load_corpus(self.root)
        self.baseline = engine.evaluate(self._copy(), self.checks)
        self.facts = {f.id: f for f in self.baseline.corpus.facts}
        self.numeric = [f for f in self.baseline.corpus.facts if self._numeric(f)]
        cross = self.baseline.extras.get("crosscheck", {}).get("sources", {})
        untouched = {fid for s in cross.values() for fid in s["untouched"]}
        self.touched = {f.id for f in self.numeric} - untouched
        self.claims = [f for f in self.baseline.corpus.facts if f.claim is not None]
        # a claim is touched when the corpus holds something to check it against: figures, or
        # another entry's place in the same ranking
        self.claims_touched = {
            r.fact_ids[0]
            for r in self.baseline.results
            if r.kind == "claim" and r.verdict != "unverifiable"
        }
        rankings: dict[tuple, list[str]] = {}
        for f in self.claims:
            if f.claim.kind == "rank":  # type: ignore[union-attr]
                rankings.setdefault((f.claim.ranking, f.period.key), []).append(f.id)  # type: ignore[union-attr]
        self.claims_touched |= {i for ids in rankings.values() if len(ids) > 1 for i in ids}

    def _copy(self, facts: list[Fact] | None = None, sources: dict[str, Source] | None = None):
        return dataclasses.replace(
            self.corpus,
            facts=list(self.corpus.facts if facts is None else facts),
            sources=dict(self.corpus.sources if sources is None else sources),
            problems=list(self.corpus.problems),
        )

    def _numeric(self, f: Fact) -> bool:
        metric = self.corpus.metrics.get(f.metric)
        return metric is not None and is_numeric(f, metric.dimension)

    # -- the mutation --

    @staticmethod
    def _quote_span(text: str, quote: str) -> tuple[int, int] | None:
        """Where provenance finds the quote: its first place that is whole clauses, else its
        first place (a pull quote repeats a sentence without its 但)."""
        places = locate_all(text, quote)
        whole = [p for p in places if is_clause(text, *p)]
        return (whole or places or [None])[0]

    def _value_span(self, f: Fact, text: str) -> tuple[int, int] | None:
        quote = self._quote_span(text, f.quote)
        if quote is None:
            return None
        occurrence = getattr(f, "occurrence", None) or 1
        at, span = quote[0], None
        for _ in range(occurrence):
            span = locate(text, f.value, at, quote[1])
            if span is None:
                return None
            at = span[1]
        return span

    def _exact_duplicates(self, f: Fact) -> bool:
        """Another source gives the same key with an identical interval (for ``last_digit``)."""
        return any(
            g.id != f.id and g.source != f.source and (g.entity, g.metric, g.qualifiers,
            g.period.key) == (f.entity, f.metric, f.qualifiers, f.period.key)
            and g.canonical == f.canonical
            for g in self.baseline.corpus.facts
        )  # fmt: skip

    def mutate(self, kind: str, fact: Fact) -> tuple[Corpus, list[str], str] | None:
        """The corpus with ``fact``'s number changed in the article, its quotes and values; the
        ids of the facts whose value changed; the change in words. None when not applicable."""
        rewrite_value: Callable[[str], str | None]
        if kind in CLAIM_KINDS:
            how = None if fact.claim is None else _claim_rewriter(kind, fact.claim)
            if how is None:
                return None
            rewrite_value = how[0]
        else:
            if not self._numeric(fact):
                return None
            if kind == "last_digit" and (fact.hedge or (fact.interval and fact.interval.hedge)):
                return None
            if kind == "last_digit" and not self._exact_duplicates(fact):
                return None
            whole = self.corpus.metrics[fact.metric].dimension in _WHOLE_DIMENSIONS

            def rewrite_value(value: str) -> str | None:
                return rewrite_numbers(value, kind, whole=whole)

        source = self.corpus.sources[fact.source]
        text = source.text
        span = self._value_span(fact, text)
        if span is None:
            return None
        written = text[span[0] : span[1]]
        new_written = rewrite_value(written)
        if new_written is None or fold(new_written) == fold(written):
            return None
        new_text = text[: span[0]] + new_written + text[span[1] :]
        delta = len(new_written) - len(written)
        title_len = len(source.title)
        if span[1] <= title_len:
            new_source = dataclasses.replace(source, title=new_text[: title_len + delta])
        elif span[0] > title_len:
            new_source = dataclasses.replace(source, body=new_text[title_len + 1 :])
        else:
            return None
        facts: list[Fact] = []
        changed: list[str] = []
        problems = []
        for g in self.corpus.facts:
            if g.source != fact.source:
                facts.append(g)
                continue
            quote = self._quote_span(text, g.quote)
            if quote is None or not (quote[0] <= span[0] and span[1] <= quote[1]):
                facts.append(g)
                continue
            replaced: dict[str, object] = {"quote": new_text[quote[0] : quote[1] + delta]}
            if any(written in t for t in g.period_text):  # 一個月前 is a period's text too
                replaced["period_text"] = tuple(
                    t.replace(written, new_written) for t in g.period_text
                )
            if self._value_span(g, text) == span:
                value = rewrite_value(g.value)
                if value is None:
                    return None
                replaced["value"] = value
                changed.append(g.id)
                if g.claim is not None:
                    claim = _moved_claim(kind, g.claim)
                    if claim is None:
                        return None
                    replaced["claim"] = claim
                if not self._numeric(self.facts[g.id]):  # 創歷史新高 has no number to read
                    facts.append(dataclasses.replace(g, **replaced))  # type: ignore[arg-type]
                    continue
                try:
                    replaced["interval"], replaced["typical"] = parse_readings(
                        value, dimension=self.corpus.metrics[g.metric].dimension, hedge=g.hedge,
                        unit=g.unit, rounded_to=g.rounded_to, year=g.period.start.year,
                    )  # fmt: skip
                except QuantityError as exc:
                    problems.append((g, str(exc)))
                    replaced["interval"] = replaced["typical"] = None
            facts.append(dataclasses.replace(g, **replaced))  # type: ignore[arg-type]
        if fact.id not in changed:
            return None
        corpus = self._copy(facts, {**self.corpus.sources, fact.source: new_source})
        corpus.problems += [
            input_problem(g.file, g.line_of("value"), "value", msg, key=g.id, fact_ids=(g.id,))
            for g, msg in problems
        ]
        return corpus, changed, f"{written} → {new_written}"

    def candidates(self, kind: str) -> list[Fact]:
        """The facts ``kind`` may change: numbers, or claims."""
        return self.claims if kind in CLAIM_KINDS else self.numeric

    def applicable(self, kind: str) -> list[Fact]:
        return [f for f in self.candidates(kind) if self.mutate(kind, f) is not None]

    def run(self, kind: str, fact: Fact) -> Detection | None:
        mutated = self.mutate(kind, fact)
        if mutated is None:
            return None
        corpus, changed, change = mutated
        outcome = engine.evaluate(corpus, self.checks, crosscheck=False)
        diff = compare(self.baseline.findings, outcome.findings)
        ids = set(changed)
        caught = [
            e.finding
            for e in diff.entries
            if e.change in ("new", "changed", "reopened")
            and e.finding.result.kind not in _NOT_THE_ARTICLE
            and ids & set(e.finding.result.fact_ids)
            and _worse(e.before, e.finding)
        ]
        inconsistent = any(
            r.kind == "provenance" and not r.passed and ids & set(r.fact_ids)
            for r in outcome.results
        ) or any(
            r.kind == "provenance" and not r.passed
            for r in outcome.results
            if any(self.facts[i].source == fact.source for i in r.fact_ids if i in self.facts)
        )
        return Detection(
            kind=kind,
            fact_id=fact.id,
            source=fact.source,
            detected=bool(caught),
            by=tuple(sorted({f.result.kind for f in caught})),
            finding_ids=tuple(sorted(f.result.id for f in caught)),
            touched=fact.id in (self.claims_touched if kind in CLAIM_KINDS else self.touched),
            change=change,
            inconsistent=inconsistent,
        )

    def report(self, kind: str, facts: Iterable[Fact] | None = None) -> KindReport:
        out = KindReport(kind)
        for f in self.candidates(kind) if facts is None else facts:
            d = self.run(kind, f)
            if d is not None:
                out.detections.append(d)
        return out


# Why a numeric fact is untouched: what the corpus lacks for it to be compared (README lists them).
UNCHECKED = {
    "open": "compared, but no value could make the comparison fail: open-ended hedges "
    "(超過, 破) on the other side, or a comparison any value satisfies",
    "level": "a growth or change whose comparison level (the same period a year or quarter "
    "earlier) no article gives",
    "projection": "a projection (guidance, forecast) that nothing stated at the same time "
    "restates or relates",
    "partner": "its metric declares a relation, but the partner figure (same entity, "
    "qualifiers, period) is in no article",
    "alone": "nothing relates it: the only figure of its kind for its entity and period — a rank, "
    "a count of a list, a one-off effect, a price or a figure of another company no article "
    "repeats",
}


def unchecked(h: Harness) -> dict[str, list[str]]:
    """The untouched numeric facts, by what the corpus lacks to compare them (UNCHECKED)."""
    compared = {
        fid
        for r in h.baseline.results
        if r.kind in ("rule", "invariant", "claim")
        or (r.kind == "conflict" and len(r.fact_ids) > 1)
        for fid in r.fact_ids
    }
    out: dict[str, list[str]] = {k: [] for k in UNCHECKED}
    for f in h.numeric:
        if f.id in h.touched:
            continue
        metric = h.corpus.metrics[f.metric]
        if f.id in compared:
            why = "open"
        elif metric.growth_of or metric.change_of:
            why = "level"
        elif f.kind in ("guidance", "forecast"):
            why = "projection"
        elif (
            metric.aggregation
            or metric.subset_of
            or metric.part_of
            or metric.ratio_of
            or any(
                m.subset_of == f.metric or m.part_of == f.metric or f.metric in (m.ratio_of or ())
                for m in h.corpus.metrics.values()
            )
        ):
            why = "partner"
        else:
            why = "alone"
        out[why].append(f.id)
    return out
