"""Progress while `factledger check` runs: each stage with its counts and the time since start
on stderr — one line rewritten in place on a terminal, one line per stage in a CI log, nothing
with -q. The findings on stdout are the same in every mode."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from factledger import cli, engine
from factledger.checks import default_checks

from .conftest import edit_facts

ENGINE_STAGES = ["load", "table", *(c.name for c in default_checks())]
REPORT_STAGES = ["report json", "report junit", "report claimreview", "report html"]
LINE = re.compile(r"^\[\s*\d+\.\d s\] (\S+(?: \S+)?)(?: · (.*))?$")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_engine_gives_each_stage_with_its_counts(mini: Path) -> None:
    seen: list[str] = []
    engine.run(mini, progress=seen.append)
    assert seen == ENGINE_STAGES  # plain stage names for a plain callable
    counts = {str(s): s.counts for s in seen}  # type: ignore[attr-defined]
    assert counts["load"] == {}
    assert counts["table"] == {"facts": 3, "sources": 1, "rules": 0}
    assert counts["provenance"]["results"] == 0
    assert counts["schema"]["results"] == 3  # one provenance result per fact


def test_one_line_per_stage_when_stderr_is_not_a_terminal(
    mini: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["check", "--root", str(mini), "--out", str(tmp_path / "r")])
    out, err = capsys.readouterr()
    assert code == 0
    lines = err.splitlines()
    matches = [LINE.match(line) for line in lines]
    assert all(matches), lines
    assert [m.group(1) for m in matches if m] == [*ENGINE_STAGES, *REPORT_STAGES, "done"]
    assert "table · 3 facts, 1 sources, 0 rules" in err
    assert "report json · " in err and "results" in err
    assert "gate: PASS" in out and "[" not in out  # progress never mixes into the findings


def test_one_line_rewritten_in_place_on_a_terminal(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code = cli.main(["check", "--root", str(mini), "--out", str(tmp_path / "r")])
    out = capsys.readouterr().out
    err = terminal.getvalue()
    assert code == 0
    assert "\n" not in err  # every update rewrites the same line
    updates = [u for u in err.split("\r\x1b[K") if u]
    assert [LINE.match(u).group(1) for u in updates] == [*ENGINE_STAGES, *REPORT_STAGES]  # type: ignore[union-attr]
    assert err.endswith("\r\x1b[K")  # cleared at the end: the terminal is left clean
    assert "gate: PASS" in out


def test_quiet_prints_no_progress(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "--root", str(mini), "--no-report", "-q"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "gate: PASS" in out


def test_the_console_script_prints_everything_before_it_exits(mini: Path, tmp_path: Path) -> None:
    """entry() skips the interpreter's teardown: the output must still be complete."""
    edit_facts(mini, 'quote: "快手Q3日活4.16億。"', 'quote: "快手Q3日活5億。"')  # an open error
    done = subprocess.run(
        [sys.executable, "-m", "factledger.cli", "check", "--root", str(mini), "--no-report"],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == engine.EXIT_FINDINGS
    assert done.stdout.rstrip().splitlines()[-1].startswith("gate: FAIL — 2 open errors")
    assert done.stderr.rstrip().splitlines()[-1].endswith("] done")
