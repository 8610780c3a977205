"""``factledger synth``: a valid corpus whose only findings are the injected ones."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from factledger import cli, engine
from factledger.devtools import synth
from factledger.load import load_corpus
from factledger.text import fold

SOURCES, FACTS, RATE, SEED = 8, 420, 0.05, 7
EXPECTED_KIND = {
    "value-conflict": "conflict",
    "broken-quote": "provenance",
    "violated-sum": "rule",
    "last-digit": "conflict",
    "strained-conflict": "conflict",
    "strained-sum": "rule",
    # one per relation of the synthetic registry (facts/metrics.yaml)
    "subset-exceeded": "invariant",
    "part-above-whole": "invariant",
    "shares-above-100": "invariant",
    "tiling-sum-off": "invariant",
    "sub-period-above-period": "invariant",
    "growth-vs-levels": "invariant",
    "per-period-mix-up": "invariant",
    "cumulative-shrinks": "invariant",
    "repeated-figure": "invariant",
    "cross-entity-formula": "invariant",
    # claims that are not one number (checks/claims.py)
    "false-record": "claim",
    "rank-contradicted": "claim",
    "count-ignores-members": "claim",
    # entity relations (facts/entities.yaml)
    "product-above-company": "invariant",
    "member-vs-series": "invariant",
}
# heuristics and stretches, not contradictions: a warning to review
WARNINGS = {"repeated-figure", "cross-entity-formula", "strained-conflict", "strained-sum",
            "member-vs-series"}  # fmt: skip


def explains(t: dict, result_id: str) -> bool:
    """Whether the injection ``t`` explains a finding: its expected id, or one it lists in
    ``also`` (another check that rightly states the same discrepancy)."""
    return any(result_id.startswith(e) for e in [t["expected"], *t.get("also", [])])


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode())
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "corpus"
    synth.generate(out, sources=SOURCES, facts=FACTS, rate=RATE, seed=SEED)
    return out


@pytest.fixture(scope="module")
def outcome(corpus: Path) -> engine.Outcome:
    return engine.run(corpus)


@pytest.fixture(scope="module")
def truth(corpus: Path) -> list[dict]:
    return json.loads((corpus / "ground_truth.json").read_text(encoding="utf-8"))


def test_layout_follows_the_bundled_corpus(corpus: Path) -> None:
    seeds = sorted(p.stem for p in (corpus / "seeds").glob("*.md"))
    facts = sorted(p.stem for p in (corpus / "facts").glob("*.yaml"))
    assert len(seeds) == SOURCES
    assert facts == sorted([*seeds, "entities", "metrics"])  # one facts file per source
    assert list((corpus / "checks" / "rules").glob("*.yaml"))
    assert (corpus / "checks" / "acknowledged.yaml").read_text() == "acknowledged: []\n"


def test_loads_with_no_input_errors(corpus: Path) -> None:
    c = load_corpus(corpus)
    assert c.problems == []
    assert not c.unreadable
    assert len(c.facts) == FACTS
    assert len(c.sources) == SOURCES
    per_source = [sum(f.source == s for f in c.facts) for s in c.sources]
    assert min(per_source) >= FACTS // SOURCES // 2, per_source


def test_shape(corpus: Path, outcome: engine.Outcome) -> None:
    facts = outcome.corpus.facts
    values = " ".join(f.value for f in facts)
    for word in ("超過", "約", "近", "億元", "萬元", "美元", "%"):
        assert word in values, word
    assert any(f.qualifiers for f in facts)
    assert any(f.hedge for f in facts)  # enumerations sharing 超過
    assert any(f.kind == "derived" and f.formula for f in facts)
    assert any(f.kind == "guidance" for f in facts)
    conflicts = outcome.extras["conflicts"]
    assert conflicts["compared"] >= conflicts["groups"] // 2  # most groups have 2+ sources
    rules = outcome.extras["rules"]
    assert rules["rules"] >= 5 and rules["derived"] >= 1


def test_quotes_are_verbatim_except_the_broken_ones(
    outcome: engine.Outcome, truth: list[dict]
) -> None:
    broken = {i for t in truth if t["kind"] == "broken-quote" for i in t["fact_ids"]}
    texts = {sid: fold(s.text) for sid, s in outcome.corpus.sources.items()}
    for f in outcome.corpus.facts:
        assert (fold(f.quote) in texts[f.source]) == (f.id not in broken), f.id


def test_every_injected_discrepancy_is_found(outcome: engine.Outcome, truth: list[dict]) -> None:
    assert {t["kind"] for t in truth} == set(EXPECTED_KIND) == set(synth.INJECTED)
    assert len(truth) == round(RATE * FACTS)
    findings = {f.result.id: f for f in outcome.findings}
    for t in truth:
        hits = [f for i, f in findings.items() if i.startswith(t["expected"])]
        assert hits, f"not found: {t}"
        assert all(f.result.kind == EXPECTED_KIND[t["kind"]] for f in hits), t
        severity = "warning" if t["kind"] in WARNINGS else "error"
        assert all(f.result.severity == severity and f.status == "open" for f in hits), t
        strained = t["kind"].startswith("strained")
        assert all((f.result.verdict == "strained") == strained for f in hits), t
        if EXPECTED_KIND[t["kind"]] in ("invariant", "claim") and t["kind"] not in WARNINGS:
            assert hits[0].result.verdict == "violated", t
        if t["kind"] in ("value-conflict", "last-digit"):
            assert set(t["fact_ids"]) == set(hits[0].result.fact_ids)
        if t["kind"] == "last-digit":  # the values differ in their last written digit only
            values = sorted(f.value for f in outcome.corpus.facts if f.id in t["fact_ids"])
            assert len({len(v) for v in values}) == 1 and values[0] != values[-1], values
        if t["kind"] == "violated-sum":
            assert hits[0].result.verdict == "violated"


def test_no_unexpected_findings(outcome: engine.Outcome, truth: list[dict]) -> None:
    unexpected = [
        f.result.id for f in outcome.findings if not any(explains(t, f.result.id) for t in truth)
    ]
    assert unexpected == []
    errors = [t for t in truth if t["kind"] not in WARNINGS]  # also: the same severity
    assert len(outcome.open_errors) == len(errors) + sum(len(t.get("also", [])) for t in errors)


def test_the_registry_declares_each_kind_of_relation(outcome: engine.Outcome) -> None:
    metrics = outcome.corpus.metrics
    assert {m.aggregation for m in metrics.values()} >= {"flow", "stock", "cumulative"}
    for relation in ("growth_of", "subset_of", "part_of", "ratio_of", "per_period"):
        assert any(getattr(m, relation) for m in metrics.values()), relation
    relations = outcome.extras["invariants"]["relations"]
    assert {"subset_of", "part_of", "flow", "flow-sum", "cumulative", "growth_of",
            "ratio_of", "entity_part_of", "member_of"} <= set(relations)  # fmt: skip
    entities = outcome.corpus.entities.values()
    assert any(e.part_of for e in entities) and any(e.member_of for e in entities)


def test_injected_claims_are_false_by_the_figures(
    outcome: engine.Outcome, truth: list[dict]
) -> None:
    """Each injected claim fact states its claim in its quote, and every source of it is found."""
    facts = {f.id: f for f in outcome.corpus.facts}
    findings = {f.result.id for f in outcome.findings}
    words = {"false-record": ("創歷史新高", "record_high"), "rank-contradicted": ("名", "rank"),
             "count-ignores-members": ("次", "count")}  # fmt: skip
    for t in truth:
        if t["kind"] not in words:
            continue
        word, kind = words[t["kind"]]
        for i in t["fact_ids"]:
            f = facts[i]
            assert f.claim is not None and f.claim.kind == kind, i
            assert word in f.value and f.value in f.quote, i
            assert f"claim:{i}" in findings, i


def test_true_claims_hold(tmp_path: Path) -> None:
    """With nothing injected, every claim of each kind the synth writes holds."""
    out = tmp_path / "claims"
    synth.generate(out, sources=30, facts=1500, rate=0, seed=5)
    result = engine.run(out, expectations=False)
    assert result.findings == []
    facts = {f.id: f for f in result.corpus.facts}
    verdicts: dict[tuple[str, str], set[str]] = {}
    for r in result.results:
        if r.kind == "claim":
            f = facts[r.id.removeprefix("claim:")]
            verdicts.setdefault((f.claim.kind, f.metric), set()).add(r.verdict)  # type: ignore[union-attr]
    assert verdicts == {
        ("record_high", "revenue_growth_yoy"): {"holds"},
        ("record_low", "revenue_growth_yoy"): {"holds"},
        ("record_high", "mau"): {"holds"},
        ("rank", "usage_rank"): {"holds"},
        ("count", "model_releases"): {"holds"},
    }
    # the declared relations have figures to compare, and hold: a product below its company,
    # rankings of series without their own models
    parts = {k for k, e in result.corpus.entities.items() if e.part_of}
    assert any(f.entity in parts and f.metric == "revenue" for f in result.corpus.facts)
    claims = sum(f.claim is not None for f in result.corpus.facts)
    assert 0.02 * len(facts) < claims < 0.1 * len(facts)  # a share of the facts, not all


def test_no_discrepancies_passes_the_gate(tmp_path: Path) -> None:
    out = tmp_path / "clean"
    synth.generate(out, sources=3, facts=120, rate=0, seed=3)
    assert json.loads((out / "ground_truth.json").read_text()) == []
    result = engine.run(out, expectations=False)
    assert result.findings == []
    assert result.exit_code == engine.EXIT_OK


def test_deterministic_for_a_seed(tmp_path: Path, corpus: Path) -> None:
    again = tmp_path / "again"
    synth.generate(again, sources=SOURCES, facts=FACTS, rate=RATE, seed=SEED)
    assert tree_digest(again) == tree_digest(corpus)
    other = tmp_path / "other"
    synth.generate(other, sources=SOURCES, facts=FACTS, rate=RATE, seed=SEED + 1)
    assert tree_digest(other) != tree_digest(corpus)


@pytest.mark.parametrize("sources,facts", [(1, 7), (3, 0), (12, 75)])
def test_any_size(tmp_path: Path, sources: int, facts: int) -> None:
    got = synth.generate(tmp_path / "c", sources=sources, facts=facts, rate=0.1, seed=1)
    c = load_corpus(tmp_path / "c")
    assert c.problems == []
    assert got.facts == len(c.facts) == facts
    assert len(c.sources) == sources


def test_cli(tmp_path: Path, capsys) -> None:
    out = tmp_path / "cli"
    args = ["synth", "--sources", "2", "--facts", "30", "--seed", "1"]
    assert cli.main([*args, str(out)]) == 0
    assert "wrote 30 facts from 2 sources" in capsys.readouterr().out
    assert cli.main([*args, str(out)]) == 2  # not empty
    assert "not empty" in capsys.readouterr().err
    assert cli.main([*args, "--force", str(out)]) == 0
    assert cli.main(["synth", "--sources", "0", "--facts", "3", str(tmp_path / "x")]) == 2
    assert cli.main(["synth", "--sources", "1", "--facts", "3", "--discrepancy-rate", "2",
                     str(tmp_path / "y")]) == 2  # fmt: skip
