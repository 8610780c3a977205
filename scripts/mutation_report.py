"""Detection rates: each curator mistake, and "the source is wrong", over EVERY applicable fact.

    python scripts/mutation_report.py [--root .] [--kind changed_value ...] [--sample N]
                                      [--seed S] [--json out.json]
    python scripts/mutation_report.py --source-errors [--root .] [--json out.json]

``--source-errors``: the article itself wrong (factledger.devtools.source_errors): the number
changed consistently in the seed, the quotes and the values (×10, ×1.3, ÷10, last digit), the
cross-checking checks re-run in memory. Prints cross-check coverage, the detection rate per kind
(over the facts each kind applies to, and over all numeric facts) and per source, and every miss
grouped by why (untouched; touched but the change fits the intervals). About a minute.

For each kind of mistake (see ``factledger.mutations``) it mutates one fact at a time in a
private copy of the corpus, runs the checks, and prints: applicable facts, detected (any new or
changed finding), rate, how many would fail the gate (a new open error) and how many name a line
of the mutated fact; then every miss with its fact id, file:line and the mutated line. The
summary table is what ``docs/mutations.md`` quotes. The full run takes a few minutes (about
0.1 s per mutation); ``--sample`` gives the tests' seeded sample instead.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

from factledger.devtools import source_errors
from factledger.devtools.mutations import KINDS, Detection, KindReport, Workspace


def _pct(x: float) -> str:
    return f"{x:.1%}"


def measure(
    ws: Workspace, kinds: list[str], sample: int | None, seed: int, progress: bool
) -> list[KindReport]:
    reports = []
    for kind in kinds:
        facts = ws.applicable(kind)
        if sample is not None and len(facts) > sample:
            facts = random.Random(f"{seed}:{kind}").sample(facts, sample)
        report = KindReport(kind)
        t0 = time.perf_counter()
        for i, fact in enumerate(facts, 1):
            d = ws.run(kind, fact)
            if d is not None:
                report.detections.append(d)
            if progress:
                print(f"\r… {kind} {i}/{len(facts)}", end="", file=sys.stderr, flush=True)
        if progress:
            took = time.perf_counter() - t0
            print(f"\r… {kind}: {len(facts)} mutations in {took:.0f} s", file=sys.stderr)
        reports.append(report)
    return reports


def summary_table(reports: list[KindReport]) -> str:
    rows = [
        "| kind | applicable | detected | rate | fails the gate | at a line of the fact "
        "| names the fact's id |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in reports:
        n = r.applicable or 1
        gate = sum(d.gate for d in r.detections)
        located = sum(d.located for d in r.detections)
        named = sum(d.names_fact for d in r.detections)
        rows.append(
            f"| {r.kind} | {r.applicable} | {len(r.detected)} | {_pct(r.rate)} | "
            f"{gate} ({_pct(gate / n)}) | {located} ({_pct(located / n)}) | "
            f"{named} ({_pct(named / n)}) |"
        )
    return "\n".join(rows)


def _detectors(r: KindReport) -> str:
    counts = Counter(k for d in r.detected for k in d.by)
    return ", ".join(f"{k} {n}" for k, n in counts.most_common()) or "none"


def _miss_line(d: Detection) -> str:
    return f"  {d.fact_id} ({d.fact_where}): {d.change}"


def print_report(reports: list[KindReport], out=sys.stdout) -> None:
    print(summary_table(reports), file=out)
    for r in reports:
        print(f"\n{r.kind}: found by {_detectors(r)}", file=out)
        unlocated = [d for d in r.detected if not d.located]
        if unlocated:
            print(f"  detected elsewhere than the fact ({len(unlocated)}):", file=out)
            for d in unlocated:
                print(f"    {d.fact_id} ({d.fact_where}) → {d.where or 'no file'}", file=out)
        if not r.misses:
            print("  no misses", file=out)
            continue
        print(f"  misses ({len(r.misses)}):", file=out)
        for d in r.misses:
            print(_miss_line(d), file=out)


def source_error_report(root: Path, out=sys.stdout) -> list[source_errors.KindReport]:
    h = source_errors.Harness(root)
    numeric = len(h.numeric)
    touched = len(h.touched)
    print(
        f"cross-check coverage: {touched} of {numeric} numeric facts touched "
        f"({_pct(touched / max(1, numeric))}), {numeric - touched} untouched; "
        f"{len(h.claims)} claim facts, {len(h.claims_touched)} of them checkable",
        file=out,
    )
    reports = [h.report(kind) for kind in source_errors.KINDS]
    print(
        "\n| kind | applicable | detected | rate | rate over all numeric (claim) facts | "
        "inconsistent |",
        file=out,
    )
    print("|---|---:|---:|---:|---:|---:|", file=out)
    for r in reports:
        bad = sum(d.inconsistent for d in r.detections)
        print(
            f"| {r.kind} | {r.applicable} | {len(r.detected)} | {_pct(r.rate)} | "
            f"{_pct(len(r.detected) / max(1, len(h.candidates(r.kind))))} | {bad} |",
            file=out,
        )
    sources = sorted({d.source for r in reports for d in r.detections})
    print("\n| source | " + " | ".join(r.kind for r in reports) + " |", file=out)
    print("|---|" + "---:|" * len(reports), file=out)
    for sid in sources:
        cells = []
        for r in reports:
            n, k = r.by_source().get(sid, (0, 0))
            cells.append(f"{k}/{n}" + (f" ({_pct(k / n)})" if n else ""))
        print(f"| {sid} | " + " | ".join(cells) + " |", file=out)
    for r in reports:
        misses = [d for d in r.detections if not d.detected]
        print(f"\n{r.kind}: {len(misses)} missed", file=out)
        for why in ("untouched", "touched, but the change fits the intervals"):
            group = [d for d in misses if d.why_missed == why]
            if group:
                print(f"  {why} ({len(group)}):", file=out)
                for d in group:
                    print(f"    {d.fact_id}: {d.change}", file=out)
    not_applicable = [f.id for f in h.numeric if all(
        f.id not in {d.fact_id for d in r.detections} for r in reports
        if r.kind in source_errors.NUMBER_KINDS)]  # fmt: skip
    if not_applicable:
        print(f"\nno kind applies ({len(not_applicable)}): {', '.join(not_applicable)}", file=out)
    return reports


README_START, README_END = "<!-- source-errors:start -->", "<!-- source-errors:end -->"
KIND_WORDS = {
    "x10": "ten times the number",
    "x1.3": "30 % more",
    "div10": "a tenth",
    "last_digit": "the last digit one up (where another source agrees exactly)",
    "claim_flip": "a claim reversed (新高 ↔ 新低, 高於 ↔ 低於)",
    "claim_n+1": "a rank or count one more (第二名 → 第三名)",
    "claim_n-1": "a rank or count one less (第二名 → 第一名)",
}


def write_readme_block(root: Path, reports: list[source_errors.KindReport]) -> None:
    """README's figures, from this run (so the README never quotes a number no script prints)."""
    h = source_errors.Harness(root)
    numeric = {f.id for f in h.numeric}
    n, t = len(numeric), len(h.touched)
    rows = [
        f"Cross-check coverage: {t} of {n} numeric facts touched ({_pct(t / max(1, n))}), "
        f"{n - t} untouched; {len(h.claims)} claim facts, {len(h.claims_touched)} of them "
        "checkable.",
        "",
        "| the article says | applicable | detected | rate | over all numeric (claim) facts |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in reports:
        rows.append(
            f"| {KIND_WORDS[r.kind]} | {r.applicable} | {len(r.detected)} | {_pct(r.rate)} | "
            f"{_pct(len(r.detected) / max(1, len(h.candidates(r.kind))))} |"
        )
    why = source_errors.unchecked(h)
    rows += [
        "",
        "What nothing in the corpus can check — the untouched numeric facts, by what is missing:",
        "",
    ]
    for key, ids in why.items():
        if ids:
            rows.append(f"- **{source_errors.UNCHECKED[key]}** ({len(ids)}): "
                        + ", ".join(f"`{i}`" for i in ids))  # fmt: skip
    readme = Path(__file__).resolve().parents[1] / "README.md"
    text = readme.read_text(encoding="utf-8")
    head, _, rest = text.partition(README_START)
    _, _, tail = rest.partition(README_END)
    readme.write_text(
        f"{head}{README_START}\n" + "\n".join(rows) + f"\n{README_END}{tail}", "utf-8"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."), help="corpus folder (default .)")
    parser.add_argument(
        "--kind", action="append", choices=KINDS, help="only this kind (repeatable)"
    )
    parser.add_argument("--sample", type=int, default=None, help="at most N facts per kind")
    parser.add_argument("--seed", type=int, default=20251127, help="seed of --sample")
    parser.add_argument("--json", type=Path, default=None, help="also write every detection")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--source-errors",
        action="store_true",
        help='"the source is wrong" instead of curator slips',
    )
    parser.add_argument(
        "--readme",
        action="store_true",
        help="with --source-errors: also rewrite README's figures (between source-errors marks)",
    )
    args = parser.parse_args(argv)
    if not (args.root / "facts").is_dir():
        print(f"mutation_report: {args.root.resolve()} has no facts/", file=sys.stderr)
        return 2
    if args.source_errors:
        found = source_error_report(args.root)
        if args.readme:
            write_readme_block(args.root, found)
        if args.json:
            data = {r.kind: [d.__dict__ for d in r.detections] for r in found}
            args.json.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
        return 0
    t0 = time.perf_counter()
    with Workspace(args.root) as ws:
        reports = measure(ws, args.kind or list(KINDS), args.sample, args.seed, not args.quiet)
    print_report(reports)
    total = sum(r.applicable for r in reports)
    print(f"\n{total} mutations in {time.perf_counter() - t0:.0f} s")
    if args.json:
        data = {
            r.kind: [d.__dict__ | {"fact_where": d.fact_where} for d in r.detections]
            for r in reports
        }
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
