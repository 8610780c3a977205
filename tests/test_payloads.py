"""The typed payloads: their JSON, and the report schema that declares it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from factledger import engine, payloads
from factledger.model import Interval
from factledger.report import document

from .conftest import PROJECT


def test_the_schema_declares_every_payload() -> None:
    proc = subprocess.run(
        [sys.executable, str(PROJECT / "scripts" / "report_schema.py"), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def test_optional_fields_are_left_out_when_empty_and_intervals_are_json() -> None:
    member = payloads.Member(
        "f", "s", "1.5億", Interval(1.45e8, float("inf"), False, True, "CNY"), "2025Q1",
        "actual", "2025-05-20", "facts/s.yaml", 3, "…",
    )  # fmt: skip
    out = member.to_json()
    assert "qualifiers" not in out and "period_label" not in out
    assert out["interval"] == {"lo": 1.45e8, "hi": None, "lo_open": False, "hi_open": True,
                               "unit": "CNY"}  # fmt: skip


def test_every_result_of_the_bundled_corpus_validates_against_its_kind() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((PROJECT / "docs" / "report-schema.json").read_text("utf-8"))
    outcome = engine.run(PROJECT, expectations=False)
    doc = json.loads(json.dumps(document.build(outcome, PROJECT)))
    validator = jsonschema.Draft202012Validator(schema)
    errors = list(validator.iter_errors(doc))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    # and a payload of the wrong shape is refused
    rule = next(r for r in doc["results"] if r["kind"] == "rule")
    rule["data"]["operands"] = [{"fact_id": 1}]
    assert list(validator.iter_errors(doc))


def test_the_quantity_examples_in_the_docs_are_current() -> None:
    proc = subprocess.run(
        [sys.executable, str(PROJECT / "scripts" / "quantity_examples.py"), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
