"""Quick curation check for helpers while the engine is being built.

Usage: python scripts/curate_check.py facts/<source-id>.yaml [...]
Checks: required fields, unique ids, entity/metric known (registries + facts/_proposed/*.yaml),
quote in source (NFKC, whitespace folded), value/hedge/unit/period_text spans of the quote,
period syntax. Prints every problem with file:line; exit 1 if any.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PERIOD = re.compile(
    r"^(\d{4}(Q[1-4]|H[12])?|FY\d{4}|\d{4}-\d{2}(-\d{2})?)(\.\.(\d{4}(Q[1-4]|H[12])?|FY\d{4}|\d{4}-\d{2}(-\d{2})?))?$"
)
REQUIRED = {"id", "entity", "metric", "period", "value", "kind", "quote"}
ALLOWED = REQUIRED | {
    "qualifiers",
    "hedge",
    "unit",
    "stated",
    "rounded_to",
    "period_text",
    "derived_from",
    "formula",
    "note",
}
KINDS = {"actual", "guidance", "forecast", "estimate", "hypothetical", "derived"}


def fold(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def keys(path: Path, section: str) -> set[str]:
    data = yaml.safe_load(path.read_text()) or {}
    return {e["key"] for e in data.get(section, [])}


def main(paths: list[str]) -> int:
    ents = keys(ROOT / "facts/entities.yaml", "entities")
    mets = keys(ROOT / "facts/metrics.yaml", "metrics")
    for p in sorted((ROOT / "facts/_proposed").glob("*.yaml")):
        ents |= keys(p, "entities")
        mets |= keys(p, "metrics")
    problems = 0
    seen: dict[str, str] = {}
    for path in paths:
        node = yaml.compose(Path(path).read_text())
        data = yaml.safe_load(Path(path).read_text())
        src_id = data["source"]
        seed = (ROOT / "seeds" / f"{src_id}.md").read_text()
        _, front, body = seed.split("---\n", 2)
        title = yaml.safe_load(front)["title"]
        text = fold(title + "\n" + body)
        facts_node = next(v for k, v in node.value if k.value == "facts")
        for fnode, fact in zip(facts_node.value, data["facts"], strict=True):
            where = f"{path}:{fnode.start_mark.line + 1}"

            def bad(msg: str, where: str = where) -> None:
                nonlocal problems
                problems += 1
                print(f"{where}: {fact.get('id')}: {msg}")

            missing = REQUIRED - fact.keys()
            if missing:
                bad(f"missing {sorted(missing)}")
                continue
            for k in fact.keys() - ALLOWED:
                bad(f"unknown field {k}")
            if fact["id"] in seen:
                bad(f"duplicate id (also {seen[fact['id']]})")
            seen[fact["id"]] = where
            if fact["entity"] not in ents:
                bad(f"unknown entity {fact['entity']}")
            if fact["metric"] not in mets:
                bad(f"unknown metric {fact['metric']}")
            if fact["kind"] not in KINDS:
                bad(f"bad kind {fact['kind']}")
            for f in ("period", "stated"):
                if f in fact and not PERIOD.match(str(fact[f])):
                    bad(f"bad {f} {fact[f]!r}")
            q = fold(str(fact["quote"]))
            if q not in text:
                bad("quote not in source")
            spans = [
                ("value", fact["value"]),
                ("hedge", fact.get("hedge")),
                ("unit", fact.get("unit")),
            ]
            pt = fact.get("period_text") or []
            spans += [("period_text", t) for t in ([pt] if isinstance(pt, str) else pt)]
            for name, span in spans:
                if span is not None and fold(str(span)) not in q:
                    bad(f"{name} {span!r} not in quote")
    print(f"{problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
