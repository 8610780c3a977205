"""The command line as an analyst meets it: help, version, messages, -v, annotations, SARIF."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import factledger
from factledger.cli import build_parser, main
from factledger.load import load_corpus
from factledger.model import Finding, Result
from factledger.report import github

from .conftest import edit_facts

PROJECT = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = PROJECT / "tests" / "data" / "sarif-schema-2.1.0.json"
COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


def test_every_command_is_there() -> None:
    expected = {"check", "report", "coverage", "suggest", "diff", "synth", "init",
                "new-source", "explain", "ack"}  # fmt: skip
    assert expected <= set(COMMANDS)


def test_version(capsys: pytest.CaptureFixture) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"factledger {factledger.__version__}"


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_a_description_and_exit_codes(command: str, capsys) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    usage, _, rest = out.partition("\n\n")
    description = rest.split("\n\n")[0]
    assert usage.startswith(f"usage: factledger {command}")
    assert not description.startswith(("options:", "positional")), out
    assert len(description.split()) >= 8, description  # a sentence, not a word
    assert "exit codes:" in out
    for code in ("0 ", "2 ", "130 "):
        assert f"\n  {code}" in out.split("exit codes:")[1], (command, code)


def test_a_missing_root_is_said_plainly(tmp_path: Path, capsys) -> None:
    assert main(["check", "--root", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["check", "--root", str(tmp_path)]) == 2
    assert "not a corpus: missing seeds/, facts/" in capsys.readouterr().err


def test_verbose_lists_every_rule_with_its_verdict(bundled: Path, capsys) -> None:
    assert main(["check", "--root", str(bundled), "--no-report", "--fast", "-q", "-v"]) == 0
    out = capsys.readouterr().out
    rules = len(load_corpus(bundled).rules)
    assert f"Rules ({rules}):" in out
    # a passing rule and an acknowledged violated one, each with its verdict in words
    rule = "checks/rules/kling-revenue.yaml:22: kling-quarterly-revenue-rises"
    assert f"{rule}: Rule can hold (possible)" in out
    assert "kuaishou-dau-rises: Rule violated (violated, acknowledged)" in out
    # the relations of facts/metrics.yaml, instantiated: passing and acknowledged ones
    invariants = int(out.split("Invariants (", 1)[1].split(")", 1)[0])
    assert invariants >= 25
    sums = "flow-sum:kling.revenue@2025Q1+kling.revenue@2025Q2+kling.revenue@2025Q3"
    assert f"{sums}~kling.revenue@2025Q1..2025Q3: Relation can hold (possible)" in out
    assert "repeated-figure:kling.users@2025Q1==kling.users@2025-06: Same cumulative figure " \
           "repeated months apart (repeated-figure, acknowledged)" in out  # fmt: skip
    assert main(["check", "--root", str(bundled), "--no-report", "--fast", "-q"]) == 0
    assert "Rules (" not in capsys.readouterr().out


def test_a_yaml_syntax_error_says_what_to_do(mini: Path, capsys) -> None:
    edit_facts(mini, 'quote: "快手Q3日活4.16億。"', "quote: 據報道: 快手Q3日活4.16億。")
    assert main(["check", "--root", str(mini), "--no-report", "-q"]) == 2
    out = capsys.readouterr().out
    assert (
        "facts/mini.yaml:24: input: error: YAML syntax: mapping values are not allowed in this "
        "context (the value of 'quote' contains ': ', which YAML reads as the start of a "
        'mapping: quote the whole value, e.g. quote: "據報道: 快手Q3日活4.16億。")'
    ) in out


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ('    quote: "他說"好"的"', 'write a quote inside it as \\"'),
        ("    quote: 'it's 5'", "write a quote inside it as '' (two)"),
        ("    value: *5", "quote a value that starts with *, & or !"),
        ("    quote:x\n    kind: actual", "put a space after the ':' that ends a key"),
        ("   kind: actual", "check the indentation"),
    ],
)
def test_other_syntax_errors_get_their_usual_fix(mini: Path, line: str, hint: str) -> None:
    from factledger import engine

    edit_facts(mini, '    quote: "快手Q3日活4.16億。"', line)
    bad = [f.result for f in engine.run(mini, expectations=False).open_errors]
    assert any(r.file == "facts/mini.yaml" and hint in r.message for r in bad), [
        r.message for r in bad
    ]


# --- GitHub annotations ---------------------------------------------------------------------------


def test_annotations_under_github_actions(mini: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["check", "--root", str(mini), "--no-report", "-q"]) == 0
    assert "::error" not in capsys.readouterr().out  # nothing open, nothing annotated
    edit_facts(mini, 'value: "4.16億"', 'value: "4.17億"')
    assert main(["check", "--root", str(mini), "--no-report", "-q"]) == 1
    lines = [x for x in capsys.readouterr().out.splitlines() if x.startswith("::")]
    assert lines and all(x.startswith("::error file=facts/mini.yaml,line=") for x in lines)
    assert any(
        x.startswith("::error file=facts/mini.yaml,line=22,title=factledger provenance%3A ")
        and "value%3A" not in x.split("::", 2)[2]  # the message escapes % and newlines only
        and "value: '4.17億' is not a span" in x
        for x in lines
    ), lines
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert main(["check", "--root", str(mini), "--no-report", "-q"]) == 1
    assert "::error" not in capsys.readouterr().out
    assert main(["check", "--root", str(mini), "--no-report", "-q", "--format", "github"]) == 1
    assert "::error file=facts/mini.yaml" in capsys.readouterr().out


def test_annotation_escaping() -> None:
    r = Result(id="rule:x", kind="rule", severity="warning", verdict="violated",
               message="50% off\r\nnext: line", file="facts/a,b:c.yaml", line=3)  # fmt: skip
    line = github.annotation(Finding(r, "open"), {})
    assert line.startswith("::warning file=facts/a%2Cb%3Ac.yaml,line=3,title=factledger rule%3A ")
    assert line.split("::", 2)[2].startswith("50%25 off%0D%0Anext: line%0A(result rule:x)")
    # a finding without a file is placed at its first fact's line
    r2 = Result(id="schema", kind="schema", severity="error", verdict="fail", message="m",
                fact_ids=("f1",))  # fmt: skip
    line = github.annotation(Finding(r2, "open"), {"f1": ("facts/x.yaml", 9)}, "corpus/")
    assert line.startswith("::error file=corpus/facts/x.yaml,line=9,")


# --- SARIF ----------------------------------------------------------------------------------------


def _validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(SARIF_SCHEMA), str(path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_sarif_is_schema_valid_and_locates_findings(bundled: Path, tmp_path: Path) -> None:
    # one open error (a broken value) beside the bundled acknowledged findings
    path = bundled / "facts" / "bohu-kling-two-faces.yaml"
    text = path.read_text("utf-8").replace('value: "7.12億"', 'value: "7.13億"', 1)
    path.write_text(text, "utf-8")
    out = tmp_path / "out"
    code = main(["check", "--root", str(bundled), "--fast", "-q", "--format", "sarif",
                 "--out", str(out)])  # fmt: skip
    assert code == 1
    sarif_path = out / "factledger.sarif"
    proc = _validate(sarif_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    log = json.loads(sarif_path.read_text("utf-8"))
    [run] = log["runs"]
    assert log["version"] == "2.1.0" and run["tool"]["driver"]["version"] == factledger.__version__
    results = run["results"]
    broken = [r for r in results if r["ruleId"] == "provenance"]
    assert broken and broken[0]["level"] == "error" and "suppressions" not in broken[0]
    loc = broken[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "facts/bohu-kling-two-faces.yaml"
    corpus = load_corpus(bundled)
    fact = next(f for f in corpus.facts if f.id == "bh-kuaishou-mau-2025q1")
    assert loc["region"]["startLine"] == fact.line_of("value")
    acked = [r for r in results if r.get("suppressions")]
    assert len(acked) == len(corpus.acks)
    assert all(r["suppressions"][0]["kind"] == "external" for r in acked)
    assert {r["ruleId"] for r in results} <= {d["id"] for d in run["tool"]["driver"]["rules"]}


def test_the_schema_check_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sarif"
    bad.write_text(json.dumps({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}))
    assert _validate(bad).returncode == 1  # driver.name is required
