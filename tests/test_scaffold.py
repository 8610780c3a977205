"""`factledger init` and `factledger new-source`: from nothing to a green corpus."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from factledger import engine
from factledger.cli import main
from factledger.scaffold import corpus_files

PROJECT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent

# A real passage of a bundled seed (seeds/bohu-kling-two-faces.md), as an article with a title.
ARTICLE = (
    "可靈的“兩幅面孔”\n"
    "今年一季度,快手月活使用者為7.12億,同比增長2.1%,但對比去年四季度7.36億的月活規模,"
    "則環比下跌了3.26%。\n"
)
QUOTE = ARTICLE.splitlines()[1]
ENTITIES = "entities:\n  - key: kuaishou\n    names: [快手]\n    kind: company\n"
METRICS = """metrics:
  - key: mau
    dimension: count
    unit: count
    series: true
    names: [月活]
    description: Monthly active users in (or at the end of) the period.
"""
TWO_FACTS = f"""  - id: bh-kuaishou-mau-2025q1
    entity: kuaishou
    metric: mau
    period: "2025Q1"
    value: "7.12億"
    kind: actual
    quote: "{QUOTE}"
    period_text: "一季度"
  - id: bh-kuaishou-mau-2024q4
    entity: kuaishou
    metric: mau
    period: "2024Q4"
    value: "7.36億"
    kind: actual
    quote: "{QUOTE}"
    period_text: "四季度"
"""


def check(root: Path, capsys) -> tuple[int, str]:
    code = main(["check", "--root", str(root), "--no-report", "-q"])
    return code, capsys.readouterr().out


def pytest_checks(root: Path) -> subprocess.CompletedProcess:
    """`pytest checks` in the corpus, as its README says (its own folder, its own conftest)."""
    env = {**os.environ, "FACTLEDGER_NO_REPORT": "1"}
    env.pop("FACTLEDGER_ROOT", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "checks", "-q", "-p", "no:cacheprovider"],
        cwd=root, capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip


def test_init_makes_a_green_corpus(tmp_path: Path, capsys) -> None:
    root = tmp_path / "desk"
    assert main(["init", str(root)]) == 0
    capsys.readouterr()
    for rel in (
        "seeds",
        "facts/entities.yaml",
        "facts/metrics.yaml",
        "checks/conftest.py",
        "checks/test_corpus.py",
        "checks/rules",
        "checks/acknowledged.yaml",
        "factledger.toml",
        ".github/workflows/facts.yml",
        ".pre-commit-config.yaml",
    ):
        assert (root / rel).exists(), rel  # fmt: skip
    code, out = check(root, capsys)
    assert code == 0, out
    assert "gate: PASS" in out
    proc = pytest_checks(root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout and "failed" not in proc.stdout
    # never into a folder that holds anything
    assert main(["init", str(root)]) == 2
    assert "is not empty" in capsys.readouterr().err


def test_new_source_then_two_facts_is_green(tmp_path: Path, capsys) -> None:
    root = tmp_path / "desk"
    main(["init", str(root)])
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, "utf-8")
    args = ["new-source", str(article), "--root", str(root), "--id", "bohu-mau",
            "--outlet", "伯虎財經", "--published", "2025-06",
            "--published-basis", "2025Q1 results are the latest quarter it cites",
            "--url", "https://example.org/bohu"]  # fmt: skip
    assert main(args) == 0
    capsys.readouterr()
    seed = (root / "seeds" / "bohu-mau.md").read_text("utf-8")
    front, body = seed.split("---\n")[1], seed.split("---\n", 2)[2]
    meta = yaml.safe_load(front)
    assert meta == {"id": "bohu-mau", "title": "可靈的“兩幅面孔”", "outlet": "伯虎財經",
                    "language": "zh-Hant", "published": "2025-06",
                    "published_basis": "2025Q1 results are the latest quarter it cites",
                    "curation": "partial", "url": "https://example.org/bohu",
                    "origin": {"file": "article.txt"}}  # fmt: skip
    assert body == ARTICLE.split("\n", 1)[1]  # the text after the title line, as received
    assert (
        (root / "facts" / "bohu-mau.yaml")
        .read_text("utf-8")
        .endswith("source: bohu-mau\nfacts: []\n")
    )
    code, out = check(root, capsys)
    assert code == 0, out  # partial curation: uncovered mentions do not fail

    (root / "facts" / "entities.yaml").write_text(ENTITIES, "utf-8")
    (root / "facts" / "metrics.yaml").write_text(METRICS, "utf-8")
    facts = root / "facts" / "bohu-mau.yaml"
    text = facts.read_text("utf-8").replace("facts: []\n", "facts:\n" + TWO_FACTS)
    facts.write_text(text, "utf-8")
    outcome = engine.run(root, expectations=False)
    assert len(outcome.corpus.facts) == 2
    assert {r.verdict for r in outcome.results if r.kind == "provenance"} == {"pass"}
    code, out = check(root, capsys)
    assert code == 0, out
    assert "2 facts from 1 sources" in out
    proc = pytest_checks(root)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # never overwrites: the same id again is refused, and the files are untouched
    before = seed
    assert main(args) == 2
    assert "already exists: nothing written" in capsys.readouterr().err
    assert (root / "seeds" / "bohu-mau.md").read_text("utf-8") == before


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--id", "Bohu Mau", "use lower-case letters"),
        ("--published", "2025Q5", "--published '2025Q5'"),
        ("--url", "ftp://x", "is not an http(s) address"),
    ],
)
def test_new_source_refuses_bad_values(tmp_path: Path, capsys, flag, value, message) -> None:
    root = tmp_path / "desk"
    main(["init", str(root)])
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, "utf-8")
    values = {"--id": "x", "--outlet": "o", "--published": "2025-06", "--published-basis": "b",
              flag: value}  # fmt: skip
    args = ["new-source", str(article), "--root", str(root)]
    for k, v in values.items():
        args += [k, v]
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in (root / "seeds").iterdir()) == [".gitkeep"]


def test_the_corpus_pytest_face_is_this_repositorys() -> None:
    files = corpus_files()
    for rel in ("checks/conftest.py", "checks/test_corpus.py"):
        assert files[rel] == (PROJECT / rel).read_text("utf-8"), rel


@pytest.mark.parametrize(
    "path", [".github/workflows/facts.yml", "init:.github/workflows/facts.yml"]
)
def test_workflows_are_valid(path: str, tmp_path: Path) -> None:
    """Against the GitHub workflow schema check-jsonschema ships (offline)."""
    if path.startswith("init:"):
        target = tmp_path / "facts.yml"
        target.write_text(corpus_files()[path.removeprefix("init:")], "utf-8")
    else:
        target = PROJECT / path
    proc = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         str(target)], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("config", ["repo", "init"])
def test_pre_commit_hook_runs_without_an_active_environment(
    config: str, tmp_path: Path, bundled: Path
) -> None:
    """The hook's entry, run as pre-commit runs it (split like a shell line, from the repository
    root), finds .venv/bin/factledger with no virtual environment on PATH."""
    text = (
        (PROJECT / ".pre-commit-config.yaml").read_text("utf-8")
        if config == "repo"
        else corpus_files()[".pre-commit-config.yaml"]
    )
    [hook] = yaml.safe_load(text)["repos"][0]["hooks"]
    assert hook["language"] == "system" and hook["pass_filenames"] is False
    (bundled / ".venv" / "bin").mkdir(parents=True)
    (bundled / ".venv" / "bin" / "factledger").symlink_to(VENV_BIN / "factledger")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no venv, no factledger on PATH
    proc = subprocess.run(shlex.split(hook["entry"]), cwd=bundled, env=env, capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "gate: PASS" in proc.stdout
    # without it, the message says what to do (exit 2, not "Executable not found")
    (bundled / ".venv" / "bin" / "factledger").unlink()
    proc = subprocess.run(shlex.split(hook["entry"]), cwd=bundled, env=env, capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert proc.returncode == 2 and "factledger not found" in proc.stderr
