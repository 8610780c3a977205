"""Benchmark the incremental cache: a one-fact edit re-checked, as an analyst meets it.

    python benchmarks/incremental.py                  # 100k facts, 3 repetitions, medians
    python benchmarks/incremental.py --facts 10000    # another size
    python benchmarks/incremental.py --json out.json  # also write the figures

Every figure is wall time of the real command in a fresh process, interpreter start-up
included, the median of ``--repeat`` runs (3), each after its own one-fact edit (a value's last
digit changed, then changed back, ...), on a cache warmed by the run before:

* ``check --fast --no-report`` after a one-fact edit of a synthetic corpus (``factledger
  synth``, 50 facts per source) — target 1.5 s at 100k facts;
* ``factledger watch``: from the moment the edited file is written to the moment watch has
  printed what the edit introduced and resolved — target 0.5 s;
* the pre-commit command (``check --fast --no-report -q``) on the bundled corpus after a
  one-fact edit, and with nothing changed — target 1 s;
* ``python -X importtime -c "import factledger.cli"``, and the first ("cold") run that fills
  the cache, for reference.

The machine should be idle: the load average is printed beside each figure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
TARGETS = {"edit": 1.5, "watch": 0.5, "precommit": 1.0}
PRECOMMIT = ["check", "--fast", "--no-report", "-q"]


def factledger() -> list[str]:
    exe = Path(sys.executable).with_name("factledger")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "factledger.cli"]


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def timed(args: list[str], root: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([*factledger(), *args, "--root", str(root)], capture_output=True,
                          text=True, check=False)  # fmt: skip
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"factledger {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    if "cache" in proc.stderr:
        print(f"    ({proc.stderr.strip()})")
    return seconds


class Editor:
    """One fact's value, its last digit changed in place on each call (a real edit each time:
    the file's content differs from the cache's)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        text = path.read_text("utf-8")
        m = re.search(r'^    value: "([^"\d]*\d[^"]*)"', text, re.M)
        assert m, f"no value in {path}"
        self.start = m.start(1)
        self.value = m[1]
        self.n = 0

    def __call__(self) -> None:
        self.n += 1
        digits = [i for i, ch in enumerate(self.value) if ch.isdigit()]
        i = digits[-1]
        new = self.value[:i] + str((int(self.value[i]) + self.n) % 10) + self.value[i + 1 :]
        text = self.path.read_text("utf-8")
        end = self.start + len(self.value)
        self.path.write_text(text[: self.start] + new + text[end:], "utf-8")
        self.value = new


def facts_file(root: Path) -> Path:
    files = sorted(p for p in (root / "facts").glob("*.yaml")
                   if p.name not in ("entities.yaml", "metrics.yaml"))  # fmt: skip
    return files[len(files) // 2]


def edit_then_check(root: Path, repeat: int) -> tuple[list[float], str]:
    editor = Editor(facts_file(root))
    times = []
    for _ in range(repeat):
        editor()
        times.append(timed(PRECOMMIT, root))
    return times, load()


def no_change(root: Path, repeat: int) -> list[float]:
    return [timed(PRECOMMIT, root) for _ in range(repeat)]


def watch_latency(root: Path, repeat: int) -> tuple[list[float], str]:
    """Seconds from writing the edited file to watch having printed the re-check."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([*factledger(), "watch", "--root", str(root)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    lines: list[tuple[float, str]] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append((time.perf_counter(), line))
            ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    editor = Editor(facts_file(root))
    times = []
    try:
        deadline = time.monotonic() + 600
        while not any(line.startswith("Edit and save") for _, line in lines):
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read() if proc.stderr else ""
                raise SystemExit(f"watch did not start: {err}")
            time.sleep(0.05)
        time.sleep(1.0)  # let its first polls settle
        for _ in range(repeat):
            seen = len(lines)
            editor()
            t0 = time.perf_counter()
            while True:
                done = [t for t, line in lines[seen:] if line.startswith("[")]
                if done:
                    times.append(done[0] - t0)
                    break
                if proc.poll() is not None or time.perf_counter() - t0 > 120:
                    raise SystemExit("watch printed no re-check")
                time.sleep(0.005)
            time.sleep(1.0)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return times, load()


def import_time(repeat: int) -> float:
    out = []
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import factledger.cli"],
                              capture_output=True, text=True, check=True)  # fmt: skip
        last = proc.stderr.strip().splitlines()[-1]
        out.append(int(last.split("|")[1]) / 1e6)
    return statistics.median(out)


def bundled(work: Path) -> Path:
    root = work / "bundled"
    root.mkdir(parents=True)
    for name in ("seeds", "facts", "checks"):
        shutil.copytree(PROJECT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    if (PROJECT / "factledger.toml").exists():
        shutil.copy(PROJECT / "factledger.toml", root)
    return root


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--facts", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--keep", type=Path, help="work in this folder (kept; a corpus there reused)")
    args = ap.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="factledger-incremental-"))
    work.mkdir(parents=True, exist_ok=True)
    figures: dict[str, object] = {"facts": args.facts, "repeat": args.repeat}
    try:
        figures["import_s"] = import_time(args.repeat)
        print(f"import factledger.cli: {figures['import_s']:.3f} s (load {load()})")

        root = work / "b" / "bundled"
        if not root.exists():
            (work / "b").mkdir()
            root = bundled(work / "b")
        t_cold = timed(PRECOMMIT, root)
        times, when = edit_then_check(root, args.repeat)
        idle = no_change(root, args.repeat)
        figures["precommit_cold_s"] = t_cold
        figures["precommit_edit_s"] = times
        figures["precommit_unchanged_s"] = idle
        print(f"bundled corpus, pre-commit command: first run {t_cold:.2f} s; after a one-fact "
              f"edit {statistics.median(times):.2f} s {fmt(times)}; nothing changed "
              f"{statistics.median(idle):.2f} s {fmt(idle)} (load {when})")  # fmt: skip

        root = work / f"synth-{args.facts}"
        if not (root / "facts").is_dir():
            t0 = time.perf_counter()
            subprocess.run([*factledger(), "synth", "--sources", str(max(1, args.facts // 50)),
                            "--facts", str(args.facts), "--seed", "1", str(root)],
                           check=True, capture_output=True)  # fmt: skip
            print(f"synth {args.facts} facts: {time.perf_counter() - t0:.1f} s")
        t_cold = timed(PRECOMMIT, root)
        figures["synth_cold_s"] = t_cold
        print(f"{args.facts} facts: first run (fills the cache) {t_cold:.1f} s (load {load()})")
        times, when = edit_then_check(root, args.repeat)
        figures["edit_s"] = times
        print(f"{args.facts} facts: check --fast --no-report after a one-fact edit "
              f"{statistics.median(times):.2f} s {fmt(times)} (load {when})")  # fmt: skip
        times, when = watch_latency(root, args.repeat)
        figures["watch_s"] = times
        print(f"{args.facts} facts: watch, save to result {statistics.median(times):.2f} s "
              f"{fmt(times)} (load {when})")  # fmt: skip
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    medians = {
        "edit": statistics.median(figures["edit_s"]),  # type: ignore[arg-type]
        "watch": statistics.median(figures["watch_s"]),  # type: ignore[arg-type]
        "precommit": statistics.median(figures["precommit_edit_s"]),  # type: ignore[arg-type]
    }
    print("\n| measure | median s | target s | met |\n|---|---:|---:|---|")
    names = {"edit": f"one-fact edit, {args.facts:,} facts, `check --fast --no-report`",
             "watch": f"`watch`, save to result, {args.facts:,} facts",
             "precommit": "pre-commit command, bundled corpus, after a one-fact edit"}  # fmt: skip
    for key, value in medians.items():
        met = "yes" if value <= TARGETS[key] else f"no (+{value - TARGETS[key]:.2f} s)"
        print(f"| {names[key]} | {value:.2f} | {TARGETS[key]:.1f} | {met} |")
    figures["medians"] = medians
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", "utf-8")
    return 0


def fmt(times: list[float]) -> str:
    return "(" + ", ".join(f"{t:.2f}" for t in times) + ")"


if __name__ == "__main__":
    sys.exit(main())
