"""``factledger diff`` on a temporary git repository holding a two-source corpus."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from factledger import engine
from factledger.cli import main
from factledger.diff import Entry, compare, render_markdown
from factledger.model import Acknowledgement, Finding, Result

from .conftest import ENTITIES, METRICS

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def seed(sid: str, body: str) -> str:
    return f"""---
id: {sid}
title: 測試{sid}
outlet: 測試
language: zh-Hant
published: '2025-05-20'
published_basis: test fixture
curation: partial
---
{body}
"""


def fact_yaml(fid: str, entity: str, metric: str, value: str, quote: str) -> str:
    return f"""  - id: {fid}
    entity: {entity}
    metric: {metric}
    period: "2025Q1"
    value: "{value}"
    kind: actual
    quote: "{quote}"
"""


A_BODY = "可靈一季度收入超過1.5億元。快手第一季度日活3.8億。"
A_FACTS = (
    "source: src-a\nfacts:\n"
    + fact_yaml("a-rev-q1", "kling", "revenue", "超過1.5億元", "可靈一季度收入超過1.5億元。")
    + fact_yaml("a-dau-q1", "kuaishou", "dau", "3.8億", "快手第一季度日活3.8億。")
)


def b_files(dau: str = "3.8億", rev: str = "1億元", padding: int = 0) -> tuple[str, str]:
    """Source b: a revenue figure that always conflicts with a's, and a DAU figure."""
    body = f"可靈一季度收入{rev}。快手第一季度日活{dau}。"
    facts = "source: src-b\n" + "# moved down\n" * padding + "facts:\n"
    facts += fact_yaml("b-rev-q1", "kling", "revenue", rev, f"可靈一季度收入{rev}。")
    facts += fact_yaml("b-dau-q1", "kuaishou", "dau", dau, f"快手第一季度日活{dau}。")
    return seed("src-b", body), facts


def write(root: Path, dau: str = "3.8億", rev: str = "1億元", padding: int = 0) -> None:
    for d in ("seeds", "facts", "checks"):
        (root / d).mkdir(parents=True, exist_ok=True)
    (root / "facts" / "entities.yaml").write_text(ENTITIES, encoding="utf-8")
    (root / "facts" / "metrics.yaml").write_text(METRICS, encoding="utf-8")
    (root / "seeds" / "src-a.md").write_text(seed("src-a", A_BODY), encoding="utf-8")
    (root / "facts" / "src-a.yaml").write_text(A_FACTS, encoding="utf-8")
    b_seed, b_facts = b_files(dau, rev, padding)
    (root / "seeds" / "src-b.md").write_text(b_seed, encoding="utf-8")
    (root / "facts" / "src-b.yaml").write_text(b_facts, encoding="utf-8")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose corpus lives in a subfolder, committed once."""
    top = tmp_path / "repo"
    top.mkdir()
    git(top, "init", "-q")
    write(top / "corpus")
    commit_all(top, "base corpus")
    return top / "corpus"


def diff(root: Path, base: str, capsys, *extra: str) -> tuple[int, str, str]:
    code = main(["diff", "--base", base, "--root", str(root), *extra])
    out, err = capsys.readouterr()
    return code, out, err


DAU = "conflict:kuaishou.dau@2025Q1"
REV = "conflict:kling.revenue@2025Q1"


def test_the_corpus_has_one_conflict_to_start_with(repo: Path) -> None:
    outcome = engine.run(repo, expectations=False)
    conflicts = {
        f.result.id: f.result.verdict for f in outcome.findings if f.result.kind == "conflict"
    }
    assert conflicts == {REV: "conflict"}
    assert not [f for f in outcome.findings if f.result.kind in ("input", "provenance")]


def test_no_change_lists_nothing(repo: Path, capsys) -> None:
    code, out, err = diff(repo, "HEAD", capsys)
    assert code == 0, err
    assert "No findings introduced or resolved." in out
    assert REV not in out  # the existing conflict is unchanged, not new


def test_a_new_conflict_is_listed_first_and_fails(repo: Path, capsys) -> None:
    # b now disagrees on DAU; its file also gains lines, moving the unchanged revenue conflict
    write(repo, dau="4.08億", padding=5)
    code, out, _ = diff(repo, "HEAD", capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[1].startswith("Introduced (")
    assert lines[2].startswith("  new: facts/src-a.yaml:")
    assert DAU in out and "3.8億" in out and "4.08億" in out
    assert REV not in out  # moved, not changed: ids and fingerprints ignore line numbers
    assert out.index("Introduced") < out.index("introduced (")  # counts come last
    assert "1 open error" in lines[-1]


def test_reverting_resolves_it(repo: Path, capsys) -> None:
    write(repo, dau="4.08億")
    commit_all(repo.parent, "b disagrees")
    write(repo)  # back to the base values, uncommitted
    code, out, _ = diff(repo, "HEAD", capsys)
    assert code == 0
    assert "Resolved (1):" in out and f"id: {DAU}" in out
    assert "Introduced" not in out
    # and against the first commit nothing differs
    code, out, _ = diff(repo, "HEAD~1", capsys)
    assert (code, "No findings introduced or resolved." in out) == (0, True)


def test_a_changed_value_stales_its_acknowledgement(repo: Path, capsys) -> None:
    outcome = engine.run(repo, expectations=False)
    rev = next(f.result for f in outcome.findings if f.result.id == REV)
    (repo / "checks" / "acknowledged.yaml").write_text(
        "acknowledged:\n"
        f"  - id: {REV}\n    fingerprint: {rev.fingerprint}\n    verdict: sources-disagree\n"
        "    reason: b rounds differently\n    reviewer: test\n    date: '2025-11-28'\n",
        encoding="utf-8",
    )
    commit_all(repo.parent, "acknowledge")
    code, out, _ = diff(repo, "HEAD", capsys)
    assert (code, "No findings introduced or resolved." in out) == (0, True)
    write(repo, rev="1.2億元")
    code, out, _ = diff(repo, "HEAD", capsys)
    assert code == 1
    assert "changed: " in out and REV in out and "acknowledged → stale-ack" in out


def test_markdown_has_a_table_and_counts(repo: Path, capsys) -> None:
    write(repo, dau="4.08億")
    code, out, _ = diff(repo, "HEAD", capsys, "--format", "markdown")
    assert code == 1
    assert out.startswith("## factledger diff against `HEAD`")
    assert "| change | severity | status | kind | where | id | message |" in out
    assert "| new | error | open | conflict: conflict | `facts/src-a.yaml:" in out
    assert f"`{DAU}`" in out
    assert "### Counts" in out and "| open errors | 1 | 2 |" in out


def test_a_bad_ref_exits_2_with_one_line(repo: Path, capsys) -> None:
    code, out, err = diff(repo, "no-such-branch", capsys)
    assert (code, out) == (2, "")
    assert err.strip().count("\n") == 0 and "no-such-branch" in err
    code, _, err = diff(repo, "--upload-pack=x", capsys)
    assert code == 2


def test_a_ref_without_the_corpus_exits_2(repo: Path, capsys) -> None:
    git(repo.parent, "checkout", "-q", "--orphan", "empty")
    git(repo.parent, "rm", "-r", "-q", "--cached", ".")
    (repo.parent / "README").write_text("x", encoding="utf-8")
    git(repo.parent, "add", "README")
    git(repo.parent, "commit", "-q", "-m", "no corpus")  # the corpus stays untracked
    code, _, err = diff(repo, "empty", capsys)
    assert code == 2 and "corpus" in err


def test_outside_a_repository_exits_2(tmp_path: Path, capsys) -> None:
    root = tmp_path / "plain"
    write(root)
    code, out, err = diff(root, "HEAD", capsys)
    assert (code, out) == (2, "")
    assert "not in a git repository" in err


# --- the comparison alone -----------------------------------------------------------------


def finding(
    rid: str, fp: str, *, severity: str = "error", status: str = "open", line: int = 1
) -> Finding:
    r = Result(
        rid,
        "conflict",
        severity,
        "conflict",
        f"message of {rid}",
        file="f.yaml",
        line=line,
        fingerprint=fp,
    )
    ack = Acknowledgement(rid, fp, "sources-disagree", "r", "me", "2025-01-01", "a", 1)
    return Finding(r, status, ack if status != "open" else None)


def test_compare_matches_ids_and_fingerprints_not_positions() -> None:
    base = [
        finding("x", "1", line=1),
        finding("y", "2", line=2),
        finding("z", "3"),
        finding("dup", "a"),
        finding("dup", "b"),
    ]
    head = [
        finding("dup", "b"),
        finding("new", "9", severity="warning"),
        finding("y", "2", line=40),
        finding("x", "1b"),
        finding("dup", "a"),
    ]
    d = compare(base, head)
    # new ones first, then changed, then resolved; unchanged ones (moved or not) not listed
    assert [(e.change, e.finding.result.id) for e in d.entries] == [
        ("new", "new"),
        ("changed", "x"),
        ("resolved", "z"),
    ]
    assert d.unchanged == 3
    assert [e.change for e in d.introduced] == ["new", "changed"]
    assert d.exit_code == 1  # x changed and is an open error


def test_compare_status_moves() -> None:
    base = [finding("a", "1", status="acknowledged"), finding("b", "2")]
    head = [finding("a", "1"), finding("b", "2", status="acknowledged")]
    d = compare(base, head)
    assert [(e.change, e.finding.result.id) for e in d.entries] == [
        ("reopened", "a"),
        ("acknowledged", "b"),
    ]
    assert d.exit_code == 1
    warning_only = compare([], [finding("w", "1", severity="warning")])
    assert warning_only.exit_code == 0 and len(warning_only.introduced) == 1
    assert isinstance(warning_only.introduced[0], Entry)
    assert "✅ introduces no open errors" in render_markdown(warning_only)


def test_an_unreadable_seed_exits_2(repo: Path, capsys) -> None:
    (repo / "seeds" / "broken.md").write_bytes(b"\xff\xfe not utf-8")
    code, _out, err = diff(repo, "HEAD", capsys)
    assert code == 2
    assert "factledger diff: cannot read seeds/broken.md" in err
