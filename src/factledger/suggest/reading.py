"""What `factledger suggest` reads from a source's text for each field of a stub: the sentence and
clauses around a number, the registered names near it, its period, entity, metric, kind and
qualifiers. Each reader says what it read a field from, so the stub can say it too."""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from factledger.mentions import Mention, ValueSpan, mentions_of, whole_mention_spans
from factledger.model import Fact, Metric, Period, Source
from factledger.period import parse_period, period_mentions, read_period_mention
from factledger.text import (
    SENTENCE_END,
    clause_bounds,
    fold,
    fold_map,
    is_clause,
    is_clause_delimiter,
    sentence_bounds,
)

REVIEW = "REVIEW"

# --- the words it reads --------------------------------------------------------------------------

# Cue words for `kind`. A cue governs its clause and the clauses after it up to the first that
# holds a number (預計2025全年,可靈收入將超過10億元: 預計 reaches 10億元); 假設 only its clause.
KIND_CUES: dict[str, tuple[str, ...]] = {
    "hypothetical": ("假設", "假如", "假定", "如果"),
    "guidance": ("預計", "目標", "指引", "預期", "計劃", "計畫", "喊出"),
    "forecast": ("預測", "有望", "可望"),
    "estimate": ("估計", "推測", "測算", "估算", "預估"),
    "derived": ("粗略計算", "換算", "算下來", "折合"),
}
# A writer's own computation: one of these right before the value, after another number of the
# sentence (70%營收即1.05億; 1.4億美元,約合人民幣10億元).
DERIVED_BEFORE = ("即", "約合", "折合", "相當於")
# Words that say a figure is about the future (將超過10億元) when its period is still running.
FUTURE_WORDS = ("將", "有望", "可望", "會", "預計")
# A period mention right after one of these is a comparison's basis when a change follows
# (較去年同期上升16%至32.98億元: both figures are this year's).
BASIS_WORDS = ("較", "比", "相比", "對比", "相較", "相比於", "較之")
CHANGE_VERBS = ("上升", "增長", "成長", "上漲", "提升", "增加", "下降", "下跌", "減少", "降低",
                "下滑", "回調", "跌", "漲", "降")  # fmt: skip
# What makes a value a share, and a change, of the measure named before it (收入佔比 →
# revenue_share; 收入同比增長 → revenue_growth_yoy).
SHARE_WORDS = ("佔", "比例", "份額", "滲透")
CHANGE_WORDS = (*CHANGE_VERBS, "同比", "環比", "年增", "增速", "翻")
# How many sentences back a sentence that names no period takes the one its predecessor is
# about (今年Q2,即夢AI月活958.9萬。可靈月活113.3萬。: 113.3萬 is Q2's too). 1 measured best.
CARRY_SENTENCES = 1
# Words that say an undated figure comes from the company's report (據快手披露, 財報顯示): it is of
# the latest quarter the source names.
REPORT_WORDS = ("財報", "披露", "公佈", "季報", "年報", "業績")
# Curated facts as examples of wording: how many characters before a value are its words, and
# the least similarity (idf-weighted shared character pairs) that names a metric.
EXAMPLE_WINDOW = 12
EXAMPLE_MIN = 2.0
# Entities whose names are common nouns (行業, 行銷, AIGC): named by a value's own clause only.
GENERIC_ENTITY_KINDS = frozenset({"market"})
# Words that make a date the date of an event (with the names of the registry's date metrics):
# 9月,新版大模型Kling 2.5 Turbo發表 — a release date, not only the period of what follows.
EVENT_WORDS = frozenset(
    ("發佈", "發表", "推出", "上線", "成立", "發起", "上市", "亮相", "召開", "舉辦", "宣佈")
)
# Qualifiers (docs/fact-format.md, "Qualifier vocabulary") and the words that name them, read
# before the value in its sentence, the nearest first.
QUALIFIER_WORDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("segment", "online-marketing"): ("線上行銷服務", "線上行銷", "廣告收入", "廣告業務"),
    ("segment", "live-streaming"): ("直播",),
    ("segment", "other-services"): ("其他服務",),
    ("segment", "short-drama"): ("短劇",),
    ("segment", "local-services"): ("本地生活",),
    ("segment", "ecommerce"): ("電商業務",),
    ("customer", "p-side"): ("P端", "C端", "個人使用者", "創作者端"),
    ("customer", "b-side"): ("B端", "企業API", "企業客戶"),
}
# A model version right after a registered name (可靈2.1, Kling 2.5 Turbo, 可靈2.0大師版).
_VERSION = re.compile(
    r"(?:AI)?(?P<v>[0-9]+\.[0-9]+)(?P<tier>Turbo|Master|Pro|Lite|大師版|高品質版)?", re.IGNORECASE
)
_TIERS = {"大師版": "master", "高品質版": "hq"}
# 其 as "its" (not 其中, 其他, 尤其, ...): the sentence's subject was named before it.
_PRONOUN = re.compile(r"(?<![尤極])其(?![中他它實次餘間後])|它|該公司")
_LIST_JOINERS = ("、", "和", "及", "與")


@dataclass
class Stub:
    """One suggested fact: its fields and, for each guess, what it was read from."""

    span: ValueSpan  # offsets in the folded source text
    mentions: tuple[Mention, ...]  # the numeric mentions the value holds
    value: str
    quote: str
    occurrence: int | None = None
    hedge: str | None = None
    unit: str | None = None
    dimensions: tuple[str, ...] = ()  # the dimensions the value reads in
    period: Period | None = None
    period_text: tuple[str, ...] = ()
    period_from: str = ""
    entity: str | None = None
    entity_from: str = ""
    entity_candidates: tuple[str, ...] = ()
    metric: str | None = None
    metric_from: str = ""
    metric_candidates: tuple[str, ...] = ()
    qualifiers: dict[str, str] = field(default_factory=dict)
    kind: str = "actual"
    kind_from: str = ""
    # a claim word's claim: its kind and argument, ``subject`` the figure it is said of (a Stub
    # or a curated Fact, written as {its id})
    claim: dict[str, object] | None = None
    id: str = ""

    @property
    def review(self) -> tuple[str, ...]:
        """The fields left to the curator (REVIEW)."""
        fields = (("entity", self.entity), ("metric", self.metric), ("period", self.period))
        left = tuple(name for name, v in fields if v is None)
        return left + (("claim",) if self.claim and REVIEW in self.claim.values() else ())


@dataclass
class Suggestions:
    """A source's stubs, and the uncovered period words no stub reads (each with its context)."""

    source: str
    stubs: list[Stub]
    unread: list[tuple[str, str]]


# --- the text of a source ------------------------------------------------------------------------


@dataclass
class SourceText:
    """A source's text folded (as quotes and values are compared), with the maps back to it."""

    source: Source
    raw: str
    folded: str
    origin: tuple[int, ...]
    body: int  # folded offset where the body starts (the title is its own paragraph)
    mentions: tuple[Mention, ...]
    periods: list[tuple[int, int]]
    sentences: list[tuple[int, int]] = field(default_factory=list)

    @classmethod
    def of(cls, source: Source) -> SourceText:
        raw = source.text
        folded, origin = fold_map(raw)
        body = bisect.bisect_left(origin, len(source.title) + 1)
        text = cls(source, raw, folded, origin, body, mentions_of(folded), period_mentions(folded))
        lo = 0
        for end in [i + 1 for i, ch in enumerate(raw) if ch in SENTENCE_END] + [len(raw)]:
            fs, fe = text.to_folded(lo, end)
            if fe > fs:
                text.sentences.append((fs, fe))
            lo = end
        return text

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        return self.origin[start], self.origin[end - 1] + 1

    def to_folded(self, raw_start: int, raw_end: int) -> tuple[int, int]:
        return bisect.bisect_left(self.origin, raw_start), bisect.bisect_left(self.origin, raw_end)

    def paragraph(self, pos: int) -> tuple[int, int]:
        return (0, self.body) if pos < self.body else (self.body, len(self.folded))

    def sentence(self, start: int, end: int) -> tuple[int, int, str]:
        """The sentence around folded ``[start, end)`` — whole clauses of the source — as folded
        bounds and the source's own text."""
        rs, re_ = self.to_raw(start, end)
        s, e = sentence_bounds(self.raw, rs, re_)
        while s < e and (self.raw[s].isspace() or self.raw[s] in "」』”’)]}】〉》〕\"'"):
            s += 1  # closing marks belong to the sentence before
        while e > s and self.raw[e - 1].isspace():
            e -= 1
        if not is_clause(self.raw, s, e):  # not expected: a sentence is whole clauses
            s, e = clause_bounds(self.raw, rs, re_)
        fs, fe = self.to_folded(s, e)
        return fs, fe, self.raw[s:e]

    def clauses(self, start: int, end: int) -> list[tuple[int, int]]:
        """The clauses of folded ``[start, end)``."""
        out, lo = [], start
        for i in range(start, end):
            if is_clause_delimiter(self.folded, i):
                out.append((lo, i + 1))
                lo = i + 1
        if lo < end:
            out.append((lo, end))
        return out


def occurrences(text: str, needle: str) -> list[int]:
    out, i = [], text.find(needle)
    while needle and i >= 0:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


@dataclass(frozen=True)
class Name:
    start: int
    end: int
    key: str
    word: str


def find_names(folded: str, registry: dict[str, tuple[str, ...]], longest: bool) -> list[Name]:
    """Every place a registered name occurs, in order. ``longest``: where names overlap only the
    longest stays (快手可靈 over 快手); else all do (GMV in GMV同比增長 still names the measure a
    money value after it is of)."""
    found = [
        Name(i, i + len(w), key, w)
        for key, names in registry.items()
        for w in {fold(n) for n in names}
        for i in occurrences(folded, w)
    ]
    if longest:
        found.sort(key=lambda n: (n.start - n.end, n.start))
        kept: list[Name] = []
        for n in found:
            if not any(k.start < n.end and n.start < k.end and (k.start, k.end) != (n.start, n.end)
                       for k in kept):  # fmt: skip
                kept.append(n)
        found = kept
    return sorted(found, key=lambda n: (n.start, n.end))


def _runs(folded: str, spans: list, end_of, start_of) -> list[list]:
    """``spans`` grouped into runs joined only by 、/和/及/與 (an enumeration)."""
    runs: list[list] = []
    for s in spans:
        if runs and folded[end_of(runs[-1][-1]) : start_of(s)] in _LIST_JOINERS:
            runs[-1].append(s)
        else:
            runs.append([s])
    return runs


def _item_index(span: ValueSpan, mentions: tuple[Mention, ...]) -> int | None:
    """Which item of its 、-enumeration the value is."""
    return next((i for i, (s, _) in enumerate(span.enumeration) if s == mentions[0].start), None)


# --- period --------------------------------------------------------------------------------------


def _published_default(published: Period) -> Period:
    """The period of a figure nothing dates: the day of publication, or the month it began."""
    if published.start == published.end:
        return published
    return parse_period(f"{published.start:%Y-%m}")


def _is_basis(folded: str, p: tuple[int, int], value_end: int) -> bool:
    """Whether period mention ``p`` is the basis of a change stated after it (較去年同期上升16%)."""
    return folded[: p[0]].endswith(BASIS_WORDS) and any(
        v in folded[p[1] : value_end] for v in CHANGE_VERBS
    )


class Periods:
    """The period of each stub and the words it was read from."""

    def __init__(self, text: SourceText, values: list[tuple[int, int]]) -> None:
        self.text = text
        # period words inside another number's value (3年內 in 1-3年內) are not periods
        self.mentions = [
            p for p in text.periods
            if not any(a < p[1] and p[0] < b and (a, b) != p for a, b in values)
        ]  # fmt: skip
        self.default = _published_default(text.source.published)
        self.report = self._latest_quarter()

    def _latest_quarter(self) -> Period | None:
        """The latest quarter the source names that had ended when it was published."""
        published = self.text.source.published
        quarters = [
            r for p in self.mentions
            if (r := self.read(p, None, None)) is not None and r.end < published.start
            and (r.end.year - r.start.year) * 12 + r.end.month - r.start.month == 2
        ]  # fmt: skip
        return max(quarters, key=lambda r: r.end, default=None)

    def read(self, p: tuple[int, int], year: int | None, base: Period | None) -> Period | None:
        return read_period_mention(
            self.text.folded[p[0] : p[1]], self.text.source.published, year=year, base=base
        )

    def year_of(self, p: tuple[int, int]) -> int | None:
        """The year a period mention names itself (2025年, 今年Q1)."""
        m = re.match(r"((?:19|20)[0-9]{2})|([今去前明本])年", self.text.folded[p[0] : p[1]])
        if not m:
            return None
        if m[1]:
            return int(m[1])
        shift = {"今": 0, "本": 0, "去": -1, "前": -2, "明": 1}[m[2]]
        return self.text.source.published.start.year + shift

    def within(self, lo: int, hi: int) -> list[tuple[int, int]]:
        return [p for p in self.mentions if lo <= p[0] and p[1] <= hi]

    def topic(self, lo: int, hi: int) -> Period | None:
        """The period a stretch of text is about: the first it names that can be read."""
        return next((r for p in self.within(lo, hi) if (r := self.read(p, None, None))), None)

    def carried(self, sentence: tuple[int, int]) -> Period | None:
        """What the CARRY_SENTENCES sentences before, in the paragraph, were about."""
        para_lo, _ = self.text.paragraph(sentence[0])
        earlier = [s for s in self.text.sentences if para_lo <= s[0] and s[1] <= sentence[0]]
        for s in reversed(earlier[-CARRY_SENTENCES:] if CARRY_SENTENCES else []):
            if (read := self.topic(*s)) is not None:
                # a running period (今年 in a 2025 article) is a projection's, not a figure's
                return read if read.end < self.text.source.published.start else None
        return None

    def of(self, stub: Stub, sentence: tuple[int, int]) -> tuple[Period, tuple[str, ...], str]:
        """The stub's period, its period_text, and what it was read from."""
        text, span = self.text, stub.span
        folded = text.folded
        if span.is_date:  # a date is its own period, with the year written before it (去年6月)
            around = next(
                (p for p in text.periods if p[0] <= span.start and span.end <= p[1]),
                (span.start, span.end),
            )
            if (read := self.read(around, None, None)) is not None:
                words = folded[around[0] : around[1]]
                return read, (words,), words
        carried = self.carried(sentence)
        before = [
            p for p in self.within(sentence[0], span.start) if not _is_basis(folded, p, span.end)
        ]
        if (aligned := self._aligned(stub, before, carried)) is not None:
            return aligned
        year: int | None = None
        year_words: tuple[int, int] | None = None
        base, chosen = carried, None
        for p in before:
            read = self.read(p, year, base)
            if read is None:
                continue
            y = self.year_of(p)
            # 2025年,...一季度: both say the period
            chosen = (read, [year_words, p] if y is None and year_words else [p])
            base = read
            # a year said alone (2025年, 今年) dates the parts named after it; 去年6月 not 4月
            if y is not None:
                year, year_words = (y, p) if read.text == f"FY{y}" else (None, None)
        if chosen is not None:
            read, words = chosen
            said = tuple(folded[a:b] for a, b in words)
            return read, said, "、".join(said)
        if carried is not None:
            return carried, (), f"the sentence before ({carried.text})"
        said = folded[sentence[0] : span.start]
        if (word := next((w for w in REPORT_WORDS if w in said), None)) and self.report:
            return self.report, (), f"{word}: the latest quarter reported ({self.report.text})"
        if sentence[0] >= text.body and (titled := self.topic(0, text.body)) is not None:
            return titled, (), f"the title ({titled.text})"
        return self.default, (), f"publication ({text.source.published.text})"

    def _aligned(
        self, stub: Stub, before: list[tuple[int, int]], base: Period | None
    ) -> tuple[Period, tuple[str, ...], str] | None:
        """The j-th of k periods for the j-th of k values (今年Q1、Q2、Q3,收入分別…、…、…)."""
        j = _item_index(stub.span, stub.mentions)
        if j is None:
            return None
        runs = _runs(self.text.folded, before, lambda p: p[1], lambda p: p[0])
        run = next((r for r in reversed(runs) if len(r) == len(stub.span.enumeration)), None)
        year: int | None = None
        for i, p in enumerate(run or []):
            read = self.read(p, year, base)
            if read is None:
                return None
            year = self.year_of(p) or year
            if i == j:
                words = self.text.folded[p[0] : p[1]]
                return read, (words,), words
        return None


# --- entity --------------------------------------------------------------------------------------


def _aligned_name(text: SourceText, names: list[Name], stub: Stub) -> Name | None:
    """The j-th of k names enumerated before the j-th of k values (Google Veo 2、Pika Art 分列
    二、三名)."""
    j = _item_index(stub.span, stub.mentions)
    if j is None:
        return None
    before = [n for n in names if n.end <= stub.span.start]
    runs = _runs(text.folded, before, lambda n: n.end, lambda n: n.start)
    run = next((r for r in reversed(runs) if len(r) == len(stub.span.enumeration)), None)
    return run[j] if run is not None else None


def entity_of(
    text: SourceText, names: list[Name], stub: Stub, clause: tuple[int, int],
    sentence: tuple[int, int], generic: set[str],
) -> tuple[str | None, str, tuple[str, ...]]:  # fmt: skip
    """The entity a value is about, from the registered names around it, in this order:

    1. the j-th of as many names enumerated as values (Google Veo 2、Pika Art 分列二、三名);
    2. before it in its clause — a market's name (a common noun: 行業, 行銷 in 線上行銷服務) only
       when no other is named there, never the whole of a share (佔快手總營收) nor the scope of a
       rank (行業第二) — or right after it (2700億快手, 第二名Runway); a date: the first name
       after it in its sentence (9月23日,可靈AI推出…);
    3. before it in its sentence, then after it (unless 其 refers back);
    4. the entity the paragraph has named most so far, the nearest before it, the title's."""
    folded, span = text.folded, stub.span
    paragraph = text.paragraph(span.start)
    rank = folded[span.start : span.end].startswith("第")
    usable = [
        n for n in names
        if paragraph[0] <= n.start and n.end <= paragraph[1]
        and not folded[: n.start].endswith("佔") and not (rank and n.key in generic)
    ]  # fmt: skip
    # a name in a 、-list (與電商、快手主站、本地生活並列) is one of several, not the subject
    before = [
        n for n in usable
        if n.end <= span.start and "、" not in folded[max(0, n.start - 1) : n.end + 1]
    ]  # fmt: skip
    proper_before = [n for n in before if n.key not in generic]
    in_clause = [n for n in before if n.start >= clause[0]]
    proper_clause = [n for n in in_clause if n.key not in generic]
    after = [
        n for n in usable
        if span.end <= n.start and n.end <= sentence[1] and n.key not in generic
    ]  # fmt: skip
    adjacent = [n for n in after if n.start <= span.end + 1 and n.end <= clause[1]]
    if _PRONOUN.search(folded, sentence[0], span.start):
        after = adjacent  # 假設其有500萬付費會員: 其 is someone named before
    in_sentence = [n for n in proper_before if n.start >= sentence[0]]
    counts = Counter(n.key for n in proper_before)
    most = [n for n in proper_before if counts[n.key] == max(counts.values())] if counts else []
    title = [n for n in names if n.end <= text.body]
    aligned = _aligned_name(text, [n for n in usable if n.start >= sentence[0]], stub)
    steps: list[tuple[list[Name], str]] = [([aligned] if aligned else [], "its enumeration")]
    if span.is_date:
        steps.append((after[:1], "after the date"))
    steps += [
        (proper_clause[-1:] or in_clause[-1:], "before it in its clause"),
        (adjacent[:1], "right after it"),
        (in_sentence[-1:], "before it in its sentence"),
        (after[:1], "after it in its sentence"),
        (most[-1:], "the paragraph's most named"),
        (proper_before[-1:], "the nearest before it"),
        (title[:1], "the title"),
    ]
    candidates = tuple(dict.fromkeys(n.key for n in reversed(before)))[:4]
    for found, why in steps:
        if found:
            return found[0].key, f"{found[0].word}, {why}", candidates
    return None, "", candidates


# --- metric --------------------------------------------------------------------------------------


def _context(text: str, start: int, end: int) -> dict[str, float]:
    """The words around a value at ``text[start:end]`` (folded) as weighted character pairs:
    those of its clause before it, nearer ones weighing more, and a few after it. Digits read as
    #, so 收入1.5億元 and 收入3億元 share 收入."""
    lo = start
    while lo > 0 and start - lo < EXAMPLE_WINDOW and not is_clause_delimiter(text, lo - 1):
        lo -= 1
    hi = end
    while hi < len(text) and hi - end < 4 and not is_clause_delimiter(text, hi):
        hi += 1
    left = re.sub("[0-9]", "#", text[lo:start])
    right = re.sub("[0-9]", "#", text[end:hi])
    out: dict[str, float] = {}
    for i in range(len(left) - 1):
        if "#" not in (pair := left[i : i + 2]):
            out[pair] = max(out.get(pair, 0.0), 1.0 / (1.0 + (len(left) - i - 2) / 4))
    for i in range(len(right) - 1):
        if "#" not in (pair := right[i : i + 2]):
            out[">" + pair] = 1.0
    return out


class Examples:
    """The curated facts as examples of wording: the words around each value in its quote and
    the metric the curator chose. A value no registered name names gets the metric of the
    examples worded most like it (shared character pairs, rarer ones weighing more)."""

    def __init__(self, facts: list[Fact]) -> None:
        self.items: list[tuple[str, dict[str, float], str]] = []
        seen: Counter[str] = Counter()
        for f in facts:
            quote = fold(f.quote)
            spans = whole_mention_spans(quote, fold(f.value))
            n = f.occurrence or 1
            if len(spans) >= n and (features := _context(quote, *spans[n - 1])):
                self.items.append((f.metric, features, f.id))
                seen.update(features)
        total = len(self.items) + 1
        self.idf = {pair: math.log(total / count) for pair, count in seen.items()}

    def nearest(self, folded: str, span: ValueSpan, fits: set[str]) -> list[tuple[str, float, str]]:
        """The metrics (among ``fits``) of the examples most like the value at ``span``, best
        first, each with its similarity and its nearest example's id."""
        mine = _context(folded, span.start, span.end)
        best: dict[str, tuple[float, str]] = {}
        for key, theirs, fid in self.items:
            if key in fits:
                score = sum(min(w, theirs[p]) * self.idf[p] for p, w in mine.items() if p in theirs)
                if score > best.get(key, (0.0, ""))[0]:
                    best[key] = (score, fid)
        return [(k, *best[k]) for k in sorted(best, key=lambda k: (-best[k][0], k))]


def metric_of(
    text: SourceText, names: list[Name], metrics: dict[str, Metric], stub: Stub,
    sentence: tuple[int, int], clause: tuple[int, int], examples: Examples,
) -> tuple[str | None, str, tuple[str, ...]]:  # fmt: skip
    """The metric of a value, among those whose dimension reads it:

    1. a registered name near the number in its sentence — before it, in its clause first, or
       after it in its clause — the nearer and longer the better (a one-character name, 分 or
       個, only as the value's own unit);
    2. a share or change of the measure named before it (月活使用者為7.12億,同比增長2.1%: one of
       the registry's mau_… metrics, the one whose words stand there) over a general one (同比增長
       → business_growth_yoy);
    3. without a name but a unit word, the metric of the curated facts worded most like it."""
    fits = {k for k, m in metrics.items() if m.dimension in stub.dimensions}
    if not fits:
        return None, "", ()
    folded, span = text.folded, stub.span
    scores: dict[str, tuple[float, str]] = {}
    for n in names:
        if n.key not in fits or n.start < sentence[0] or n.end > sentence[1]:
            continue
        inside = span.start <= n.start and n.end <= span.end
        if len(n.word) == 1 and not inside:
            continue
        if n.end <= span.start:
            score = 100.0 - (span.start - n.end) + (30 if n.start >= clause[0] else 0)
        elif inside:
            score = 60.0
        elif span.end <= n.start and n.end <= clause[1]:
            score = 110.0 - 2 * (n.start - span.end)
        else:
            continue
        score += 2 * len(n.word)
        if score > scores.get(n.key, (-math.inf, ""))[0]:
            scores[n.key] = (score, n.word)
    if set(stub.dimensions) & {"growth", "share"}:
        _compose(folded, names, metrics, fits, span, sentence, clause, scores)
    # a one-character unit word (個, 家) says little: worded examples go first
    similar = (
        [] if any(len(w) > 1 for _, w in scores.values()) else examples.nearest(folded, span, fits)
    )
    if similar and similar[0][1] >= EXAMPLE_MIN:
        key, _, fid = similar[0]
        rest = tuple(k for k, score, _ in similar[1:4] if score >= EXAMPLE_MIN)
        return key, f"curated facts worded like it ({fid})", rest
    if scores:
        ranked = sorted(scores, key=lambda k: (-scores[k][0], k))
        return ranked[0], scores[ranked[0]][1], tuple(ranked[1:4])
    return None, "", tuple(k for k, _, _ in similar[:4]) or tuple(sorted(fits)[:4])


def _compose(
    folded: str, names: list[Name], metrics: dict[str, Metric], fits: set[str], span: ValueSpan,
    sentence: tuple[int, int], clause: tuple[int, int], scores: dict[str, tuple[float, str]],
) -> None:  # fmt: skip
    """Raise the shares and changes of the measure named nearest before the value (or after it
    in its clause: 貢獻了近70%的營業收入) above every other name's score: the registry names them
    by its key (mau → mau_growth_yoy, mau_growth_qoq; revenue → revenue_share)."""
    bases = [
        n for n in names
        if len(n.word) > 1 and metrics[n.key].dimension not in ("growth", "share", "share-change")
        and ((sentence[0] <= n.start and n.end <= span.start)
             or (span.end <= n.start and n.end <= clause[1]))
    ]  # fmt: skip
    if not bases:
        return
    base = max(
        bases, key=lambda n: (n.end <= span.start, n.end if n.end <= span.start else -n.start)
    )
    composed = [k for k in fits if k.startswith(base.key + "_")]
    words = folded[min(clause[0], base.start) : span.end]
    top = max((v for v, _ in scores.values()), default=100.0)
    for key in composed:
        dim = metrics[key].dimension
        own = any(fold(w) in words for w in metrics[key].names)  # 同比 for mau_growth_yoy
        # a share word makes a share even when it moved (佔大盤已降至9%)
        share = dim == "share" and any(w in words for w in SHARE_WORDS)
        change = dim == "growth" and any(w in words for w in CHANGE_WORDS)
        scores[key] = (top + 1 + 4 * own + 3 * share + 2 * change, base.word)


# --- kind and qualifiers -------------------------------------------------------------------------


def kind_of(
    text: SourceText, stub: Stub, sentence: tuple[int, int], clauses: list[tuple[int, int]],
    numbers: set[int],
) -> tuple[str, str]:  # fmt: skip
    """The kind the cue words before the value give it, and the cue."""
    folded, span, period = text.folded, stub.span, stub.period
    here = next((i for i, (a, b) in enumerate(clauses) if a <= span.start < b), len(clauses) - 1)
    own = folded[clauses[here][0] : span.start]
    if word := next((w for w in KIND_CUES["hypothetical"] if w in own), None):
        return "hypothetical", word
    lead = folded[max(sentence[0], span.start - 4) : span.start]
    word = next((w for w in DERIVED_BEFORE if lead.endswith(w)), None)
    if word and any(sentence[0] <= m < span.start for m in numbers):  # after a number
        return "derived", word
    kind, cue = "actual", ""
    for k in range(here, -1, -1):
        a, b = clauses[k]
        if k < here and any(a <= m < b for m in numbers):
            break  # a cue reaches up to the first clause holding a number
        stop = span.start if k == here else b
        found = [
            (folded.rfind(w, a, stop), kind, w)
            for kind, words in KIND_CUES.items() if kind != "hypothetical" for w in words
        ]  # fmt: skip
        if (best := max(found)) and best[0] >= 0:
            _, kind, cue = best
            break
    published = text.source.published
    future = period is not None and period.end > published.end
    if kind == "estimate" and future:
        return "forecast", cue  # 中金公司測算 of a period to come
    if kind == "actual" and period is not None and period.start > published.end:
        return "guidance", f"{period.text} begins after publication"
    if kind == "actual" and future and (word := next((w for w in FUTURE_WORDS if w in own), None)):
        return "guidance", word
    return kind, cue


def qualifiers_of(
    text: SourceText, entity_names: list[Name], span: ValueSpan, sentence: tuple[int, int]
) -> dict[str, str]:
    """Qualifiers named before the value in its sentence, the nearest of each key: a segment or
    customer side (QUALIFIER_WORDS), a model version after a registered name (可靈2.1)."""
    before = text.folded[sentence[0] : span.start]
    best: dict[str, tuple[int, str]] = {}
    for (key, value), words in QUALIFIER_WORDS.items():
        for w in words:
            if (i := before.rfind(w)) > best.get(key, (-1, ""))[0]:
                best[key] = (i, value)
    for n in entity_names:  # in order: the last before the value wins
        m = _VERSION.match(text.folded, n.end)
        if sentence[0] <= n.start and m and m.end() <= span.start:
            tier = _TIERS.get(m["tier"], m["tier"].lower()) if m["tier"] else ""
            best["model"] = (n.start, f"{n.key}-{m['v']}" + (f"-{tier}" if tier else ""))
    return {k: v for k, (_, v) in sorted(best.items())}
