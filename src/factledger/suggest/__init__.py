"""``factledger suggest <source>``: a YAML fact stub for each uncovered number of a source.

Each stub is read from the text with the parsers the checks use, so it passes them as printed:

* ``quote``: the sentence holding the number (whole clauses of the source), with ``occurrence``
  when the value's text is more than one number of it;
* ``value``: the whole number as written (:func:`factledger.mentions.value_span`) — its hedge,
  scale and unit (個百分點, 倍, 名, 元/月, dates) — with ``hedge``/``unit`` when the text puts them
  outside it (約為180億元; an enumeration's shared 分別超過);
* ``period``: read from the period words nearest before the number in its sentence (Q3, 第三季,
  上半年, 前三季度, 去年同期, 今年, 截至X月 against the publication date:
  :func:`factledger.period.read_period_mention`), ``period_text`` the words it was read from;
  else the period the sentence before was about, the title's, the publication date;
* ``entity``: from the registered names around the number (its clause, its sentence, the
  nearest before it in the paragraph, the title);
* ``metric``: a registered metric whose dimension reads the value, named by the words around it
  (the registry's names; else curated facts worded alike);
* ``kind``: from cue words (預計/目標 → guidance, 預測 → forecast, 估計/測算 → estimate, 假設 →
  hypothetical, 即/約合 after a computation → derived).

A field the text does not settle is ``REVIEW``, with its candidates in a comment; every other
guess says where it came from. Prints only — never writes into ``facts/``. How often each field
matches the curated corpus: ``scripts/suggest_eval.py`` (README, "suggest").
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from factledger.checks import coverage
from factledger.checks.provenance import hedge_stands_by
from factledger.formatting import CONTROLS, visible_controls
from factledger.load import Corpus, load_corpus
from factledger.load.yamlnodes import emit_scalar
from factledger.mentions import Mention, ValueSpan, value_span, whole_mention_spans
from factledger.model import DIMENSIONS, Fact
from factledger.period import read_period_mention
from factledger.quantity import QuantityError, parse_readings
from factledger.suggest.reading import (
    EVENT_WORDS,
    GENERIC_ENTITY_KINDS,
    REVIEW,
    Examples,
    Periods,
    SourceText,
    Stub,
    Suggestions,
    entity_of,
    find_names,
    kind_of,
    metric_of,
    occurrences,
    qualifiers_of,
)
from factledger.text import fold

__all__ = ["REVIEW", "Stub", "Suggestions", "render", "stubs", "suggest", "suggestions"]


# --- the stubs -----------------------------------------------------------------------------------


def _dimensions(value: str, hedge: str | None, unit: str | None, year: int) -> tuple[str, ...]:
    out = []
    for dim in DIMENSIONS:
        try:
            parse_readings(value, dimension=dim, hedge=hedge, unit=unit, year=year)
        except QuantityError:
            continue
        out.append(dim)
    return tuple(out)


def _values(text: SourceText) -> dict[int, ValueSpan]:
    """Every number's whole value (covered ones too: they shape the context), by first mention;
    numbers that are part of a period mention (2025 of 2025年第二季度) left out, dates kept."""
    folded, published = text.folded, text.source.published
    readable = [
        (a, b) for a, b in text.periods
        if read_period_mention(folded[a:b], published, base=published) is not None
    ]  # fmt: skip
    spans: dict[int, ValueSpan] = {}
    for m in text.mentions:
        if any(s.start <= m.start < s.end for s in spans.values()):
            continue  # the 70 of 60-70%
        span = value_span(folded, m, text.mentions)
        around = [(a, b) for a, b in readable if a <= span.start and span.end <= b]
        year_only = span.is_date and folded[span.end - 1] == "年"
        if around and (not span.is_date or (year_only and around != [(span.start, span.end)])):
            continue
        spans[m.start] = span
    return spans


def _raw_value(text: SourceText, span: ValueSpan) -> str:
    """The value in the source's own characters, spaces left out (as quotes are compared)."""
    s, e = text.to_raw(span.start, span.end)
    raw = "".join(ch for ch in text.raw[s:e] if not ch.isspace())
    return (
        raw
        if fold(raw) == text.folded[span.start : span.end]
        else text.folded[span.start : span.end]
    )


def _occurrence(quote: str, value: str, at: int) -> int | None:
    """``occurrence: N`` when the value's text is more than one whole number of the quote."""
    places = whole_mention_spans(fold(quote), value)
    if len(places) < 2:
        return None
    return next((i for i, (s, _) in enumerate(places, 1) if s == at), None)


def suggest(corpus: Corpus, source_id: str) -> Suggestions:
    """The stubs of ``source_id``: one per uncovered number (a number inside another's value —
    the 70 of 60-70% — shares its stub; a date only when its sentence names an event), and one
    per uncovered claim word with a figure to check it by (see :func:`_claim`)."""
    source = corpus.sources.get(source_id)
    if source is None:
        raise KeyError(f"unknown source {source_id!r}; known: {', '.join(sorted(corpus.sources))}")
    read = _Reader(corpus, SourceText.of(source))
    folded = read.text.folded
    uncovered = coverage.measure_corpus(corpus)[source_id].uncovered
    open_starts = {m.start for m in uncovered}
    event_words = EVENT_WORDS | {
        fold(w) for m in corpus.metrics.values() if m.dimension == "date" for w in m.names
    }
    stubs: list[Stub] = []
    claims: list[ValueSpan] = []
    for span in (read.spans[k] for k in sorted(read.spans)):
        held = read.held(span)
        if not any(m.start in open_starts for m in held):
            continue
        if span.is_claim:
            claims.append(span)
            continue
        s_lo, s_hi, _ = read.text.sentence(span.start, span.end)
        if span.is_date and not any(w in folded[s_lo:s_hi] for w in event_words if w):
            continue  # a date no event's: the period of what the sentence says
        stubs.append(read.stub(span))
    figures = _figures(read, stubs, corpus.facts, source_id)
    stubs += [_claim(read, span, figures) for span in claims]
    stubs.sort(key=lambda s: s.span.start)
    _name_ids(stubs, corpus, source_id)
    return Suggestions(source_id, stubs, _unread(read.text, uncovered, stubs))


class _Reader:
    """Reads the stubs of one source: its text, names, values and periods, read once."""

    def __init__(self, corpus: Corpus, text: SourceText) -> None:
        self.corpus, self.text = corpus, text
        folded = text.folded
        self.year = text.source.published.start.year
        self.entity_names = find_names(
            folded, {k: e.names for k, e in corpus.entities.items()}, longest=True
        )
        self.metric_names = find_names(
            folded, {k: m.names for k, m in corpus.metrics.items()}, longest=False
        )
        self.generic = {k for k, e in corpus.entities.items() if e.kind in GENERIC_ENTITY_KINDS}
        self.spans = _values(text)
        plain = [s for s in self.spans.values() if not (s.is_date or s.is_claim)]
        self.periods = Periods(text, [(s.start, s.end) for s in plain])
        self.numbers = {s.number for s in plain}  # a kind cue reaches up to the next of these
        self.examples = Examples(corpus.facts)

    def held(self, span: ValueSpan) -> tuple[Mention, ...]:
        return tuple(m for m in self.text.mentions if span.start <= m.start and m.end <= span.end)

    def stub(self, span: ValueSpan, dimensions: tuple[str, ...] | None = None) -> Stub:
        """A stub for the value at ``span``, every field read from the text around it."""
        text, folded = self.text, self.text.folded
        s_lo, s_hi, quote = text.sentence(span.start, span.end)
        value = folded[span.start : span.end]
        hedge = span.hedge
        if hedge is not None and not hedge_stands_by(
            folded[s_lo:s_hi], span.start - s_lo, span.end - s_lo, hedge
        ):
            hedge = None  # not expected: value_span places hedges as provenance reads them
        if dimensions is None:
            dimensions = _dimensions(value, hedge, span.unit, self.year)
        stub = Stub(span, self.held(span), _raw_value(text, span), quote, hedge=hedge,
                    unit=span.unit, dimensions=dimensions)  # fmt: skip
        stub.occurrence = _occurrence(quote, value, span.start - s_lo)
        clauses = text.clauses(s_lo, s_hi)
        clause = next(((a, b) for a, b in clauses if a <= span.start < b), (s_lo, s_hi))
        sentence = (s_lo, s_hi)
        stub.period, stub.period_text, stub.period_from = self.periods.of(stub, sentence)
        stub.entity, stub.entity_from, stub.entity_candidates = entity_of(
            text, self.entity_names, stub, clause, sentence, self.generic
        )
        stub.metric, stub.metric_from, stub.metric_candidates = metric_of(
            text, self.metric_names, self.corpus.metrics, stub, sentence, clause, self.examples
        )
        stub.kind, stub.kind_from = kind_of(text, stub, sentence, clauses, self.numbers)
        stub.qualifiers = qualifiers_of(text, self.entity_names, span, sentence)
        return stub


# The kind of claim each claim word makes (mentions.CLAIM_WORDS).
_CLAIM_KINDS = {"新高": "record_high", "新低": "record_low", "高於": "greater_than",
                "超越": "greater_than", "低於": "less_than", "不及": "less_than"}  # fmt: skip


_CLAIM_IDS = {"greater_than": "above", "less_than": "below", "record_high": "record-high",
              "record_low": "record-low"}  # fmt: skip


def _figures(
    read: _Reader, stubs: list[Stub], facts: list[Fact], source_id: str
) -> dict[int, Stub | Fact]:
    """The figure at each number of the source, by where its value starts: a new stub, or the
    curated fact that already covers it."""
    folded = read.text.folded
    out: dict[int, Stub | Fact] = {}
    for f in facts:
        if f.source != source_id or f.claim is not None:
            continue
        quote = fold(f.quote)
        spans = whole_mention_spans(quote, fold(f.value))
        if len(spans) < (f.occurrence or 1):
            continue
        at, _ = spans[(f.occurrence or 1) - 1]
        for q in occurrences(folded, quote):
            for start, span in read.spans.items():
                if span.start <= q + at < span.end and not span.is_claim:
                    out[start] = f
    out.update({s.mentions[0].start: s for s in stubs})
    return out


def _claim(read: _Reader, span: ValueSpan, figures: dict[int, Stub | Fact]) -> Stub:
    """A claim stub for the claim word at ``span`` (docs/fact-format.md, "Claim facts"): about
    the figure nearest before it in its sentence (its entity, metric, period; ``subject:``), a
    comparison against the first figure after it that reads in the same dimensions (顯著高於文心一言
    約10元/月) — REVIEW when none does (大幅低於整體營收成長速度) — a record against its series
    (創歷史新高)."""
    text = read.text
    s_lo, s_hi, _ = text.sentence(span.start, span.end)
    word = text.folded[span.number : span.end]
    kind = next(k for w, k in _CLAIM_KINDS.items() if word.endswith(w))
    inside = sorted((read.spans[k].start, f) for k, f in figures.items()
                    if s_lo <= read.spans[k].start < s_hi)  # fmt: skip
    subject = next((f for start, f in reversed(inside) if start < span.start), None)
    dims = _figure_dims(subject) if subject is not None else None
    stub = read.stub(span, dims or tuple(d for d in DIMENSIONS if d != "date"))
    if subject is not None:
        stub.entity, stub.metric, stub.period = subject.entity, subject.metric, subject.period
        stub.period_text = tuple(t for t in subject.period_text if fold(t) in fold(stub.quote))
        stub.kind, stub.qualifiers = subject.kind, dict(subject.qualifiers)
        stub.entity_from = stub.metric_from = stub.period_from = "the figure it is said of"
        stub.entity_candidates = stub.metric_candidates = ()
    if kind.startswith("record"):
        stub.claim = {kind: "true"}
        return stub
    other = next(
        (f for start, f in inside if start >= span.end
         and (dims is None or set(_figure_dims(f)) & set(dims))),
        None,
    )  # fmt: skip
    # no figure after it (大幅低於整體營收成長速度): the curator names the other one
    stub.claim = {kind: other or REVIEW, **({"subject": subject} if subject is not None else {})}
    return stub


def _figure_dims(figure: Stub | Fact) -> tuple[str, ...]:
    if isinstance(figure, Stub):
        return figure.dimensions
    return _dimensions(fold(figure.value), figure.hedge, figure.unit, figure.period.start.year)


def suggestions(corpus: Corpus, source_id: str) -> list[Stub]:
    """The stubs of ``source_id`` (see :func:`suggest`)."""
    return suggest(corpus, source_id).stubs


def _unread(text: SourceText, uncovered: list[Mention], stubs: list[Stub]) -> list[tuple[str, str]]:
    """Uncovered numbers no stub holds or reads its period from (a period word of a sentence
    without a figure), with their context."""
    taken: list[tuple[int, int]] = []
    for s in stubs:
        taken.append((s.span.start, s.span.end))
        q0 = text.sentence(s.span.start, s.span.end)[0]
        quote = fold(s.quote)
        for words in s.period_text:
            taken += [(q0 + i, q0 + i + len(words)) for i in occurrences(quote, words)]
    out = []
    for m in uncovered:
        if not any(a <= m.start and m.end <= b for a, b in taken):
            out.append((m.text, text.folded[max(0, m.start - 8) : m.end + 8]))
    return out


def _name_ids(stubs: list[Stub], corpus: Corpus, source_id: str) -> None:
    """``<prefix>-<entity>-<metric>[-<qualifier>]-<period>``, unique in the corpus; the prefix the
    source's facts use (dcd, bh), else its id's first word."""
    firsts = Counter(f.id.split("-")[0] for f in corpus.facts if f.source == source_id)
    prefix = firsts.most_common(1)[0][0] if firsts else source_id.split("-")[0]
    taken = {f.id for f in corpus.facts}
    for stub in stubs:
        parts = [prefix, stub.entity or "todo", stub.metric or "todo"]
        parts += [f"{k}-{v}" for k, v in sorted(stub.qualifiers.items())][:1]
        parts.append(stub.period.text if stub.period else "todo")
        parts += [_CLAIM_IDS[k] for k in stub.claim or () if k in _CLAIM_IDS]
        slug = "-".join(parts).lower().replace("..", "-")  # 2025q1..2025q3 → 2025q1-2025q3
        base = re.sub(r"[^a-z0-9.]+", "-", slug).strip("-.")[:110]
        new, n = base, 1
        while new in taken:
            n += 1
            new = f"{base}-{n}"
        taken.add(new)
        stub.id = new


# --- the YAML ------------------------------------------------------------------------------------


def _q(value: str) -> str:
    """``value`` double-quoted, every control character escaped (\\u202e): it reads back as the
    source's own characters, and shows none of them raw (README, Robustness)."""
    quoted = emit_scalar(value, '"') or ""
    return CONTROLS.sub(lambda m: f"\\u{ord(m.group()[0]):04x}", quoted)


def render(stub: Stub) -> str:
    """One stub as YAML lines of a ``facts:`` list, a comment saying where each guess came from
    (REVIEW: what the curator may choose)."""
    lines = [f"  - id: {stub.id}"]

    def guess(name: str, value: str | None, why: str, candidates: tuple[str, ...]) -> None:
        if value is None:
            said = f"candidates: {', '.join(candidates)}" if candidates else "nothing names it"
            lines.append(f"    {name}: {REVIEW}  # {visible_controls(said)}")
        else:
            lines.append(f"    {name}: {value}" + (f"  # {visible_controls(why)}" if why else ""))

    guess("entity", stub.entity, f"from {stub.entity_from}", stub.entity_candidates)
    also = f"; or {', '.join(stub.metric_candidates)}" if stub.metric_candidates else ""
    guess("metric", stub.metric, f"from {stub.metric_from}{also}", stub.metric_candidates)
    if stub.qualifiers:
        quals = ", ".join(f"{k}: {v}" for k, v in stub.qualifiers.items())
        lines.append(f"    qualifiers: {{{quals}}}")
    guess("period", _q(stub.period.text) if stub.period else None, f"from {stub.period_from}", ())
    lines.append(f"    value: {_q(stub.value)}")
    if stub.occurrence is not None:
        lines.append(f"    occurrence: {stub.occurrence}")
    if stub.hedge is not None:
        lines.append(f"    hedge: {_q(stub.hedge)}")
    if stub.unit is not None:
        lines.append(f"    unit: {_q(stub.unit)}")
    lines.append(
        f"    kind: {stub.kind}" + (f"  # from {stub.kind_from}" if stub.kind_from else "")
    )
    lines.append(f"    quote: {_q(stub.quote)}")
    if stub.period_text:
        lines.append(f"    period_text: [{', '.join(_q(t) for t in stub.period_text)}]")
    if stub.claim:
        said = ", ".join(f"{k}: {_q(_ref(v))}" for k, v in stub.claim.items())
        why = "  # the other figure: a {fact-id} or entity.metric@period" if REVIEW in said else ""
        lines.append(f"    claim: {{{said}}}{why}")
    return "\n".join(lines) + "\n"


def _ref(value: object) -> str:
    """A claim's argument as the fact format writes it: a figure as ``{its id}``."""
    return f"{{{value.id}}}" if isinstance(value, Stub | Fact) else str(value)


def stubs(root: Path, source_id: str, corpus: Corpus | None = None) -> str:
    """The stubs of ``source_id`` as YAML text to paste under ``facts:``. ``corpus``: the corpus
    at ``root`` when the caller has loaded it already."""
    corpus = corpus if corpus is not None else load_corpus(root)
    found = suggest(corpus, source_id)
    review = sum(1 for s in found.stubs if s.review)
    out = [
        f"# {len(found.stubs)} stub(s) for {source_id}: one per uncovered number, read from the "
        "text;\n",
        f"# {review} leave a field {REVIEW} (the text does not settle it: pick a candidate).\n",
        f"# Paste the claims under `facts:` in facts/{source_id}.yaml and put the other numbers\n",
        "# under `ignore:` with a reason. Nothing was written.\n",
        *(render(s) for s in found.stubs),
    ]
    if found.unread:
        out.append(
            f"# {len(found.unread)} uncovered period word(s) no stub reads: add each to a fact's "
            "period_text, or ignore it:\n"
        )
        out += [f"#   - mention: {_q(t)}\n#     context: {_q(c)}\n" for t, c in found.unread]
    return "".join(out)
