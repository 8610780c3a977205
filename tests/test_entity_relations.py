"""Entity relations declared once in facts/entities.yaml (part_of, member_of): loaded with located
errors, and checked as invariants — a part's flow at most its whole's, a member's share at most
its series', a ranking that lists a member and its own series as rivals."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from factledger.checks import CheckContext
from factledger.checks.invariants import members_in_rankings, run
from factledger.load import Corpus, load_corpus
from factledger.load.relations import ancestors
from factledger.load.settings import Settings
from factledger.model import Claim, Entity, Fact, Result

from .conftest import write_mini
from .test_invariants import METRICS, metric
from .test_invariants import fact as invariant_fact

METRICS_WITH_SHARE = {**METRICS, "usage_share": metric("usage_share", "share", "%")}
METRICS_WITH_SHARE["usage_rank"] = metric("usage_rank", "rank", "rank")

ENTITIES = {
    e.key: e
    for e in (
        Entity("kuaishou", ("快手",), "company"),
        Entity("kling", ("可靈",), "product", part_of="kuaishou"),
        Entity("kling-2", ("可靈2.0",), "model", member_of="kling"),
        Entity("runway", ("Runway",), "product"),
    )
}


def fact(fid: str, value: str, **kw) -> Fact:
    return invariant_fact(fid, value, metrics=METRICS_WITH_SHARE, **kw)


def check(*facts: Fact, entities: dict[str, Entity] = ENTITIES) -> dict[str, Result]:
    corpus = Corpus(root=Path("."), metrics=METRICS_WITH_SHARE, entities=entities,
                    facts=list(facts))  # fmt: skip
    return {r.id: r for r in run(CheckContext(corpus, Settings())).results}


PART = "invariant:entity_part_of:kling.revenue<=kuaishou.revenue@2025Q1"


def test_a_part_larger_than_its_whole_is_violated_at_the_part() -> None:
    got = check(
        fact("k", "400億", line=7),
        fact("ks", "326億", entity="kuaishou", source="s2", line=3),
    )
    r = got[PART]
    assert (r.verdict, r.severity, r.line) == ("violated", "error", 7)
    assert r.data.relation == "entity_part_of" and set(r.fact_ids) == {"k", "ks"}
    assert "kling is a part of kuaishou" in r.message


def test_a_part_within_its_whole_holds_and_only_the_same_period_and_qualifiers_match() -> None:
    got = check(
        fact("k", "1.5億"),
        fact("ks", "326億", entity="kuaishou"),
        fact("ks2", "100億", entity="kuaishou", period="2025Q2"),
        fact("ks-seg", "1億", entity="kuaishou", qualifiers={"segment": "ads"}),
    )
    assert got[PART].verdict == "holds"
    assert [i for i in got if "entity_part_of" in i] == [PART]


def test_the_nearest_whole_with_a_figure_is_compared_and_stocks_are_not() -> None:
    got = check(
        fact("k2", "2億", entity="kling-2"),
        fact("ks", "1億", entity="kuaishou"),  # no kling figure: the next whole up
        fact("u", "3000萬", entity="kling-2", metric="mau"),
        fact("uk", "10萬", entity="kuaishou", metric="mau"),  # a stock: not a sum of its parts
    )
    r = got["invariant:entity_part_of:kling-2.revenue<=kuaishou.revenue@2025Q1"]
    assert r.verdict == "violated" and "kling-2 is a part of kuaishou" in r.message
    assert not [i for i in got if ".mau" in i]


def test_a_member_share_above_its_series_share_is_violated() -> None:
    q = {"of": "poe"}
    got = check(
        fact("m", "35%", entity="kling-2", metric="usage_share", qualifiers=q, period="2025-05"),
        fact("s", "30%", entity="kling", metric="usage_share", qualifiers=q, period="2025-05"),
    )
    rid = "invariant:member_of:kling-2.usage_share[of=poe]<=kling.usage_share[of=poe]@2025-05"
    assert got[rid].verdict == "violated"


def _ranked(fid: str, entity: str, n: str) -> Fact:
    f = fact(fid, f"第{n}名", entity=entity, metric="usage_rank", qualifiers={"of": "poe"},
             period="2025-05")  # fmt: skip
    return dataclasses.replace(f, claim=Claim("rank", n=int(n), ranking="poe", by="usage_share"))


def test_a_ranking_listing_a_member_and_its_series_is_a_warning() -> None:
    share = fact("s", "30%", entity="kling", metric="usage_share", qualifiers={"of": "poe"},
                 period="2025-05")  # fmt: skip
    facts = [share, _ranked("r2", "runway", "2"), _ranked("r3", "kling-2", "3")]
    [r] = members_in_rankings(facts, ENTITIES)
    assert r.id == "invariant:member-in-ranking:poe@2025-05:kling-2/kling"
    assert (r.verdict, r.severity, r.kind) == ("member-in-ranking", "warning", "invariant")
    assert set(r.fact_ids) == {"s", "r3"} and r.line == facts[2].line
    # without the series among the entries, or without the relation, nothing to say
    assert members_in_rankings(facts[1:], ENTITIES) == []
    plain = {**ENTITIES, "kling-2": Entity("kling-2", ("可靈2.0",), "model")}
    assert members_in_rankings(facts, plain) == []


ENTITIES_YAML = """entities:
  - key: kling
    names: [可靈]
    kind: product
    part_of: kuaishuo
  - key: kuaishou
    names: [快手]
    kind: company
    part_of: kuaishou
  - key: a
    names: [甲]
    kind: model
    member_of: b
  - key: b
    names: [乙]
    kind: model
    member_of: a
  - key: c
    names: [丙]
    kind: model
    member_of: [a]
"""


def test_entity_relation_errors_are_located_and_all_reported(tmp_path: Path) -> None:
    root = write_mini(tmp_path / "c")
    (root / "facts" / "entities.yaml").write_text(ENTITIES_YAML, encoding="utf-8")
    corpus = load_corpus(root)
    got = {(p.line, p.message) for p in corpus.problems if p.file == "facts/entities.yaml"}
    assert got == {
        (5, "part_of: unknown entity 'kuaishuo' (did you mean 'kuaishou'?)"),
        (9, "part_of: 'kuaishou' cannot be part of itself"),
        (13, "member_of: entity relations form a cycle: a → b → a"),
        (21, "member_of: expected an entity key"),
    }
    # a relation with a problem is dropped, the entity kept (its facts still load)
    assert corpus.entities["kling"].part_of is None and corpus.entities["b"].member_of == "a"
    assert corpus.entities["a"].member_of is None


def test_ancestors_follow_the_chain_nearest_first() -> None:
    assert ancestors(ENTITIES, "kling-2", "member_of") == ["kling"]
    assert ancestors(ENTITIES, "kling-2") == ["kling", "kuaishou"]
    assert ancestors(ENTITIES, "kling", "part_of") == ["kuaishou"]
    assert ancestors(ENTITIES, "kuaishou", "part_of") == []


def test_the_bundled_registry_declares_entity_relations_without_problems() -> None:
    corpus = load_corpus(Path(__file__).resolve().parents[1])
    assert [p for p in corpus.problems if p.file == "facts/entities.yaml"] == []
    assert corpus.entities["kling"].part_of == "kuaishou"
    assert corpus.entities["kling-2.0-master"].member_of == "kling"


def test_a_model_qualifier_naming_a_registered_member_makes_the_fact_about_the_member() -> None:
    q, m = {"of": "poe"}, {"of": "poe", "model": "kling-2"}
    series = fact("s", "30%", metric="usage_share", qualifiers=q, period="2025-05")
    member = fact("m", "35%", metric="usage_share", qualifiers=m, period="2025-05", line=12)
    got = check(series, member)
    rid = (
        "invariant:member_of:kling.usage_share[model=kling-2,of=poe]"
        "<=kling.usage_share[of=poe]@2025-05"
    )
    assert got[rid].verdict == "violated" and got[rid].line == 12
    rank = dataclasses.replace(_ranked("r3", "kling", "3"), qualifiers=tuple(sorted(m.items())))
    [r] = members_in_rankings([series, rank], ENTITIES)
    assert r.id == "invariant:member-in-ranking:poe@2025-05:kling-2/kling"
    # a model that is not a registered member of the fact's entity is just a qualifier
    other = {**m, "model": "kling-9"}
    plain = dataclasses.replace(rank, qualifiers=tuple(sorted(other.items())))
    assert members_in_rankings([series, plain], ENTITIES) == []
