"""`factledger suggest` (issue 22): stubs read from the text that pass the gate as printed, and
the parsers they are read with — a mention's whole value, a period mention's period."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

import factledger
from factledger.checks import coverage, provenance
from factledger.cli import main
from factledger.load import load_corpus
from factledger.mentions import mentions_of, value_span
from factledger.period import parse_period, period_mentions, read_period_mention
from factledger.suggest import REVIEW
from factledger.text import fold

from .conftest import PROJECT

PUBLISHED = parse_period("2025-11-27")

# --- a mention's whole value -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values"),
    [
        # hedge, scale and unit; the items of an enumeration share the first one's hedge
        ("收入分別超過1.5億元、2.5億元、3億元。",
         [("超過1.5億元", None, None), ("2.5億元", "超過", None), ("3億元", "超過", None)]),
        # a hedge with a value word between qualifies the value from outside it
        ("收入約為180億元、98億元。", [("180億元", "約", None), ("98億元", "約", None)]),
        ("分別超過1.5億元、超過2.5億元。",
         [("超過1.5億元", None, None), ("超過2.5億元", None, None)]),
        # units: percentage points, multiples, ranks, rates, durations; not cut inside
        ("毛利率上升1.1個百分點", [("1.1個百分點", None, None)]),
        ("動態本益比13.12倍", [("13.12倍", None, None)]),
        ("超越第二名Runway", [("超越", None, None), ("第二名", None, None)]),  # 超越: a claim
        ("亮相第30屆釜山", [("第30屆", None, None)]),
        ("黑金會員1314元/月", [("1314元/月", None, None)]),
        ("超 20 分鐘", [("超20分鐘", None, None)]),
        ("在60多個國家", [("60多個", None, None)]),
        ("超過2.5億元人民幣", [("超過2.5億元", None, None)]),
        # ranges, dates
        ("成本降低60-70%甚至更高", [("降低60-70%甚至更高", None, None)]),
        ("9月23日,可靈", [("9月23日", None, None)]),
        ("4月底組織", [("4月底", None, None)]),
        # change verbs: a decline signs the value, a rise before a multiple changes it; a plain
        # rise (and a rise to a level) does not
        ("同比減少3.4%", [("減少3.4%", None, None)]),
        ("已跌超26%", [("跌超26%", None, None)]),
        ("刊例價下降至70%", [("下降至70%", None, None)]),
        ("同比增長10.9%", [("10.9%", None, None)]),
        ("月活增長了25倍", [("增長了25倍", None, None)]),
        ("曝光量由100提升至1000", [("100", None, None), ("1000", None, None)]),
        # after-hedges; a shared unit; a Chinese numeral keeps its own unit
        ("佔比達到 10% 左右", [("10%左右", None, None)]),
        ("月費分別是79、239、649元",
         [("79", None, "元"), ("239", None, "元"), ("649元", None, None)]),
        ("兩大支柱業務", [("兩大", None, None)]),
    ],
)  # fmt: skip
def test_value_span(text: str, values: list[tuple[str, str | None, str | None]]) -> None:
    folded = fold(text)
    mentions = mentions_of(folded)
    got, end = [], -1
    for m in mentions:
        if m.start < end:
            continue  # inside the value before (70 of 60-70%)
        span = value_span(folded, m, mentions)
        got.append((span.text(folded), span.hedge, span.unit))
        end = span.end
    assert got == values


# --- a period mention's period -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "published", "context", "expected"),
    [
        ("Q3", "2025-11-27", {}, "2025Q3"),
        ("Q4", "2025-03-27..2025-04", {}, "2024Q4"),  # the latest Q4 begun by publication
        ("第三季", "2025-11-27", {}, "2025Q3"),
        ("第三季度", "2025-11-27", {"year": 2024}, "2024Q3"),
        ("上半年", "2025-11-27", {}, "2025H1"),
        ("前三季度", "2025-11-27", {}, "2025Q1..2025Q3"),
        ("今年", "2025-11-27", {}, "FY2025"),
        ("去年四季度", "2025-06", {}, "2024Q4"),
        ("2025全年", "2025-11-27", {}, "FY2025"),
        ("2024年三季報", "2025-06", {}, "2024Q3"),
        ("去年同期", "2025-06", {"base": "2025Q1"}, "2024Q1"),
        ("同期", "2025-06", {"base": "2024Q4"}, "2024Q4"),
        ("11月27日", "2025-11-27", {}, "2025-11-27"),  # 截至11月27日
        ("4月底", "2025-11-27", {}, "2025-04"),
        ("今年4月15日", "2025-06", {}, "2025-04-15"),
        ("上個月", "2025-09-23..2025-09-30", {}, "2025-08"),
        ("兩個月前", "2025-06", {}, "2025-04"),
        ("過去三年", "2025-06", {}, "FY2022..FY2024"),
        ("2025Q3財報", "2025-11-27", {}, "2025Q3"),
        ("2024年雙11", "2025-03", {}, "2024-11-11"),
        # a time, not a span a figure is about; a span counted from an event
        ("年初", "2025-11-27", {}, None),
        ("年內", "2025-11-27", {}, None),
        ("隨後4個交易日", "2025-11-27", {}, None),
        ("同期", "2025-11-27", {}, None),  # no period to be the same as
        ("2.45億", "2025-11-27", {}, None),  # not a period mention at all
    ],
)
def test_read_period_mention(text, published, context, expected) -> None:
    if "base" in context:
        context = {**context, "base": parse_period(context["base"])}
    got = read_period_mention(text, parse_period(published), **context)
    want = parse_period(expected) if expected else None
    assert (got.start, got.end) == (want.start, want.end) if want else got is None


def test_period_mentions_leave_numbers_whole() -> None:
    text = fold("2000億的播放量,2000多部作品,2025年一季報,12月,1-3年內,2025 年會推出")
    assert [text[a:b] for a, b in period_mentions(text)] == [
        "2025年一季報",
        "12月",
        "3年內",
        "2025年",
    ]


# --- the stubs ---------------------------------------------------------------------------------

SOURCES = sorted(p.stem for p in (PROJECT / "seeds").glob("*.md"))


def _without_facts(bundled: Path, source: str) -> None:
    """The bundled copy with ``source``'s facts removed (its ignores kept), and nothing that
    refers to them (rules, acknowledgements)."""
    path = bundled / "facts" / f"{source}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(
        yaml.safe_dump({**data, "facts": []}, allow_unicode=True, sort_keys=False), "utf-8"
    )
    shutil.rmtree(bundled / "checks" / "rules")
    (bundled / "checks" / "acknowledged.yaml").unlink()


def _choose(out: str) -> str:
    """The stubs with each REVIEW entity or metric replaced by its first candidate (what the
    curator does), every other field as printed."""
    fields = "entity|metric"
    chosen = re.sub(rf"    ({fields}): {REVIEW}  # candidates: ([^,\n]+).*", r"    \1: \2", out)
    assert f"entity: {REVIEW}" not in chosen and f"metric: {REVIEW}" not in chosen
    return chosen


@pytest.mark.parametrize("source", SOURCES)
def test_stubs_load_and_pass_provenance_as_printed(bundled: Path, source: str, capsys) -> None:
    """Each bundled source's stubs, with its curated facts removed: quote, value, hedge, unit and
    period carry no REVIEW mark, and the stubs load and pass provenance as printed; the numbers
    they leave uncovered are the period words the output lists."""
    _without_facts(bundled, source)
    assert main(["suggest", "--root", str(bundled), source]) == 0
    out = capsys.readouterr().out
    stubs = yaml.safe_load("facts:\n" + out)["facts"]
    assert len(stubs) >= 15
    for stub in stubs:
        for name in ("quote", "value", "hedge", "unit", "period", "period_text", "occurrence"):
            assert REVIEW not in str(stub.get(name, "")), (stub["id"], name)
    facts_file = bundled / "facts" / f"{source}.yaml"
    ignores = yaml.safe_dump(
        {"ignore": yaml.safe_load(facts_file.read_text(encoding="utf-8")).get("ignore") or []},
        allow_unicode=True,
    )
    facts_file.write_text(f"source: {source}\nfacts:\n{_choose(out)}{ignores}", encoding="utf-8")

    outcome = factledger.run(
        bundled, checks=[provenance.CHECK], expectations=False, crosscheck=False
    )
    problems = [r for r in outcome.results if r.kind == "input" and r.severity == "error"]
    assert problems == [], [r.message for r in problems]
    loaded = {f.id for f in outcome.corpus.facts if f.source == source}
    assert loaded == {s["id"] for s in stubs}
    verdicts = {r.fact_ids[0]: r.verdict for r in outcome.results if r.kind == "provenance"
                and r.fact_ids[0] in loaded}  # fmt: skip
    assert set(verdicts) == loaded and set(verdicts.values()) == {"pass"}, verdicts

    left = [m.text for m in coverage.measure_corpus(load_corpus(bundled))[source].uncovered]
    listed = re.findall(r'#   - mention: "([^"]+)"', out)
    assert left == listed


def test_stubs_say_what_they_read(mini: Path, capsys) -> None:
    seed = mini / "seeds" / "mini.md"
    seed.write_text(
        seed.read_text(encoding="utf-8").replace(
            "快手Q3日活4.16億。",
            "快手Q3日活4.16億。今年一季度收入1.5億元,二季度收入1.5億元,較去年同期上升16%至3億元。"
            "假設其有500萬付費會員,預計全年收入將超過10億元。"
            "可靈Q3收入4.5億元,顯著高於Q2的3.5億元,創歷史新高。",
        ),
        "utf-8",
    )
    assert main(["suggest", "--root", str(mini), "mini"]) == 0
    stubs = {s["value"]: s for s in yaml.safe_load("facts:\n" + capsys.readouterr().out)["facts"]}
    second = [s for s in stubs.values() if s.get("occurrence") == 2]
    assert len(second) == 1 and second[0]["period"] == "2025Q2"  # 1.5億元 twice in the quote
    assert stubs["16%"]["period"] == "2025Q2"  # 去年同期 is the growth's basis, not its period
    assert stubs["3億元"]["period"] == "2025Q2"
    assert stubs["500萬"]["kind"] == "hypothetical"
    assert stubs["超過10億元"]["kind"] == "guidance" and stubs["超過10億元"]["period"] == "FY2025"
    assert stubs["超過7億元"]["kind"] == "derived"  # 粗略計算
    assert stubs["超過7億元"]["period_text"] == ["前三季度"]
    # claim words: about the figure before them, against the figure after
    above, record = stubs["顯著高於"], stubs["創歷史新高"]
    q3, q2 = stubs["4.5億元"], stubs["3.5億元"]
    assert above["claim"] == {"greater_than": f"{{{q2['id']}}}", "subject": f"{{{q3['id']}}}"}
    assert (above["metric"], above["period"]) == ("revenue", "2025Q3")
    assert record["claim"] == {"record_high": "true"}


def test_stubs_escape_control_characters(mini: Path, capsys) -> None:
    """A control character of the source stays in the quote — escaped, so it reads back as the
    source's own — and nowhere raw in the output."""
    seed = mini / "seeds" / "mini.md"
    text = seed.read_text(encoding="utf-8").replace("快手Q3日活", "快手\u202eQ3日活\x1b[2J")
    seed.write_text(text, "utf-8")
    assert main(["suggest", "--root", str(mini), "mini"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out
    quotes = [s["quote"] for s in yaml.safe_load("facts:\n" + out)["facts"]]
    assert "快手\u202eQ3日活\x1b[2J4.16億。" in quotes


# --- the measurement ----------------------------------------------------------------------------


def test_readme_shows_the_figures_the_script_prints() -> None:
    sys.path.insert(0, str(PROJECT / "scripts"))
    try:
        import suggest_eval
    finally:
        sys.path.pop(0)
    result = suggest_eval.evaluate(load_corpus(PROJECT))
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    block = readme.partition(suggest_eval.README_START)[2].partition(suggest_eval.README_END)[0]
    assert "\n".join(suggest_eval.table(result)) in block, "rerun scripts/suggest_eval.py --readme"
    # the fields that meet their targets keep them
    for name in ("hedge", "unit", "entity"):
        assert result["accuracy"][name] >= suggest_eval.TARGETS[name], name


def test_held_out_removes_only_the_source_s_own_names() -> None:
    sys.path.insert(0, str(PROJECT / "scripts"))
    try:
        import suggest_eval
    finally:
        sys.path.pop(0)
    corpus = load_corpus(PROJECT)
    before = suggest_eval.held_out(corpus, "dongcaidi-kling-annual-revenue")
    assert "番茄小說" not in before.entities["fanqie-novel"].names  # only this article has it
    assert "快手" in before.entities["kuaishou"].names  # every article has it
    assert not any(f.source == "dongcaidi-kling-annual-revenue" for f in before.facts)
    assert len(corpus.facts) > len(before.facts) > 0
