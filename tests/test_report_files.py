"""The report files are streamed — the JSON item by item through the C encoder, the JUnit XML as
text — and each reads back as the whole document would: same data, well-formed, whatever the
messages hold. A failed write leaves the previous file in place."""

from __future__ import annotations

import io
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from factledger import engine, report
from factledger.model import Acknowledgement, Finding, Result
from factledger.report import document, jsonfile, junit
from factledger.report.files import publish, stage_stream, write_atomic

from .conftest import edit_facts


def _without_timestamp(doc: dict) -> dict:
    doc["summary"].pop("timestamp")
    doc["summary"].pop("run_id")  # one per report set
    return doc


def test_the_streamed_json_is_the_whole_document(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a quote not in the source: a finding, so every list has items
    edit_facts(mini, 'quote: "快手Q3日活4.16億。"', 'quote: "快手Q3日活5億。"')
    outcome = engine.run(mini, expectations=False)
    assert outcome.findings
    monkeypatch.setattr(jsonfile, "_BATCH", 2)  # several batches per list, and a partial one
    written = report.write_all(outcome, mini, tmp_path / "reports")
    text = written["json"].read_text(encoding="utf-8")
    whole = json.loads(json.dumps(document.build(outcome, mini), allow_nan=False))
    assert _without_timestamp(json.loads(text)) == _without_timestamp(whole)
    assert list(json.loads(text)) == list(whole)  # the keys in the schema's order
    compact = json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
    assert text == compact + "\n"  # compact: no indentation, no spaces after separators


def test_a_number_json_has_no_word_for_is_written_as_null() -> None:
    out = io.StringIO()
    jsonfile.write_array(out, [{"a": float("nan")}, {"b": [float("-inf"), 1.5]}, "x"])
    assert json.loads(out.getvalue()) == [{"a": None}, {"b": [None, 1.5]}, "x"]
    out = io.StringIO()
    jsonfile.write_array(out, [])
    assert out.getvalue() == "[]"


HOSTILE = "a <script>alert(\"x\")</script> & 'q'\x01\x1b\nsecond line\ud800"


def _results() -> tuple[list[Result], list[Finding]]:
    def result(rid: str, kind: str, severity: str, verdict: str, message: str = "m") -> Result:
        return Result(rid, kind, severity, verdict, message, file="facts/a.yaml", line=3)

    open_error = result("rule:a", "rule", "error", "violated", HOSTILE)
    acked = result("conflict:b", "conflict", "error", "conflict")
    stale = result("conflict:c", "conflict", "warning", "stale")
    warning = result("rule:d", "rule", "warning", "possible", "only <maybe>")
    passing = result("rule:e", "rule", "error", "holds")

    def ack(rid: str) -> Acknowledgement:
        return Acknowledgement(rid, "f", "source-error", 'a "reason" <b>', "me", "2025-01-01",
                               "checks/acknowledged.yaml", 2)  # fmt: skip

    findings = [
        Finding(open_error, "open"),
        Finding(acked, "acknowledged", ack("conflict:b")),
        Finding(stale, "stale-ack", ack("conflict:c")),
        Finding(warning, "open"),
    ]
    return [open_error, acked, stale, warning, passing], findings


def _junit(results: list[Result], findings: list[Finding], run_id: str = "r1") -> str:
    out = io.StringIO()
    junit.write_outcome(out, results, findings, run_id)
    return out.getvalue()


def test_junit_is_well_formed_and_says_each_status() -> None:
    results, findings = _results()
    root = ET.fromstring(_junit(results, findings).encode("utf-8"))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == ["rule", "conflict"]  # in order of first appearance
    counts = {k: (s.get("tests"), s.get("failures"), s.get("skipped")) for k, s in suites.items()}
    assert counts == {"rule": ("3", "1", "0"), "conflict": ("2", "1", "1")}
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert cases["rule:a"].get("classname") == "factledger.rule"
    assert (cases["rule:a"].get("file"), cases["rule:a"].get("line")) == ("facts/a.yaml", "3")
    failure = cases["rule:a"].find("failure")
    assert failure is not None
    # markup is text; a line break survives in the attribute; controls XML cannot carry are
    # shown as [U+001B], as every text output shows them
    readable = (
        HOSTILE.replace("\x01", "[U+0001]")
        .replace("\x1b", "[U+001B]")
        .replace("\ud800", "[U+D800]")
    )
    assert failure.get("message") == f"violated: {readable}"
    assert failure.text == f"facts/a.yaml:3: {readable}"
    skipped = cases["conflict:b"].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == 'acknowledged (source-error): a "reason" <b>'
    assert cases["conflict:c"].find("failure") is not None  # a stale acknowledgement fails
    out = cases["rule:d"].find("system-out")
    assert out is not None and out.text == "warning: facts/a.yaml:3: only <maybe>"
    assert list(cases["rule:e"]) == []  # passing: an empty testcase
    for suite in suites.values():  # every suite carries the run id (report --verify reads it)
        assert [p.get("value") for p in suite.iter("property")] == ["r1"]


def test_junit_from_the_document_is_junit_from_the_run(mini: Path) -> None:
    """to_junit(doc), the document form, writes the same XML as the streamed run form."""
    edit_facts(mini, 'quote: "快手Q3日活4.16億。"', 'quote: "快手Q3日活5億。"')
    outcome = engine.run(mini, expectations=False)
    doc = document.build(outcome, mini, run_id="r1")
    assert junit.to_junit(doc) == _junit(outcome.results, outcome.findings, "r1")
    empty = junit.to_junit({"results": [], "findings": [], "summary": {"run_id": "r1"}})
    (suite,) = ET.fromstring(empty).iter("testsuite")  # still one suite, with the run id
    assert (suite.get("name"), suite.get("tests")) == ("factledger", "0")


def test_junit_of_a_run_lists_every_result_and_fails_the_open_errors(
    mini: Path, tmp_path: Path
) -> None:
    edit_facts(mini, 'quote: "快手Q3日活4.16億。"', 'quote: "快手Q3日活5億。"')
    outcome = engine.run(mini, expectations=False)
    written = report.write_all(outcome, mini, tmp_path / "reports")
    tree = ET.parse(written["junit"])
    names = [c.get("name") for c in tree.iter("testcase")]
    assert sorted(names) == sorted(r.id for r in outcome.results)
    failing = {c.get("name") for c in tree.iter("testcase") if c.find("failure") is not None}
    assert failing == {f.result.id for f in outcome.open_errors} != set()


def test_a_failed_write_leaves_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "reports" / "discrepancies.json"
    write_atomic(path, "previous")

    def half(fh) -> None:
        fh.write("half of a new report")
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        stage_stream(path, half)
    assert path.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in path.parent.iterdir()] == ["discrepancies.json"]  # no temp file left
    tmp = stage_stream(path, lambda fh: fh.write("new"))
    assert path.read_text(encoding="utf-8") == "previous"  # staged, not yet in place
    publish([(tmp, path)])
    assert path.read_text(encoding="utf-8") == "new"
    assert path.stat().st_mode & 0o777 == 0o644
