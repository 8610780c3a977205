"""Benchmark ``factledger check`` as users run it, beside the YAML parse floor, per corpus size.

    python benchmarks/run.py                        # 1k, 10k, 100k facts, median of 3 runs each
    python benchmarks/run.py --sizes 1000,10000     # a quick run
    python benchmarks/run.py --keep /tmp/bench      # generate corpora there and keep them
    python benchmarks/run.py --json figures.json    # every figure, machine-readable
    python benchmarks/run.py --profile 100000       # cProfile one `check`, top functions
    python benchmarks/run.py --pytest               # also `pytest checks/` vs bare pytest

Each size is a corpus written by ``factledger synth`` (50 facts per source). For each size, three
rounds, each of three subprocesses (interleaved, so a change in machine load hits all three alike):

- **floor**: a Python process that reads every YAML text of the corpus (facts files,
  registries, rules, acknowledgements, the seeds' front matter) and parses it with PyYAML's C
  loader, ``yaml.load(text, Loader=yaml.CSafeLoader)``: the least any tool that reads this YAML
  pays, interpreter start-up included;
- **no-report**: ``factledger check --root DIR --no-report``;
- **check**: ``factledger check --root DIR --out OUT``, writing every report.

Each is timed by wall clock; its CPU time and the largest process' peak RSS come from
``os.wait4`` (the rusage of that child and of the worker processes it forked and waited for).
Memory is the peak of the whole process tree's proportional set size, sampled every 0.1 s (a
worker shares its parent's pages; PSS counts a shared page once across the tree). The figures are
the median of the rounds (memory: the largest). The check's own progress lines (stderr, one per
stage when not a terminal) give the time of each stage, and the reports' share: from the first
report stage to the end, over the whole run.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from xml.etree import ElementTree as ET

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
DEFAULT_SIZES = (1_000, 10_000, 100_000)
FACTS_PER_SOURCE = 50
# the targets at the largest size (issue 20)
TARGET_CHECK, TARGET_NO_REPORT = 3.0, 2.5  # × the parse floor
TARGET_RSS_MB = 1.5 * 1024
TARGET_GROWTH = 11.0  # for 10× the facts
TARGET_REPORT_SHARE = 0.30
TARGET_PYTEST = 1.5


# --- the floor (run as its own process) ---------------------------------------------------------


def floor(root: Path) -> int:
    """Read and parse every YAML text of the corpus with PyYAML's C loader; bytes parsed."""
    import yaml

    nbytes = 0
    paths = sorted((root / "facts").glob("*.yaml")) + sorted((root / "checks").rglob("*.yaml"))
    for p in paths:
        raw = p.read_bytes()
        nbytes += len(raw)
        yaml.load(raw.decode("utf-8"), Loader=yaml.CSafeLoader)
    for p in sorted((root / "seeds").glob("*.md")):
        raw = p.read_bytes()
        nbytes += len(raw)
        text = raw.decode("utf-8")
        yaml.load(text[4 : text.find("\n---\n", 4) + 1], Loader=yaml.CSafeLoader)
    return nbytes


# --- measuring one child process ----------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the check forks worker processes)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return out


def _pss_kib(pid: int) -> int:
    """Proportional set size: a page shared by n processes counts 1/n in each, so the sum over
    a process tree is the memory the tree holds (a forked worker shares its parent's pages)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory:
    """The largest sum of PSS over a process tree, sampled every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid, self.interval, self.peak_kib = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            total = sum(_pss_kib(p) for p in _tree(self.pid))
            self.peak_kib = max(self.peak_kib, total)
            self._stop.wait(self.interval)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kib / 1024


def timed(cmd: list[str], ok: tuple[int, ...] = (0,)) -> dict:
    """Run ``cmd``: wall and CPU seconds (the child and the workers it waited for), peak RSS of
    the largest of those processes (``os.wait4``) and peak memory of the whole process tree
    (sampled PSS), in MiB; its stderr."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=PROJECT)
        memory = TreeMemory(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        tree_mb = memory.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read()
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{stderr[-3000:]}")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,  # KiB on Linux
        "peak_tree_mb": tree_mb,
        # the memory the run needs: the whole tree's, or its largest process' if sampling missed
        "peak_mb": max(tree_mb, usage.ru_maxrss / 1024),
        "exit": proc.returncode,
        "stderr": stderr,
    }


_STAGE = re.compile(r"^\[\s*([\d.]+) s\] (.+?)(?: · (.*))?$")


def stages(stderr: str) -> dict[str, float]:
    """Seconds per stage, from the check's progress lines (each stage runs until the next)."""
    marks = [(m.group(2), float(m.group(1))) for line in stderr.splitlines()
             if (m := _STAGE.match(line))]  # fmt: skip
    out = {"start-up": marks[0][1]} if marks else {}
    for (name, t), (_, t_next) in itertools.pairwise(marks):
        out[name] = t_next - t
    return out


def _from_reports(stages: dict[str, float]) -> float:
    """Seconds from the first report stage to the end of the run."""
    names = list(stages)
    first = next((i for i, n in enumerate(names) if n.startswith("report")), len(names))
    return sum(stages[n] for n in names[first:])


def factledger_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("factledger")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "factledger.cli"]


# --- one size -----------------------------------------------------------------------------------


def synth(out: Path, facts: int, seed: int) -> float:
    sources = max(1, round(facts / FACTS_PER_SOURCE))
    t0 = time.perf_counter()
    subprocess.run(
        [*factledger_cmd(), "synth", "--sources", str(sources), "--facts", str(facts),
         "--seed", str(seed), str(out)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - t0


def found_in_junit(path: Path) -> set[str]:
    """Ids of the findings of a JUnit file — failing testcases and open warnings (passing, with
    the warning in system-out) — streamed: it may be large."""
    failing: set[str] = set()
    for _, el in ET.iterparse(path):
        if el.tag == "testcase":
            if el.find("failure") is not None or el.find("system-out") is not None:
                failing.add(el.get("name") or "")
            el.clear()
    return failing


def measure_size(root: Path, out: Path, runs: int) -> dict:
    fl = factledger_cmd()
    cmds = {
        "floor": [sys.executable, __file__, "--floor", str(root)],
        # the whole check every round: the incremental cache would answer rounds 2 and 3 from
        # what round 1 stored (benchmarks/incremental.py measures the cache)
        "no_report": [*fl, "check", "--root", str(root), "--no-report", "--no-cache"],
        "check": [*fl, "check", "--root", str(root), "--out", str(out), "--no-cache"],
    }
    rounds: dict[str, list[dict]] = {k: [] for k in cmds}
    for i in range(runs):
        for key, cmd in cmds.items():
            r = timed(cmd, ok=(0,) if key == "floor" else (0, 1))
            r["stages"] = stages(r.pop("stderr"))
            rounds[key].append(r)
            print(f"    round {i + 1}: {key:<9} {r['wall_s']:7.2f} s wall, "
                  f"{r['cpu_s']:7.2f} s CPU, {r['peak_mb']:6.0f} MB", flush=True)  # fmt: skip
    row: dict = {}
    for key, rs in rounds.items():
        row[key] = {
            "wall_s": statistics.median(r["wall_s"] for r in rs),
            "cpu_s": statistics.median(r["cpu_s"] for r in rs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in rs),
            "peak_tree_mb": max(r["peak_tree_mb"] for r in rs),
            "peak_mb": max(r["peak_mb"] for r in rs),
            "all_wall_s": [r["wall_s"] for r in rs],
        }
    for key in ("no_report", "check"):
        names = dict.fromkeys(n for r in rounds[key] for n in r["stages"])
        row[key]["stages"] = {
            n: statistics.median(r["stages"].get(n, 0.0) for r in rounds[key]) for n in names
        }
    # the reports' share of the check: from the first report stage to the end of the run
    report_s = [_from_reports(r["stages"]) for r in rounds["check"]]
    row["report_s"] = statistics.median(report_s)
    row["report_share"] = statistics.median(
        t / r["wall_s"] for t, r in zip(report_s, rounds["check"], strict=True)
    )
    fl_wall = row["floor"]["wall_s"]
    row["check_ratio"] = row["check"]["wall_s"] / fl_wall
    row["no_report_ratio"] = row["no_report"]["wall_s"] / fl_wall
    row["reports"] = {p.name: p.stat().st_size for p in sorted(out.glob("*")) if p.is_file()}
    truth_path = root / "ground_truth.json"
    truth = json.loads(truth_path.read_text("utf-8")) if truth_path.exists() else []
    failing = found_in_junit(out / "junit.xml")
    # what an injection rightly causes besides its expected finding (``also``: a violated sum is
    # the tiling invariant too; a false claim stated by three sources is three findings)
    explained = [p for t in truth for p in (t["expected"], *t.get("also", []))]
    hit = {i for i in failing if any(i.startswith(p) for p in explained)}
    row["injected"] = len(truth)
    row["injected_found"] = sum(any(i.startswith(t["expected"]) for i in failing) for t in truth)
    row["other_failures"] = len(failing - hit)
    return row


# --- pytest checks/ against bare pytest (opt-in) ------------------------------------------------


def _median_time(cmd: list[str], runs: int, env: dict, cwd: Path) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=False, capture_output=True, env=env, cwd=cwd)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def pytest_comparison(runs: int) -> dict:
    """``pytest checks/`` on a copy of the bundled corpus against bare pytest running one empty
    test in a module that imports what the checks need."""
    with tempfile.TemporaryDirectory(prefix="factledger-bench-") as tmp:
        copy = Path(tmp) / "bundled"
        for part in ("seeds", "facts", "checks"):
            shutil.copytree(
                PROJECT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__")
            )
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("FACTLEDGER_ROOT", None)
        pytest_cmd = [sys.executable, "-m", "pytest", "checks/", "-q", "-p", "no:cacheprovider"]
        baseline = Path(tmp) / "baseline"
        baseline.mkdir()
        (baseline / "test_imports.py").write_text(
            "import factledger.engine, pandas, pandera, great_expectations  # noqa\n\n\n"
            "def test_imports():\n    assert factledger.engine.run\n",
            encoding="utf-8",
        )
        base = _median_time([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            runs, env, baseline)  # fmt: skip
        with_reports = _median_time(pytest_cmd, runs, env, copy)
        no_reports = _median_time(pytest_cmd, runs, {**env, "FACTLEDGER_NO_REPORT": "1"}, copy)
    return {
        "runs": runs,
        "pytest_plus_imports_s": base,
        "pytest_s": with_reports,
        "pytest_no_report_s": no_reports,
        "ratio": with_reports / base,
    }


# --- output -------------------------------------------------------------------------------------


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import yaml

    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
        "pyyaml": yaml.__version__,
        "libyaml": hasattr(yaml, "CSafeLoader"),
        "load_average": os.getloadavg(),
    }


def _s(x: float) -> str:
    return f"{x:.2f}" if x < 100 else f"{x:.0f}"


def table(rows: list[dict]) -> str:
    head = (
        "| facts | floor s | check --no-report s | ×floor | check s | ×floor | reports s "
        "| reports share | peak memory MB (no-report / check) | growth (no-report / check) |"
    )
    lines = [head, "|" + "---:|" * (head.count("|") - 1)]
    prev = None
    for r in rows:
        growth = ""
        if prev:
            growth = (f"×{r['no_report']['wall_s'] / prev['no_report']['wall_s']:.1f} / "
                      f"×{r['check']['wall_s'] / prev['check']['wall_s']:.1f}")  # fmt: skip
        lines.append(
            f"| {r['facts']:,} | {_s(r['floor']['wall_s'])} | {_s(r['no_report']['wall_s'])} "
            f"| {r['no_report_ratio']:.1f}× | {_s(r['check']['wall_s'])} | {r['check_ratio']:.1f}× "
            f"| {_s(r['report_s'])} | {r['report_share']:.0%} "
            f"| {r['no_report']['peak_mb']:,.0f} / {r['check']['peak_mb']:,.0f} "
            f"| {growth} |"
        )
        prev = r
    lines += ["", "CPU seconds (user + system, workers included) and the largest single "
              "process' peak RSS (MB) of the same runs:", ""]  # fmt: skip
    head = "| facts | floor CPU | no-report CPU | check CPU | no-report RSS | check RSS |"
    lines += [head, "|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['facts']:,} | {_s(r['floor']['cpu_s'])} | "
                     f"{_s(r['no_report']['cpu_s'])} | {_s(r['check']['cpu_s'])} | "
                     f"{r['no_report']['peak_rss_mb']:,.0f} | "
                     f"{r['check']['peak_rss_mb']:,.0f} |")  # fmt: skip
    # the largest run's stages in its order (a small corpus runs everything in one process)
    names = list(dict.fromkeys(n for r in rows[::-1] for n in r["check"]["stages"]))
    lines += ["", "Seconds per stage of `check` (from its progress lines):", ""]
    lines += ["| facts | " + " | ".join(names) + " |", "|---:" * (len(names) + 1) + "|"]
    for r in rows:
        st = r["check"]["stages"]
        lines.append(f"| {r['facts']:,} | " + " | ".join(_s(st.get(n, 0.0)) for n in names) + " |")
    return "\n".join(lines)


def verdicts(rows: list[dict]) -> list[str]:
    out = []
    if not rows:
        return out

    def say(what: str, value: str, ok: bool, target: str) -> None:
        out.append(f"{what}: {value} (target {target}) {'MET' if ok else 'MISSED'}")

    big = rows[-1]
    at = f"at {big['facts']:,} facts"
    say(f"check with reports {at}", f"{big['check_ratio']:.2f}× the floor",
        big["check_ratio"] <= TARGET_CHECK, f"≤ {TARGET_CHECK:g}×")  # fmt: skip
    say(f"check --no-report {at}", f"{big['no_report_ratio']:.2f}× the floor",
        big["no_report_ratio"] <= TARGET_NO_REPORT, f"≤ {TARGET_NO_REPORT:g}×")  # fmt: skip
    rss = max(big["check"]["peak_mb"], big["no_report"]["peak_mb"])
    say(f"peak memory {at}", f"{rss:,.0f} MB", rss <= TARGET_RSS_MB, f"≤ {TARGET_RSS_MB:,.0f} MB")
    say(f"reports' share of the check {at}", f"{big['report_share']:.0%}",
        big["report_share"] <= TARGET_REPORT_SHARE, f"≤ {TARGET_REPORT_SHARE:.0%}")  # fmt: skip
    for a, b in itertools.pairwise(rows):
        lim = TARGET_GROWTH * (b["facts"] / a["facts"]) / 10
        for key, label in (("check", "check"), ("no_report", "check --no-report")):
            g = b[key]["wall_s"] / a[key]["wall_s"]
            say(f"growth of {label} {a['facts']:,} → {b['facts']:,}", f"×{g:.1f}", g <= lim,
                f"≤ ×{lim:g}")  # fmt: skip
    for r in rows:
        out.append(f"{r['facts']:,} facts: injected discrepancies found {r['injected_found']}/"
                   f"{r['injected']}, other findings {r['other_failures']}")  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                    help="comma-separated fact counts (default 1000,10000,100000)")  # fmt: skip
    ap.add_argument("--runs", type=int, default=3, help="rounds per size (the median is shown)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", type=Path, default=None, help="generate corpora here and keep them")
    ap.add_argument("--json", type=Path, default=None, help="write all figures as JSON here")
    ap.add_argument("--profile", type=int, default=None, metavar="FACTS",
                    help="cProfile one `check` of this size; print the top functions")  # fmt: skip
    ap.add_argument("--pytest", action="store_true", help="also time pytest checks/ vs bare")
    ap.add_argument("--pytest-runs", type=int, default=5)
    ap.add_argument("--floor", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.floor is not None:
        floor(args.floor)
        return 0

    base = args.keep or Path(tempfile.mkdtemp(prefix="factledger-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        if args.profile is not None:
            return profile(base, args.profile, args.seed)
        info = machine()
        print(f"machine: {info['cores']} cores ({info['usable_cores']} usable), {info['cpu']}; "
              f"Python {info['python']}, PyYAML {info['pyyaml']} (libyaml: {info['libyaml']}); "
              f"load average {', '.join(f'{x:.2f}' for x in info['load_average'])}",
              flush=True)  # fmt: skip
        rows = []
        for size in (int(s) for s in args.sizes.split(",") if s.strip()):
            root = base / f"synth-{size}"
            gen = None if (root / "facts").is_dir() else synth(root, size, args.seed)
            print(f"{size:,} facts ({root}):", flush=True)
            out = base / f"reports-{size}"
            r = measure_size(root, out, args.runs)
            r.update(facts=size, sources=max(1, round(size / FACTS_PER_SOURCE)), generate_s=gen)
            rows.append(r)
            print(f"  floor {r['floor']['wall_s']:.2f} s; check --no-report "
                  f"{r['no_report']['wall_s']:.2f} s ({r['no_report_ratio']:.1f}×); check "
                  f"{r['check']['wall_s']:.2f} s ({r['check_ratio']:.1f}×), reports "
                  f"{r['report_share']:.0%}; peak memory {r['check']['peak_mb']:,.0f} MB",
                  flush=True)  # fmt: skip
        info["load_average_after"] = os.getloadavg()
        print()
        print(f"{info['cores']} cores; load average before {info['load_average'][0]:.2f}, "
              f"after {info['load_average_after'][0]:.2f}")  # fmt: skip
        print()
        print(table(rows))
        sizes = "; ".join(
            f"{r['facts']:,} facts: " + ", ".join(f"{k} {v / 1e6:.1f} MB"
                                                  for k, v in r["reports"].items())
            for r in rows
        )  # fmt: skip
        print(f"\nreport files: {sizes}")
        lines = verdicts(rows)
        pt = None
        if args.pytest:
            pt = pytest_comparison(args.pytest_runs)
            lines.append(
                f"pytest checks/ {pt['pytest_s']:.2f} s vs bare pytest plus its imports "
                f"{pt['pytest_plus_imports_s']:.2f} s: {pt['ratio']:.2f}× (target ≤ "
                f"{TARGET_PYTEST:g}×) {'MET' if pt['ratio'] <= TARGET_PYTEST else 'MISSED'}"
            )
        print()
        print("\n".join(lines))
        if args.json:
            args.json.write_text(
                json.dumps({"machine": info, "sizes": rows, "pytest": pt, "verdicts": lines},
                           indent=1),
                encoding="utf-8",
            )  # fmt: skip
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


def profile(base: Path, size: int, seed: int) -> int:
    import pstats

    root = base / f"synth-{size}"
    if not (root / "facts").is_dir():
        synth(root, size, seed)
    prof = base / f"profile-{size}.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "factledger.cli", "check",
           "--root", str(root), "--out", str(base / f"reports-{size}")]  # fmt: skip
    r = timed(cmd, ok=(0, 1))
    print(f"{size:,} facts: check {r['wall_s']:.2f} s under cProfile; stages "
          f"{json.dumps({k: round(v, 2) for k, v in stages(r['stderr']).items()})}")  # fmt: skip
    stats = pstats.Stats(str(prof))
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(45)
    print(f"profile kept at {prof}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
