"""The corpus as pytest items: one per input file, per source, per check and per finding.

Every item looks up results of one engine run; the failure text is the finding itself.
"""

from __future__ import annotations

import pytest

from factledger.pytest_plugin import assert_clean, corpus_root, outcome_for

OUTCOME = outcome_for(corpus_root())
RESULTS = OUTCOME.results


def _of(kind: str, **match) -> list:
    return [
        r for r in RESULTS
        if r.kind == kind and all(getattr(r, k) == v for k, v in match.items())
    ]  # fmt: skip


# Rule files' own input problems are reported by their collector, next to their rules.
INPUT_FILES = sorted(f for f in OUTCOME.corpus.files if not f.startswith("checks/rules/"))


@pytest.mark.parametrize("file", INPUT_FILES)
def test_input(file: str) -> None:
    """The file reads cleanly: YAML, fields, types, registry keys, periods, values."""
    assert_clean(OUTCOME, _of("input", file=file))


def test_schema() -> None:
    """The facts table matches its pandera schema (all failure cases listed)."""
    assert_clean(OUTCOME, _of("schema"))


def test_expectations() -> None:
    """Domain expectations (great-expectations): shares, growth, magnitudes, ids, dates."""
    assert_clean(OUTCOME, _of("expectation"))


SOURCES = sorted(OUTCOME.corpus.sources)


@pytest.mark.parametrize("source", SOURCES)
def test_provenance(source: str) -> None:
    """Every quote is in the source; every value is a span of its quote."""
    ids = {f.id for f in OUTCOME.corpus.facts if f.source == source}
    assert_clean(OUTCOME, [r for r in _of("provenance") if set(r.fact_ids) & ids])


@pytest.mark.parametrize("source", SOURCES)
def test_coverage(source: str) -> None:
    """Every numeric mention is a fact or ignored with a reason (enforced when complete)."""
    src = OUTCOME.corpus.sources[source]
    assert_clean(
        OUTCOME,
        [
            r
            for r in _of("coverage")
            if r.file in (src.file, None) or r.id.startswith(f"coverage:{source}:")
        ],
    )


CONFLICT_IDS = sorted(r.id for r in _of("conflict") if not r.passed)


@pytest.mark.parametrize("finding", CONFLICT_IDS)
def test_conflict(finding: str) -> None:
    """A cross-source disagreement: fails until reviewed in checks/acknowledged.yaml."""
    assert_clean(OUTCOME, [r for r in _of("conflict") if r.id == finding])


INVARIANT_IDS = sorted(r.id for r in _of("invariant") if not r.passed)


if INVARIANT_IDS:  # no item (and no "empty parameter set" skip) when no invariant fails

    @pytest.mark.parametrize("finding", INVARIANT_IDS)
    def test_invariant(finding: str) -> None:
        """A relation declared in facts/metrics.yaml that these facts break: fails until fixed
        or reviewed in checks/acknowledged.yaml."""
        assert_clean(OUTCOME, [r for r in _of("invariant") if r.id == finding])


DERIVED = sorted(r.id for r in RESULTS if r.kind == "rule" and r.id.startswith("rule:derived:"))


@pytest.mark.parametrize("rule", DERIVED)
def test_derived(rule: str) -> None:
    """A writer's own computation, recomputed from the facts it was derived from."""
    assert_clean(OUTCOME, [r for r in RESULTS if r.id == rule])


def test_acknowledgements() -> None:
    """Every acknowledgement still matches the finding it reviewed (else it is stale)."""
    assert_clean(OUTCOME, _of("acknowledgement"))


CLAIM_IDS = sorted(r.id for r in _of("claim") if not r.passed)

if CLAIM_IDS:  # no item when no claim fails

    @pytest.mark.parametrize("finding", CLAIM_IDS)
    def test_claim(finding: str) -> None:
        """A claim that is not one number (創歷史新高, 顯著高於, 第二名) the corpus contradicts."""
        assert_clean(OUTCOME, [r for r in _of("claim") if r.id == finding])


# Findings of checks added by this corpus (``pytest_plugin.add_checks``), one item each.
KNOWN_KINDS = {
    "input",
    "schema",
    "expectation",
    "provenance",
    "coverage",
    "rule",
    "invariant",
    "conflict",
    "claim",
}
OTHER_IDS = sorted(
    r.id for r in RESULTS if r.kind not in KNOWN_KINDS | {"acknowledgement"} and not r.passed
)


if OTHER_IDS:  # no item (and no "empty parameter set" skip) when the corpus adds no check

    @pytest.mark.parametrize("finding", OTHER_IDS)
    def test_other_check(finding: str) -> None:
        """A finding of a check this corpus adds to the default ones."""
        assert_clean(OUTCOME, [r for r in RESULTS if r.id == finding])
