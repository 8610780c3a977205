"""The strict loader: every bad-input class gives a located error, and hides nothing else."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factledger.load import load_corpus, yamlnodes

from .conftest import FACTS, edit_facts, write_mini


def problems(root: Path) -> list[str]:
    return [f"{r.where}: {r.message}" for r in load_corpus(root).problems]


def test_clean_corpus_loads(mini: Path) -> None:
    corpus = load_corpus(mini)
    assert problems(mini) == []
    assert [f.id for f in corpus.facts] == ["m-rev-q1", "m-rev-q2", "m-dau-q3"]
    q2 = corpus.facts[1]
    assert (q2.file, q2.line) == ("facts/mini.yaml", 10)
    assert q2.interval is not None and q2.interval.lo == 2.5e8 and q2.interval.lo_open
    assert q2.stated.text == "2025-11-27"  # defaults to the source's published date


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '    quote: "快手Q3',
            '    qoute: "快手Q3',
            "facts/mini.yaml:24: qoute: unknown field in a fact (did you mean 'quote'?)",
        ),
        (
            "entity: kuaishou",
            "entity: kuaishu",
            "facts/mini.yaml:19: entity: unknown entity 'kuaishu' (did you mean 'kuaishou'?)",
        ),
        (
            'period: "2025Q3"',
            'period: "2025Q5"',
            "facts/mini.yaml:21: period: '2025Q5' is not a period",
        ),
        (
            'value: "4.16億"',
            'value: "四點幾億"',
            "facts/mini.yaml:22: value: cannot read '四點幾億'",
        ),
        (
            'kind: actual\n    quote: "快手',
            'kind: rumour\n    quote: "快手',
            "facts/mini.yaml:23: kind: 'rumour' is not one of",
        ),
        ("id: m-dau-q3", "id: m-rev-q1", "facts/mini.yaml:18: id: duplicate fact id 'm-rev-q1'"),
        (
            "    metric: dau\n",
            "    metric: dau\n    metric: revenue\n",
            "facts/mini.yaml:21: metric: duplicate key (first at line 20)",
        ),
        (
            'value: "4.16億"',
            "value: [4.16億]",
            "facts/mini.yaml:22: value: expected text, got a seq",
        ),
        (
            "    entity: kuaishou\n",
            "    entity: kuaishou\n    qualifiers: [a, b]\n",
            "facts/mini.yaml:20: qualifiers: expected a mapping of text to text",
        ),
        (
            '    value: "4.16億"\n',
            "",
            "facts/mini.yaml:18: value: missing required field of a fact",
        ),
        (
            "id: m-dau-q3",
            "id: !!python/object:os.system x",
            "facts/mini.yaml:18: tag tag:yaml.org,2002:python/object:os.system is not allowed",
        ),
    ],
)
def test_bad_input_is_located(mini: Path, old: str, new: str, expected: str) -> None:
    edit_facts(mini, old, new)
    found = problems(mini)
    assert any(p.startswith(expected) for p in found), found
    # the other facts still load: one bad fact hides nothing else
    ids = {f.id for f in load_corpus(mini).facts}
    assert {"m-rev-q1", "m-rev-q2"} <= ids


def test_errors_are_collected_not_first_only(mini: Path) -> None:
    edit_facts(mini, "entity: kuaishou", "entity: nobody")
    edit_facts(mini, 'period: "2025Q2"', 'period: "2025-13"')
    edit_facts(mini, "    hedge:", "    hegde:")
    found = problems(mini)
    assert len(found) == 3, found


def test_unquoted_dates_and_years_are_refused(mini: Path) -> None:
    # YAML reads them as a date and a number; a period is text (tests/test_integrity.py)
    edit_facts(mini, 'period: "2025Q3"', "period: 2025-09-30")
    edit_facts(mini, 'period: "2025Q2"', "period: 2025")
    assert problems(mini) == [
        "facts/mini.yaml:13: period: 2025 is a YAML number, not a period: "
        "write FY2025, or quote it",
        "facts/mini.yaml:21: period: 2025-09-30 is a YAML date, not a period: quote it",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "facts/broken.yaml:1: empty file"),
        (b"\xff\xfe\x00b", "facts/broken.yaml: binary file"),
        (b"source: mini\nfacts: [\xe9t\xe9]\n", "facts/broken.yaml: not UTF-8 text"),
        (b"source: mini\nfacts: [\n", "facts/broken.yaml:3: YAML syntax"),
        (b"- just\n- a list\n", "facts/broken.yaml:1: expected a mapping"),
    ],
)
def test_broken_file_hides_nothing_else(mini: Path, content: bytes, expected: str) -> None:
    (mini / "facts" / "broken.yaml").write_bytes(content)
    corpus = load_corpus(mini)
    found = [f"{r.where}: {r.message}" for r in corpus.problems]
    assert any(p.startswith(expected) for p in found), found
    assert len(corpus.facts) == 3


def test_alias_bomb_is_refused_quickly(mini: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]
    (mini / "facts" / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = time.perf_counter()
    found = problems(mini)
    assert time.perf_counter() - start < 30  # a guard against hanging, not a benchmark
    assert any("aliases" in p for p in found)


def test_size_cap(mini: Path) -> None:
    (mini / "factledger.toml").write_text("[limits]\nmax_yaml_bytes = 100\n", "utf-8")
    (mini / "facts" / "big.yaml").write_text("source: mini\nfacts: []\n" + "#" * 200, "utf-8")
    assert any("over the 100-byte cap (limits.max_yaml_bytes" in p for p in problems(mini))


def test_unknown_source(mini: Path) -> None:
    (mini / "facts" / "other.yaml").write_text(
        FACTS.replace("source: mini", "source: nope").replace("id: m-", "id: o-"), encoding="utf-8"
    )
    assert "facts/other.yaml:1: source: unknown source 'nope' (no seeds/nope.md)" in problems(mini)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    try:
        _node, local = yamlnodes.parse(text)
    except yamlnodes.YamlProblem as exc:
        assert exc.message
    else:
        assert all(p.message for p in local)


yaml_ish = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(yaml_ish)
def test_arbitrary_yaml_fact_file_gives_located_errors(tmp_path_factory, doc) -> None:
    import yaml

    root = write_mini(tmp_path_factory.mktemp("fuzz"))
    (root / "facts" / "fuzz.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    corpus = load_corpus(root)  # must not raise
    for r in corpus.problems:
        assert r.file and r.message
