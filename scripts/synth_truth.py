"""Every discrepancy ``factledger synth`` injects is found, and nothing else, at each size.

    python scripts/synth_truth.py [--sizes 1000,10000,100000] [--rate 0.01] [--seed 0]

For each size it writes a synthetic corpus (50 facts per source) to a temporary folder, runs the
engine (without great-expectations, which checks no cross-source fact), and compares the findings
with ``ground_truth.json``: per injected kind, how many were injected and found; then every
finding that no injection explains. Exit 1 when something is missed or unexplained. The 100k size
takes a few minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from factledger import engine
from factledger.devtools import synth


def check_size(n: int, rate: float, seed: int, base: Path) -> bool:
    root = base / f"synth-{n}"
    synth.generate(root, sources=max(1, n // synth.FACTS_PER_SOURCE), facts=n, rate=rate,
                   seed=seed)  # fmt: skip
    truth = json.loads((root / "ground_truth.json").read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    outcome = engine.run(root, expectations=False)
    took = time.perf_counter() - t0
    ids = [f.result.id for f in outcome.findings]
    injected, found = Counter(), Counter()
    missed = []
    for t in truth:
        injected[t["kind"]] += 1
        hit = any(i.startswith(t["expected"]) for i in ids)
        found[t["kind"]] += hit
        if not hit:
            missed.append(t["expected"])
    # "also": other findings the same discrepancy rightly causes (a violated sum is the flow's
    # tiling invariant too)
    explained = [p for t in truth for p in (t["expected"], *t.get("also", []))]
    unexplained = [i for i in ids if not any(i.startswith(p) for p in explained)]
    print(f"{n:>7} facts, {len(truth)} injected, engine {took:.1f} s")
    for kind in sorted(injected):
        mark = "" if found[kind] == injected[kind] else "   <-- missed"
        print(f"    {kind:<24} {found[kind]:>5}/{injected[kind]:<5}{mark}")
    for expected in missed[:20]:
        print(f"      missed: {expected}")
    print(f"    unexplained findings: {len(unexplained)}")
    for i in unexplained[:20]:
        print(f"      {i}")
    return not unexplained and found == injected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    ok = True
    with tempfile.TemporaryDirectory(prefix="factledger-truth-") as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            ok = check_size(n, args.rate, args.seed, Path(tmp)) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
