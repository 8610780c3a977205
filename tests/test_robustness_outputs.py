"""Outputs that could be injected into, crash or be left inconsistent (issue 18).

Classes: injection (control characters in every text output, markdown and HTML in the diff's job
summary), crashes (an unwritable report folder, SIGINT, a hostile symlink in ``diff --base``),
consistent report sets (one run id in every report, the page renamed last, ``report --verify``).
Hypothesis examples are bounded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factledger import cli, diff, engine, incremental, pytest_plugin, report
from factledger.formatting import CONTROLS, visible_controls
from factledger.model import Finding, Result
from factledger.report import files as report_files
from factledger.report import html as report_html
from factledger.report.junit import to_junit
from factledger.report.verify import FILES, verify

from .conftest import SEED, edit_facts

BOUNDED = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ESC = "\x1b"
# what hostile text looks like: terminal escapes, a CR that overwrites a log line, NUL, a C1 CSI,
# DEL, a bell, a direction override
HOSTILE = f"{ESC}[2J{ESC}[1A\rgate: PASS\x00\x9b31m\x7f\x07\u202e"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]")  # anything but \t and \n


def finding(message: str, rid: str = "rule:r", severity: str = "error") -> Finding:
    result = Result(
        id=rid, kind="rule", severity=severity, verdict="violated", message=message,
        fact_ids=("f1",), file="checks/rules/r.yaml", line=3, fingerprint="0123456789abcdef",
    )  # fmt: skip
    return Finding(result, "open")


control_text = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0x9F),
        st.sampled_from("\u202e\u2066\u200b\ufeff\ufffe可靈<>|*_`[]#!&"),
    ),
    max_size=40,
)


# --- injection: control characters --------------------------------------------------------------


class TestControls:
    def test_every_control_is_shown_and_tab_newline_kept(self) -> None:
        shown = visible_controls(HOSTILE + "\tok\nnext\r\n")
        assert not RAW.search(shown.replace("\r\n", "")), shown
        assert "[U+001B][2J" in shown and "[U+000D]gate" in shown and "[U+202E]" in shown
        assert shown.endswith("\tok\nnext\r\n")  # a CRLF line end is a line end, not an attack

    @BOUNDED
    @given(text=control_text)
    def test_no_raw_control_survives(self, text: str) -> None:
        shown = visible_controls(text)
        assert not CONTROLS.search(shown)
        assert shown.count("\n") == text.count("\n") and shown.count("\t") == text.count("\t")

    def test_cli_lines(self, mini: Path, capsys) -> None:
        outcome = engine.run(mini, expectations=False)
        outcome.findings = [finding(HOSTILE)]
        cli.print_outcome(outcome)
        out = capsys.readouterr().out
        assert ESC not in out and "\r" not in out and "[U+001B][2J" in out

    def test_the_cli_end_to_end(self, mini: Path, capsys) -> None:
        # a quote that is not in the source: the message shows the nearest passage of the seed
        body = f"快手Q3日活4.16億{ESC}[2K{ESC}[1A\rgate: PASS。"
        (mini / "seeds" / "mini.md").write_text(SEED.replace("快手Q3日活4.16億。", body), "utf-8")
        edit_facts(mini, 'quote: "快手Q3日活4.16億。"', 'quote: "快手Q3日活4.16億\\e[2K。"')
        code = cli.main(["check", "--root", str(mini), "--no-report", "-q"])
        out = capsys.readouterr().out
        assert code == 1
        assert ESC not in out and "[U+001B][2K" in out

    def test_junit_stays_valid_xml(self) -> None:
        doc = _doc_with(HOSTILE, rid=f"rule:{HOSTILE}")
        xml = to_junit(doc)
        root = ET.fromstring(xml)  # parses: no control character XML 1.0 forbids
        failure = root.find(".//failure")
        assert failure is not None and "[U+001B][2J" in failure.get("message")
        assert not RAW.search(xml.replace("\r\n", ""))

    @BOUNDED
    @given(text=control_text)
    def test_junit_parses_for_any_text(self, text: str) -> None:
        ET.fromstring(to_junit(_doc_with(text, rid=f"rule:{text}")))

    def test_pytest_failure_text(self) -> None:
        text = pytest_plugin.describe(finding(HOSTILE))
        assert ESC not in text and "\x00" not in text and "[U+001B][2J" in text

    def test_github_annotations(self) -> None:
        from factledger.report import github

        line = github.annotation(finding(HOSTILE), {})
        assert line.count("\n") == 0 and ESC not in line and "[U+001B][2J" in line

    def test_explain(self, mini: Path, capsys) -> None:
        edit_facts(mini, 'quote: "快手Q3日活4.16億。"', 'quote: "快手Q3日活4.16億\\e[2K。"')
        # an OSC 8 hyperlink escape in the note, ended by a bell
        note = '    note: "\\e]8;;x\\a"\n'
        before = '    kind: actual\n    quote: "快手'
        edit_facts(mini, before, before.replace("    quote", f"{note}    quote"))
        cli.main(["explain", "--root", str(mini), "--fast", "m-dau-q3"])
        out = capsys.readouterr().out
        assert "m-dau-q3" in out and ESC not in out and "\a" not in out
        assert "[U+001B]]8;;x[U+0007]" in out

    def test_diff_text(self) -> None:
        out = diff.render_text(diff.compare([], [finding(HOSTILE)], base_ref="HEAD"))
        assert ESC not in out and "[U+001B][2J" in out


def _doc_with(message: str, rid: str) -> dict:
    r = {
        "id": rid, "kind": "rule", "severity": "error", "verdict": "violated", "passed": False,
        "message": message, "fact_ids": [], "file": f"checks/{message}.yaml", "line": 3,
        "fingerprint": "x", "data": {},
    }  # fmt: skip
    ack = {"verdict": "source-error", "reason": message}
    acked = {**r, "id": rid + "#2", "status": "acknowledged", "acknowledgement": ack}
    return {
        "summary": {"run_id": "r1"},
        "results": [r, {**r, "id": rid + "#2"}, {**r, "id": rid + "#3", "severity": "warning"}],
        "findings": [
            {**r, "status": "open", "acknowledgement": None},
            acked,
            {**r, "id": rid + "#3", "severity": "warning", "status": "open"},
        ],
    }


# --- injection: the diff's markdown --------------------------------------------------------------

MARKDOWN = (
    "![img](https://evil.example/x.png) <details><summary>open</summary> <img src=x "
    "onerror=alert(1)> # Heading | cell | *bold* __strong__ `code` [link](https://evil.example) "
    "~~gone~~ &lt;b&gt; <!-- hide -->\nsecond line"
)


def _markdown_cells(text: str) -> list[str]:
    """The message cell of every finding row of the diff's tables."""
    rows = [line for line in text.splitlines() if line.startswith("| new ")]
    return [re.split(r"(?<!\\)\|", row)[-2] for row in rows]


class TestMarkdown:
    def test_a_hostile_message_is_text(self) -> None:
        md = diff.render_markdown(diff.compare([], [finding(MARKDOWN)], base_ref="HEAD"))
        (cell,) = _markdown_cells(md)
        for token in ("<", ">", "![", "](", "*", "_", "`", "[", "|", "#", "~", "&"):
            assert not re.search(r"(?<!\\)" + re.escape(token), cell.replace("\\\\", "")), token
        assert "second line" in cell  # the newline folded into the cell, not a new row
        assert md.count("<details>") == 1  # ours, folding the resolved findings

    def test_rendered_by_a_markdown_engine(self) -> None:
        mistune = pytest.importorskip("mistune")
        md = diff.render_markdown(
            diff.compare([], [finding(MARKDOWN, rid=f"rule:`x` <b>{HOSTILE}")], base_ref="HEAD")
        )
        # raw HTML passes, as on GitHub (which then sanitises it): only escaping keeps it text
        html = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])(md)
        table = html[html.index("<table>") : html.index("</table>")]
        for tag in ("<img", "<a ", "<strong", "<em", "<del", "<h1", "<details", "<summary", "<!--"):
            assert tag not in table, tag
        assert table.count("<tr>") == 2 and table.count("<td>") == 7  # one row of seven cells
        assert "&lt;details&gt;" in table and "<code>rule:`x` &lt;b&gt;" in table

    @BOUNDED
    @given(text=control_text)
    def test_any_message_stays_in_its_cell(self, text: str) -> None:
        md = diff.render_markdown(diff.compare([], [finding(text)], base_ref="HEAD"))
        rows = [line for line in md.splitlines() if line.startswith("| new ")]
        assert len(rows) == 1
        assert len(re.findall(r"(?<!\\)\|", rows[0].replace("\\\\", ""))) == 8  # 7 cells
        assert not CONTROLS.search(md)


# --- consistent report sets ---------------------------------------------------------------------


def run_ids(folder: Path) -> dict[str, str | None]:
    return verify(folder).run_ids


@pytest.fixture
def reviewed(mini: Path) -> Path:
    """The mini corpus with one finding that rates a sourced claim (a violated rule), so that
    ClaimReview holds a review (a quote missing from its source is a file problem, not one)."""
    (mini / "checks" / "rules").mkdir(parents=True, exist_ok=True)
    (mini / "checks" / "rules" / "small.yaml").write_text(
        "rules:\n  - id: kling-q2-small\n    description: Kling's Q2 revenue is below 1億.\n"
        "    severity: error\n    assert: kling.revenue@2025Q2 < 1億\n",
        encoding="utf-8",
    )
    return mini


class TestReportSets:
    def test_every_report_carries_one_run_id(self, reviewed: Path, tmp_path: Path) -> None:
        outcome = engine.run(reviewed, expectations=False)
        out = tmp_path / "reports"
        report.write_all(outcome, reviewed, out)
        doc = json.loads((out / "discrepancies.json").read_text("utf-8"))
        rid = doc["summary"]["run_id"]
        assert re.fullmatch(r"[0-9a-f]{32}", rid)
        assert run_ids(out) == dict.fromkeys(FILES, rid)
        html = (out / "discrepancies.html").read_text("utf-8")
        assert f'<meta name="factledger-run" content="{rid}">' in html
        reviews = json.loads((out / "claimreview.jsonld").read_text("utf-8"))
        assert reviews and {r["isPartOf"]["identifier"] for r in reviews} == {rid}
        report.write_all(outcome, reviewed, out)
        assert set(run_ids(out).values()) != {rid}  # a new set, a new id

    def test_the_page_is_renamed_last(self, mini: Path, tmp_path: Path, monkeypatch) -> None:
        renamed: list[str] = []
        real = os.replace
        monkeypatch.setattr(os, "replace", lambda a, b: (renamed.append(Path(b).name), real(a, b)))
        report.write_all(engine.run(mini, expectations=False), mini, tmp_path)
        assert renamed == ["discrepancies.json", "junit.xml", "claimreview.jsonld",
                           "discrepancies.html"]  # fmt: skip

    @pytest.mark.parametrize("exc", [KeyboardInterrupt, MemoryError])
    def test_a_run_stopped_while_rendering_leaves_the_old_set(
        self, mini: Path, tmp_path: Path, monkeypatch, exc
    ) -> None:
        out = tmp_path / "reports"
        report.write_all(engine.run(mini, expectations=False), mini, out)
        before = {n: (out / n).read_bytes() for n in FILES}
        edit_facts(mini, 'quote: "快手Q3日活4.16億。"', 'quote: "快手Q3日活4.16億人。"')
        changed = engine.run(mini, expectations=False)  # a run whose reports would differ

        def stop(_doc, **_options):
            raise exc

        # the page is rendered last and takes longest: the run is stopped there
        monkeypatch.setattr(report_html, "build_view", stop)
        with pytest.raises(exc):
            report.write_all(changed, mini, out)
        assert {n: (out / n).read_bytes() for n in FILES} == before
        assert sorted(p.name for p in out.iterdir()) == sorted(FILES)  # no temporary left
        assert verify(out).exit_code == 0

    def test_verify_tells_a_mixed_set(self, mini: Path, tmp_path: Path, capsys) -> None:
        outcome = engine.run(mini, expectations=False)
        first, second = tmp_path / "a", tmp_path / "b"
        report.write_all(outcome, mini, first)
        report.write_all(outcome, mini, second)
        argv = ["report", "--verify", "--root", str(mini), "--out", str(second)]
        assert cli.main(argv) == 0
        assert "one run's set" in capsys.readouterr().out
        # a run killed after renaming the JSON and the JUnit file: the old page is still there
        for name in ("discrepancies.json", "junit.xml"):
            shutil.copy(first / name, second / name)
        assert cli.main(argv) == 1
        assert "NOT one run's set" in capsys.readouterr().out
        (second / "discrepancies.html").unlink()
        assert cli.main(argv) == 2
        assert "discrepancies.html: missing" in capsys.readouterr().out

    @pytest.mark.parametrize("name", FILES)
    def test_verify_tells_a_file_of_another_run(self, reviewed: Path, tmp_path: Path, name) -> None:
        report.write_all(engine.run(reviewed, expectations=False), reviewed, tmp_path)
        path = tmp_path / name
        text = path.read_text("utf-8")
        rid = json.loads((tmp_path / FILES[0]).read_text("utf-8"))["summary"]["run_id"]
        assert rid in text
        path.write_text(text.replace(rid, "0" * 32), encoding="utf-8")
        assert verify(tmp_path).exit_code == 1
        path.write_text("garbage <", encoding="utf-8")
        assert verify(tmp_path).exit_code == (2 if name == FILES[0] else 1)

    def test_the_default_folder_is_the_settings_out_dir(self, mini: Path, capsys) -> None:
        assert cli.main(["report", "--verify", "--root", str(mini)]) == 2  # nothing written yet
        assert cli.main(["check", "--root", str(mini), "-q"]) in (0, 1)
        capsys.readouterr()
        assert cli.main(["report", "--verify", "--root", str(mini)]) == 0


# --- crashes: the report folder -----------------------------------------------------------------


class TestReportFolder:
    def test_a_file_in_its_place_is_one_message_and_exit_2(self, mini: Path, capsys) -> None:
        (mini / "reports").write_text("not a folder", encoding="utf-8")
        code = cli.main(["check", "--root", str(mini), "-q"])
        _, err = capsys.readouterr()
        assert code == 2
        folder = mini / "reports"
        assert err == f"factledger: cannot write the reports: {folder} is a file, not a folder\n"

    def test_an_unwritable_folder_is_one_message_and_exit_2(
        self, mini: Path, capsys, monkeypatch
    ) -> None:
        # (chmod does not stop root, who runs CI containers: the refusal is simulated)
        def refuse(*_a, **_k):
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
        code = cli.main(["check", "--root", str(mini), "-q"])
        _, err = capsys.readouterr()
        assert code == 2
        why = f"cannot write to {mini / 'reports'}: Permission denied"
        assert err == f"factledger: cannot write the reports: {why}\n"
        assert "Traceback" not in err

    def test_a_folder_in_a_report_file_place(self, mini: Path, tmp_path: Path) -> None:
        out = tmp_path / "reports"
        (out / "junit.xml").mkdir(parents=True)
        with pytest.raises(report_files.OutputError, match=r"junit\.xml is a folder"):
            report.write_all(engine.run(mini, expectations=False), mini, out)
        # refused before the first rename: no report of this run, no temporary file
        assert sorted(p.name for p in out.iterdir()) == ["junit.xml"]


# --- crashes: SIGINT -----------------------------------------------------------------------------


class TestInterrupt:
    def test_ctrl_c_is_one_line_and_exit_130(self, mini: Path, capsys, monkeypatch) -> None:
        def interrupted(*_a, **_k):
            raise KeyboardInterrupt

        monkeypatch.setattr(engine, "run", interrupted)
        monkeypatch.setattr(incremental, "run", interrupted)  # check's run through the cache
        for argv in (["check", "--root", str(mini)], ["coverage", "--root", str(mini)]):
            assert cli.main(argv) == 130
            out, err = capsys.readouterr()
            assert (out, err) == ("", "factledger: interrupted\n")

    @pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="POSIX")
    def test_a_real_sigint(self, mini: Path) -> None:
        script = (
            "import sys, time\n"
            "from factledger import cli, engine, incremental\n"
            "def slow(*a, **k):\n"
            "    print('ready', flush=True)\n"
            "    time.sleep(60)\n"
            "engine.run = incremental.run = slow\n"
            f"sys.exit(cli.main(['check', '--root', {str(mini)!r}]))\n"
        )
        proc = subprocess.Popen(
            [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        try:
            assert proc.stdout.readline() == "ready\n"
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
        finally:
            proc.kill()
        assert proc.returncode == 130
        assert err == "factledger: interrupted\n"


# --- crashes: a hostile symlink in diff --base ---------------------------------------------------


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com",
         "-c", "commit.gpgsign=false", *args],
        check=True, capture_output=True,
    )  # fmt: skip


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
class TestDiffArchive:
    @pytest.mark.parametrize(
        "target,reason",
        [("/etc/passwd", "a link to an absolute path"), ("../../../x", "a link that leaves")],
    )
    def test_a_committed_link_out_is_refused_in_one_line(
        self, mini: Path, capsys, target: str, reason: str
    ) -> None:
        _git(mini, "init", "-q")
        (mini / "seeds" / "evil.md").symlink_to(target)
        _git(mini, "add", "-A")
        _git(mini, "commit", "-q", "-m", "a link out")
        code = cli.main(["diff", "--base", "HEAD", "--root", str(mini)])
        out, err = capsys.readouterr()
        assert (code, out) == (2, "")
        assert err.count("\n") == 1 and "Traceback" not in err
        assert "refusing to read 'seeds/evil.md'" in err and reason in err

    def test_a_link_inside_the_corpus_is_extracted(self, mini: Path, capsys) -> None:
        _git(mini, "init", "-q")
        (mini / "facts" / "mini.yaml").rename(mini / "checks" / "mini.yaml")
        (mini / "facts" / "mini.yaml").symlink_to("../checks/mini.yaml")
        _git(mini, "add", "-A")
        _git(mini, "commit", "-q", "-m", "a link in")
        assert cli.main(["diff", "--base", "HEAD", "--root", str(mini)]) == 0
        assert "No findings introduced or resolved." in capsys.readouterr().out
