"""Adding a check is adding one object that implements the protocol: its results reach the JSON
report, the pytest items and the gate without any change to the engine."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import factledger
from factledger import engine, report
from factledger.checks import Check, CheckContext, CheckOutput
from factledger.model import Result

from .conftest import PROJECT

# A trivial check, defined only in this test: every fact about Kuaishou is an error. The same
# text runs in-process (exec) and as a corpus's own module under pytest.
CHECK_SOURCE = """
from factledger.checks import Check, CheckOutput
from factledger.model import Result


def run(ctx):
    results = []
    for fact in ctx.facts:
        if fact.entity == "kuaishou":
            results.append(Result(
                id=f"house-style:{fact.id}", kind="house-style", severity="error",
                verdict="too-vague", message=f"{fact.id}: the house style forbids DAU figures",
                fact_ids=(fact.id,), file=fact.file, line=fact.line,
            ))
    return CheckOutput(results, {"checked": len(ctx.facts)})


HOUSE_STYLE = Check("house-style", run, ("house-style",))
"""


def house_style(ctx: CheckContext) -> CheckOutput:
    namespace: dict = {}
    exec(compile(CHECK_SOURCE, "house_style.py", "exec"), namespace)  # the same text as below
    return namespace["run"](ctx)


HOUSE_STYLE = Check("house-style", house_style, ("house-style",))


def test_a_new_check_reaches_the_results_the_gate_and_the_json(mini: Path) -> None:
    outcome = factledger.run(mini, checks=[*factledger.default_checks(), HOUSE_STYLE])
    mine = [r for r in outcome.results if r.kind == "house-style"]
    assert [r.id for r in mine] == ["house-style:m-dau-q3"]
    assert outcome.extras["house-style"] == {"checked": len(outcome.corpus.facts)}
    assert not outcome.passed and outcome.exit_code == engine.EXIT_FINDINGS
    assert [f.result.id for f in outcome.open_errors] == ["house-style:m-dau-q3"]
    written = report.write_all(outcome, mini)
    doc = json.loads(written["json"].read_text("utf-8"))
    assert [f["id"] for f in doc["findings"]] == ["house-style:m-dau-q3"]
    assert doc["summary"]["gate"] == "fail"


def test_a_new_check_is_acknowledgeable_like_any_other(mini: Path) -> None:
    first = factledger.run(mini, checks=[*factledger.default_checks(), HOUSE_STYLE])
    (finding,) = first.open_errors
    (mini / "checks" / "acknowledged.yaml").write_text(
        "acknowledged:\n"
        f"  - id: {finding.result.id}\n"
        f"    fingerprint: {finding.result.fingerprint}\n"
        "    verdict: different-subjects\n"
        "    reason: the style guide exempts this outlet\n"
        "    reviewer: test\n"
        "    date: '2025-12-01'\n",
        encoding="utf-8",
    )
    second = factledger.run(mini, checks=[*factledger.default_checks(), HOUSE_STYLE])
    assert second.passed
    # without the check, its acknowledgement matches nothing: unmatched, like a typo'd id
    without = factledger.run(mini, checks=factledger.default_checks())
    assert [f.result.verdict for f in without.open_errors] == ["unmatched"]


def test_a_new_check_is_a_pytest_item(mini: Path) -> None:
    checks_dir = mini / "checks"
    shutil.copy(PROJECT / "checks" / "test_corpus.py", checks_dir / "test_corpus.py")
    (checks_dir / "house_style.py").write_text(CHECK_SOURCE, encoding="utf-8")
    (checks_dir / "conftest.py").write_text(
        textwrap.dedent(
            """
            import sys
            from pathlib import Path

            sys.path.insert(0, str(Path(__file__).parent))
            from house_style import HOUSE_STYLE

            from factledger.pytest_plugin import (
                add_checks, pytest_collect_file, pytest_sessionfinish, set_root,
            )

            set_root(Path(__file__).resolve().parent.parent)
            add_checks(HOUSE_STYLE)
            """
        ),
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(checks_dir)],
        capture_output=True,
        text=True,
        cwd=mini,
        env={"FACTLEDGER_NO_REPORT": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "test_other_check[house-style:m-dau-q3]" in out
    assert "the house style forbids DAU figures" in out
    assert "1 failed" in out


def test_the_result_type_is_the_public_one() -> None:
    assert factledger.Result is Result
