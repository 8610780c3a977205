"""``factledger`` command line: a face of the engine, computing nothing itself.

Exit codes: 0 no open errors, 1 open errors (or stale acknowledgements), 2 unreadable input or
usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from factledger import diff, engine
from factledger.devtools import synth
from factledger.model import Finding

EXIT_USAGE = 2


def _root(value: str) -> Path:
    root = Path(value).resolve()
    missing = [d for d in ("seeds", "facts") if not (root / d).is_dir()]
    if missing:
        raise argparse.ArgumentTypeError(
            f"{root} is not a corpus: missing {', '.join(d + '/' for d in missing)}"
        )
    return root


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    return lambda step: print(f"… {step}", file=sys.stderr, flush=True)


def _line(f: Finding) -> str:
    r = f.result
    where = f"{r.where}: " if r.where else ""
    ids = (
        f" [{', '.join(r.fact_ids[:4])}{', …' if len(r.fact_ids) > 4 else ''}]"
        if r.fact_ids
        else ""
    )
    status = "" if f.status == "open" else f" ({f.status})"
    return f"  {where}{r.kind}: {r.verdict}{status}: {r.message}{ids}"


def print_outcome(outcome: engine.Outcome, *, verbose: bool = False, out=None) -> None:
    out = out or sys.stdout
    groups = [
        ("Open errors", [f for f in outcome.open_errors]),
        ("Warnings", [f for f in outcome.findings
                      if f.status == "open" and f.result.severity == "warning"]),
        ("Acknowledged", [f for f in outcome.findings if f.status == "acknowledged"]),
    ]  # fmt: skip
    for title, items in groups:
        if not items:
            continue
        print(f"{title} ({len(items)}):", file=out)
        shown = items if verbose or title != "Acknowledged" else []
        for f in shown:
            print(_line(f), file=out)
            if f.ack and f.status == "acknowledged":
                print(f"      reviewed: {f.ack.verdict} — {f.ack.reason}", file=out)
        if not shown:
            print("  (use -v to list them)", file=out)
    c = outcome.corpus
    cov = outcome.extras.get("coverage")
    counts = outcome.counts()
    print(
        f"{len(c.facts)} facts from {len(c.sources)} sources; "
        f"{len(outcome.results)} results ({_fmt(counts['results'])})",
        file=out,
    )
    if isinstance(cov, dict):
        s = cov["summary"]
        print(
            f"coverage: {s['covered']}/{s['mentions']} mentions covered, {s['ignored']} ignored, "
            f"{s['uncovered']} uncovered ({s['coverage']:.1%})",
            file=out,
        )
    print(
        f"gate: {'PASS' if outcome.passed else 'FAIL'} — {len(outcome.open_errors)} open errors, "
        f"findings by status: {_fmt(counts['status']) or 'none'}",
        file=out,
    )


def _fmt(d: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(d.items()))


def cmd_check(args: argparse.Namespace) -> int:
    outcome = engine.run(args.root, expectations=not args.fast, progress=_progress(args.quiet))
    print_outcome(outcome, verbose=args.verbose)
    if not args.no_report:
        from factledger import report

        written = report.write_all(outcome, args.root, args.out)
        print("reports: " + ", ".join(str(p) for p in written.values()))
    return outcome.exit_code


def cmd_coverage(args: argparse.Namespace) -> int:
    """Numeric mentions per source: covered by a fact, ignored with a reason, or uncovered."""
    from factledger.checks import default_checks

    # mentions, and the checks that compare facts with each other (cross-check coverage)
    checks = [c for c in default_checks() if c.cross_checks or c.name == "coverage"]
    outcome = engine.run(args.root, checks=checks)
    figures = outcome.extras.get("coverage") or {"summary": {}, "sources": {}}
    print(f"{'source':<34} {'mentions':>8} {'covered':>8} {'ignored':>8} {'uncovered':>9} coverage")
    for sid, cov in figures["sources"].items():
        print(f"{sid:<34} {cov['mentions']:>8} {cov['covered']:>8} {cov['ignored']:>8} "
              f"{len(cov['uncovered']):>9} {cov['coverage']:>8.1%}")  # fmt: skip
    s = figures["summary"]
    if s:
        print(f"{'all':<34} {s['mentions']:>8} {s['covered']:>8} {s['ignored']:>8} "
              f"{s['uncovered']:>9} {s['coverage']:>8.1%}")  # fmt: skip
        print(f"covered by facts: {s['covered_share_of_mentions']:.1%} of all mentions; "
              f"ignored: {s['ignored'] / max(1, s['mentions']):.1%}")  # fmt: skip
    for sid, cov in figures["sources"].items():
        if cov["uncovered"]:
            print(f"\nuncovered in {sid} ({cov['curation']}):")
            for m in cov["uncovered"]:
                print(f"  「{m['text']}」 …{m['context']}…")
    cross = outcome.extras.get("crosscheck")
    if cross:
        print(f"\n{'cross-checks':<34} {'numeric':>8} {'touched':>8} {'share':>8}")
        for sid, row in cross["sources"].items():
            print(f"{sid:<34} {row['numeric']:>8} {row['touched']:>8} {row['share']:>8.1%}")
        t = cross["summary"]
        print(f"{'all':<34} {t['numeric']:>8} {t['touched']:>8} {t['share']:>8.1%}")
        print("touched: compared by a rule, invariant, claim or conflict group that its value "
              "can turn from passing to failing (docs/mutations.md)")  # fmt: skip
    for f in outcome.open_errors:
        if f.result.kind == "input":
            print(_line(f), file=sys.stderr)
    if outcome.corpus.unreadable:
        return engine.EXIT_UNREADABLE
    failing = [f for f in outcome.open_errors if f.result.kind in ("coverage", "input")]
    return engine.EXIT_FINDINGS if failing else engine.EXIT_OK


def cmd_suggest(args: argparse.Namespace) -> int:
    from factledger import suggest

    try:
        print(suggest.stubs(args.root, args.source), end="")
    except KeyError as exc:
        print(f"factledger suggest: {exc.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="factledger", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def with_root(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--root", type=_root, default=".", help="corpus folder (default: .)")
        return p

    check = with_root(sub.add_parser("check", help="run every check; write reports/"))
    check.add_argument("-v", "--verbose", action="store_true", help="list acknowledged findings")
    check.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    check.add_argument("--no-report", action="store_true", help="do not write reports/")
    check.add_argument(
        "--fast", action="store_true",
        help="skip the great-expectations suite (about 2 s of import); for pre-commit hooks",
    )  # fmt: skip
    check.add_argument("--out", type=Path, default=None, help="report folder (default: reports/)")
    check.set_defaults(func=cmd_check)
    report = with_root(sub.add_parser("report", help="same as check; writes reports/"))
    report.add_argument("-v", "--verbose", action="store_true")
    report.add_argument("-q", "--quiet", action="store_true")
    report.add_argument("--out", type=Path, default=None)
    report.set_defaults(func=cmd_check, no_report=False, fast=False)
    cov = with_root(sub.add_parser("coverage", help="numeric mentions covered per source"))
    cov.set_defaults(func=cmd_coverage)
    sug = with_root(sub.add_parser("suggest", help="print YAML stubs for uncovered mentions"))
    sug.add_argument("source", help="source id (seeds/<id>.md)")
    sug.set_defaults(func=cmd_suggest)
    diff.add_parser(sub, with_root)
    synth.add_parser(sub, with_root)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
