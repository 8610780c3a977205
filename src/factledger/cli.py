"""``factledger`` command line: a face of the engine, computing nothing itself.

Exit codes: 0 no open errors, 1 open errors (or stale acknowledgements), 2 unreadable input,
a report folder that cannot be written, or a usage error; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import re
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import factledger
from factledger import acknowledge, diff, engine, explain, scaffold, watch
from factledger.devtools import synth
from factledger.formatting import visible_controls
from factledger.model import Finding, verdict_words

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it

# The exit codes each command's help ends with.
GATE_EXITS = """exit codes:
  0    no open errors (every error fixed or acknowledged, no stale acknowledgement)
  1    open errors, or stale acknowledgements
  2    unreadable input (a file that cannot be parsed or read at all), a report folder that
       cannot be written, or a usage error
  130  interrupted (Ctrl-C)"""


def exit_codes(*lines: str) -> str:
    """An epilog listing ``code meaning`` lines, then the interrupt code every command shares."""
    return (
        "exit codes:\n" + "\n".join(f"  {line}" for line in lines) + "\n  130  interrupted (Ctrl-C)"
    )


class _Formatter(argparse.HelpFormatter):
    """Descriptions wrapped as usual; the exit-code table kept as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith("exit codes:"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def _root(value: str) -> Path:
    root = Path(value).resolve()
    if not root.exists():
        raise argparse.ArgumentTypeError(f"{root} does not exist")
    if not root.is_dir():
        raise argparse.ArgumentTypeError(f"{root} is not a folder")
    missing = [d for d in ("seeds", "facts") if not (root / d).is_dir()]
    if missing:
        raise argparse.ArgumentTypeError(
            f"{root} is not a corpus: missing {', '.join(d + '/' for d in missing)}"
        )
    return root


class _Progress:
    """Each stage of a run on stderr, with what the run holds so far and the time since start:
    on a terminal one line, rewritten in place; otherwise (CI logs) one line per stage."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.t0 = time.perf_counter()
        self.shown = False
        self.counts: dict[str, int] = {}

    def __call__(self, stage: str) -> None:
        counts = getattr(stage, "counts", None) or {}
        # only what changed since the last line: the corpus once, then the results so far
        counts, self.counts = {k: n for k, n in counts.items() if self.counts.get(k) != n}, counts
        text = f"[{time.perf_counter() - self.t0:6.1f} s] {stage}"
        if counts:
            text += " · " + ", ".join(f"{n:,} {what}" for what, n in counts.items())
        if self.tty:
            width = shutil.get_terminal_size().columns - 1
            self.stream.write(f"\r\x1b[K{text[:width]}")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self.shown = True

    def pause(self) -> None:
        """Before printing to the terminal: clear the progress line."""
        if self.tty and self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False

    def done(self) -> None:
        if self.tty:
            self.pause()
        else:
            self("done")


def _progress(quiet: bool) -> _Progress | None:
    return None if quiet else _Progress(sys.stderr)


def _line(f: Finding) -> str:
    r = f.result
    where = f"{r.where}: " if r.where else ""
    ids = (
        f" [{', '.join(r.fact_ids[:4])}{', …' if len(r.fact_ids) > 4 else ''}]"
        if r.fact_ids
        else ""
    )
    status = "" if f.status == "open" else f" ({f.status})"
    return visible_controls(f"  {where}{r.kind}: {r.verdict}{status}: {r.message}{ids}")


def print_outcome(outcome: engine.Outcome, *, verbose: bool = False, out=None) -> None:
    out = out or sys.stdout
    reviewed = acknowledge.ReviewedState(outcome)  # git look-ups only for stale acknowledgements
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
                reviewed_line = f"      reviewed: {f.ack.verdict} — {f.ack.reason}"
                print(visible_controls(reviewed_line), file=out)
            advice = acknowledge.stale_advice(outcome, f, reviewed)
            if advice:
                print(visible_controls("\n".join(advice.lines())), file=out)
        if not shown:
            print("  (use -v to list them)", file=out)
    if verbose:
        print_verdicts(outcome, out)
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
    cross = outcome.extras.get("crosscheck")
    if cross:
        t = cross["summary"]
        print(
            f"cross-checked: {t['touched']}/{t['numeric']} numeric facts ({t['share']:.1%}) are "
            "compared with something that could contradict them",
            file=out,
        )
    print(
        f"gate: {'PASS' if outcome.passed else 'FAIL'} — {len(outcome.open_errors)} open errors, "
        f"findings by status: {_fmt(counts['status']) or 'none'}",
        file=out,
    )


# Result kinds whose every verdict -v lists, passing or not (relations between facts).
LISTED_KINDS = ("rule", "invariant", "claim")


def print_verdicts(outcome: engine.Outcome, out) -> None:
    """Every rule, invariant and claim with its verdict in words, passing ones too."""
    status = {f.result.id: f.status for f in outcome.findings}
    for kind in LISTED_KINDS:
        results = sorted(
            (r for r in outcome.results if r.kind == kind),
            key=lambda r: (r.file or "", r.line or 0, r.id),
        )
        if not results:
            continue
        print(f"{kind.capitalize()}s ({len(results)}):", file=out)
        for r in results:
            where = f"{r.where}: " if r.where else ""
            name = r.id.removeprefix(f"{kind}:")
            st = f", {status[r.id]}" if r.id in status else ""
            print(f"  {where}{name}: {verdict_words(r.verdict, kind)} ({r.verdict}{st})", file=out)


def _fmt(d: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(d.items()))


def _base_url(value: str) -> str:
    if not re.match(r"https?://[^\s/]+", value):
        raise argparse.ArgumentTypeError(f"{value!r} is not an http(s) address")
    return value


def cmd_check(args: argparse.Namespace) -> int:
    if getattr(args, "verify", False):
        return cmd_verify(args)
    progress = _progress(args.quiet)
    # The cyclic GC stays off through the run (as in engine.run); what the run built is then
    # frozen, so collections while the reports are written never rescan its millions of objects
    # (re-enabling the GC after a 100k-fact run cost seconds of scanning otherwise).
    enabled = gc.isenabled()
    gc.disable()
    try:
        # cross-check coverage is shown in the reports (and by `coverage`); the pre-commit hook's
        # `--no-report` run skips measuring it
        options = dict(
            expectations=not args.fast,
            progress=progress,
            crosscheck=not args.no_report,
            settings={"base_url": getattr(args, "base_url", None)},
        )
        if args.no_cache:
            outcome = engine.run(args.root, **options)  # type: ignore[arg-type]
        else:
            from factledger import incremental

            # the reports and -v read every result: read them from the cache now
            outcome = incremental.run(
                args.root,
                materialize=not args.no_report or args.verbose,
                **options,  # type: ignore[arg-type]
            )
        gc.freeze()
    finally:
        if enabled:
            gc.enable()
    try:
        if progress:
            progress.pause()
        print_outcome(outcome, verbose=args.verbose)
        if args.format == "github" or os.environ.get("GITHUB_ACTIONS") == "true":
            _print_annotations(outcome, args.root)
        if not args.no_report:
            from factledger import report

            try:
                written = report.write_all(outcome, args.root, args.out, progress=progress)
            except report.OutputError as exc:
                if progress:
                    progress.pause()
                print(f"factledger: cannot write the reports: {exc}", file=sys.stderr)
                return EXIT_USAGE
            if progress:
                progress.pause()
            print("reports: " + ", ".join(str(p) for p in written.values()))
            if not outcome.settings.base_url:
                print(
                    "claimreview.jsonld: not publishable — its reviews have no address; give the "
                    "page's with --base-url or report.base_url in factledger.toml"
                )
        if args.format == "sarif":
            print(f"sarif: {_write_sarif(outcome, args.root, args.out)}")
        if progress:
            progress.done()
    finally:
        gc.unfreeze()
    return outcome.exit_code


def cmd_verify(args: argparse.Namespace) -> int:
    """Whether the report folder holds one run's set: 0 yes, 1 no, 2 a file missing."""
    from factledger.load.settings import load_settings
    from factledger.report.verify import verify

    folder = args.out or args.root / load_settings(args.root)[0].out_dir
    result = verify(folder)
    print(result.render(), end="")
    return result.exit_code


def _print_annotations(outcome: engine.Outcome, root: Path) -> None:
    """Workflow commands: GitHub shows each open finding on its line of the pull request."""
    from factledger.report import github

    facts = {f.id: (f.file, f.line) for f in outcome.corpus.facts}
    for line in github.annotations(outcome.findings, facts, github.repo_prefix(root)):
        print(line)


def _write_sarif(outcome: engine.Outcome, root: Path, out_dir: Path | None) -> Path:
    from factledger.report import document, github, sarif, write_atomic

    path = (out_dir or root / outcome.settings.out_dir) / "factledger.sarif"
    text = sarif.to_sarif(
        document.build(outcome, root),
        tool_version=factledger.__version__,
        prefix=github.repo_prefix(root),
    )
    write_atomic(path, text)
    return path


def cmd_coverage(args: argparse.Namespace) -> int:
    """Numeric mentions per source: covered by a fact, ignored with a reason, or uncovered."""
    from factledger.checks import default_checks

    # mentions, and the checks that compare facts with each other (cross-check coverage)
    checks = [c for c in default_checks() if c.cross_checks or c.name == "coverage"]
    outcome = engine.run(args.root, checks=checks)
    figures = outcome.extras.get("coverage") or {"summary": {}, "sources": {}}
    print(f"{'source':<34} {'mentions':>8} {'covered':>8} {'ignored':>8} {'uncovered':>9} coverage")
    for sid, cov in figures["sources"].items():
        row = (f"{sid:<34} {cov['mentions']:>8} {cov['covered']:>8} {cov['ignored']:>8} "
               f"{len(cov['uncovered']):>9} {cov['coverage']:>8.1%}")  # fmt: skip
        print(visible_controls(row))
    s = figures["summary"]
    if s:
        print(f"{'all':<34} {s['mentions']:>8} {s['covered']:>8} {s['ignored']:>8} "
              f"{s['uncovered']:>9} {s['coverage']:>8.1%}")  # fmt: skip
        print(f"covered by facts: {s['covered_share_of_mentions']:.1%} of all mentions; "
              f"ignored: {s['ignored'] / max(1, s['mentions']):.1%}")  # fmt: skip
    for sid, cov in figures["sources"].items():
        if cov["uncovered"]:
            print(visible_controls(f"\nuncovered in {sid} ({cov['curation']}):"))
            for m in cov["uncovered"]:
                print(visible_controls(f"  「{m['text']}」 …{m['context']}…"))
    cross = outcome.extras.get("crosscheck")
    if cross:
        print(f"\n{'cross-checks':<34} {'numeric':>8} {'touched':>8} {'share':>8}")
        for sid, row in cross["sources"].items():
            line = f"{sid:<34} {row['numeric']:>8} {row['touched']:>8} {row['share']:>8.1%}"
            print(visible_controls(line))
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
    from factledger.load import load_corpus

    corpus = load_corpus(args.root)
    try:
        print(suggest.stubs(args.root, args.source, corpus), end="")
    except KeyError as exc:
        print(visible_controls(f"factledger suggest: {exc.args[0]}"), file=sys.stderr)
        return EXIT_USAGE
    if corpus.unreadable:  # the stubs stand; the exit code says what check would
        names = ", ".join(sorted(corpus.unreadable))
        print(visible_controls(f"factledger suggest: unreadable input: {names}"), file=sys.stderr)
        return engine.EXIT_UNREADABLE
    return 0


FORMATS = ("text", "github", "sarif")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="factledger",
        description=__doc__.splitlines()[0],
        epilog="Run `factledger COMMAND --help` for a command's description and exit codes.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {factledger.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    raw = _Formatter

    def command(name: str, help: str, description: str, epilog: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name, help=help, description=description, epilog=epilog, formatter_class=raw
        )

    def with_root(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--root", type=_root, default=".", help="corpus folder (default: .)")
        return p

    check = with_root(command(
        "check", "run every check; write reports/",
        "Load the corpus, run every check, apply checks/acknowledged.yaml and decide the gate. "
        "Prints the findings grouped and located (open errors, warnings, acknowledged), then "
        "counts, and writes reports/ (HTML, JSON, JUnit, ClaimReview). Under GitHub Actions "
        "(GITHUB_ACTIONS=true) each open finding is also printed as a workflow annotation. "
        "What a run learns is kept in the git-ignored .factledger-cache/, so the next one "
        "reads only the files that changed and re-runs only what they touch (--no-cache: all).",
        GATE_EXITS,
    ))  # fmt: skip
    check.add_argument(
        "-v", "--verbose", action="store_true",
        help="also list acknowledged findings and every rule, invariant and claim with its verdict",
    )  # fmt: skip
    check.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    check.add_argument("--no-report", action="store_true", help="do not write reports/")
    check.add_argument(
        "--fast", action="store_true",
        help="skip the great-expectations suite (about 2 s of import); for pre-commit hooks",
    )  # fmt: skip
    check.add_argument("--out", type=Path, default=None, help="report folder (default: reports/)")
    base_help = (
        "where discrepancies.html is published (its folder, or the page): ClaimReview urls "
        "are made absolute from it (default: report.base_url in factledger.toml)"
    )
    check.add_argument("--base-url", type=_base_url, default=None, help=base_help)
    check.set_defaults(func=cmd_check)
    report = with_root(command(
        "report", "same as check; writes reports/",
        "Run every check like `check` (never --fast) and write reports/.",
        GATE_EXITS,
    ))  # fmt: skip
    report.add_argument("-v", "--verbose", action="store_true", help="as for check")
    report.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    report.add_argument("--out", type=Path, default=None, help="report folder (default: reports/)")
    report.add_argument(
        "--verify", action="store_true",
        help="only check that the files in the report folder are one run's set: exit 0 yes, "
        "1 files of different runs, 2 a file missing or unreadable",
    )  # fmt: skip
    report.add_argument("--base-url", type=_base_url, default=None, help=base_help)
    report.set_defaults(func=cmd_check, no_report=False, fast=False)
    for p in (check, report):
        p.add_argument(
            "--no-cache", action="store_true",
            help="check every file and every check again, without reading or writing the cache "
            "(.factledger-cache/, cache.cache_dir in factledger.toml)",
        )  # fmt: skip
        p.add_argument(
            "--format", choices=FORMATS, default="text",
            help="text (default); github: also print each open finding as a workflow annotation "
            "(automatic when GITHUB_ACTIONS=true); sarif: also write factledger.sarif (SARIF "
            "2.1.0, for code scanning) to the report folder",
        )  # fmt: skip
    cov = with_root(command(
        "coverage", "numeric mentions covered per source",
        "List every numeric mention of every source: covered by a fact, ignored with a reason, "
        "or uncovered (an error only in sources marked curation: complete).",
        GATE_EXITS,
    ))  # fmt: skip
    cov.set_defaults(func=cmd_coverage)
    sug = with_root(command(
        "suggest", "print YAML stubs for uncovered mentions",
        "Print a YAML fact stub for every uncovered number of one source, read from the text "
        "(the sentence as quote, the whole value, its period, entity, metric and kind; REVIEW "
        "where the text does not settle a field), to correct and paste into facts/<id>.yaml.",
        exit_codes("0    stubs printed", "2    unknown source, unreadable input or a usage error"),
    ))  # fmt: skip
    sug.add_argument("source", help="source id (seeds/<id>.md)")
    sug.set_defaults(func=cmd_suggest)
    scaffold.add_parsers(
        sub, with_root, formatter_class=raw,
        epilogs={
            "init": exit_codes(
                "0    the corpus was created", "2    DIR is not empty, or a usage error"
            ),
            "new-source": exit_codes(
                "0    the seed and its facts file were written",
                "2    a file is in the way (nothing is overwritten), a bad --id, --published or "
                "--url, an unreadable article, or a usage error",
            ),
        },
    )  # fmt: skip
    explain.add_parser(
        sub, with_root, formatter_class=raw,
        epilog=exit_codes(
            "0    the fact was found and explained",
            "1    the fact was not loaded: its input problems are listed",
            "2    no such fact, an unreadable input file, or a usage error",
        ),
    )  # fmt: skip
    acknowledge.add_parser(
        sub, with_root, formatter_class=raw,
        epilog=exit_codes(
            "0    the entry was written (or the finding is already acknowledged as it is)",
            "2    refused: not a current finding, a kind that cannot be acknowledged, an "
            "unreadable input file, or a usage error",
        ),
    )  # fmt: skip
    d = diff.add_parser(sub, with_root)
    d.formatter_class = raw
    d.epilog = exit_codes(
        "0    the change introduces no open error",
        "1    the change introduces an open error (or a stale acknowledgement)",
        "2    not in a git repository, an unknown ref, no corpus at the ref, an unreadable "
        "file in the working tree, or a usage error",
    )
    watch.add_parser(
        sub, with_root, formatter_class=raw,
        epilog=exit_codes(
            "0    stopped with Ctrl-C while waiting for a change", "2    a usage error"
        ),
    )  # fmt: skip
    syn = synth.add_parser(sub, with_root)
    syn.formatter_class = raw
    syn.epilog = exit_codes(
        "0    corpus written", "2    OUT is not empty (see --force) or a usage error"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
            return int(exc.code or 0)
        return int(args.func(args))
    except KeyboardInterrupt:
        # one line, no traceback; reports are renamed into place whole, so none is half-written
        print("factledger: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def entry() -> None:
    """The console script: :func:`main`, then exit without freeing the run's objects one by one
    (a 100k-fact outcome takes about a second to tear down, and the process ends anyway)."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a closed pipe (| head) loses nothing we could keep
            stream.flush()
    if "logging" in sys.modules:  # libraries' log handlers still flush
        sys.modules["logging"].shutdown()
    os._exit(code)


if __name__ == "__main__":
    entry()
