"""``factledger synth``: write a valid synthetic corpus of any size, with known discrepancies.

The corpus follows the bundled one's shape: one seed and one facts file per source (about 50
facts each), several sources per entity-metric-period group (2–4, some single-source), quarterly
revenue whose quarters add up to the year, year-on-year growth, segment revenue and shares,
users, paying users and ARPU, a month inside a quarter, downloads at two dates (counts in 萬/億),
a market size in US dollars, guidance, hedged values (超過, 約, 近), enumerations sharing a hedge
(分別超過…、…), a derived half-year figure with its formula, a metric registry that declares the
bundled kinds of relation (flow, stock, cumulative, growth_of, subset_of, part_of, ratio_of per
month) and hand-written rules for what no relation states (this year's quarters against the
year, a segment's share, profit below revenue, MAU increasing, guidance above the year). Claim
facts (checks/claims.py) stand beside the figures: a company's model series lists its releases
(release_date, a `model` qualifier) and a source counts them (已累計發佈4次版本, ``count``); the
series of consecutive companies share a ranking (usage_share with an `of: <ranking>` qualifier)
where some also claim their place (位居第二名, ``rank`` by usage_share); a company's Q4 revenue
growth or MAU is a record (創歷史新高 / 創歷史新低) where the corpus's earlier quarters make it
one. Each claim says what the figures give, so all of them hold. The entity registry declares
relations: each model series is ``part_of`` its company and its models ``member_of`` it; half
the companies have a product (``part_of`` the company) whose Q3 revenue is well below theirs.

Every written value is checked with :func:`factledger.quantity.parse_readings` to contain the
true value, so the only findings are the injected ones, listed in ``ground_truth.json``. The
discrepancy rate is split over the kinds of ``INJECTED``, at least one of each the corpus has
room for:

* ``value-conflict``: one source of a multi-source group gives 0.3× the figure
  (finding ``conflict:<entity>.<metric>@<period>``);
* ``broken-quote``: a quote that is not in its seed (finding ``provenance:<fact id>:quote``),
  only in ``curation: partial`` sources, so the uncovered mention is not a second finding;
* ``violated-sum``: a year total that the quarters cannot add up to
  (finding ``rule:<rule id>``; the flow's tiling invariant says it too, listed in ``also``);
* ``last-digit``: every source of a multi-source group writes the figure exactly, one of them
  with its last written digit changed (4.16億 → 4.17億): the touching precision intervals are
  disjoint (finding ``conflict:<entity>.<metric>@<period>``);
* ``strained-conflict``: one source of a multi-source group writes 超過 70 % of the figure: the
  words allow the others' value, but "a little over" that does not reach it (finding
  ``conflict:<entity>.<metric>@<period>``, verdict ``strained``);
* ``strained-sum``: every source writes a year's revenue as 超過 70 % of it, so the quarters
  add up to it only if 超過 means far more (finding ``rule:<rule id>``, verdict ``strained``;
  the tiling invariant too, in ``also``);
* one per relation, each an ``invariant:…`` finding: ``subset-exceeded`` (paying users above
  users), ``part-above-whole`` (a segment above its quarter), ``shares-above-100`` (two shares of
  one whole adding up to 115 %), ``tiling-sum-off`` (last year's quarters against a wrong year),
  ``sub-period-above-period`` (December above Q4), ``growth-vs-levels`` (a growth rate 60 points
  off its two quarters), ``per-period-mix-up`` (a quarter's revenue per user written as 元/月),
  ``cumulative-shrinks`` (downloads falling), ``repeated-figure`` (the same download count six
  months apart; a warning) and ``cross-entity-formula`` (a derived paying rate over another
  company's users; a warning);
* one per kind of claim, each a ``claim:<fact id>`` finding (one per source that states it, the
  others in ``also``): ``false-record`` (創歷史新高 for Q4 growth when an earlier quarter's is
  more than a point higher), ``rank-contradicted`` (a place the ranking's shares do not give, and
  that no other entry claims) and ``count-ignores-members`` (one release fewer than the series'
  releases the corpus lists);
* one per entity relation of ``facts/entities.yaml`` (products ``part_of`` their company, models
  ``member_of`` their series): ``product-above-company`` (a product's Q3 revenue 1.7× its
  company's, finding ``invariant:entity_part_of:…``) and ``member-vs-series`` (a model's share
  listed in the ranking its own series is in, below the series' share: a warning
  ``invariant:member-in-ranking:…``; it takes the place of one fact of a group of three or more
  sources).

Deterministic for a given ``--seed``: the same arguments write byte-identical files.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from factledger.quantity import QuantityError, parse_readings

FACTS_PER_SOURCE = 50
CLUSTER_SIZE = 5  # sources that write about the same entities
SINGLE_SOURCE_SHARE = 0.2  # groups stated by one source only
COMPLETE_SHARE = 0.8  # sources with curation: complete (every mention covered)
RULES_PER_FILE = 200
YEAR = 2025
# How far an injected figure lies from the one it must contradict: clear of written precision
# whatever the first digit (a round 1億 reads as [0.5億, 1.5億), so 1.4x or 0.6x could still fit).
ABOVE, BELOW = 1.7, 0.4
# The kinds of injected discrepancy (ground_truth.json "kind"), the first six from before the
# relations; the rest each break what one relation of METRICS_YAML states.
INJECTED = (
    "value-conflict",
    "broken-quote",
    "violated-sum",
    "last-digit",
    "strained-conflict",
    "strained-sum",
    "subset-exceeded",
    "part-above-whole",
    "shares-above-100",
    "tiling-sum-off",
    "sub-period-above-period",
    "growth-vs-levels",
    "per-period-mix-up",
    "cumulative-shrinks",
    "repeated-figure",
    "cross-entity-formula",
    # claims that are not one number (checks/claims.py), each a ``claim:<fact id>`` finding
    "false-record",
    "rank-contradicted",
    "count-ignores-members",
    # entity relations (facts/entities.yaml part_of, member_of)
    "product-above-company",
    "member-vs-series",
)
RANKING_SIZE = 4  # entries (model series of consecutive blocks) per ranking
RECORD_SHARE = 0.5  # blocks whose source says their revenue growth is a record
RANK_CLAIM_SHARE = 0.6  # ranking entries with a rank claim (第二名) beside their share
COUNT_SHARE = 0.5  # model series whose releases a source counts (發佈4次版本)
PRODUCT_SHARE = 0.5  # companies with a product (part_of the company) whose Q3 revenue is given
_PRODUCTS = ["支付", "雲", "音樂", "商城", "影視"]
_VERSIONS = ["Lite", "Pro", "Turbo", "Max", "Ultra"]  # model names in release order, no digits
_CN_NUM = "零一二三四五六七八九十"

_SYLLABLES = list("星雲智聯華創騰達光遠源恒宇瀚鼎昇越新銳捷博泰豐明海峰維盛嘉睿晨啟航")
_COMPANY = ["科技", "網絡", "集團", "傳媒", "智能", "資訊", "文化", "互娛", "控股", "視界"]
_OUTLET = ["財經", "觀察", "日報", "科技評論", "研究院", "商業周刊", "資本", "新聞"]
_FILLER = [
    "市場人士認為，行業競爭正在加劇。",
    "公司表示將繼續加大研發投入。",
    "分析師指出，用戶增長仍是關注重點。",
    "業內普遍關注其商業化進展。",
    "該公司未對上述資料作出說明。",
    "相關業務的盈利能力有待觀察。",
    "投資者對其估值邏輯存在分歧。",
    "管理層在電話會上回應了市場關切。",
    "海外市場的拓展仍面臨不確定性。",
    "內容生態與流量體系的協同值得關注。",
]
_CN_QUARTER = {1: "一", 2: "二", 3: "三", 4: "四"}

METRICS_YAML = """\
# Metric registry of a synthetic corpus (factledger synth); same shape as the bundled one.
metrics:
  - key: revenue
    dimension: money
    unit: CNY
    series: true
    aggregation: flow
    part_of: revenue
    parts: [segment]
    complete: false
    names: [收入, 營收]
    description: Revenue recognised in the period (segment given by the `segment` qualifier).
  - key: revenue_growth_yoy
    dimension: growth
    unit: "%"
    series: true
    growth_of: revenue
    basis: yoy
    names: [年增, 同比增長]
    description: Year-on-year change of revenue in the period.
  - key: revenue_share
    dimension: share
    unit: "%"
    series: true
    part_of: revenue_share
    parts: [segment]
    complete: false
    names: [佔比]
    description: A segment's share of the entity's revenue in the period.
  - key: net_profit
    dimension: money
    unit: CNY
    series: true
    aggregation: flow
    names: [淨利潤]
    description: Net profit in the period.
  - key: mau
    dimension: count
    unit: count
    series: true
    aggregation: stock
    names: [月活躍用戶, 月活]
    description: Monthly active users in the period.
  - key: dau
    dimension: count
    unit: count
    series: true
    aggregation: stock
    subset_of: mau
    names: [日活躍用戶, 日活]
    description: Daily active users in the period.
  - key: users
    dimension: count
    unit: count
    series: true
    aggregation: cumulative
    names: [註冊用戶]
    description: Registered users to date (as of the period).
  - key: paying_users
    dimension: count
    unit: count
    series: true
    aggregation: stock
    subset_of: users
    names: [付費用戶]
    description: Paying users as of the period.
  - key: arpu
    dimension: price-per-period
    unit: CNY/month
    series: true
    ratio_of: {numerator: revenue, denominator: paying_users}
    per_period: month
    names: [ARPU]
    description: Average monthly revenue per paying user in the period.
  - key: downloads
    dimension: count
    unit: count
    series: true
    aggregation: cumulative
    names: [累計下載量]
    description: App downloads since launch, as of the period.
  - key: paying_rate
    dimension: share
    unit: "%"
    series: true
    names: [付費率]
    description: Paying users as a share of users.
  - key: usage_share
    dimension: share
    unit: "%"
    series: true
    names: [使用份額]
    description: Share of usage in the ranking named by the `of` qualifier.
  - key: usage_rank
    dimension: rank
    unit: rank
    series: true
    names: [位居]
    description: Place in the ranking named by the `of` qualifier (1 = most used); a rank claim.
  - key: release_date
    dimension: date
    unit: date
    series: true
    names: [發佈]
    description: Date a model version was released (`model` qualifier).
  - key: model_releases
    dimension: count
    unit: count
    series: true
    names: [發佈…次版本]
    description: Number of model versions released as of the period; a count claim.
  - key: market_size
    dimension: money
    unit: CNY
    series: true
    aggregation: flow
    names: [市場規模]
    description: Size of the entity's market in the period (often written in US dollars).
"""


# --- plan ---------------------------------------------------------------------------------------


@dataclass
class Entity:
    key: str
    name: str
    kind: str = "company"
    part_of: str | None = None  # a product of a company (facts/entities.yaml)
    member_of: str | None = None  # a model of a series


@dataclass
class Src:
    id: str
    outlet: str
    published: str
    curation: str
    facts: list[PFact] = field(default_factory=list)
    load: int = 0


@dataclass
class Group:
    entity: Entity
    role: str
    metric: str
    period: str  # as written in the fact file
    true: float  # in the written unit's base (元, count, %)
    unit: str  # CNY | USD | count | %
    kind: str = "actual"
    qualifiers: tuple[tuple[str, str], ...] = ()
    facts: list[PFact] = field(default_factory=list)
    no_over: bool = False  # no 超過 variant (an injected conflict or a wrong total)
    exact_only: bool = False  # every source writes the exact figure (a last-digit slip)
    understated: bool = False  # written 超過 70 % of the figure (a strained reading)
    claim: dict[str, str] | None = None  # a claim fact's `claim:` (set in _finish_claims)
    words: str = ""  # what the sentence names besides the entity: a model, a ranking
    wrong: bool = False  # an injected false claim

    @property
    def dimension(self) -> str:
        if self.unit == "%":
            if self.metric in ("revenue_share", "paying_rate", "usage_share"):
                return "share"
            return "growth"
        return {"CNY": "money", "USD": "money", "count": "count", "rank": "rank",
                "date": "date"}.get(self.unit, "price-per-period")  # fmt: skip

    @property
    def label(self) -> str:
        q = ",".join(f"{k}={v}" for k, v in self.qualifiers)
        return f"{self.entity.key}.{self.metric}@{self.period}" + (f"[{q}]" if q else "")


@dataclass
class PFact:
    group: Group
    source: Src
    id: str = ""
    value: str = ""
    hedge: str | None = None
    quote: str = ""
    period_text: list[str] = field(default_factory=list)
    note: str | None = None
    formula: str | None = None
    derived_from: list[str] = field(default_factory=list)
    operands: list[PFact] = field(default_factory=list)  # a derived rate's facts, ids come later
    odd: bool = False  # the injected conflicting value
    digit_slip: bool = False  # the exact figure with its last written digit changed
    understated: bool = False  # 超過 70 % of the figure (true under the words, not as read)
    broken: bool = False  # quote not in the seed
    enumerated: bool = False  # shares its quote with the source's other quarters
    occurrence: int | None = None  # which of equal values of an enumeration it is


@dataclass
class Block:
    entity: Entity
    groups: dict[str, Group]
    rules: list[dict] = field(default_factory=list)
    others: list[Entity] = field(default_factory=list)  # its model series and models


def _period_slug(period: str) -> str:
    return period.lower()


def _ident(p: PFact) -> str:
    g = p.group
    qual = "".join(f"-{v}" for _k, v in g.qualifiers)
    tail = "-record" if g.role == "record" else ""  # beside the growth figure it is about
    return f"{p.source.id}-{g.entity.key}-{g.metric}{qual}-{_period_slug(g.period)}{tail}"


class _Planner:
    def __init__(self, n_sources: int, n_facts: int, rate: float, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n_facts = n_facts
        self.rate = rate
        self.sources = self._sources(n_sources)
        order = self.sources[:]
        self.rng.shuffle(order)
        size = min(CLUSTER_SIZE, len(order))
        self.clusters = [order[i : i + size] for i in range(0, len(order), size)]
        if len(self.clusters) > 1 and len(self.clusters[-1]) < size:
            self.clusters[-2].extend(self.clusters.pop())
        self.blocks: list[Block] = []
        names = [a + b for a in _SYLLABLES for b in _SYLLABLES if a != b]
        self.rng.shuffle(names)
        self._names = names
        self.truth: list[dict] = []
        self.pending_broken = 0  # broken quotes to inject once quotes are written
        self.used: set[int] = set()  # ids of groups an injection changed or relies on

    def _sources(self, n: int) -> list[Src]:
        out = []
        for i in range(1, n + 1):
            outlet = self.rng.choice(_SYLLABLES) + self.rng.choice(_SYLLABLES)
            month, day = self.rng.randint(1, 6), self.rng.randint(1, 28)
            out.append(Src(
                id=f"src-{i:05d}",
                outlet=outlet + self.rng.choice(_OUTLET),
                published=f"{YEAR + 1}-{month:02d}-{day:02d}",
                curation="complete" if self.rng.random() < COMPLETE_SHARE else "partial",
            ))  # fmt: skip
        return out

    def _entity(self, i: int) -> Entity:
        base = self._names[(i - 1) % len(self._names)]
        name = base + _COMPANY[((i - 1) // len(self._names)) % len(_COMPANY)]
        return Entity(f"ent-{i:05d}", name)

    # -- groups of one entity, in trimming order: what rules use comes first --------------------

    def _groups(self, ent: Entity) -> dict[str, Group]:
        rng = self.rng
        g: dict[str, Group] = {}
        # revenue in hundredths of 億 (1e6 元), so sums are exact
        q = [rng.randint(200, 8000)]
        for _ in range(7):
            q.append(max(100, round(q[-1] * rng.uniform(0.99, 1.12))))
        quarters = [(YEAR - 1, n) for n in range(1, 5)] + [(YEAR, n) for n in range(1, 5)]
        cents = dict(zip(quarters, q, strict=True))
        for (y, n), c in cents.items():
            if y == YEAR:
                g[f"rev{n}"] = Group(ent, "quarter", "revenue", f"{y}Q{n}", c * 1e6, "CNY")
        g["fy"] = Group(ent, "fy", "revenue", f"FY{YEAR}", sum(q[4:]) * 1e6, "CNY")
        g["fy0"] = Group(ent, "fy", "revenue", f"FY{YEAR - 1}", sum(q[:4]) * 1e6, "CNY")
        for n in range(1, 5):
            g[f"old{n}"] = Group(
                ent, "quarter", "revenue", f"{YEAR - 1}Q{n}", q[n - 1] * 1e6, "CNY"
            )
            growth = (q[n + 3] / q[n - 1] - 1) * 100
            g[f"growth{n}"] = Group(ent, "growth", "revenue_growth_yoy", f"{YEAR}Q{n}", growth, "%")
        ads = round(q[7] * rng.uniform(0.25, 0.6))
        g["ads"] = Group(ent, "segment", "revenue", f"{YEAR}Q4", ads * 1e6, "CNY",
                         qualifiers=(("segment", "ads"),))  # fmt: skip
        g["share"] = Group(ent, "share", "revenue_share", f"{YEAR}Q4", ads / q[7] * 100, "%",
                           qualifiers=(("segment", "ads"),))  # fmt: skip
        mau = rng.randint(300, 30000)  # 萬
        for n in range(1, 5):
            g[f"mau{n}"] = Group(ent, "mau", "mau", f"{YEAR}Q{n}", mau * 1e4, "count")
            mau = round(mau * rng.uniform(1.03, 1.15)) + 1
        g["guide"] = Group(
            ent,
            "guidance",
            "revenue",
            f"FY{YEAR + 1}",
            sum(q[4:]) * rng.uniform(1.1, 1.4) * 1e6,
            "CNY",
            kind="guidance",
        )
        g["np"] = Group(ent, "profit", "net_profit", f"{YEAR}Q4",
                        round(q[7] * rng.uniform(0.05, 0.3)) * 1e6, "CNY")  # fmt: skip
        # single-period series: where conflicts are injected (no earlier period, never "stale")
        g["dau"] = Group(ent, "dau", "dau", f"{YEAR}Q4", round(mau * rng.uniform(0.2, 0.5)) * 1e4,
                         "count")  # fmt: skip
        g["users"] = Group(ent, "users", "users", f"{YEAR}-12",
                           round(mau * rng.uniform(1.5, 4)) * 1e4, "count")  # fmt: skip
        g["market"] = Group(ent, "market", "market_size", f"FY{YEAR - 1}",
                            rng.randint(50, 3000) * 1e6, "USD")  # fmt: skip
        # what the relations of METRICS_YAML compare beyond the above: a subset and a ratio per
        # month, another segment and two shares, a month inside a quarter, a cumulative count at
        # two dates (last, so trimmed first)
        paying = round(g["users"].true / 1e4 * rng.uniform(0.02, 0.15)) * 1e4
        g["paying"] = Group(ent, "paying", "paying_users", f"{YEAR}-12", paying, "count")
        g["arpu"] = Group(ent, "arpu", "arpu", f"{YEAR}Q4", 0.0, "CNY/month")  # see _finish
        g["live"] = Group(ent, "live", "revenue", f"{YEAR}Q3",
                          round(q[6] * rng.uniform(0.1, 0.3)) * 1e6, "CNY",
                          qualifiers=(("segment", "live"),))  # fmt: skip
        g["sa"] = Group(ent, "share-a", "revenue_share", f"{YEAR}Q2", rng.uniform(15, 40), "%",
                        qualifiers=(("segment", "games"),))  # fmt: skip
        g["sb"] = Group(ent, "share-b", "revenue_share", f"{YEAR}Q2", rng.uniform(10, 35), "%",
                        qualifiers=(("segment", "cloud"),))  # fmt: skip
        g["dec"] = Group(ent, "dec", "revenue", f"{YEAR}-12",
                         round(q[7] * rng.uniform(0.3, 0.36)) * 1e6, "CNY")  # fmt: skip
        first = rng.randint(100, 20000)  # 萬
        g["dl1"] = Group(ent, "downloads", "downloads", f"{YEAR}-06", first * 1e4, "count")
        g["dl2"] = Group(ent, "downloads", "downloads", f"{YEAR}-12",
                         round(first * rng.uniform(1.3, 1.8)) * 1e4, "count")  # fmt: skip
        return g

    def _claim_groups(self, ent: Entity, i: int, g: dict[str, Group]) -> list[Entity]:
        """The groups of claims that are not one number, after the figures they are checked
        against (so trimming drops a claim before its figures): the releases of the company's
        model series and a count of them, the series' share in a ranking of the series of
        RANKING_SIZE consecutive blocks and its place there, a record of revenue growth. What
        each claim says is decided once every injection is made (_finish_claims)."""
        rng = self.rng
        series = Entity(f"{ent.key}-ai", f"{ent.name}大模型", kind="product", part_of=ent.key)
        models = [Entity(f"{ent.key}-{v.lower()}", f"{ent.name}{v}", kind="model",
                         member_of=series.key)
                  for v in _VERSIONS[: rng.randint(2, len(_VERSIONS))]]  # fmt: skip
        months = sorted(rng.sample(range(24), len(models)))  # 2024-01 .. 2025-12
        for n, (m, month) in enumerate(zip(models, months, strict=True), 1):
            period = f"{YEAR - 1 + month // 12}-{month % 12 + 1:02d}"
            g[f"rel{n}"] = Group(series, "release", "release_date", period, 0.0, "date",
                                 qualifiers=(("model", m.key),), words=m.name)  # fmt: skip
        if rng.random() < COUNT_SHARE:
            g["count"] = Group(series, "count", "model_releases", f"{YEAR}-12", len(models),
                               "count")  # fmt: skip
        k, place = divmod(i - 1, RANKING_SIZE)
        share = 32 - 7 * place + rng.uniform(-1.5, 1.5)  # places 4+ points apart
        ranking = (("of", f"ranking-{k + 1:05d}"),)
        g["ushare"] = Group(series, "ushare", "usage_share", f"{YEAR}Q4", share, "%",
                           qualifiers=ranking, exact_only=True, words=_ranking_name(k))  # fmt: skip
        if rng.random() < RANK_CLAIM_SHARE:
            g["urank"] = Group(series, "urank", "usage_rank", f"{YEAR}Q4", 0.0, "rank",
                               qualifiers=ranking, words=_ranking_name(k))  # fmt: skip
        if rng.random() < RECORD_SHARE:
            g["record"] = Group(ent, "record", "revenue_growth_yoy", f"{YEAR}Q4", 0.0, "claim")
        others = [series, *models]
        if rng.random() < PRODUCT_SHARE:  # a product's quarter, well below its company's
            word = rng.choice(_PRODUCTS)
            product = Entity(f"{ent.key}-product", f"{ent.name}{word}", kind="product",
                             part_of=ent.key)  # fmt: skip
            g["product"] = Group(product, "product", "revenue", f"{YEAR}Q3",
                                 round(g["rev3"].true / 1e6 * rng.uniform(0.1, 0.3)) * 1e6,
                                 "CNY")  # fmt: skip
            others.append(product)
        return others

    def plan(self) -> None:
        heap = [(0, i) for i in range(len(self.clusters))]
        total, i = 0, 0
        while total < self.n_facts:
            i += 1
            ent = self._entity(i)
            groups = self._groups(ent)
            others = self._claim_groups(ent, i, groups)
            load, ci = heapq.heappop(heap)
            cluster = self.clusters[ci]
            added = 0
            # the block's lead source reports all four quarters (an article on the results)
            lead = min(cluster, key=lambda s: (s.load, s.id))
            for key, grp in list(groups.items()):
                k = 1 if self.rng.random() < SINGLE_SOURCE_SHARE else self.rng.randint(2, 4)
                k = min(k, len(cluster))
                ranked = sorted(cluster, key=lambda s: (s.load, self.rng.random()))[:k]
                if key in ("rev1", "rev2", "rev3", "rev4") and lead not in ranked:
                    ranked[-1] = lead
                for src in ranked:
                    p = PFact(grp, src)
                    grp.facts.append(p)
                    src.facts.append(p)
                    src.load += 1
                    added += 1
                if key == "rev2":  # the derived half year, by a source with both quarters
                    self._derived(groups, cluster)
            block = Block(ent, groups, others=others)
            self.blocks.append(block)
            total += added + (1 if "h1" in groups else 0)
            heapq.heappush(heap, (load + added, ci))
        self._trim(total - self.n_facts)
        for block in self.blocks:
            self._rules(block)

    def _derived(self, groups: dict[str, Group], cluster: list[Src]) -> None:
        both = [
            s for s in cluster
            if any(p.source is s for p in groups["rev1"].facts)
            and any(p.source is s for p in groups["rev2"].facts)
        ]  # fmt: skip
        if not both:
            return
        src = self.rng.choice(both)
        a, b = groups["rev1"], groups["rev2"]
        h1 = Group(a.entity, "derived", "revenue", f"{YEAR}H1", a.true + b.true, "CNY",
                   kind="derived")  # fmt: skip
        p = PFact(h1, src)
        h1.facts.append(p)
        src.facts.append(p)
        src.load += 1
        groups["h1"] = h1

    def _trim(self, excess: int) -> None:
        """Drop facts from the end of the last blocks until the count is exact."""
        for block in reversed(list(self.blocks)):
            for key in reversed(list(block.groups)):
                grp = block.groups[key]
                while excess > 0 and grp.facts:
                    if key in ("rev1", "rev2") and "h1" in block.groups:
                        self._drop_group(block, "h1")
                        excess -= 1
                        continue
                    p = grp.facts.pop()
                    p.source.facts.remove(p)
                    excess -= 1
                if not grp.facts:
                    del block.groups[key]
                if excess <= 0:
                    return
            if not block.groups:
                self.blocks.remove(block)

    def _drop_group(self, block: Block, key: str) -> None:
        for p in block.groups.pop(key).facts:
            p.source.facts.remove(p)

    def _rules(self, block: Block) -> None:
        g, e = block.groups, block.entity.key

        def has(*keys: str) -> bool:
            return all(k in g and g[k].facts for k in keys)

        name = block.entity.name
        # The relations of METRICS_YAML state what the other rules of the bundled kinds did
        # (growth against the quarters, segment below total, DAU below MAU, last year's quarters
        # against the year), as in the bundled corpus; this year's sum stays a rule, where
        # violated-sum is injected.
        if has("rev1", "rev2", "rev3", "rev4", "fy"):
            parts = " + ".join(f"{e}.revenue@{YEAR}Q{n}" for n in range(1, 5))
            block.rules.append({
                "id": f"{e}-revenue-fy{YEAR}-sum", "role": "sum", "total": "fy",
                "description": f"{name}: the four quarters of {YEAR} add up to the year.",
                "assert": f"{parts} ~ {e}.revenue@FY{YEAR}",
            })  # fmt: skip
        if has("ads", "rev4", "share"):
            block.rules.append({
                "id": f"{e}-ads-share-{YEAR}q4", "role": "share",
                "description": f"{block.entity.name}: the ads segment's share of Q4 revenue.",
                "assert": f"share({e}.revenue@{YEAR}Q4[segment=ads], {e}.revenue@{YEAR}Q4) ~ "
                f"{e}.revenue_share@{YEAR}Q4[segment=ads]",
            })  # fmt: skip
        if has("np", "rev4"):
            block.rules.append({
                "id": f"{e}-profit-below-revenue-{YEAR}q4", "role": "profit",
                "description": f"{name}: Q4 net profit is below Q4 revenue.",
                "assert": f"{e}.net_profit@{YEAR}Q4 < {e}.revenue@{YEAR}Q4",
            })  # fmt: skip
        if has("mau1", "mau2", "mau3", "mau4"):
            block.rules.append({
                "id": f"{e}-mau-increasing", "role": "increasing", "severity": "warning",
                "description": f"{name}: monthly active users grow every quarter.",
                "assert": f"increasing({e}.mau@{YEAR}Q1..{YEAR}Q4)",
            })  # fmt: skip
        if has("guide", "fy"):
            block.rules.append({
                "id": f"{e}-guidance-above-fy{YEAR}", "role": "guidance", "severity": "warning",
                "description": f"{name}: the {YEAR + 1} target is above {YEAR} revenue.",
                "assert": f"{e}.revenue@FY{YEAR + 1}[kind=guidance] > {e}.revenue@FY{YEAR}",
            })  # fmt: skip

    # -- discrepancies ------------------------------------------------------------------------

    def inject(self) -> None:
        """Split round(rate × facts) discrepancies over INJECTED (at least one of each kind the
        corpus has room for), each in groups no other injection touches."""
        total = round(self.rate * self.n_facts)
        if total <= 0:
            return
        k = len(INJECTED)
        per = {kind: max(1, total // k + (i < total % k)) for i, kind in enumerate(INJECTED)}
        rng = self.rng
        # value conflicts and last-digit slips: single-period groups of 2+ sources
        eligible = [
            grp for b in self.blocks for key, grp in b.groups.items()
            if key in ("dau", "users", "market") and len(grp.facts) >= 2
        ]  # fmt: skip
        n_conflicts, n_slips = per["value-conflict"], per["last-digit"]
        chosen = rng.sample(eligible, min(n_conflicts + n_slips + per["strained-conflict"],
                                          len(eligible)))  # fmt: skip
        conflicts = chosen[:n_conflicts]
        slips = chosen[n_conflicts : n_conflicts + n_slips]
        self.used |= {id(g) for g in chosen}
        for grp in chosen[n_conflicts + n_slips :]:
            grp.exact_only = True
            grp.facts[-1].understated = True
            self._truth("strained-conflict", f"conflict:{grp.label}", grp.facts)
        for grp in slips:
            grp.exact_only = True
            grp.facts[-1].digit_slip = True
            self._truth("last-digit", f"conflict:{grp.label}", grp.facts)
        for grp in conflicts:
            odd = grp.facts[-1]
            odd.odd = True
            grp.no_over = True
            self._truth("value-conflict", f"conflict:{grp.label}", grp.facts, _odd=odd)
        # violated and strained sums: a year total every source repeats, wrong or understated
        # (the flow's tiling invariant says it too)
        sums = [(b, r) for b in self.blocks for r in b.rules if r["role"] == "sum"]
        n_sums = {"sums": per["violated-sum"] + per["strained-sum"]}
        sums = self._pick("sums", n_sums, sums, lambda br: [br[0].groups["fy"]])
        for block, rule in sums[per["violated-sum"] :]:
            fy = block.groups["fy"]
            fy.understated = True
            for n in range(1, 5):  # the quarters as written, so only the total is a stretch
                block.groups[f"rev{n}"].exact_only = True
            self._truth("strained-sum", f"rule:{rule['id']}", fy.facts, rule=rule["id"],
                        also=[_tiling(block.entity.key)])  # fmt: skip
        for block, rule in sums[: per["violated-sum"]]:
            fy = block.groups["fy"]
            fy.true = round(fy.true * 0.6 / 1e6) * 1e6
            fy.no_over = True
            self._truth("violated-sum", f"rule:{rule['id']}", fy.facts, rule=rule["id"],
                        also=[_tiling(block.entity.key)])  # fmt: skip
        for kind in INJECTED[6:]:
            getattr(self, "_inject_" + kind.replace("-", "_"))(per)
        self.pending_broken = per["broken-quote"]

    # -- the relations' discrepancies: each changes what one invariant compares --

    def _blocks_with(self, *keys: str) -> list[Block]:
        return [
            b for b in self.blocks
            if all(k in b.groups and b.groups[k].facts and id(b.groups[k]) not in self.used
                   for k in keys)
        ]  # fmt: skip

    def _pick(self, kind: str, per: dict[str, int], eligible: list, groups) -> list:
        """``per[kind]`` of ``eligible``, their groups (``groups(item)``) then marked used."""
        chosen = self.rng.sample(eligible, min(per[kind], len(eligible)))
        for item in chosen:
            self.used |= {id(g) for g in groups(item)}
        return chosen

    def _truth(self, kind: str, expected: str, facts: list[PFact], **more) -> None:
        self.truth.append({"kind": kind, "fact_ids": None, "expected": expected,
                           "_facts": facts, **more})  # fmt: skip

    def _inject_subset_exceeded(self, per: dict[str, int]) -> None:
        for b in self._pick("subset-exceeded", per, self._blocks_with("paying", "users"),
                            lambda b: [b.groups["paying"], b.groups["users"]]):  # fmt: skip
            paying, users = b.groups["paying"], b.groups["users"]
            paying.true = round(users.true * ABOVE / 1e4) * 1e4
            paying.no_over = users.no_over = True
            e = b.entity.key
            self._truth("subset-exceeded", f"invariant:subset_of:{e}.paying_users<={e}.users@"
                        f"{YEAR}-12", paying.facts + users.facts)  # fmt: skip

    def _inject_part_above_whole(self, per: dict[str, int]) -> None:
        for b in self._pick("part-above-whole", per, self._blocks_with("live", "rev3"),
                            lambda b: [b.groups["live"], b.groups["rev3"]]):  # fmt: skip
            live, whole = b.groups["live"], b.groups["rev3"]
            live.true = round(whole.true * ABOVE / 1e6) * 1e6
            whole.no_over = True
            e = b.entity.key
            self._truth("part-above-whole", f"invariant:part_of:{e}.revenue[segment=live]<="
                        f"{e}.revenue@{YEAR}Q3", live.facts + whole.facts)  # fmt: skip

    def _inject_shares_above_100(self, per: dict[str, int]) -> None:
        for b in self._pick("shares-above-100", per, self._blocks_with("sa", "sb"),
                            lambda b: [b.groups["sa"], b.groups["sb"]]):  # fmt: skip
            a, c = b.groups["sa"], b.groups["sb"]
            c.true = 115 - a.true  # together 115 %
            e = b.entity.key
            parts = f"{e}.revenue_share[segment=cloud]+{e}.revenue_share[segment=games]"
            self._truth("shares-above-100", f"invariant:part_of:{parts}<=100@{YEAR}Q2",
                        a.facts + c.facts)  # fmt: skip

    def _inject_tiling_sum_off(self, per: dict[str, int]) -> None:
        keys = ("old1", "old2", "old3", "old4", "fy0")
        for b in self._pick("tiling-sum-off", per, self._blocks_with(*keys),
                            lambda b: [b.groups["fy0"]]):  # fmt: skip
            fy0 = b.groups["fy0"]
            fy0.true = round(fy0.true * 0.6 / 1e6) * 1e6
            fy0.no_over = True
            e, y = b.entity.key, YEAR - 1
            self._truth("tiling-sum-off", _tiling(e, y), fy0.facts)

    def _inject_sub_period_above_period(self, per: dict[str, int]) -> None:
        for b in self._pick("sub-period-above-period", per, self._blocks_with("dec", "rev4"),
                            lambda b: [b.groups["dec"], b.groups["rev4"]]):  # fmt: skip
            dec, q4 = b.groups["dec"], b.groups["rev4"]
            dec.true = round(q4.true * ABOVE / 1e6) * 1e6
            q4.no_over = True
            e = b.entity.key
            self._truth("sub-period-above-period", f"invariant:flow:{e}.revenue@{YEAR}-12<="
                        f"{e}.revenue@{YEAR}Q4", dec.facts + q4.facts)  # fmt: skip

    def _inject_growth_vs_levels(self, per: dict[str, int]) -> None:
        options = [
            (b, n) for b in self.blocks for n in range(1, 5)
            if b in self._blocks_with(f"growth{n}", f"rev{n}", f"old{n}")
        ]  # fmt: skip
        seen: set[int] = set()
        options = [(b, n) for b, n in options if not (id(b) in seen or seen.add(id(b)))]
        for b, n in self._pick("growth-vs-levels", per, options, lambda bn: [
            bn[0].groups[f"growth{bn[1]}"], bn[0].groups[f"rev{bn[1]}"], bn[0].groups[f"old{bn[1]}"]
        ]):  # fmt: skip
            growth = b.groups[f"growth{n}"]
            growth.true += 60  # percentage points off the two levels
            for key in (f"growth{n}", f"rev{n}", f"old{n}"):
                b.groups[key].no_over = True
            e = b.entity.key
            self._truth("growth-vs-levels", f"invariant:growth_of:{e}.revenue_growth_yoy@{YEAR}Q{n}"
                        f"~growth({e}.revenue@{YEAR}Q{n},{e}.revenue@{YEAR - 1}Q{n})",
                        growth.facts)  # fmt: skip

    def _inject_per_period_mix_up(self, per: dict[str, int]) -> None:
        keys = ("arpu", "rev4", "paying")
        for b in self._pick("per-period-mix-up", per, self._blocks_with(*keys),
                            lambda b: [b.groups[k] for k in keys]):  # fmt: skip
            b.groups["arpu"].role = "arpu-quarterly"  # a quarter's revenue per user, as 元/月
            b.groups["rev4"].no_over = b.groups["paying"].no_over = True
            e = b.entity.key
            ratio = f"{e}.revenue@{YEAR}Q4/{e}.paying_users@{YEAR}-12/3"
            self._truth("per-period-mix-up", f"invariant:ratio_of:{e}.arpu@{YEAR}Q4~{ratio}",
                        b.groups["arpu"].facts)  # fmt: skip

    def _inject_cumulative_shrinks(self, per: dict[str, int]) -> None:
        for b in self._pick("cumulative-shrinks", per, self._blocks_with("dl1", "dl2"),
                            lambda b: [b.groups["dl1"], b.groups["dl2"]]):  # fmt: skip
            first, later = b.groups["dl1"], b.groups["dl2"]
            later.true = round(first.true * BELOW / 1e4) * 1e4
            later.no_over = True
            e = b.entity.key
            self._truth("cumulative-shrinks", f"invariant:cumulative:{e}.downloads@{YEAR}-06<="
                        f"{e}.downloads@{YEAR}-12", first.facts + later.facts)  # fmt: skip

    def _inject_repeated_figure(self, per: dict[str, int]) -> None:
        for b in self._pick("repeated-figure", per, self._blocks_with("dl1", "dl2"),
                            lambda b: [b.groups["dl1"], b.groups["dl2"]]):  # fmt: skip
            first, later = b.groups["dl1"], b.groups["dl2"]
            later.true = first.true
            first.exact_only = later.exact_only = True  # the same figure, written the same way
            e = b.entity.key
            self._truth("repeated-figure", f"invariant:repeated-figure:{e}.downloads@{YEAR}-06=="
                        f"{e}.downloads@{YEAR}-12", first.facts + later.facts)  # fmt: skip

    def _inject_cross_entity_formula(self, per: dict[str, int]) -> None:
        """A derived paying rate: one entity's paying users over ANOTHER entity's users. It
        takes the place of one fact of a group stated by three or more sources, so the corpus
        keeps its size."""
        payers = [b for b in self.blocks if "paying" in b.groups and b.groups["paying"].facts]
        others = [b for b in self.blocks if "users" in b.groups and b.groups["users"].facts]
        spare = [
            g for b in self.blocks for key, g in b.groups.items()
            if key in ("mau1", "mau2", "mau3", "mau4", "np", "market") and len(g.facts) >= 3
            and id(g) not in self.used
        ]  # fmt: skip
        for b in self.rng.sample(payers, min(per["cross-entity-formula"], len(payers))):
            # a rate under 100 %: the other company with the most users
            other = max((o for o in others if o is not b), default=None,
                        key=lambda o: (o.groups["users"].true, o.entity.key))  # fmt: skip
            if other is None or b.groups["paying"].true >= 0.9 * other.groups["users"].true:
                continue
            num = next((p for p in b.groups["paying"].facts if not p.odd), None)
            den = None if other is None else next(
                (p for p in other.groups["users"].facts if not (p.odd or p.digit_slip)), None
            )  # fmt: skip
            if num is None or den is None or not spare:
                continue
            gone = spare.pop(self.rng.randrange(len(spare)))
            p = gone.facts.pop()
            p.source.facts.remove(p)
            rate = Group(b.entity, "rate", "paying_rate", f"{YEAR}-12",
                         num.group.true / den.group.true * 100, "%", kind="derived")  # fmt: skip
            fact = PFact(rate, p.source, operands=[num, den])
            rate.facts.append(fact)
            p.source.facts.append(fact)
            b.groups["rate"] = rate
            self.used.add(id(rate))
            self._truth("cross-entity-formula", "invariant:formula-entities:", [fact])

    # -- claims: each injection makes one claim false; _finish_claims writes what it says --

    def _growths(self, b: Block) -> dict[int, Group] | None:
        """The quarters' revenue growth a record claim of ``b`` is checked against, or None
        when one of them is used by another injection."""
        got = {n: b.groups[f"growth{n}"] for n in range(1, 5)
               if f"growth{n}" in b.groups and b.groups[f"growth{n}"].facts}  # fmt: skip
        return None if any(id(grp) in self.used for grp in got.values()) else got

    def _inject_false_record(self, per: dict[str, int]) -> None:
        """創歷史新高 for Q4 growth when an earlier quarter's growth is higher."""
        eligible = []
        for b in self._blocks_with("record"):
            gs = self._growths(b)
            if (
                gs
                and 4 in gs
                and len(gs) > 1
                and max(gs[n].true for n in gs if n < 4) > gs[4].true + 1
            ):
                eligible.append(b)

        def groups(b: Block) -> list[Group]:
            return [b.groups["record"], *(self._growths(b) or {}).values()]

        for b in self._pick("false-record", per, eligible, groups):
            record = b.groups["record"]
            record.wrong = True
            self._truth("false-record", "claim:", record.facts)

    def _inject_rank_contradicted(self, per: dict[str, int]) -> None:
        """A place the ranking's shares do not give (chosen once every share is known)."""
        for b in self._pick("rank-contradicted", per, self._blocks_with("urank", "ushare"),
                            lambda b: [b.groups["urank"], b.groups["ushare"]]):  # fmt: skip
            b.groups["urank"].wrong = True
            self._truth("rank-contradicted", "claim:", b.groups["urank"].facts)

    def _inject_count_ignores_members(self, per: dict[str, int]) -> None:
        """One release fewer than the series' releases the corpus lists."""
        eligible = self._blocks_with("count", "rel1", "rel2")
        for b in self._pick("count-ignores-members", per, eligible,
                            lambda b: [b.groups["count"]]):  # fmt: skip
            b.groups["count"].wrong = True
            self._truth("count-ignores-members", "claim:", b.groups["count"].facts)

    def _finish_claims(self) -> None:
        """What each claim says, from the figures the corpus finally holds: a record of Q4
        revenue growth where it is more than a point above (below) every earlier quarter's, else
        of Q4 MAU (which grows every quarter), else of Q1 growth, which has no earlier quarter
        (unverifiable); each place from the ranking's shares; each count from the releases
        listed."""
        rankings: dict[str, list[Group]] = {}
        for b in self.blocks:
            for grp in b.groups.values():
                if grp.role == "ushare" and grp.facts:
                    rankings.setdefault(grp.qualifiers[0][1], []).append(grp)
        place: dict[tuple[str, str], int] = {}
        for name, entries in rankings.items():
            entries.sort(key=lambda grp: -grp.true)
            for n, grp in enumerate(entries, 1):
                place[(name, grp.entity.key)] = n
        claimed: dict[str, set[int]] = {}
        ranks = [grp for b in self.blocks for grp in b.groups.values()
                 if grp.role == "urank" and grp.facts]  # fmt: skip
        for grp in ranks:
            grp.true = place[(grp.qualifiers[0][1], grp.entity.key)]
            if not grp.wrong:
                claimed.setdefault(grp.qualifiers[0][1], set()).add(int(grp.true))
        for grp in ranks:
            name = grp.qualifiers[0][1]
            if grp.wrong:  # a place no other entry claims (after the last, if all are)
                taken = claimed.setdefault(name, set())
                grp.true = next(n for n in range(1, len(rankings[name]) + 2)
                                if n != grp.true and n not in taken)  # fmt: skip
                taken.add(int(grp.true))
            grp.claim = {"rank": str(int(grp.true)), "ranking": name, "by": "usage_share"}
        for b in self.blocks:
            g = b.groups
            if "count" in g and g["count"].facts:
                listed = sum(k.startswith("rel") and bool(grp.facts) for k, grp in g.items())
                g["count"].true = listed - 1 if g["count"].wrong else listed
                g["count"].claim = {"count": str(int(g["count"].true)), "of": "release_date"}
            if "record" not in g or not g["record"].facts:
                continue
            record = g["record"]
            gs, high = self._growths(b), True
            if record.wrong:  # its growths are marked used
                gs = {n: g[f"growth{n}"] for n in range(1, 5)
                      if f"growth{n}" in g and g[f"growth{n}"].facts}  # fmt: skip
            elif gs and 4 in gs and len(gs) > 1:
                earlier = [gs[n].true for n in gs if n < 4]
                high = gs[4].true > max(earlier) + 1
                if not high and gs[4].true >= min(earlier) - 1:
                    gs = None  # neither: monthly active users, which grow every quarter
            else:
                gs = None
            maus = [g.get(f"mau{n}") for n in range(1, 5)]
            if gs is None and all(m and m.facts and id(m) not in self.used for m in maus):
                record.metric, gs, high = "mau", dict(enumerate(maus, 1)), True  # type: ignore[arg-type]
            if gs is None:  # no earlier quarter to compare with: unverifiable
                record.period, high = f"{YEAR}Q1", True
            else:
                for grp in gs.values():  # written exactly, so a point apart is a clear order
                    grp.exact_only = True
            record.claim = {"record_high" if high else "record_low": "true"}
            record.words = "創歷史新高" if high else "創歷史新低"

    # -- entity relations --

    def _inject_product_above_company(self, per: dict[str, int]) -> None:
        """A product (part_of its company) with 1.7× the company's Q3 revenue."""
        for b in self._pick("product-above-company", per, self._blocks_with("product", "rev3"),
                            lambda b: [b.groups["product"], b.groups["rev3"]]):  # fmt: skip
            product, whole = b.groups["product"], b.groups["rev3"]
            product.true = round(whole.true * ABOVE / 1e6) * 1e6
            product.no_over = whole.no_over = True
            e = b.entity.key
            self._truth("product-above-company", f"invariant:entity_part_of:{product.entity.key}"
                        f".revenue<={e}.revenue@{YEAR}Q3", product.facts + whole.facts)  # fmt: skip

    def _inject_member_vs_series(self, per: dict[str, int]) -> None:
        """A model's share listed in the ranking its own series is in: below the series' share
        (member_of holds) but a rival of it. The share takes the place of one fact of a group
        stated by three or more sources, so the corpus keeps its size."""
        entries: dict[str, list[Group]] = {}
        claimed: set[str] = set()  # a ranking is a name some rank claim uses
        for b in self.blocks:
            grp = b.groups.get("ushare")
            if grp is not None and grp.facts:
                entries.setdefault(grp.qualifiers[0][1], []).append(grp)
            rank = b.groups.get("urank")
            if rank is not None and rank.facts:
                claimed.add(rank.qualifiers[0][1])
        models = {b.entity.key: [e for e in b.others if e.member_of] for b in self.blocks}
        spare = [
            g for b in self.blocks for key, g in b.groups.items()
            if key in ("mau1", "mau2", "mau3", "mau4", "np", "market") and len(g.facts) >= 3
            and id(g) not in self.used
        ]  # fmt: skip
        eligible = [
            b for b in self._blocks_with("ushare") if b.groups["ushare"].qualifiers[0][1] in claimed
        ]
        for b in self._pick("member-vs-series", per, eligible, lambda b: [b.groups["ushare"]]):
            series = b.groups["ushare"]
            name = series.qualifiers[0][1]
            others = [g.true for g in entries[name] if g is not series]
            share = next((series.true * f for f in (0.7, 0.6, 0.5, 0.8, 0.4)
                          if all(abs(series.true * f - x) >= 1 for x in others)), None)  # fmt: skip
            if share is None or not spare or not models[b.entity.key]:
                continue
            gone = spare.pop(self.rng.randrange(len(spare)))
            p = gone.facts.pop()
            p.source.facts.remove(p)
            model = models[b.entity.key][-1]  # the latest model
            grp = Group(model, "ushare", "usage_share", series.period, share, "%",
                        qualifiers=series.qualifiers, exact_only=True,
                        words=series.words)  # fmt: skip
            fact = PFact(grp, p.source)
            grp.facts.append(fact)
            p.source.facts.append(fact)
            b.groups["model-share"] = grp
            self.used.add(id(grp))
            self._truth("member-vs-series", f"invariant:member-in-ranking:{name}@{series.period}:"
                        f"{model.key}/{series.entity.key}", [fact, *series.facts])  # fmt: skip

    def finish(self) -> None:
        """Values computed from others once every injection is made: each ARPU from its
        quarter's revenue and paying users (a quarter per user, not per month, where the
        per-period mix-up is injected); what each claim says (_finish_claims)."""
        self._finish_claims()
        for b in self.blocks:
            g = b.groups
            if "arpu" not in g:
                continue
            if "rev4" in g and "paying" in g and g["rev4"].facts and g["paying"].facts:
                per_quarter = g["rev4"].true / g["paying"].true
                g["arpu"].true = (
                    per_quarter if g["arpu"].role == "arpu-quarterly" else per_quarter / 3
                )
            else:
                g["arpu"].true = 30.0

    def inject_broken(self) -> None:
        n = self.pending_broken
        if n and not any(s.curation == "partial" for s in self.sources):
            self.sources[-1].curation = "partial"  # broken quotes go where coverage is advisory
        eligible = [
            p for s in self.sources if s.curation == "partial" for p in s.facts
            if not p.enumerated and p.group.kind != "derived" and not p.odd
        ]  # fmt: skip
        for p in self.rng.sample(eligible, min(n, len(eligible))):
            p.broken = True
            self.truth.append({
                "kind": "broken-quote", "fact_ids": None,
                "expected": f"provenance:{p.id}:quote", "_facts": [p],
            })  # fmt: skip


def _tiling(e: str, year: int = YEAR) -> str:
    """The id of the invariant that this year's quarters add up to the year (revenue: a flow)."""
    quarters = "+".join(f"{e}.revenue@{year}Q{n}" for n in range(1, 5))
    return f"invariant:flow-sum:{quarters}~{e}.revenue@FY{year}"


# --- values -------------------------------------------------------------------------------------

_parsed: dict[tuple, tuple[float, float, bool, bool] | None] = {}


def _interval(value: str, dimension: str, hedge: str | None) -> tuple[float, float, bool, bool]:
    """The TYPICAL reading of a written value (inside the sound one): a value is only written
    when even its most likely reading holds the true figure, so no `strained` finding is
    produced but the injected ones."""
    key = (value, dimension, hedge)
    if key not in _parsed:
        try:
            _, iv = parse_readings(value, dimension=dimension, hedge=hedge, year=YEAR)
            _parsed[key] = (iv.lo, iv.hi, iv.lo_open, iv.hi_open)
        except QuantityError:
            _parsed[key] = None
    got = _parsed[key]
    if got is None:
        raise ValueError(f"synth wrote a value the parser refuses: {value!r} ({dimension})")
    return got


def _contains(value: str, dimension: str, x: float, hedge: str | None = None) -> bool:
    try:
        lo, hi, lo_open, hi_open = _interval(value, dimension, hedge)
    except ValueError:
        return False
    return (x > lo or (x == lo and not lo_open)) and (x < hi or (x == hi and not hi_open))


def _fixed(x: float, decimals: int) -> str:
    """x to exactly ``decimals`` places, rounded half up (12.35 → 12.4)."""
    return f"{Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP):f}"


def _num(x: float, decimals: int) -> str:
    """x to ``decimals`` places, rounded half up from its shortest decimal form — as a writer
    rounds, and as the precision interval reads it back ([v − h, v + h))."""
    q = Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    text = f"{q:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _two_sig(x: float) -> float:
    step = 10 ** (math.floor(math.log10(x)) - 1)
    return round(x / step) * step


def _two_sig_floor(x: float) -> float:
    step = 10 ** (math.floor(math.log10(x)) - 1)
    return math.floor(x / step) * step


def _two_sig_ceil(x: float) -> float:
    step = 10 ** (math.floor(math.log10(x)) - 1)
    return math.ceil(x / step) * step


def _money_texts(x: float, unit: str) -> dict[str, str]:
    """Variants of an amount in 元 (or US dollars): exact, 萬元, about, above, nearly."""
    suffix = "美元" if unit == "USD" else "元"
    yi = x / 1e8
    out = {"exact": f"{_num(yi, 2)}億{suffix}" if yi >= 1 else f"{_num(x / 1e4, 0)}萬{suffix}"}
    if unit == "CNY":
        out["wan"] = f"{_num(x / 1e4, 0)}萬元"
    scaled, word = (yi, "億") if yi >= 1 else (x / 1e4, "萬")
    out["about"] = f"約{_num(_two_sig(scaled), 2)}{word}{suffix}"
    out["over"] = f"超過{_num(_two_sig_floor(scaled * 0.999), 2)}{word}{suffix}"
    out["near"] = f"近{_num(_two_sig_ceil(scaled * 1.001), 2)}{word}{suffix}"
    return out


def _count_texts(x: float) -> dict[str, str]:
    wan = x / 1e4
    if wan >= 10000:
        yi = x / 1e8
        exact, scaled, word = f"{_num(yi, 2)}億", yi, "億"
    else:
        exact, scaled, word = f"{_num(wan, 0)}萬", wan, "萬"
    return {
        "exact": exact,
        "people": exact + "人",
        "about": f"約{_num(_two_sig(scaled), 2)}{word}",
        "over": f"超過{_num(_two_sig_floor(scaled * 0.999), 2)}{word}",
        "near": f"近{_num(_two_sig_ceil(scaled * 1.001), 2)}{word}",
    }


def _pct_texts(x: float, growth: bool) -> dict[str, str]:
    if growth and x < 0:
        return {"exact": f"年減{_fixed(abs(x), 1)}%", "verb": f"下降{_fixed(abs(x), 1)}%"}
    out = {"exact": f"{_fixed(x, 1)}%", "about": f"約{round(x)}%"}
    if growth:
        out["verb"] = f"年增{_fixed(x, 1)}%"
        out["verb2"] = f"同比增長{_fixed(x, 1)}%"
    if x >= 2:
        out["over"] = f"超過{math.floor(x * 0.999)}%"
        out["near"] = f"近{math.ceil(x * 1.001)}%"
    return out


def _per_month_texts(x: float) -> dict[str, str]:
    return {"exact": f"{_num(x, 2)}元/月", "about": f"約{_num(_two_sig(x), 2)}元/月"}


def _variants(grp: Group, true: float) -> dict[str, str]:
    if grp.unit in ("CNY", "USD"):
        return _money_texts(true, grp.unit)
    if grp.unit == "count":
        return _count_texts(true)
    if grp.unit == "CNY/month":
        return _per_month_texts(true)
    return _pct_texts(true, grp.metric == "revenue_growth_yoy")


def _choose_value(rng: random.Random, grp: Group, true: float, odd: bool) -> str:
    texts = _variants(grp, true)
    names = list(texts)
    if grp.no_over or odd or grp.role == "derived":
        names = [n for n in names if n != "over"]
    if grp.role == "derived":
        names = ["exact"]
    weights = [3 if n == "exact" else 1 for n in names]
    for _ in range(4):
        name = rng.choices(names, weights)[0]
        if _contains(texts[name], grp.dimension, true):
            return texts[name]
    return texts["exact"] if _contains(texts["exact"], grp.dimension, true) else _fail(grp, true)


def _understated(grp: Group, true: float) -> str:
    """超過 well under the figure: true under the words (超過 has no upper bound), a stretch as
    read (a little over): the typical reading must miss the exact figure's precision interval."""
    exact = _variants(grp, true)["exact"]
    exact_lo = parse_readings(exact, dimension=grp.dimension, year=YEAR)[0].lo
    for share in (0.7, 0.5, 0.3, 0.2):
        low = _two_sig_floor(true * share)
        if grp.unit in ("CNY", "USD", "count"):
            suffix = {"CNY": "元", "USD": "美元"}.get(grp.unit, "")
            big = low >= 1e8
            text = (
                f"超過{_num(low / 1e8, 2)}億{suffix}"
                if big
                else f"超過{_num(low / 1e4, 0)}萬{suffix}"
            )
        else:
            text = f"超過{_num(low, 1)}%"
        _, typical = parse_readings(text, dimension=grp.dimension, year=YEAR)
        if typical.hi < exact_lo:
            return text
    raise ValueError(f"no understated form of {true} misses {exact} ({grp.label})")


def _slip_last_digit(value: str) -> str:
    """The last written digit one up (one down for a 9): 4.16億 → 4.17億, 1,039萬 → 1,038萬."""
    i = max(i for i, ch in enumerate(value) if ch.isdigit())
    d = int(value[i])
    return value[:i] + str(d + 1 if d < 9 else d - 1) + value[i + 1 :]


def _fail(grp: Group, true: float) -> str:
    raise ValueError(f"no written form of {true} contains it ({grp.label})")


# --- sentences ----------------------------------------------------------------------------------


def _period_phrase(rng: random.Random, period: str) -> str:
    if period.startswith("FY"):
        return f"{period[2:]}年全年"
    if "H1" in period:
        return f"{period[:4]}年上半年"
    if "Q" in period:
        y, n = period.split("Q")
        return f"{y}年第{_CN_QUARTER[int(n)]}季度" if rng.random() < 0.5 else f"{y}年Q{n}"
    y, m = period.split("-")
    return f"{y}年{int(m)}月底"


def _sentence(rng: random.Random, p: PFact, pt: str) -> str:
    g, name, v = p.group, p.group.entity.name, p.value
    match g.role:
        case "quarter":
            return f"{name}{pt}實現營收{v}。"
        case "fy":
            return f"{name}{pt}收入{v}。"
        case "guidance":
            return f"管理層預計，{name}{pt}收入將達{v}。"
        case "growth":
            return f"{name}{pt}營收{'' if v[0] in '年同下' else '同比增長'}{v}。"
        case "segment":
            return f"其中，{name}{pt}廣告業務收入{v}。"
        case "share":
            return f"{name}{pt}廣告業務收入佔總營收的{v}。"
        case "profit":
            return f"{name}{pt}淨利潤{v}。"
        case "mau":
            return f"{name}{pt}月活躍用戶{v}。"
        case "dau":
            return f"{name}{pt}日活躍用戶達{v}。"
        case "users":
            return f"截至{pt}，{name}累計註冊用戶{v}。"
        case "market":
            return f"據測算，{name}所在細分市場{pt}規模{v}。"
        case "derived":
            return f"粗略計算，{name}{pt}收入合計{v}。"
        case "paying":
            return f"截至{pt}，{name}付費用戶{v}。"
        case "arpu" | "arpu-quarterly":
            return f"{name}{pt}付費用戶ARPU為{v}。"
        case "live":
            return f"{name}{pt}直播業務收入{v}。"
        case "share-a":
            return f"{name}{pt}遊戲業務收入佔總營收的{v}。"
        case "share-b":
            return f"{name}{pt}雲業務收入佔總營收的{v}。"
        case "dec":
            return f"{name}{pt}單月營收{v}。"
        case "downloads":
            return f"截至{pt}，{name}應用累計下載量{v}。"
        case "rate":
            other = p.operands[1].group.entity.name if p.operands else "同業"
            return f"粗略計算，截至{pt}，{name}付費用戶約佔{other}用戶的{v}。"
        case "release":
            return f"{name}於{v}發佈{g.words}。"
        case "count":
            return f"截至{pt}，{name}已累計發佈{v}版本。"
        case "ushare":
            return f"在{g.words}{pt}榜單中，{name}的使用份額為{v}。"
        case "urank":
            return f"{name}在{g.words}{pt}榜單中位居{v}。"
        case "record":
            return f"{name}{pt}{'月活躍用戶' if g.metric == 'mau' else '營收增速'}{v}。"
        case "product":
            return f"{name}業務{pt}實現收入{v}。"
    raise AssertionError(g.role)


def _write_source_text(rng: random.Random, src: Src, first: list[bool]) -> list[str]:
    """Fill ids, values and quotes of a source's facts; return the seed's sentences.
    ``first``: [True] until the corpus has its first enumeration, which shares 超過."""
    sentences: list[str] = []
    by_group: dict[tuple[str, str], PFact] = {}
    for p in src.facts:
        by_group[(p.group.entity.key, p.group.role + p.group.period)] = p
    done: set[int] = set()
    # enumerations: the four quarters of one entity in one sentence
    ents = list(dict.fromkeys(p.group.entity.key for p in src.facts))
    for ek in ents:
        quarter = [by_group.get((ek, f"quarter{YEAR}Q{n}")) for n in range(1, 5)]
        if not all(quarter) or (rng.random() < 0.4 and not first[0]):
            continue
        qs: list[PFact] = quarter  # type: ignore[assignment]
        # a quarter an injection relies on is written without 超過 (no_over)
        shared = (rng.random() < 0.5 or first[0]) and not any(p.group.no_over for p in qs)
        first[0] = first[0] and not shared
        values = []
        for p in qs:
            p.enumerated = True
            if shared:
                texts = _money_texts(p.group.true, "CNY")
                over = texts["over"]
                value = over.removeprefix("超過")
                p.value, p.hedge = value, "超過"
                if not _contains(value, "money", p.group.true, "超過"):
                    p.value, p.hedge = texts["exact"], None
            else:
                p.value = _money_texts(p.group.true, "CNY")["exact"]
            values.append(p.value)
        word = "分別超過" if all(p.hedge for p in qs) else "分別為"
        if word == "分別為":
            for p in qs:
                if p.hedge:
                    p.value, p.hedge = _money_texts(p.group.true, "CNY")["exact"], None
            values = [p.value for p in qs]
        name = qs[0].group.entity.name
        quote = f"{name}{YEAR}年Q1、Q2、Q3、Q4收入{word}{'、'.join(values)}。"
        for n, p in enumerate(qs, 1):
            p.quote = quote
            if values.count(p.value) > 1:  # two quarters written alike: say which one
                p.occurrence = values[: n - 1].count(p.value) + 1
            p.period_text = [f"{YEAR}年", f"Q{n}"]
            p.note = "Enumeration of the four quarters" + (
                "; the hedge 超過 is shared." if p.hedge else "."
            )
            done.add(id(p))
        sentences.append(quote)
    for p in src.facts:
        if id(p) in done:
            continue
        g = p.group
        true = g.true * 0.3 if p.odd else g.true
        if g.role in _CLAIM_ROLES:
            p.value = _claim_value(g)
        elif g.understated or p.understated:
            p.value = _understated(g, true)
        elif g.exact_only:
            p.value = _variants(g, true)["exact"]
            if p.digit_slip:
                p.value = _slip_last_digit(p.value)
        else:
            p.value = _choose_value(rng, g, true, p.odd)
        pt = _period_phrase(rng, g.period)
        if g.role == "dec":  # the month itself, not its last day
            pt = pt.removesuffix("底")
        if g.role == "release":  # the date is the value and the period
            pt = p.value
        p.period_text = [pt]
        p.quote = _sentence(rng, p, pt)
        sentences.append(p.quote)
    for p in src.facts:
        p.id = _ident(p) + ("-derived" if p.group.kind == "derived" else "")
    return sentences


def _finish_derived(src: Src) -> None:
    for p in src.facts:
        if p.group.kind != "derived":
            continue
        if p.group.role == "rate":
            p.derived_from = [q.id for q in p.operands]
            p.formula = f"share({{{p.operands[0].id}}}, {{{p.operands[1].id}}})"
            p.note = "The writer's paying rate: one company's payers over another's users."
            continue
        ops = [
            q for q in src.facts
            if q.group.entity is p.group.entity and q.group.role == "quarter"
            and q.group.period in (f"{YEAR}Q1", f"{YEAR}Q2")
        ]  # fmt: skip
        ops.sort(key=lambda q: q.group.period)
        assert len(ops) == 2, p.group.label
        p.derived_from = [q.id for q in ops]
        p.formula = " + ".join(f"{{{q.id}}}" for q in ops)
        p.note = "The writer's own sum of the first two quarters."


_CLAIM_ROLES = ("release", "count", "urank", "record")


def _claim_value(g: Group) -> str:
    """The written value of a claim fact (or a release date): the words that state it."""
    match g.role:
        case "release":
            y, m = g.period.split("-")
            return f"{y}年{int(m)}月"
        case "count":
            return f"{int(g.true)}次"
        case "urank":
            return f"第{_CN_NUM[int(g.true)]}名"
    return g.words  # a record: 創歷史新高 / 創歷史新低


def _ranking_name(k: int) -> str:
    """A ranking's name without digits (a digit would be a mention to cover): syllables."""
    n = len(_SYLLABLES)
    chars = [_SYLLABLES[k % n], _SYLLABLES[k // n % n]]
    k //= n * n
    while k:
        chars.append(_SYLLABLES[k % n])
        k //= n
    return "".join(chars) + "指數"


def _break(p: PFact) -> None:
    p.quote = "據知情人士透露，" + p.quote
    p.note = "synthetic broken quote: the opening clause is not in the seed"


# --- files --------------------------------------------------------------------------------------


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _entity_yaml(e: Entity) -> str:
    text = f"  - key: {e.key}\n    names: [{e.name}]\n    kind: {e.kind}\n"
    if e.part_of:
        text += f"    part_of: {e.part_of}\n"
    if e.member_of:
        text += f"    member_of: {e.member_of}\n"
    return text


def _fact_yaml(p: PFact) -> str:
    g = p.group
    lines = [
        f"  - id: {p.id}",
        f"    entity: {g.entity.key}",
        f"    metric: {g.metric}",
    ]
    if g.qualifiers:
        lines.append("    qualifiers: {" + ", ".join(f"{k}: {v}" for k, v in g.qualifiers) + "}")
    lines.append(f"    period: {_q(g.period)}")
    lines.append(f"    value: {_q(p.value)}")
    if p.occurrence:
        lines.append(f"    occurrence: {p.occurrence}")
    if p.hedge:
        lines.append(f"    hedge: {_q(p.hedge)}")
    lines.append(f"    kind: {g.kind}")
    lines.append(f"    quote: {_q(p.quote)}")
    if p.period_text:
        lines.append("    period_text: [" + ", ".join(_q(t) for t in p.period_text) + "]")
    if g.claim:
        lines.append("    claim: {" + ", ".join(f"{k}: {_q(v)}" for k, v in g.claim.items()) + "}")
    if p.derived_from:
        lines.append("    derived_from: [" + ", ".join(p.derived_from) + "]")
        lines.append(f"    formula: {_q(p.formula or '')}")
    if p.note:
        lines.append(f"    note: {_q(p.note)}")
    return "\n".join(lines)


def _seed_text(rng: random.Random, src: Src, sentences: list[str], entities: list[Entity]) -> str:
    names = "、".join(e.name for e in entities[:3]) or "行業"
    title = f"{src.outlet}觀察：{names}等公司業績盤點"
    body: list[str] = []
    order = sentences[:]
    rng.shuffle(order)
    for s in order:
        body.append(s)
        if rng.random() < 0.3:
            body.append(rng.choice(_FILLER))
    if not body:
        body.append(rng.choice(_FILLER))
    paragraphs = ["".join(body[i : i + 8]) for i in range(0, len(body), 8)]
    front = "\n".join([
        "---",
        f"id: {src.id}",
        f"title: {_q(title)}",
        f"outlet: {_q(src.outlet)}",
        "language: zh-Hant",
        f"published: '{src.published}'",
        "published_basis: synthetic (factledger synth)",
        f"curation: {src.curation}",
        "---",
    ])  # fmt: skip
    return front + "\n" + "\n".join(paragraphs) + "\n"


@dataclass
class Written:
    facts: int
    sources: int
    rules: int
    groups: int
    multi_source_groups: int
    discrepancies: dict[str, int]


def generate(out: Path, *, sources: int, facts: int, rate: float = 0.01, seed: int = 0) -> Written:
    """Write a corpus into ``out`` (created if missing); returns what was written."""
    if sources < 1 or facts < 0:
        raise ValueError("need at least one source and a non-negative number of facts")
    if not 0 <= rate <= 1:
        raise ValueError("--discrepancy-rate must be within 0..1")
    plan = _Planner(sources, facts, rate, seed)
    plan.plan()
    plan.inject()
    plan.finish()
    rng = random.Random(seed + 1)
    seeds: dict[str, list[str]] = {}
    first = [True]
    for src in plan.sources:
        seeds[src.id] = _write_source_text(rng, src, first)
    for src in plan.sources:  # once every id exists (a derived rate names other sources' facts)
        _finish_derived(src)
    plan.inject_broken()
    for src in plan.sources:
        for p in src.facts:
            if p.broken:
                _break(p)

    for sub in ("seeds", "facts", "checks/rules"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    ents = [e for b in plan.blocks for e in (b.entity, *b.others)]
    (out / "facts" / "entities.yaml").write_text(
        "# Entity registry of a synthetic corpus (factledger synth).\nentities:"
        + ("\n" if ents else " []\n")
        + "".join(_entity_yaml(e) for e in ents),
        encoding="utf-8",
    )
    (out / "facts" / "metrics.yaml").write_text(METRICS_YAML, encoding="utf-8")
    for src in plan.sources:
        src_ents = list({p.group.entity.key: p.group.entity for p in src.facts}.values())
        (out / "seeds" / f"{src.id}.md").write_text(
            _seed_text(rng, src, seeds[src.id], src_ents), encoding="utf-8"
        )
        body = "\n".join(_fact_yaml(p) for p in src.facts)
        (out / "facts" / f"{src.id}.yaml").write_text(
            f"source: {src.id}\nfacts:" + ("\n" + body if body else " []") + "\n",
            encoding="utf-8",
        )
    rules = [r for b in plan.blocks for r in b.rules]
    for i in range(0, len(rules), RULES_PER_FILE):
        chunk = rules[i : i + RULES_PER_FILE]
        text = "rules:\n" + "".join(
            f"  - id: {r['id']}\n    description: {_q(r['description'])}\n"
            f"    severity: {r.get('severity', 'error')}\n    assert: {_q(r['assert'])}\n"
            for r in chunk
        )
        (out / "checks" / "rules" / f"synthetic-{i // RULES_PER_FILE + 1:04d}.yaml").write_text(
            text, encoding="utf-8"
        )
    (out / "checks" / "acknowledged.yaml").write_text("acknowledged: []\n", encoding="utf-8")
    truth = []
    for t in plan.truth:
        entry: dict = {"kind": t["kind"]}
        if "rule" in t:
            entry["rule"] = t["rule"]
        if t["kind"] == "value-conflict":
            odd = t["_odd"]
            entry["fact_ids"] = [odd.id] + [p.id for p in t["_facts"] if p is not odd]
        else:
            entry["fact_ids"] = [p.id for p in t["_facts"]]
        entry["expected"] = t["expected"]
        if t["kind"] == "broken-quote":
            entry["expected"] = f"provenance:{entry['fact_ids'][0]}:quote"
        if t["kind"] == "cross-entity-formula":
            entry["expected"] += entry["fact_ids"][0]
        if t["expected"] == "claim:":  # one result per fact of the claim (a source each)
            entry["expected"] += entry["fact_ids"][0]
            t["also"] = [f"claim:{i}" for i in entry["fact_ids"][1:]]
        if t.get("also"):  # other findings the same discrepancy rightly causes
            entry["also"] = t["also"]
        truth.append(entry)
    truth.sort(key=lambda e: (e["kind"], e["expected"]))
    (out / "ground_truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    groups = [g for b in plan.blocks for g in b.groups.values() if g.facts]
    kinds: dict[str, int] = {}
    for t in truth:
        kinds[t["kind"]] = kinds.get(t["kind"], 0) + 1
    return Written(
        facts=sum(len(s.facts) for s in plan.sources),
        sources=len(plan.sources),
        rules=len(rules),
        groups=len(groups),
        multi_source_groups=sum(len({id(p.source) for p in g.facts}) > 1 for g in groups),
        discrepancies=kinds,
    )


# --- command line -------------------------------------------------------------------------------


def cmd_synth(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.exists() and not out.is_dir():
        print(f"factledger synth: {out} is not a folder", file=sys.stderr)
        return 2
    if out.exists() and any(out.iterdir()) and not args.force:
        print(f"factledger synth: {out} is not empty (use --force to write into it)",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        got = generate(
            out, sources=args.sources, facts=args.facts, rate=args.discrepancy_rate, seed=args.seed
        )
    except ValueError as exc:
        print(f"factledger synth: {exc}", file=sys.stderr)
        return 2
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(got.discrepancies.items())) or "none"
    print(
        f"wrote {got.facts} facts from {got.sources} sources into {out}: {got.groups} groups "
        f"({got.multi_source_groups} multi-source), {got.rules} rules; injected: {kinds} "
        f"(see {out / 'ground_truth.json'})"
    )
    return 0


def _positive(kind: Callable[[str], float | int], low: float) -> Callable[[str], float | int]:
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}")
        return value

    return parse


def add_parser(sub: argparse._SubParsersAction, with_root: Callable) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "synth",
        help="write a synthetic corpus of any size, with known injected discrepancies",
        description="Write seeds, facts, registries (with relations), rules and empty "
        "acknowledgements into OUT, with value conflicts, broken quotes, violated sums, last-digit "
        "slips and one discrepancy per kind of relation injected at the given rate; "
        "OUT/ground_truth.json lists them. Deterministic for a given --seed.",
    )
    p.add_argument("--sources", type=_positive(int, 1), required=True, help="number of sources")
    p.add_argument("--facts", type=_positive(int, 0), required=True, help="number of facts")
    p.add_argument(
        "--discrepancy-rate",
        type=_positive(float, 0),
        default=0.01,
        help="injected discrepancies per fact, split over the kinds, at least one of each "
        "(default 0.01)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--force", action="store_true", help="write into a non-empty OUT")
    p.add_argument("out", type=Path, metavar="OUT", help="folder to write the corpus into")
    p.set_defaults(func=cmd_synth)
    return p
