"""Claim facts: checkable claims that are not a single number, each evaluated automatically.

A fact with ``claim:`` (docs/fact-format.md, "Claim facts") says something about the figure of
its own key — its entity, metric, qualifiers and period — that other facts can confirm or
contradict:

* ``greater_than`` / ``less_than``: that figure against another (a ``{fact-id}`` or a reference):
  顯著高於, 遠高於, 低於 (``subject:`` names the claimed figure when the fact's own key would
  match more than it, e.g. a model family beside one of its models);
* ``record_high`` / ``record_low``: above (below) every earlier period the corpus holds for the same
  series — 創歷史新高; with no earlier period the claim is ``unverifiable`` (info);
* ``rank: N`` with ``ranking:`` (and ``by:``): the N-th largest ``by`` figure (a metric) among the
  facts at the claim's period whose qualifiers name that ranking — 第二名; and no other entry of
  the ranking may claim the same place at that period (``unverifiable`` when neither applies);
* ``count: N`` with ``of:``: the number of distinct members the corpus lists as facts of metric
  ``of`` for the same entity and its registered members (``member_of``), up to the claim's
  period — 迭代了4次.

Comparisons and records are evaluated as generated rules by the rule engine, so both readings
apply (a claim true only at a stretch is ``strained``). Each result has the stable id
``claim:<fact id>``; it can be acknowledged like any finding.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

from factledger import formatting as fmt
from factledger import intervals
from factledger import payloads as pl
from factledger.checks import (
    Check,
    CheckContext,
    CheckOutput,
    Incremental,
    Lookup,
    Unit,
    UnitsView,
    fact_key,
    fact_order,
    keyed,
    metric_key,
    pair_key,
    ranking_key,
    run_all,
)
from factledger.checks.rules import evaluate, facts_for
from factledger.checks.rules import inputs as rule_inputs
from factledger.checks.rules.evaluation import VERDICT_ORDER, FactIndex
from factledger.expression import ExprError, parse_assertion
from factledger.load.relations import ancestors, member_view
from factledger.load.rules import Rule
from factledger.model import (
    PASSING_VERDICTS,
    Entity,
    Fact,
    Interval,
    Result,
    fingerprint,
    input_problem,
)

# unverifiable is information (nothing to check against); strained a warning, like a rule's
SEVERITY = {"strained": "warning", "unverifiable": "info"}


def reference(fact: Fact, period: str | None = None) -> str:
    """The rule-language reference to a fact's own key (its figure as other facts give it)."""
    quals = ", ".join(f"{k}={v}" for k, v in fact.qualifiers)
    text = f"{fact.entity}.{fact.metric}@{period or fmt.period_label(fact.period)}"
    return text + (f"[{quals}]" if quals else "")


def _rule(fact: Fact, expression: str) -> Rule:
    return Rule(
        id=f"claim:{fact.id}",
        description=f"{fact.source} claims {fact.value}: {expression}",
        severity="error",
        expression=expression,
        tree=parse_assertion(expression),
        file=fact.file,
        line=fact.line_of("claim"),
    )


def _result(fact: Fact, verdict: str, message: str, involved: list[str], data: Any) -> Result:
    return Result(
        id=f"claim:{fact.id}",
        kind="claim",
        severity=SEVERITY.get(verdict, "error"),
        verdict=verdict,
        message=f"{fact.value} ({fact.source}): {message}",
        fact_ids=tuple(dict.fromkeys([fact.id, *involved])),
        file=fact.file,
        line=fact.line_of("claim"),
        fingerprint=fingerprint("claim", fact.id, verdict, message),
        data=data,
    )


def _from_rule(fact: Fact, r: Result) -> Result:
    """A rule result re-issued as the claim's."""
    message = r.message.split(". ", 1)[-1]
    return Result(
        id=f"claim:{fact.id}",
        kind="claim",
        severity=r.severity if r.verdict != "strained" else "warning",
        verdict=r.verdict,
        message=f"{fact.value} ({fact.source}): {message}",
        fact_ids=tuple(dict.fromkeys([fact.id, *r.fact_ids])),
        file=fact.file,
        line=fact.line_of("claim"),
        fingerprint=r.fingerprint,
        data=r.data,
    )


def _compare(fact: Fact, index: FactIndex, touched: set[str] | None) -> Result:
    claim = fact.claim
    assert claim is not None
    op = ">" if claim.kind == "greater_than" else "<"
    subject = claim.subject or reference(fact)
    return _from_rule(fact, evaluate(_rule(fact, f"{subject} {op} {claim.other}"), index, touched))


def _record(fact: Fact, index: FactIndex, touched: set[str] | None) -> Result:
    """Above (below) every earlier period of the series: one comparison per earlier period,
    the worst verdict wins."""
    op = ">" if fact.claim.kind == "record_high" else "<"  # type: ignore[union-attr]
    earlier = sorted(
        {
            f.period.key: f.period
            for f in index.series(fact.entity, fact.metric)
            if f.qualifiers == fact.qualifiers
            and f.period.end < fact.period.start
            and f.canonical is not None
            and f.kind != "hypothetical"
        }.values(),
        key=lambda p: p.start,
    )
    if not earlier:
        what = "high" if op == ">" else "low"
        return _result(
            fact, "unverifiable",
            f"a record {what} of {reference(fact)}, but the corpus holds no earlier period of "
            "that series to compare it with", [],
            pl.RuleData(description=f"record {what}",
                        expression=f"{reference(fact)} {op} every earlier period", tolerance=0.0),
        )  # fmt: skip
    results = [
        evaluate(
            _rule(fact, f"{reference(fact)} {op} {reference(fact, fmt.period_label(p))}"),
            index,
            touched,
        )
        for p in earlier
    ]
    order = [*VERDICT_ORDER[:3], "strained", *VERDICT_ORDER[3:]]  # strained: worse than possible
    worst = min(results, key=lambda r: order.index(r.verdict))
    claim = _from_rule(fact, worst)
    involved = [i for r in results for i in r.fact_ids]
    labels = ", ".join(fmt.period_label(p) for p in earlier)
    return dataclasses.replace(
        claim,
        fact_ids=tuple(dict.fromkeys([fact.id, *involved])),
        message=f"{claim.message} (compared with every earlier period the corpus holds: {labels})",
        fingerprint=fingerprint("claim", fact.id, [r.fingerprint for r in results]),
    )


class Rankings:
    """Every ranked figure and every rank claim, grouped once by period (so a large corpus does not
    scan every fact for every claim)."""

    def __init__(self, facts: list[Fact]) -> None:
        self.figures: dict[tuple[str, str], list[Fact]] = defaultdict(list)
        self.claims: dict[tuple[str, str], list[Fact]] = defaultdict(list)
        for f in facts:
            if f.canonical is not None:
                self.figures[(f.metric, f.period.key)].append(f)
            if f.claim is not None and f.claim.kind == "rank":
                self.claims[(f.claim.ranking or "", f.period.key)].append(f)

    def entries(self, fact: Fact, by: str) -> dict[tuple, list[Fact]]:
        """The facts of the ranked metric that belong to the ranking (a qualifier names it), at
        the claim's period, by entry (entity and qualifiers)."""
        ranking = fact.claim.ranking  # type: ignore[union-attr]
        out: dict[tuple, list[Fact]] = defaultdict(list)
        for f in self.figures.get((by, fact.period.key), ()):
            if ranking in dict(f.qualifiers).values():
                out[(f.entity, f.qualifiers)].append(f)
        return out

    def same_rank(self, fact: Fact) -> list[Fact]:
        """Other entries of the same ranking and period that claim the same place."""
        claim = fact.claim
        assert claim is not None
        return [
            f
            for f in self.claims.get((claim.ranking or "", fact.period.key), ())
            if f.claim.n == claim.n  # type: ignore[union-attr]
            and (f.entity, f.qualifiers) != (fact.entity, fact.qualifiers)
        ]


def _combined(facts: list[Fact], reading: str) -> Interval:
    iv = facts[0].reading(reading)
    for f in facts[1:]:
        iv = intervals.hull(iv, f.reading(reading))  # type: ignore[arg-type]
    return iv  # type: ignore[return-value]


def _rank(fact: Fact, rankings: Rankings, entities: dict[str, Entity] | None = None) -> Result:
    """The place against the ranking's figures (``by``) where the corpus holds them, and against
    the places other entries claim in the same ranking: two entries in one place contradict."""
    claim = fact.claim
    assert claim is not None and claim.n is not None
    data = pl.RuleData(
        description=f"rank {claim.n} in {claim.ranking}",
        expression=f"rank({reference(fact)}) == {claim.n}",
        tolerance=0.0,
    )
    rivals = rankings.same_rank(fact)
    if rivals:
        names = "; ".join(f"{f.entity} {fmt.qualifiers(f.qualifiers)} ({f.source}: {f.value})"
                          for f in rivals)  # fmt: skip
        return _result(fact, "violated",
                       f"rank {claim.n} in {claim.ranking}, but another entry claims the same "
                       f"place: {names}", [f.id for f in rivals], data)  # fmt: skip
    by = claim.by
    entries = rankings.entries(fact, by) if by else {}
    own = (fact.entity, fact.qualifiers)
    if own not in entries:
        what = f"no {by} figure of {reference(fact)}" if by else "no figures that rank it"
        others = len(rankings.claims.get((claim.ranking or "", fact.period.key), ())) - 1
        tail = f"; no other entry claims place {claim.n} ({others} other places claimed)"
        return _result(fact, "unverifiable",
                       f"rank {claim.n} in {claim.ranking}, but the corpus holds {what}" + tail,
                       [], data)  # fmt: skip

    def rank_range(reading: str) -> tuple[int, int]:
        mine = _combined(entries[own], reading)
        above_surely = above_maybe = 0
        for key, facts in entries.items():
            if key == own:
                continue
            always, sometimes = intervals.relation(mine, "<", _combined(facts, reading))
            above_surely += always
            above_maybe += sometimes
        return above_surely + 1, above_maybe + 1

    def judge(lo: int, hi: int) -> str:
        if not lo <= claim.n <= hi:  # type: ignore[operator]
            return "violated"
        return "holds" if lo == hi else "possible"

    lo, hi = rank_range("sound")
    verdict = judge(lo, hi)
    if verdict in ("holds", "possible") and judge(*rank_range("typical")) == "violated":
        verdict = "strained"
    others = sorted(entries, key=lambda k: -_combined(entries[k], "sound").hi)

    def who(key: tuple) -> str:  # a model recorded as a qualifier is named as the member
        return member_view(key[0], key[1], entities or {})[0]

    listing = "; ".join(f"{', '.join(f.value for f in entries[k])} ({who(k)})" for k in others)
    place = f"{lo}" if lo == hi else f"between {lo} and {hi}"
    involved = [f.id for k in entries for f in entries[k]]
    return _result(
        fact, verdict,
        f"rank {claim.n} in {claim.ranking}; by the {by} figures the corpus holds it ranks "
        f"{place}: {listing}", involved, data,
    )  # fmt: skip


def _members_of(entity: str, entities: dict[str, Entity]) -> list[str]:
    """The entity and the registered members of its series (``member_of``, transitively)."""
    members = (k for k, e in entities.items() if entity in ancestors(entities, k, "member_of"))
    return [entity, *sorted(members)]


def _count(fact: Fact, index: FactIndex, entities: dict[str, Entity]) -> Result:
    claim = fact.claim
    assert claim is not None and claim.n is not None and claim.of is not None
    # one member per entry, however the corpus records it: a release of kling with the qualifier
    # model=kling-2.0-master and a release of the entity kling-2.0-master are the same member
    members: dict[tuple, Fact] = {}
    for entity in _members_of(fact.entity, entities):
        for f in index.series(entity, claim.of):
            if f.period.end <= fact.period.end and f.kind != "hypothetical":
                members[member_view(f.entity, f.qualifiers, entities)] = f
    listed = len(members)
    if claim.n == listed:
        verdict = "holds"
    elif claim.n > listed:
        verdict = "possible"  # the corpus need not list every member
    else:
        verdict = "violated"

    def name(key: tuple) -> str:
        who, quals = key
        if who == fact.entity:
            return fmt.qualifiers(quals) or "no qualifiers"
        return f"{who} {fmt.qualifiers(quals)}" if quals else who

    names = "; ".join(f"{name(k)}: {f.value}" for k, f in sorted(members.items()))
    return _result(
        fact, verdict,
        f"{claim.n} of {claim.of} for {fact.entity} up to {fmt.period_label(fact.period)}; the "
        f"corpus lists {listed}" + (f": {names}" if names else ""),
        [f.id for f in members.values()],
        pl.RuleData(description=f"count of {claim.of}", expression=f"count == {claim.n}",
                    tolerance=0.0),
    )  # fmt: skip


def _claim_result(
    fact: Fact,
    index: FactIndex,
    rankings: Rankings,
    touched: set[str] | None,
    entities: dict[str, Entity] | None = None,
) -> Result:
    kind = fact.claim.kind  # type: ignore[union-attr]
    try:
        if kind in ("greater_than", "less_than"):
            return _compare(fact, index, touched)
        if kind in ("record_high", "record_low"):
            return _record(fact, index, touched)
        if kind == "rank":
            r = _rank(fact, rankings, entities)
            if touched is not None and r.verdict != "unverifiable":
                touched |= set(r.fact_ids)  # its own place (第二名) and the figures it meets
            return r
        return _count(fact, index, entities or {})
    except ExprError as exc:
        return input_problem(fact.file, fact.line_of("claim"), "claim", f"cannot be checked: {exc}",
                             key=fact.id, fact_ids=(fact.id,))  # fmt: skip


# --- incremental: one unit per claim fact ------------------------------------------------------


def inputs(fact: Fact, entities: dict[str, Entity] | None = None) -> frozenset[str]:
    """What a claim's result can depend on besides the claim fact itself: a comparison's and a
    record's references (their entity-metric pairs, facts named by id), a count's listed
    members (the pair of ``of``), a rank's figures (every fact of ``by``) and rival claims (the
    ranking's)."""
    claim = fact.claim
    assert claim is not None
    own = pair_key(fact.entity, fact.metric)
    if claim.kind in ("greater_than", "less_than"):
        op = ">" if claim.kind == "greater_than" else "<"
        try:
            rule = _rule(fact, f"{claim.subject or reference(fact)} {op} {claim.other}")
        except ExprError:
            return frozenset({own})
        return frozenset(k for k in rule_inputs(rule) if not k.startswith("rule:"))
    if claim.kind in ("record_high", "record_low"):
        return frozenset({own})
    if claim.kind == "rank":
        out = {ranking_key(claim.ranking or "")}
        if claim.by:
            out.add(metric_key(claim.by))
        return frozenset(out)
    # a count: the series' facts of ``of`` and its registered members' (a registry edit re-runs
    # every unit, so the members may be read from the registry here)
    return frozenset(pair_key(e, claim.of or "") for e in _members_of(fact.entity, entities or {}))


def _index_facts(ctx: CheckContext, claims: list[Fact]) -> tuple[list[Fact], list[Fact]]:
    """The facts a partial run's claims read: for the rule engine (by pair and id), and for the
    rankings (the ``by`` metrics' facts and the rankings' claims)."""
    wanted: set[str] = set()
    for f in claims:
        wanted |= inputs(f, ctx.corpus.entities)
    wanted |= {fact_key(f.id) for f in claims}
    lookup = ctx.lookup
    ranked = sorted({k for k in wanted if k.startswith(("metric:", "ranking:"))})
    ranking: list[Fact] = []
    if ranked:
        by_id = {f.id: f for f in lookup.facts_of_metrics(keyed(ranked, "metric:"))}
        by_id.update((f.id, f) for f in lookup.rank_claims(keyed(ranked, "ranking:")))
        ranking = lookup.facts(list(by_id))  # in corpus order, as a full run's rankings
    return facts_for(lookup, wanted - set(ranked)), ranking


def run_units(ctx: CheckContext, keys: Sequence[str] | None) -> list[Unit]:
    """One unit per claim fact (``info``: its verdict)."""
    dimensions = {k: m.dimension for k, m in ctx.corpus.metrics.items()}
    if keys is None:
        claims = [f for f in ctx.facts if f.claim is not None]
        if not claims:
            return []
        index, rankings = FactIndex(ctx.facts, dimensions), Rankings(ctx.facts)
    else:
        claims = [f for f in ctx.lookup.facts(keyed(keys, "fact:")) if f.claim is not None]
        if not claims:
            return []
        facts, ranking = _index_facts(ctx, claims)
        index, rankings = FactIndex(facts, dimensions), Rankings(ranking)
    # the related entities, as the invariants take them (a model of a product of a company)
    entities = {k: e for k, e in ctx.corpus.entities.items() if e.part_of or e.member_of}
    units = []
    for fact in claims:
        touched = ctx.touched_set()
        r = _claim_result(fact, index, rankings, touched, entities)
        units.append(Unit(
            fact_key(fact.id), [r], depends=inputs(fact, entities),
            touched=ctx.unit_touched(touched),
            info=r.verdict, order=fact_order(fact),
        ))  # fmt: skip
    return units


def affected(keys: Collection[str], lookup: Lookup) -> set[str]:
    """The changed facts (a claim fact's own unit); claims over changed facts are found by
    their recorded inputs."""
    return {k for k in keys if k.startswith("fact:")}


def summarize(ctx: CheckContext, units: UnitsView) -> CheckOutput:
    verdicts: dict[str, int] = defaultdict(int)
    for verdict in units.infos():
        verdicts[verdict] += 1
    if not verdicts:
        return CheckOutput([])
    passing = sum(n for v, n in verdicts.items() if v in PASSING_VERDICTS)
    extras = {"claims": sum(verdicts.values()), "passing": passing, "verdicts": dict(verdicts)}
    return CheckOutput([], extras)


INCREMENTAL = Incremental(affected, run_units, summarize)


def run(ctx: CheckContext) -> CheckOutput:
    return run_all(ctx, INCREMENTAL)


CHECK = Check("claims", run, ("claim",), cross_checks=True, incremental=INCREMENTAL)
