"""Curator-mistake mutations: break one fact the way a curator would, and see whether the checks
notice.

Each mutation is a pure function ``(fact file text, fact id) -> mutated text | None`` that edits
the YAML *text* of that one fact and keeps every other byte as it was, so the line numbers the
checks report stay true. ``None`` means the mistake cannot be made on that fact (no digit to
change, no hedge to drop, ...). :class:`Workspace` applies one mutation at a time to a private
copy of the corpus, runs the engine and compares its findings with the unmutated baseline, the
way ``factledger diff`` compares a change with its base.

Used by ``tests/test_mutations.py`` (a seeded sample per kind, fixed floors) and
``scripts/mutation_report.py`` (every applicable fact; the rates ``docs/mutations.md`` quotes).
"""

from __future__ import annotations

import difflib
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from factledger import engine
from factledger.diff import compare
from factledger.load import Corpus
from factledger.load import yamlnodes as yn
from factledger.model import Fact, Finding, Period
from factledger.period import PeriodError, parse_period

# The hedge vocabulary is the quantity parser's own, so "a value with a hedge" means exactly
# what the parser reads as one.
from factledger.quantity import HEDGES_AFTER, HEDGES_BEFORE
from factledger.text import fold

KINDS = (
    "changed_value",
    "quote_not_in_source",
    "swapped_period",
    "wrong_currency",
    "duplicated_id",
    "hedge_dropped",
    "hedge_added",
)
CORPUS_PARTS = ("seeds", "facts", "checks")

# Arabic digits (any width) and Chinese numerals: where "the number" of a value starts and ends.
_CJK_NUMERALS = "零〇一二兩三四五六七八九十百千"
# longest first (超過 before 超); 甚至更高 may follow a comma
_HEDGE_AFTER_RE = re.compile(
    "(?:[,、]?(?:甚至更高|甚至更多)|" + "|".join(re.escape(w) for w in HEDGES_AFTER) + ")"
)
# A quote edit writes this character (or the second one when the first is already there): a
# plausible CJK typo that no t2s/NFKC folding maps back to the original.
_TYPO = ("某", "甲")


# --- where a fact sits in its file ---------------------------------------------------------------


@dataclass(frozen=True)
class ScalarField:
    """One scalar field of a fact as written: its text span in the file and its value."""

    name: str
    value: str
    start: int  # character offsets of the written scalar (quotes included)
    end: int
    line: int  # 1-based
    style: str | None  # None (plain), '"', "'", '|' or '>'


@dataclass(frozen=True)
class Block:
    """One fact of a facts file: its lines (1-based, inclusive) and its scalar fields."""

    id: str
    start: int
    end: int
    fields: dict[str, ScalarField]
    qualifiers: tuple[tuple[str, str], ...] = ()
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)  # period_text: [Q1, ...]

    def get(self, name: str) -> str | None:
        f = self.fields.get(name)
        return f.value if f else None

    def texts(self, name: str) -> tuple[str, ...]:
        """A field that may be one string or a list of them, as a tuple."""
        one = self.get(name)
        return (one,) if one is not None else self.lists.get(name, ())


@dataclass(frozen=True)
class Layout:
    blocks: dict[str, Block]
    facts_end: int  # last line of the last fact: where a copy can go without leaving facts:


@lru_cache(maxsize=16)
def layout(text: str) -> Layout:
    """Locate every fact of a facts file, with each scalar field's character span (the one YAML
    reader, with offsets). Cached: the harness mutates each file hundreds of times from the same
    original text."""
    blocks: dict[str, Block] = {}
    facts_end = 0
    try:
        root, _ = yn.parse(text, offsets=True)
    except yn.YamlProblem:  # nothing to mutate in a file the loader cannot read either
        return Layout(blocks, facts_end)
    seq = root.items.get("facts") if isinstance(root, yn.Map) else None
    if not isinstance(seq, yn.Seq):
        return Layout(blocks, facts_end)
    lines = text.splitlines()
    for item in seq.items:
        if not isinstance(item, yn.Map) or not item.items:
            continue
        fields: dict[str, ScalarField] = {}
        qualifiers: tuple[tuple[str, str], ...] = ()
        lists: dict[str, tuple[str, ...]] = {}
        for k, v in item.items.items():
            if isinstance(v, yn.Scalar):
                fields[k] = ScalarField(k, v.text, v.start, v.end, v.line, v.style)
            elif k == "qualifiers" and isinstance(v, yn.Map):
                qualifiers = tuple(
                    sorted((a, b.text) for a, b in v.items.items() if isinstance(b, yn.Scalar))
                )
            elif isinstance(v, yn.Seq):
                lists[k] = tuple(n.text for n in v.items if isinstance(n, yn.Scalar))
        start = item.line
        if start > 1 and lines[start - 2].strip() == "-":
            start -= 1  # the item's dash alone on the line above its first key
        end = max(start, item.end_line)
        while end > start and (not lines[end - 1].strip() or lines[end - 1].lstrip()[0] == "#"):
            end -= 1  # a trailing comment heads the next section, it is not part of this fact
        fid = fields["id"].value if "id" in fields else f"<fact at line {start}>"
        blocks.setdefault(fid, Block(fid, start, end, fields, qualifiers, lists))
        facts_end = max(facts_end, end)
    return Layout(blocks, facts_end)


def _set(text: str, fact_id: str, name: str, new: str) -> str | None:
    """``text`` with field ``name`` of fact ``fact_id`` set to ``new``; only that scalar's
    characters change. None when the fact, the field or its style does not allow it."""
    block = layout(text).blocks.get(fact_id)
    f = block.fields.get(name) if block else None
    if f is None or f.value == new:
        return None
    written = yn.emit_scalar(new, f.style)
    if written is None:
        return None
    return text[: f.start] + written + text[f.end :]


def _numeral_positions(value: str) -> list[int]:
    return [
        i
        for i, ch in enumerate(value)
        if unicodedata.decimal(ch, None) is not None or ch in _CJK_NUMERALS
    ]


def _prefix_hedge(value: str) -> tuple[int, str] | None:
    """(offset, word) of a hedge written before the value's first numeral (超過1.5億元)."""
    nums = _numeral_positions(value)
    if not nums:
        return None
    head = value[: nums[0]]
    for word in HEDGES_BEFORE:
        i = head.find(word)
        if i >= 0:
            return i, word
    return None


def _suffix_hedge(value: str) -> tuple[int, str] | None:
    """(offset, word) of a hedge written after the value's last numeral (10%以上)."""
    nums = _numeral_positions(value)
    if not nums:
        return None
    tail_at = nums[-1] + 1
    m = _HEDGE_AFTER_RE.search(value, tail_at)
    return (m.start(), m.group()) if m else None


# --- the mutations -------------------------------------------------------------------------------


def changed_value(text: str, fact_id: str) -> str | None:
    """Alter the value's last digit (value only, the quote untouched) so that the value is no
    longer a span of the quote: a slip of the finger when copying a number. None without a
    digit (a Chinese numeral, a rank word)."""
    block = layout(text).blocks.get(fact_id)
    value, quote = (block.get("value"), block.get("quote")) if block else (None, None)
    if value is None or quote is None:
        return None
    digits = [i for i, ch in enumerate(value) if unicodedata.decimal(ch, None) is not None]
    if not digits:
        return None
    i = digits[-1]
    d = unicodedata.decimal(value[i])
    zero = ord(value[i]) - d  # keep the digit's width (0 or ０)
    leading = i == 0 or (unicodedata.decimal(value[i - 1], None) is None and value[i - 1] != ".")
    for step in range(1, 10):
        nd = (d + step) % 10
        if nd == 0 and leading:
            continue  # 9月 → 0月 would be a parse error, not a plausible typo
        new = value[:i] + chr(zero + nd) + value[i + 1 :]
        if fold(new) not in fold(quote):  # e.g. 1.5 → 1.6 when 1.6 is also quoted: skip
            return _set(text, fact_id, "value", new)
    return None


def quote_not_in_source(text: str, fact_id: str) -> str | None:
    """Replace one letter of the quote (the one nearest its middle that is not part of the
    value, hedge, unit or period text) with a typo character: a quote mistyped or paraphrased."""
    block = layout(text).blocks.get(fact_id)
    quote = block.get("quote") if block else None
    if block is None or quote is None:
        return None
    protected: set[int] = set()
    parts = [t for n in ("value", "hedge", "unit", "period_text") for t in block.texts(n)]
    for part in filter(None, parts):
        at = quote.find(part)
        while at >= 0:
            protected.update(range(at, at + len(part)))
            at = quote.find(part, at + 1)
    letters = [
        i
        for i, ch in enumerate(quote)
        if i not in protected and unicodedata.category(ch).startswith("L")
    ]
    if not letters:
        return None
    i = min(letters, key=lambda j: (abs(2 * j - len(quote)), j))
    typo = _TYPO[1] if quote[i] == _TYPO[0] else _TYPO[0]
    return _set(text, fact_id, "quote", quote[:i] + typo + quote[i + 1 :])


def _shift_atom(atom: str) -> str | None:
    """The period one step earlier, at the atom's own granularity (2025Q1 → 2024Q4)."""
    m = re.fullmatch(r"(FY)?(\d{4})", atom)
    if m:
        return f"{m[1] or ''}{int(m[2]) - 1}"
    m = re.fullmatch(r"(\d{4})([QH])([1-4])", atom)
    if m:
        y, unit, n = int(m[1]), m[2], int(m[3])
        last = 4 if unit == "Q" else 2
        return f"{y}{unit}{n - 1}" if n > 1 else f"{y - 1}{unit}{last}"
    m = re.fullmatch(r"(\d{4})-(\d{2})", atom)
    if m:
        y, mo = int(m[1]), int(m[2])
        return f"{y}-{mo - 1:02d}" if mo > 1 else f"{y - 1}-12"
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", atom)
    if m:
        try:
            day = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
        return (day - timedelta(days=1)).isoformat()
    return None


def shift_period(text: str) -> str | None:
    """``text`` moved one step back; spans move both ends. None when it is not a period."""
    parts = [p.strip() for p in text.split("..")]
    shifted = [_shift_atom(p) for p in parts]
    if any(s is None for s in shifted):
        return None
    return "..".join(shifted)  # type: ignore[arg-type]


def _period(text: str | None) -> Period | None:
    try:
        return parse_period(text) if text else None
    except PeriodError:
        return None


def swapped_period(text: str, fact_id: str, candidates: Iterable[str] | None = None) -> str | None:
    """Give the fact the period of a sibling (another fact of the same entity, metric and
    qualifiers): the swap of an enumeration ("Q1、Q2分別…"). ``candidates`` are the siblings'
    periods (the harness passes the whole corpus's); without them, the siblings in this file.
    The nearest disjoint sibling of the same length wins; with none, the period moves one step
    back (2025Q3 → 2025Q2, 2025-09 → 2025-08)."""
    block = layout(text).blocks.get(fact_id)
    own = _period(block.get("period")) if block else None
    if block is None or own is None:
        return None
    if candidates is None:
        key = (block.get("entity"), block.get("metric"), block.qualifiers)
        candidates = [
            b.get("period") or ""
            for b in layout(text).blocks.values()
            if b.id != fact_id and (b.get("entity"), b.get("metric"), b.qualifiers) == key
        ]
    # a swap lands on another period: a sibling that overlaps this one (2025-04-15 inside
    # 2025-04, 2025Q1 inside FY2025) is a precision change, not the mistake modelled here
    others = [p for p in map(_period, set(candidates)) if p is not None and not p.overlaps(own)]
    length = own.end - own.start
    if others:
        best = min(
            others,
            key=lambda p: (
                abs((p.end - p.start) - length),
                abs(p.start - own.start),
                p.start,
                p.text,
            ),
        )
        return _set(text, fact_id, "period", best.text)
    shifted = shift_period(own.text)
    return _set(text, fact_id, "period", shifted) if shifted else None


def _swap_currency(written: str) -> str | None:
    if "美元" in written:
        return written.replace("美元", "元", 1)
    if "港元" in written:
        return written.replace("港元", "美元", 1)
    i = written.rfind("元")
    if i >= 0:
        return written[:i] + "美元" + written[i + 1 :]
    return None


def wrong_currency(text: str, fact_id: str) -> str | None:
    """Write the value's currency as another one (億元 → 億美元, 美元 → 元, 港元 → 美元), so it no
    longer matches the quote; when the value is bare and an enumeration's shared ``unit`` holds
    the currency, change the unit instead. None when no currency is written."""
    block = layout(text).blocks.get(fact_id)
    if block is None:
        return None
    for name in ("value", "unit"):
        written = block.get(name)
        new = _swap_currency(written) if written else None
        if new is not None:
            return _set(text, fact_id, name, new)
    return None


def duplicated_id(text: str, fact_id: str) -> str | None:
    """A copy of the fact, same id, after the last fact of the file (a fact pasted twice). It
    goes at the end of the ``facts:`` list, not of the file, because an ``ignore:`` list usually
    follows; only the lines after it move."""
    lay = layout(text)
    block = lay.blocks.get(fact_id)
    if block is None or fact_id.startswith("<fact at"):
        return None
    lines = text.splitlines(keepends=True)
    copy = lines[block.start - 1 : block.end]
    if copy and not copy[-1].endswith("\n"):
        copy[-1] += "\n"
    before = lines[: lay.facts_end]
    if before and not before[-1].endswith("\n"):
        before[-1] += "\n"
    return "".join(before + copy + lines[lay.facts_end :])


def hedge_dropped(text: str, fact_id: str) -> str | None:
    """Remove the hedge written in the value (超過1.5億元 → 1.5億元, 10%以上 → 10%). None when
    the value has no hedge of its own (a shared ``hedge:`` field is another line, not edited)."""
    block = layout(text).blocks.get(fact_id)
    value = block.get("value") if block else None
    if not value:
        return None
    found = _prefix_hedge(value) or _suffix_hedge(value)
    if found is None:
        return None
    at, word = found
    new = value[:at] + value[at + len(word) :]
    return _set(text, fact_id, "value", new) if new.strip() else None


def hedge_added(text: str, fact_id: str, hedge: str = "超過") -> str | None:
    """Put ``hedge`` right before the value's number (2.5億元 → 超過2.5億元, 增長30% →
    增長超過30%). None when the value already has a hedge, the fact has a shared ``hedge:``, or
    the number is a rank or a vague number (第2名, 數十萬)."""
    block = layout(text).blocks.get(fact_id)
    value = block.get("value") if block else None
    if not value or block is None or block.get("hedge") is not None:
        return None
    nums = _numeral_positions(value)
    if not nums or _prefix_hedge(value) or _suffix_hedge(value):
        return None
    i = nums[0]
    # ranks (第2名, 前3) and vague numbers (幾十個, 數十萬, 百萬級) take no hedge inside them
    if (i > 0 and value[i - 1] in "第前幾數") or "級" in value:
        return None
    return _set(text, fact_id, "value", value[:i] + hedge + value[i:])


Mutation = Callable[..., str | None]
MUTATIONS: dict[str, Mutation] = {
    "changed_value": changed_value,
    "quote_not_in_source": quote_not_in_source,
    "swapped_period": swapped_period,
    "wrong_currency": wrong_currency,
    "duplicated_id": duplicated_id,
    "hedge_dropped": hedge_dropped,
    "hedge_added": hedge_added,
}
assert tuple(MUTATIONS) == KINDS

# A hedge on a date or a rank is not a slip a curator makes (超過2024年6月); the parser would
# refuse it and the "detection" would say nothing about the checks.
_NO_HEDGE_DIMENSIONS = frozenset({"date", "rank"})


# --- running a mutation --------------------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    """What the checks said about one mutated fact."""

    kind: str
    fact_id: str
    detected: bool  # a finding is new or changed compared with the unmutated corpus
    where: str | None  # file:line of the detection (the one inside the mutated fact if any)
    finding_ids: tuple[str, ...] = ()
    located: bool = False  # ``where`` is the mutated file, at a line of the fact or its copy
    gate: bool = False  # a new open error: ``factledger check`` would fail
    names_fact: bool = False  # some new finding lists the fact's id (wherever it is located)
    by: tuple[str, ...] = ()  # result kinds of the new findings (provenance, conflict, ...)
    file: str = ""
    line: int = 0  # the fact's first line
    mutated: tuple[str, ...] = ()  # the lines as the mutation left them
    original: tuple[str, ...] = ()  # the same lines before

    @property
    def fact_where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def change(self) -> str:
        """The edit in one line: ``value: "超1.5億元" → value: "1.5億元"``."""
        if not self.original:  # an insertion: the duplicated fact
            return f"+{len(self.mutated)} lines: {self.mutated[0].strip() if self.mutated else ''}"
        pairs = zip(self.original, self.mutated, strict=False)
        return "; ".join(f"{old.strip()} → {new.strip()}" for old, new in pairs)


def copy_corpus(root: Path, dest: Path) -> Path:
    """Seeds, facts and checks (what the engine reads), as ``tests/conftest.py`` copies them."""
    for part in CORPUS_PARTS:
        if (root / part).is_dir():
            shutil.copytree(
                root / part,
                dest / part,
                ignore=shutil.ignore_patterns("__pycache__", "_proposed"),
                dirs_exist_ok=True,
            )
    return dest


def changed_lines(before: str, after: str) -> tuple[list[int], list[str], list[str]]:
    """1-based line numbers in ``after`` that differ from ``before``, with old and new text."""
    a, b = before.splitlines(), after.splitlines()
    numbers: list[int] = []
    old: list[str] = []
    new: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            numbers += range(j1 + 1, j2 + 1)
            old += a[i1:i2]
            new += b[j1:j2]
    return numbers, old, new


def _line_of(f: Finding) -> int | None:
    return f.result.line


class Workspace:
    """One private copy of a corpus, its baseline outcome, and the mutations applied to it one
    at a time (the file is restored after each run). Copying once and restoring one file keeps a
    mutation at the cost of one ``engine.run`` (~0.1 s) instead of a copy plus a run."""

    def __init__(self, root: Path, work: Path | None = None) -> None:
        self.root = Path(root).resolve()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if work is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="factledger-mutations-")
            work = Path(self._tmp.name) / "corpus"
        self.work = copy_corpus(self.root, Path(work))
        # expectations (great-expectations) are slow and located on no fact; the diff skips
        # them for the same reason
        self.baseline = engine.run(self.work, expectations=False)
        self.corpus: Corpus = self.baseline.corpus
        # bytes, decoded by hand: read_text would translate line endings and the restore would
        # not be byte-identical
        self.texts: dict[str, str] = {
            f.file: (self.work / f.file).read_bytes().decode("utf-8") for f in self.corpus.facts
        }

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # -- which facts a mutation applies to --

    def _siblings(self, fact: Fact) -> list[str]:
        key = (fact.entity, fact.metric, fact.qualifiers)
        return [
            f.period.text
            for f in self.corpus.facts
            if f.id != fact.id and (f.entity, f.metric, f.qualifiers) == key
        ]

    def mutate(self, kind: str, fact: Fact) -> str | None:
        """The mutated text of ``fact``'s file, or None when ``kind`` does not apply to it."""
        text = self.texts.get(fact.file)
        if text is None:
            return None
        if kind == "swapped_period":
            return swapped_period(text, fact.id, self._siblings(fact))
        if kind in ("hedge_added", "hedge_dropped"):
            metric = self.corpus.metrics.get(fact.metric)
            if metric is not None and metric.dimension in _NO_HEDGE_DIMENSIONS:
                return None
        return MUTATIONS[kind](text, fact.id)

    def applicable(self, kind: str) -> list[Fact]:
        return [f for f in self.corpus.facts if self.mutate(kind, f) is not None]

    # -- one run --

    def run(self, kind: str, fact: Fact) -> Detection | None:
        """Apply ``kind`` to ``fact``, run the engine, restore the file. None if not applicable."""
        original = self.texts.get(fact.file)
        mutated = self.mutate(kind, fact)
        if original is None or mutated is None:
            return None
        path = self.work / fact.file
        path.write_bytes(mutated.encode("utf-8"))
        try:
            outcome = engine.run(self.work, expectations=False)
        finally:
            path.write_bytes(original.encode("utf-8"))
        return self.judge(kind, fact, original, mutated, outcome.findings)

    def judge(
        self, kind: str, fact: Fact, original: str, mutated: str, findings: Sequence[Finding]
    ) -> Detection:
        """Compare with the baseline by result id and fingerprint (``factledger diff``'s rule):
        a new, changed or re-opened finding is a detection."""
        block = layout(original).blocks[fact.id]
        numbers, old, new = changed_lines(original, mutated)
        # the fact's own lines keep their numbers (edits are in place) plus any inserted copy
        lines = set(range(block.start, block.end + 1)) | set(numbers)
        introduced = [e.finding for e in compare(self.baseline.findings, findings).introduced]

        def inside(f: Finding) -> bool:
            return f.result.file == fact.file and f.result.line in lines

        def is_open_error(f: Finding) -> bool:
            return f.status == "stale-ack" or (f.status == "open" and f.result.severity == "error")

        # name the finding a curator would be sent to: in the fact, an error, on the edited
        # line itself (the provenance failure at value: rather than a conflict at the fact's id)
        edited = set(numbers)
        ranked = sorted(
            introduced,
            key=lambda f: (
                not inside(f),
                not is_open_error(f),
                _line_of(f) not in edited,
                _line_of(f) is None,
            ),
        )
        best = ranked[0] if ranked else None
        return Detection(
            kind=kind,
            fact_id=fact.id,
            detected=bool(introduced),
            where=(best.result.where or None) if best else None,
            finding_ids=tuple(f.result.id for f in ranked),
            located=best is not None and inside(best),
            gate=any(is_open_error(f) for f in introduced),
            names_fact=any(fact.id in f.result.fact_ids for f in introduced),
            by=tuple(sorted({f.result.kind for f in introduced})),
            file=fact.file,
            line=fact.line,
            mutated=tuple(new),
            original=tuple(old),
        )


def run_mutation(root: Path, kind: str, fact: Fact) -> Detection | None:
    """One mutation on a fresh copy of ``root`` (baseline included). For many mutations use one
    :class:`Workspace`: its baseline and copy are made once."""
    with Workspace(root) as ws:
        return ws.run(kind, fact)


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
    def misses(self) -> list[Detection]:
        return [d for d in self.detections if not d.detected]

    @property
    def rate(self) -> float:
        return len(self.detected) / self.applicable if self.applicable else 1.0
