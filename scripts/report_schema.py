"""Write the payload part of ``docs/report-schema.json`` from the payload dataclasses.

    python scripts/report_schema.py          # rewrite the $defs of every payload, and result.data
    python scripts/report_schema.py --check  # exit 1 when the file is out of date (a test runs it)

The rest of the schema (summary, sources, facts, findings) is written by hand; the shape of each
result kind's ``data`` is declared once, in :mod:`factledger.payloads`, and copied here.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import types
import typing
from pathlib import Path

from factledger import payloads
from factledger.model import RESULT_KINDS, Interval

SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "report-schema.json"


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _type_schema(tp: object) -> dict:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        options = [_type_schema(a) for a in args if a is not type(None)]
        if type(None) in args:
            options.append({"type": "null"})
        return options[0] if len(options) == 1 else {"oneOf": options}
    if origin is list:
        return {"type": "array", "items": _type_schema(args[0])}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(args[1])}
    if tp is Interval:
        return {"$ref": "#/$defs/interval"}
    if isinstance(tp, type) and issubclass(tp, payloads.Payload):
        return {"$ref": f"#/$defs/{_snake(tp.__name__)}"}
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if tp in simple:
        return {"type": simple[tp]}  # type: ignore[index]
    return {}  # typing.Any


def payload_defs() -> dict[str, dict]:
    defs: dict[str, dict] = {}
    classes = [
        c for c in vars(payloads).values()
        if isinstance(c, type) and issubclass(c, payloads.Payload) and c is not payloads.Payload
    ]  # fmt: skip
    for cls in sorted(classes, key=lambda c: c.__name__):
        hints = typing.get_type_hints(cls, vars(payloads))
        fields = dataclasses.fields(cls)
        defs[_snake(cls.__name__)] = {
            "type": "object",
            "description": (cls.__doc__ or cls.__name__).strip().splitlines()[0],
            "required": [f.name for f in fields if not f.metadata.get("omit_none")],
            "properties": {f.name: _type_schema(hints[f.name]) for f in fields},
            "additionalProperties": False,
        }
    return defs


def result_data() -> dict:
    """result.data: the payload of the result's kind; {} for kinds that carry none."""
    rules = []
    for kind, classes in sorted(payloads.PAYLOADS.items()):
        options = classes if isinstance(classes, tuple) else (classes,)
        refs = [{"$ref": f"#/$defs/{_snake(c.__name__)}"} for c in options]
        rules.append({
            "if": {"properties": {"kind": {"const": kind}}},
            "then": {"properties": {"data": refs[0] if len(refs) == 1 else {"anyOf": refs}}},
        })  # fmt: skip
    return {"allOf": rules}


def updated(schema: dict) -> dict:
    out = json.loads(json.dumps(schema))
    out["$defs"] = {k: v for k, v in out["$defs"].items() if not v.get("x-payload")}
    for name, definition in payload_defs().items():
        out["$defs"][name] = {"x-payload": True, **definition}
    result = out["$defs"]["result"]
    result["properties"]["data"] = {
        "type": "object",
        "description": "The result kind's payload (factledger.payloads); {} when it has none.",
    }
    result.update(result_data())
    result["properties"]["kind"] = {
        "type": "string",
        "description": "One of " + ", ".join(RESULT_KINDS) + ", or a kind a corpus's own check "
        "adds (factledger.checks protocol).",
        "examples": list(RESULT_KINDS),
    }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether it is current")
    args = parser.parse_args(argv)
    current = json.loads(SCHEMA.read_text(encoding="utf-8"))
    new = updated(current)
    if args.check:
        if new != current:
            print(f"{SCHEMA} is out of date: run python scripts/report_schema.py", file=sys.stderr)
            return 1
        return 0
    SCHEMA.write_text(json.dumps(new, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
