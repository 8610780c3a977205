"""Shared fixtures: a tiny corpus written to a temporary folder, and a copy of the bundled one."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]

SEED = """---
id: mini
title: 「可靈」將年賺10億
outlet: 測試
language: zh-Hant
published: '2025-11-27'
published_basis: test fixture
curation: partial
---
今年Q1、Q2、Q3,可靈收入分別超過1.5億元、2.5億元、3億元。粗略計算,前三季度,可靈收入已超過7億元。快手Q3日活4.16億。
"""

ENTITIES = """entities:
  - key: kling
    names: [可靈]
    kind: product
  - key: kuaishou
    names: [快手]
    kind: company
"""

METRICS = """metrics:
  - key: revenue
    dimension: money
    unit: CNY
    series: true
    names: [收入]
    description: revenue
  - key: dau
    dimension: count
    unit: count
    series: true
    description: daily active users
"""

FACTS = """source: mini
facts:
  - id: m-rev-q1
    entity: kling
    metric: revenue
    period: "2025Q1"
    value: "超過1.5億元"
    kind: actual
    quote: "今年Q1、Q2、Q3,可靈收入分別超過1.5億元、2.5億元、3億元。"
  - id: m-rev-q2
    entity: kling
    metric: revenue
    period: "2025Q2"
    value: "2.5億元"
    hedge: "超過"
    kind: actual
    quote: "今年Q1、Q2、Q3,可靈收入分別超過1.5億元、2.5億元、3億元。"
  - id: m-dau-q3
    entity: kuaishou
    metric: dau
    period: "2025Q3"
    value: "4.16億"
    kind: actual
    quote: "快手Q3日活4.16億。"
"""


def write_mini(root: Path, facts: str = FACTS) -> Path:
    (root / "seeds").mkdir(parents=True, exist_ok=True)
    (root / "facts").mkdir(exist_ok=True)
    (root / "checks").mkdir(exist_ok=True)
    (root / "seeds" / "mini.md").write_text(SEED, encoding="utf-8")
    (root / "facts" / "entities.yaml").write_text(ENTITIES, encoding="utf-8")
    (root / "facts" / "metrics.yaml").write_text(METRICS, encoding="utf-8")
    (root / "facts" / "mini.yaml").write_text(textwrap.dedent(facts), encoding="utf-8")
    return root


def edit_facts(root: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the mini corpus' facts file (it must be there)."""
    path = root / "facts" / "mini.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return write_mini(tmp_path / "corpus")


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    """A copy of the bundled corpus that a test may break."""
    dst = tmp_path / "bundled"
    for part in ("seeds", "facts", "checks"):
        shutil.copytree(
            PROJECT / part, dst / part, ignore=shutil.ignore_patterns("__pycache__", "_proposed")
        )
    return dst
