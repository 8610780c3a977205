"""Curator-mistake mutation tests: break one fact at a time the way a curator would and check
that the checks notice, naming the file and line to fix.

The pure mutation functions are tested on the mini corpus; the detection floors on a seeded
sample of at most 50 applicable facts per kind of the bundled corpus (about 40 s on 2 cores:
one private copy, one engine run of ~0.1 s per mutation). ``scripts/mutation_report.py`` runs
every applicable fact and prints the rates ``docs/mutations.md`` records.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from factledger.devtools import mutations as mut
from factledger.devtools.mutations import Detection, KindReport, Workspace

from .conftest import FACTS, PROJECT, write_mini

SAMPLE = 50
SEED = 20251127  # same default as scripts/mutation_report.py, so --sample 50 reproduces a run

# Detection floors, fixed here. 100% where a check looks at exactly the mutated text (value and
# quote are spans, ids are unique); the others are measured (full run of every applicable fact,
# scripts/mutation_report.py, see docs/mutations.md) and set a little below, so a regression in a
# check fails while a new fact that escapes for a known reason does not.
FLOORS: dict[str, float] = {
    "changed_value": 1.0,
    "quote_not_in_source": 1.0,
    "duplicated_id": 1.0,
    "wrong_currency": 0.95,  # measured 68/68 = 100%: the value is no longer a span of the quote
    "hedge_added": 0.95,  # measured 153/153 = 100%: 超過 is not in the quote before the number
    # measured 162/288 = 56.2%: caught when the quote names the period (period_text) or another
    # fact or rule looks at the new period; a period inferred from 今年/目前 escapes
    "swapped_period": 0.40,
    # measured 84/84 = 100%: provenance reports a hedge the quote puts next to the value
    "hedge_dropped": 0.95,
}
# Kinds whose every detection must name the mutated fact itself (its file, a line of it).
LOCATED = ("changed_value", "quote_not_in_source", "duplicated_id")
WHERE_RE = re.compile(r"^[^:]+:\d+$")


# --- the pure mutations, on the mini corpus ------------------------------------------------------

IGNORE = """ignore:
  - mention: "Q3"
    reason: period label
"""
MINI = FACTS + IGNORE


def _changed(before: str, after: str) -> list[int]:
    return mut.changed_lines(before, after)[0]


def _fact(text: str, fact_id: str) -> dict:
    doc = yaml.safe_load(text)
    [fact] = [f for f in doc["facts"] if f["id"] == fact_id]
    return fact


def test_changed_value_edits_only_the_value_line() -> None:
    out = mut.changed_value(MINI, "m-rev-q1")
    assert out is not None
    block = mut.layout(MINI).blocks["m-rev-q1"]
    assert _changed(MINI, out) == [block.fields["value"].line]
    fact = _fact(out, "m-rev-q1")
    assert fact["value"] == "超過1.6億元"
    assert fact["value"] not in fact["quote"]


def test_changed_value_skips_a_digit_that_would_still_be_quoted() -> None:
    # 2.4億元 → 2.5億元 would still be a span of the quote (it says 2.5億元): take the next digit
    text = MINI.replace('value: "2.5億元"', 'value: "2.4億元"')
    out = mut.changed_value(text, "m-rev-q2")
    assert out is not None
    assert _fact(out, "m-rev-q2")["value"] == "2.6億元"


def test_changed_value_needs_a_digit() -> None:
    text = MINI.replace('value: "4.16億"', 'value: "四億"')
    assert mut.changed_value(text, "m-dau-q3") is None


def test_quote_not_in_source_keeps_the_value_in_the_quote() -> None:
    out = mut.quote_not_in_source(MINI, "m-dau-q3")
    assert out is not None
    block = mut.layout(MINI).blocks["m-dau-q3"]
    assert _changed(MINI, out) == [block.fields["quote"].line]
    fact = _fact(out, "m-dau-q3")
    assert fact["quote"] != "快手Q3日活4.16億。"
    assert fact["value"] in fact["quote"]


def test_swapped_period_takes_a_siblings_period() -> None:
    out = mut.swapped_period(MINI, "m-rev-q1")
    assert out is not None
    assert _fact(out, "m-rev-q1")["period"] == "2025Q2"  # the other kling.revenue of the file


def test_swapped_period_shifts_when_there_is_no_sibling() -> None:
    out = mut.swapped_period(MINI, "m-dau-q3")
    assert out is not None
    assert _fact(out, "m-dau-q3")["period"] == "2025Q2"


@pytest.mark.parametrize(
    ("period", "shifted"),
    [
        ("2025Q1", "2024Q4"),
        ("2025H1", "2024H2"),
        ("FY2025", "FY2024"),
        ("2025", "2024"),
        ("2025-01", "2024-12"),
        ("2025-03-01", "2025-02-28"),
        ("2024-06..2025-02", "2024-05..2025-01"),
        ("not a period", None),
    ],
)
def test_shift_period(period: str, shifted: str | None) -> None:
    assert mut.shift_period(period) == shifted


def test_wrong_currency() -> None:
    out = mut.wrong_currency(MINI, "m-rev-q1")
    assert out is not None
    assert _fact(out, "m-rev-q1")["value"] == "超過1.5億美元"
    assert mut.wrong_currency(MINI, "m-dau-q3") is None  # no currency written


def test_duplicated_id_goes_at_the_end_of_the_facts_list() -> None:
    out = mut.duplicated_id(MINI, "m-rev-q1")
    assert out is not None
    doc = yaml.safe_load(out)
    assert [f["id"] for f in doc["facts"]] == ["m-rev-q1", "m-rev-q2", "m-dau-q3", "m-rev-q1"]
    assert doc["ignore"] == yaml.safe_load(MINI)["ignore"]
    lay = mut.layout(MINI)
    before, after = MINI.splitlines(), out.splitlines()
    assert after[: lay.facts_end] == before[: lay.facts_end]  # every fact keeps its lines


def test_a_fact_ends_at_its_last_field_not_at_the_next_comment() -> None:
    text = MINI.replace(
        '    quote: "快手Q3日活4.16億。"\n',
        '    quote: "快手Q3日活4.16億。"\n    note: >-\n      two\n      lines\n\n  # --- next\n',
    )
    block = mut.layout(text).blocks["m-dau-q3"]
    lines = text.splitlines()
    assert lines[block.start - 1] == "  - id: m-dau-q3"
    assert lines[block.end - 1] == "      lines"
    out = mut.duplicated_id(text, "m-dau-q3")
    assert out is not None
    copy = yaml.safe_load(out)["facts"][-1]
    assert copy["id"] == "m-dau-q3" and copy["note"] == "two lines"
    assert out.count("# --- next") == 1


def test_hedge_dropped() -> None:
    out = mut.hedge_dropped(MINI, "m-rev-q1")
    assert out is not None
    assert _fact(out, "m-rev-q1")["value"] == "1.5億元"
    assert mut.hedge_dropped(MINI, "m-dau-q3") is None  # no hedge in the value
    assert mut.hedge_dropped(MINI.replace('"4.16億"', '"4億以上"'), "m-dau-q3") is not None


def test_hedge_added() -> None:
    out = mut.hedge_added(MINI, "m-dau-q3")
    assert out is not None
    assert _fact(out, "m-dau-q3")["value"] == "超過4.16億"
    assert mut.hedge_added(MINI, "m-rev-q1") is None  # already hedged
    assert mut.hedge_added(MINI, "m-rev-q2") is None  # shares the enumeration's hedge: field


def test_unknown_fact_is_not_applicable() -> None:
    for fn in mut.MUTATIONS.values():
        assert fn(MINI, "no-such-fact") is None


def test_run_mutation_on_a_fresh_copy(tmp_path: Path) -> None:
    root = write_mini(tmp_path / "corpus")
    before = (root / "facts" / "mini.yaml").read_bytes()
    with Workspace(root) as ws:
        fact = next(f for f in ws.corpus.facts if f.id == "m-rev-q1")
    d = mut.run_mutation(root, "changed_value", fact)
    assert d is not None and d.detected and d.located and d.gate
    assert d.where == f"facts/mini.yaml:{fact.line_of('value')}"
    assert "provenance" in d.by
    assert (root / "facts" / "mini.yaml").read_bytes() == before  # the corpus itself untouched


# --- detection floors on the bundled corpus ------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = Workspace(PROJECT, work=tmp_path_factory.mktemp("mutations") / "corpus")
    yield ws
    ws.close()


def _sample(ws: Workspace, kind: str) -> list:
    facts = ws.applicable(kind)
    if len(facts) <= SAMPLE:
        return facts
    return random.Random(f"{SEED}:{kind}").sample(facts, SAMPLE)


def _escape(d: Detection) -> str:
    return f"  {d.fact_id} ({d.fact_where}): {d.change}"


@pytest.mark.parametrize("kind", mut.KINDS)
def test_detection_floor(workspace: Workspace, kind: str) -> None:
    facts = _sample(workspace, kind)
    assert facts, f"no fact of the corpus is open to {kind}"
    report = KindReport(kind, [d for f in facts if (d := workspace.run(kind, f)) is not None])
    assert report.applicable == len(facts)
    floor = FLOORS[kind]
    escapes = "\n".join(_escape(d) for d in report.misses)
    assert report.rate >= floor, (
        f"{kind}: {len(report.detected)}/{report.applicable} detected ({report.rate:.0%}), "
        f"floor {floor:.0%}; escapes:\n{escapes}"
    )
    # every detection names a file and a line a curator can open
    unnamed = [d.fact_id for d in report.detected if not (d.where and WHERE_RE.match(d.where))]
    assert not unnamed, f"{kind}: detections without file:line: {unnamed}"
    if kind in LOCATED:
        elsewhere = [f"{d.fact_id} ({d.fact_where}) → {d.where}" for d in report.detected
                     if not d.located]  # fmt: skip
        assert not elsewhere, f"{kind}: detections not at the mutated fact:\n" + "\n".join(
            elsewhere
        )
    # the workspace is restored after every mutation: the next one starts from the corpus
    for rel, text in workspace.texts.items():
        assert (workspace.work / rel).read_bytes().decode("utf-8") == text


def test_located_detections_point_into_the_fact(workspace: Workspace) -> None:
    """A located detection of a value edit names the value's own line."""
    fact = workspace.applicable("changed_value")[0]
    d = workspace.run("changed_value", fact)
    assert d is not None and d.where == f"{fact.file}:{fact.line_of('value')}"
    fact = workspace.applicable("duplicated_id")[0]
    d = workspace.run("duplicated_id", fact)
    block = mut.layout(workspace.texts[fact.file])
    assert d is not None and d.where == f"{fact.file}:{block.facts_end + 1}"  # the copy's id line
