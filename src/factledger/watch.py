"""``factledger watch``: the gate again on every save, and what the edit introduced and resolved.

The engine stays warm (its code imported, the cache open): every ``--interval`` seconds the input
files' signatures (``stat``: size, time, inode) are compared with the last run's, and on a
change the incremental run re-reads only what changed. Each re-check prints the findings the
edit introduced and resolved, matched by id and fingerprint as ``factledger diff`` matches them
(:func:`factledger.diff.compare`), and the gate. Polling needs no library and no file-system
notification support (network folders, containers); a poll of a 100k-fact corpus's 4,000 files
takes a few hundredths of a second.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from factledger import diff, engine, incremental
from factledger.formatting import visible_controls

INTERVAL = 0.1  # seconds between polls


def _gate(outcome: engine.Outcome) -> str:
    errors = len(outcome.open_errors)
    verdict = "PASS" if outcome.passed else "FAIL"
    return f"gate: {verdict} — {errors} open error{'s' if errors != 1 else ''}"


def summary(outcome: engine.Outcome) -> str:
    c = outcome.corpus
    return (
        f"{len(c.facts)} facts from {len(c.sources)} sources, {len(outcome.results)} results, "
        f"{len(outcome.findings)} findings; {_gate(outcome)}"
    )


def report(
    before: engine.Outcome, after: engine.Outcome, changed: list[str], seconds: float
) -> str:
    """What one re-check found: the files that changed, what they introduced and resolved."""
    d = diff.compare(before.findings, after.findings)
    d.unreadable = sorted(after.corpus.unreadable)
    stamp = datetime.now().strftime("%H:%M:%S")
    files = ", ".join(changed) if changed else "no input file's content"
    heading = f"[{stamp}] {files} changed — checked in {seconds:.2f} s; {_gate(after)}"
    return diff.render_text(d, heading)


def watch(
    root: Path,
    *,
    thorough: bool = False,
    interval: float = INTERVAL,
    out: TextIO | None = None,
    stop: Callable[[], bool] = lambda: False,
    notice: Callable[[str], None] | None = None,
) -> int:
    """Check ``root``, then again on every change until ``stop()`` (or Ctrl-C)."""
    out = out or sys.stdout

    def say(message: str) -> None:
        print(visible_controls(f"factledger: {message}"), file=sys.stderr, flush=True)

    session = incremental.Session(
        root, expectations=thorough, crosscheck=False, notice=notice or say
    )
    outcome = session.run()
    print(visible_controls(f"watching {root}: {summary(outcome)}"), file=out, flush=True)
    for name in sorted(outcome.corpus.unreadable):
        print(visible_controls(f"  cannot read {name}"), file=out, flush=True)
    session.warm()  # the first edit should not wait for pandas to load
    print("Edit and save a file under seeds/, facts/ or checks/; Ctrl-C stops.", file=out,
          flush=True)  # fmt: skip
    while not stop():
        try:
            time.sleep(interval)
            if not session.changed():
                continue
        except KeyboardInterrupt:  # Ctrl-C while waiting: the way to stop watching
            print("stopped", file=out, flush=True)
            return 0
        t0 = time.perf_counter()
        after = session.run()
        seconds = time.perf_counter() - t0
        print(report(outcome, after, session.changed_files, seconds), end="", file=out, flush=True)
        outcome = after
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    return watch(args.root, thorough=args.all, interval=args.interval)


def _interval(text: str) -> float:
    value = float(text)
    if not 0.01 <= value <= 60:
        raise argparse.ArgumentTypeError("between 0.01 and 60 seconds")
    return value


def add_parser(
    sub: argparse._SubParsersAction, with_root: Callable, **kw: object
) -> argparse.ArgumentParser:
    p = with_root(
        sub.add_parser(
            "watch",
            help="check again on every save; print what each edit introduced and resolved",
            description="Run the gate (as check --fast --no-report), then watch the corpus's "
            "files: on every save, check again — only what the edit touched, through the "
            "cache — and print the findings the edit introduced and resolved, and the gate. "
            "Stop with Ctrl-C.",
            **kw,
        )
    )
    p.add_argument(
        "--all", action="store_true",
        help="also run the great-expectations suite (as check without --fast)",
    )  # fmt: skip
    p.add_argument(
        "--interval", type=_interval, default=INTERVAL, metavar="SECONDS",
        help=f"how often to look for changed files (default {INTERVAL})",
    )  # fmt: skip
    p.set_defaults(func=cmd_watch)
    return p
