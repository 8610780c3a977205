"""Write docs/quantity.md's "Every example" table from the golden cases of tests/test_quantity.py.

    python scripts/quantity_examples.py          # rewrite the table
    python scripts/quantity_examples.py --check  # exit 1 when it is out of date (a test runs it)

The table is what the parser does today (each case is also asserted by the golden test), so the
documentation cannot drift from the code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "quantity.md"
START, END = "<!-- examples:start -->", "<!-- examples:end -->"


def table() -> str:
    sys.path.insert(0, str(ROOT))
    from factledger import formatting as fmt
    from factledger.quantity import parse_quantity
    from tests.test_quantity import GOLDEN

    rows = ["| written (+ arguments) | dimension | interval | hedge |", "|---|---|---|---|"]
    for value, dimension, kwargs, _expected in GOLDEN:
        got = parse_quantity(value, dimension=dimension, **kwargs)  # type: ignore[arg-type]
        args = ", ".join(f"{k}=`{v}`" for k, v in kwargs.items() if k != "year")
        written = f"`{value}`" + (f" + {args}" if args else "")
        unit = "" if got.unit in ("date", "rank") or fmt.unit_suffix(got.unit) else f" {got.unit}"
        rows.append(f"| {written} | {dimension} | {fmt.interval(got)}{unit} | {got.hedge or ''} |")
    return "\n".join(rows)


def updated(text: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    new = updated(text)
    if args.check:
        if new != text:
            print(f"{DOC} is out of date: run python scripts/quantity_examples.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
