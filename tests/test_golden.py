"""The bundled corpus's results against a golden file taken from `main` before a refactor.

Per result: id, kind, verdict, severity, fact_ids, file, line, fingerprint and the keys of
``data``. A change that alters any of them on purpose rewrites the golden file in the same
commit (``FACTLEDGER_UPDATE_GOLDEN=1 pytest tests/test_golden.py``) and says why in the message.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from factledger import engine

from .conftest import PROJECT

GOLDEN = Path(__file__).parent / "golden" / "bundled_results.json"
FIELDS = ("id", "kind", "verdict", "severity", "fact_ids", "file", "line", "fingerprint")


def snapshot(outcome: engine.Outcome) -> list[dict]:
    rows = []
    for r in outcome.results:
        row = {k: getattr(r, k) for k in FIELDS}
        row["fact_ids"] = list(r.fact_ids)
        row["data_keys"] = sorted(r.data.to_json()) if r.data is not None else []
        rows.append(row)
    return sorted(rows, key=lambda row: row["id"])


@pytest.fixture(scope="module")
def current() -> list[dict]:
    return snapshot(engine.run(PROJECT))


def test_results_match_the_golden_file(current: list[dict]) -> None:
    if os.environ.get("FACTLEDGER_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(current, ensure_ascii=False, indent=1) + "\n", "utf-8")
    golden = json.loads(GOLDEN.read_text("utf-8"))
    by_id = {row["id"]: row for row in golden}
    now = {row["id"]: row for row in current}
    assert sorted(now) == sorted(by_id), (
        f"new: {sorted(set(now) - set(by_id))[:10]}, gone: {sorted(set(by_id) - set(now))[:10]}"
    )
    changed = [(i, by_id[i], now[i]) for i in sorted(now) if now[i] != by_id[i]]
    assert not changed, "\n".join(f"{i}:\n  golden {g}\n  now    {c}" for i, g, c in changed[:5])
