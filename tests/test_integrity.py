"""The gate must not pass wrong data (issue 13): each rule reproduces a wrong pass the gate used to
let through, on the mini corpus or a copy of the bundled one, and checks it is refused now."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factledger import engine, report
from factledger.checks.provenance import check_fact, hedge_stands_by
from factledger.cli import main
from factledger.load import load_corpus
from factledger.load.rules import load_rule_text
from factledger.mentions import whole_mention_spans
from factledger.model import Fact, Period, Result, Source
from factledger.period import is_period_mention
from factledger.text import clause_bounds, fold, is_clause

from .conftest import edit_facts, write_mini

# --- helpers -----------------------------------------------------------------------------------

BODY = (
    "今年Q1、Q2、Q3,可靈收入分別超過1.5億元、2.5億元、3億元。"
    "對此,快手管理在第三季電話會上宣佈,上調可靈全年收入預期至1.4億美元,約合人民幣10億元,"
    "較年初目標(6000萬美元)增長超過一倍。\n"
    "據悉,可靈的年化收入已達5000萬元,付費比例達60%。番茄小說MAU達到2.45億。"
    "今年一季度收入1.5億元,二季度收入1.5億元,三季度收入超過1.5億元。12月月活7.3億。"
)
SOURCE = Source(
    "s",
    "標題10億",
    BODY,
    "測試",
    "zh-Hant",
    Period("2025-11-27", date(2025, 11, 27), date(2025, 11, 27)),
    "test",
    "complete",
    "seeds/s.md",
)
FY = Period("FY2025", date(2025, 1, 1), date(2025, 12, 31))
FACT = Fact(
    id="f",
    source="s",
    entity="kling",
    metric="revenue",
    period=Period("2025Q2", date(2025, 4, 1), date(2025, 6, 30)),
    value="2.5億元",
    kind="actual",
    quote="今年Q1、Q2、Q3,可靈收入分別超過1.5億元、2.5億元、3億元。",
    stated=FY,
    file="facts/s.yaml",
    line=3,
    hedge="超過",
    field_lines={"value": 7, "quote": 9, "hedge": 8, "period_text": 10},
)


def failures(fact: Fact) -> list[str]:
    return [r.message for r in check_fact(fact, SOURCE, fold(SOURCE.text)) if not r.passed]


def input_errors(root: Path) -> list[Result]:
    return [r for r in load_corpus(root).problems if r.severity == "error"]


def messages(root: Path) -> list[str]:
    return [f"{r.where}: {r.message}" for r in input_errors(root)]


def test_the_reference_fact_passes() -> None:
    assert failures(FACT) == []


# --- the value is a whole number of the quote, at a known place -----------------------------------


def test_a_value_inside_another_number_is_refused() -> None:
    quote = "據悉,可靈的年化收入已達5000萬元,付費比例達60%。"
    [msg] = failures(replace(FACT, quote=quote, value="0%", hedge=None, period=FY))
    assert msg == "value: '0%' is not a whole number of the quote: it cuts the number 60"
    [msg] = failures(replace(FACT, quote=quote, value="000萬元", hedge=None, period=FY))
    assert "cuts the number 5000" in msg


def test_a_value_from_inside_a_decimal_is_refused() -> None:
    [msg] = failures(replace(FACT, value="5億元", hedge="超過"))
    assert msg.startswith("value: '5億元' is not a whole number of the quote")


def test_whole_mention_spans_count_only_whole_numbers() -> None:
    quote = fold("今年一季度收入1.5億元,二季度收入1.5億元,三季度收入超過1.5億元,共11.5億元。")
    assert len(whole_mention_spans(quote, "1.5億元")) == 3  # not the one inside 11.5億元
    assert whole_mention_spans(quote, "5億元") == ()
    # numbers in words the mention finder does not count only have to cut none
    assert whole_mention_spans(fold("撐起了兆的GMV。"), "兆") == ((3, 4),)


TWICE = "今年一季度收入1.5億元,二季度收入1.5億元,三季度收入超過1.5億元。"


def _mini_twice(root: Path, occurrence: str = "") -> Path:
    """The mini corpus with a seed sentence that holds 1.5億元 three times."""
    write_mini(root)
    seed = root / "seeds" / "mini.md"
    seed.write_text(seed.read_text(encoding="utf-8") + TWICE + "\n", encoding="utf-8")
    edit_facts(
        root,
        "  - id: m-dau-q3",
        "  - id: m-rev-q2-again\n    entity: kling\n    metric: revenue\n"
        f'    period: "2025Q2"\n    value: "1.5億元"\n{occurrence}    kind: actual\n'
        f'    quote: "{TWICE}"\n  - id: m-dau-q3',
    )
    return root


def test_an_ambiguous_value_needs_an_occurrence(tmp_path: Path) -> None:
    root = _mini_twice(tmp_path / "c")
    assert messages(root) == [
        "facts/mini.yaml:22: value: '1.5億元' is 3 numbers of the quote: say which with "
        "occurrence: 1..3"
    ]


def test_occurrence_picks_the_place_and_is_checked(tmp_path: Path) -> None:
    root = _mini_twice(tmp_path / "a", "    occurrence: 2\n")
    assert messages(root) == []
    fact = next(f for f in load_corpus(root).facts if f.id == "m-rev-q2-again")
    assert fact.occurrence == 2
    for bad, expected in [
        ("4", "occurrence: 4, but the quote holds '1.5億元' 3 times"),
        ("0", "occurrence: '0' is not a positive whole number"),
        ("second", "occurrence: 'second' is not a positive whole number"),
    ]:
        root = _mini_twice(tmp_path / bad, f"    occurrence: {bad}\n")
        [msg] = messages(root)
        assert msg.startswith("facts/mini.yaml:23: " + expected), msg


def test_the_occurrence_is_where_a_dropped_hedge_is_looked_for() -> None:
    fact = replace(FACT, quote=TWICE, value="1.5億元", hedge=None)
    assert failures(replace(fact, occurrence=2)) == []
    [msg] = failures(replace(fact, occurrence=3))
    assert msg.startswith("value: the quote says '超過' next to '1.5億元'")


# --- period_text and hedge are where they claim to be ---------------------------------------------


def test_a_quantity_is_not_a_period_text() -> None:
    fact = replace(FACT, quote="番茄小說MAU達到2.45億。", value="2.45億", hedge=None, period=FY)
    [msg] = failures(replace(fact, period_text=("2.45億",)))
    assert msg.startswith("period_text: '2.45億' is not a mention a period can be read from")


def test_a_period_text_inside_a_longer_number_is_refused() -> None:
    fact = replace(FACT, quote="12月月活7.3億。", value="7.3億", hedge=None, period=FY)
    [msg] = failures(replace(fact, period_text=("2月",)))
    assert msg == "period_text: '2月' is part of a longer number in the quote"
    assert failures(replace(fact, period_text=("12月",))) == []


def test_a_hedge_elsewhere_in_the_sentence_is_refused() -> None:
    quote = (
        "對此,快手管理在第三季電話會上宣佈,上調可靈全年收入預期至1.4億美元,約合人民幣10億元,"
        "較年初目標(6000萬美元)增長超過一倍。"
    )
    fact = replace(FACT, quote=quote, value="1.4億美元", hedge="超過", period=FY)
    [msg] = failures(fact)
    assert msg.startswith("hedge: '超過' does not qualify '1.4億美元' in the quote")
    # 約 of 約合人民幣10億元 does qualify 10億元
    assert failures(replace(fact, value="10億元", hedge="約")) == []


@pytest.mark.parametrize(
    ("quote", "value", "hedge", "ok"),
    [
        ("收入分別超過1.5億元、2.5億元、3億元", "3億元", "超過", True),  # shared by the list
        ("收入分別超過1.5億元、2.5億元、3億元", "1.5億元", "超過", True),
        ("收入約為180億元、98億元、48億元", "98億元", "約", True),
        ("使用者規模已經突破了2200萬人", "2200萬人", "突破", True),
        ("佔比30%以上", "30%", "以上", True),
        ("收入超過1億元", "超過1億元", "超過", True),  # the value carries it itself
        ("增長超過一倍,收入1.4億美元", "1.4億美元", "超過", False),
        ("收入不超過1億元", "1億元", "超過", False),  # 超過 is the tail of 不超過
        ("收入超過A公司、B公司、1億元", "1億元", "超過", False),  # items without numbers
    ],
)
def test_hedge_stands_by(quote: str, value: str, hedge: str, ok: bool) -> None:
    q = fold(quote)
    [(start, end)] = whole_mention_spans(q, fold(value))
    assert hedge_stands_by(q, start, end, hedge) is ok


PERIOD_MENTIONS = [
    "Q3", "2025Q3", "第三季", "第三季度", "前三季度", "前三季", "上半年", "2024下半年", "H1",
    "2025年", "2025", "2025全年", "今年", "去年", "9月23日", "11月27日", "今年4月15日",
    "2025年2月底", "2024年6月", "2025年第一季度", "2024年三季報", "一季報", "2024年雙11",
    "一個月前", "兩個月前", "過去一年", "隨後4個交易日", "第三季電話會", "上個月",
]  # fmt: skip
NOT_PERIOD_MENTIONS = [
    "2.45億", "300萬人", "1.5億元", "60%", "Q5", "第三", "5年", "12", "數十萬", "可靈Q3",
    "兩到三個", "第二名", "13月", "32日",
]  # fmt: skip


@pytest.mark.parametrize("text", PERIOD_MENTIONS)
def test_period_mentions(text: str) -> None:
    assert is_period_mention(text)


@pytest.mark.parametrize("text", NOT_PERIOD_MENTIONS)
def test_not_period_mentions(text: str) -> None:
    assert not is_period_mention(text)


_years = st.integers(1900, 2099).map(str)
_relative_years = st.sampled_from(["今年", "去年", "明年", "同年"])
_parts = st.one_of(
    st.integers(1, 4).map(lambda q: f"Q{q}"),
    st.sampled_from(["第一季度", "第二季", "三季度", "前三季度", "上半年", "下半年", "全年"]),
    st.builds(
        lambda m, d, tail: f"{m}月" + (f"{d}日" if d else "") + tail,
        st.integers(1, 12),
        st.one_of(st.none(), st.integers(1, 31)),
        st.sampled_from(["", "底", "初", "中旬"]),
    ),
)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.tuples(st.one_of(_years.map(lambda y: y + "年"), _years, _relative_years), _parts),
        st.tuples(st.just(""), _parts),
        st.tuples(_years.map(lambda y: y + "年"), st.just("")),
    ),
    st.sampled_from(["", "財報", "期間", "電話會"]),
)
def test_calendar_expressions_are_period_mentions(parts: tuple[str, str], event: str) -> None:
    assert is_period_mention("".join(parts) + event)


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False).map(str),
    st.sampled_from(["億", "萬", "千", "億元", "萬人", "%", "元", "美元", "倍", "家", "人"]),
)
def test_quantities_are_not_period_mentions(number: str, unit: str) -> None:
    assert not is_period_mention(number + unit)


# --- a quote identifies its claim: whole clauses --------------------------------------------------


def test_a_quote_cut_out_of_a_clause_is_refused_with_the_clause() -> None:
    fact = replace(FACT, quote="5000萬元", value="5000萬元", hedge=None, period=FY)
    [msg] = failures(fact)
    assert msg.startswith("quote: not whole clauses of the source")
    assert msg.endswith("the whole clause is 「可靈的年化收入已達5000萬元」")
    assert failures(replace(fact, quote="可靈的年化收入已達5000萬元")) == []
    assert failures(replace(fact, quote="可靈的年化收入已達5000萬元,")) == []
    assert failures(replace(fact, quote="據悉,可靈的年化收入已達5000萬元,付費比例達60%。")) == []


def test_a_quote_at_a_line_start_or_the_title_is_whole() -> None:
    # the title is the first line of the source; the body's paragraphs are lines too
    fact = replace(FACT, quote="標題10億", value="10億", hedge=None, period=FY)
    assert failures(fact) == []
    assert failures(replace(fact, quote="10億")) != []


@pytest.mark.parametrize(
    ("text", "quote", "ok"),
    [
        ("甲。收入1.5億元,增長。", "收入1.5億元", True),
        ("甲。收入1.5億元,增長。", "5億元,增長。", False),  # . inside 1.5 is no delimiter
        ("GMV為3,850億元,增長", "850億元", False),  # , inside 3,850 is no delimiter
        ("GMV為3,850億元,增長", "GMV為3,850億元", True),
        ("收入1億元、2億元、3億元。", "2億元", False),  # 、 separates items, not clauses
        ("他說,“收入超過1億。”據悉,增長。", "“收入超過1億。”", True),
        ("他說,“收入超過1億。”據悉,增長。", "據悉", True),
        ("標題\n第一段收入1億元\n第二段", "第一段收入1億元", True),
        ("甲。 4月底,可靈成立。", "4月底", True),  # whitespace after the delimiter
        ("甲,4%-5%......並且增長", "並且增長", True),
        ("甲…乙。", "乙。", True),  # … folds to ...
    ],
)
def test_is_clause(text: str, quote: str, ok: bool) -> None:
    start = text.index(quote)
    assert is_clause(text, start, start + len(quote)) is ok


def test_clause_bounds_widens_to_the_clause() -> None:
    text = "甲。據悉,可靈的年化收入已達5000萬元,付費比例達60%。乙"
    start = text.index("5000")
    assert text[slice(*clause_bounds(text, start, start + 4))] == "可靈的年化收入已達5000萬元"
    start = text.index("60%")
    assert text[slice(*clause_bounds(text, start, start + 3))] == "付費比例達60%。"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="收入億元12.,、。!?“”「」 \n", min_size=1, max_size=40), st.data())
def test_clause_bounds_is_whole_and_holds_the_span(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    s, e = clause_bounds(text, start, end)
    assert s <= start or not text[start:s].strip()  # only whitespace is dropped at the ends
    assert e >= end or not text[e:end].strip()
    if s < e:
        assert is_clause(text, s, e)
        assert clause_bounds(text, s, e) == (s, e)


# --- dates in order -----------------------------------------------------------------------------


def test_stated_after_publication_is_an_input_error(mini: Path) -> None:
    edit_facts(mini, 'value: "4.16億"', 'value: "4.16億"\n    stated: "2025-12"')
    assert messages(mini) == [
        "facts/mini.yaml:23: stated: 2025-12 is after the source was published (2025-11-27)"
    ]


def test_an_actual_of_a_later_period_is_an_input_error(mini: Path) -> None:
    edit_facts(mini, 'period: "2025Q3"', 'period: "2026Q1"')
    [r] = input_errors(mini)
    assert r.kind == "input" and (r.file, r.line) == ("facts/mini.yaml", 21)
    assert r.message.startswith("period: an actual figure of 2026Q1, which starts after")
    # a projection of the same period is fine
    edit_facts(mini, 'kind: actual\n    quote: "快手Q3', 'kind: forecast\n    quote: "快手Q3')
    assert messages(mini) == []


# --- years are written ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2025", "period: 2025 is a YAML number, not a period: write FY2025, or quote it"),
        ("2025-11-27", "period: 2025-11-27 is a YAML date, not a period: quote it"),
        ("2025.5", "period: 2025.5 is a YAML number, not a period: quote it"),
    ],
)
def test_an_unquoted_period_is_refused(mini: Path, written: str, expected: str) -> None:
    edit_facts(mini, 'period: "2025Q3"', f"period: {written}")
    assert messages(mini) == [f"facts/mini.yaml:21: {expected}"]


def test_an_unquoted_stated_date_is_refused(mini: Path) -> None:
    edit_facts(mini, 'value: "4.16億"', 'value: "4.16億"\n    stated: 2025-11-01')
    assert messages(mini) == [
        "facts/mini.yaml:23: stated: 2025-11-01 is a YAML date, not a period: quote it"
    ]


# --- tolerance is bounded -------------------------------------------------------------------------

RULE = """rules:
  - id: q3-above-q2
    description: Kling's Q2 revenue agrees with itself (a test rule).
    severity: warning
{extra}    assert: kling.revenue@2025Q2 ~ kling.revenue@2025Q2
"""


def rule_problems(extra: str) -> list[str]:
    _rules, problems = load_rule_text(RULE.format(extra=extra), "checks/rules/t.yaml")
    return [f"{r.where}: {r.message}" for r in problems]


def test_a_tolerance_above_the_bound_is_refused() -> None:
    assert rule_problems("    tolerance: 0.5\n") == [
        "checks/rules/t.yaml:5: tolerance: '0.5' is not a relative tolerance in [0, 0.2]"
    ]
    assert rule_problems("    tolerance: 0.5\n    reason: wide\n") == [
        "checks/rules/t.yaml:5: tolerance: '0.5' is not a relative tolerance in [0, 0.2]"
    ]


def test_a_tolerance_above_the_default_needs_a_reason() -> None:
    assert rule_problems("    tolerance: 0.1\n") == [
        "checks/rules/t.yaml:5: tolerance: 0.1 is above the default 0: say why in reason:"
    ]
    assert rule_problems("    reason: no tolerance here\n") == [
        "checks/rules/t.yaml:5: reason: explains a tolerance above the default or reading: sound;"
        " this rule has neither"
    ]
    [rule], problems = load_rule_text(
        RULE.format(extra="    tolerance: 0.1\n    reason: both sides round to 0.1億\n"), "t.yaml"
    )
    assert problems == [] and rule.reason == "both sides round to 0.1億"


def test_the_report_shows_the_reason(mini: Path, tmp_path: Path) -> None:
    (mini / "checks" / "rules").mkdir(parents=True)
    violated = RULE.replace(
        "kling.revenue@2025Q2 ~ kling.revenue@2025Q2", "kuaishou.dau@2025Q3 ~ 5億"
    )  # a finding (4.16億 is not within 10 % of 5億), so the page shows the rule's details
    (mini / "checks" / "rules" / "t.yaml").write_text(
        violated.format(extra="    tolerance: 0.1\n    reason: the writer rounds to tenths\n"),
        encoding="utf-8",
    )
    outcome = engine.run(mini, expectations=False)
    [r] = [r for r in outcome.results if r.id == "rule:q3-above-q2"]
    assert r.data.reason == "the writer rounds to tenths"
    written = report.write_all(outcome, mini, tmp_path / "out")
    doc = json.loads(written["json"].read_text(encoding="utf-8"))
    [data] = [x["data"] for x in doc["results"] if x["id"] == "rule:q3-above-q2"]
    assert data["reason"] == "the writer rounds to tenths"
    assert 'Tolerance <span class="data">10 % — the writer rounds to tenths' in (
        written["html"].read_text(encoding="utf-8")
    )


# --- nothing is silently ignored -----------------------------------------------------------------


def test_yml_rule_files_are_read(mini: Path) -> None:
    (mini / "checks" / "rules").mkdir(parents=True)
    (mini / "checks" / "rules" / "t.yml").write_text(RULE.format(extra=""), encoding="utf-8")
    corpus = load_corpus(mini)
    assert [r.id for r in corpus.rules] == ["q3-above-q2"]
    assert "checks/rules/t.yml" in corpus.files


def test_files_that_are_not_read_are_named(mini: Path, capsys) -> None:
    (mini / "seeds" / "notes.txt").write_text("draft", encoding="utf-8")
    (mini / "facts" / "extra.yml").write_text("source: mini\nfacts: []\n", encoding="utf-8")
    (mini / "facts" / "old").mkdir()
    (mini / "checks" / "rules" / "drafts").mkdir(parents=True)
    (mini / "checks" / "rules" / "rules.txt").write_text("rules: []\n", encoding="utf-8")
    (mini / "checks" / "rules" / ".gitkeep").write_text("", encoding="utf-8")  # git's, no data
    warnings = [r for r in load_corpus(mini).problems if r.severity == "warning"]
    assert sorted((r.file, r.kind, r.message) for r in warnings) == [
        ("checks/rules/drafts", "input",
         "a subfolder the checks do not read: only checks/rules/*.yaml and *.yml are read"),
        ("checks/rules/rules.txt", "input",
         "a file the checks do not read: only checks/rules/*.yaml and *.yml are read"),
        ("facts/extra.yml", "input", "a file the checks do not read: only facts/*.yaml are read"),
        ("facts/old", "input", "a subfolder the checks do not read: only facts/*.yaml are read"),
        ("seeds/notes.txt", "input", "a file the checks do not read: only seeds/*.md are read"),
    ]  # fmt: skip
    # warnings, so the gate still passes, and the CLI lists them
    assert main(["check", "--root", str(mini), "--no-report", "--fast", "-q"]) == 0
    assert "seeds/notes.txt" in capsys.readouterr().out


@pytest.mark.parametrize(
    "seed", [b"\xff\xfe not utf-8", b"---\n- a list\n---\nbody\n"], ids=["bytes", "list"]
)
def test_every_command_exits_2_when_a_seed_cannot_be_read(mini: Path, seed: bytes, capsys) -> None:
    (mini / "seeds" / "broken.md").write_bytes(seed)
    for argv in (
        ["coverage"],
        ["suggest", "mini"],
        ["check", "--no-report", "--fast", "-q"],
        ["explain", "m-dau-q3", "--fast"],
    ):
        assert main([*argv, "--root", str(mini)]) == 2, argv
        out, err = capsys.readouterr()
        assert "seeds/broken.md" in out + err, argv


def test_ack_writes_nothing_while_a_seed_cannot_be_read(mini: Path, capsys) -> None:
    (mini / "checks" / "rules").mkdir(parents=True)
    violated = RULE.replace(
        "kling.revenue@2025Q2 ~ kling.revenue@2025Q2", "kuaishou.dau@2025Q3 ~ 5億"
    )  # an acknowledgeable finding
    (mini / "checks" / "rules" / "t.yaml").write_text(violated.format(extra=""), encoding="utf-8")
    (mini / "seeds" / "broken.md").write_bytes(b"\xff\xfe not utf-8")
    argv = ["ack", "rule:q3-above-q2", "--verdict", "source-error", "--reason", "r"]
    assert main([*argv, "--reviewer", "t", "--fast", "--root", str(mini)]) == 2
    assert "cannot read seeds/broken.md" in capsys.readouterr().err
    assert not (mini / "checks" / "acknowledged.yaml").exists()


# --- ids ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fact_id", "expected"),
    [
        ("M-Dau-Q3", "'M-Dau-Q3' is not an id: lower-case letters, digits and . _ -"),
        ("-m-dau", "'-m-dau' is not an id"),
        ("m dau", "'m dau' is not an id"),
        ("m-" + "x" * 119, "121 characters, over the 120 an id may have"),
    ],
)
def test_fact_ids_are_lower_case_ascii_and_short(mini: Path, fact_id: str, expected: str) -> None:
    edit_facts(mini, "id: m-dau-q3", f'id: "{fact_id}"')
    [msg] = messages(mini)
    assert msg.startswith(f"facts/mini.yaml:18: id: {expected}"), msg


def test_ids_that_collide_after_folding_are_duplicates(mini: Path) -> None:
    edit_facts(mini, "id: m-dau-q3", "id: Ｍ-REV-Q1")  # full-width Ｍ, upper case
    assert "facts/mini.yaml:18: id: duplicate fact id 'Ｍ-REV-Q1' (also at facts/mini.yaml:3)" in (
        messages(mini)
    )


def test_rule_ids_are_lower_case_ascii() -> None:
    assert rule_problems("") == []
    text = RULE.format(extra="").replace("id: q3-above-q2", "id: Kling:Sum")
    _rules, problems = load_rule_text(text, "t.yaml")
    assert [r.message for r in problems] == [
        "id: 'Kling:Sum' is not an id: lower-case letters, digits and . _ - "
        "(starting with a letter or digit)"
    ]


def test_pytest_collects_yml_rule_files(bundled: Path) -> None:
    rules = bundled / "checks" / "rules"
    (rules / "kling-revenue.yaml").rename(rules / "kling-revenue.yml")
    env = {**os.environ, "FACTLEDGER_NO_REPORT": "1"}
    env.pop("FACTLEDGER_ROOT", None)
    argv = [sys.executable, "-m", "pytest", "checks", "--collect-only", "-q"]
    proc = subprocess.run(
        [*argv, "-p", "no:cacheprovider"],
        capture_output=True, text=True, env=env, cwd=bundled, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "checks/rules/kling-revenue.yml::kling-quarterly-revenue-rises" in proc.stdout
