"""How big the HTML report of a large corpus is, and how soon Chromium can show it.

    python benchmarks/report_size.py                    # 10k and 100k synthetic facts
    python benchmarks/report_size.py --sizes 10000      # other sizes
    python benchmarks/report_size.py --json out.json    # also write the figures as JSON

Per size: ``factledger synth`` (50 facts per source) into a temporary folder, then
``factledger check --root DIR`` exactly as a user runs it (its wall time includes every check
and every report file), then the written ``discrepancies.html`` opened in Debian's headless
Chromium through Playwright, as the browser tests do (``executable_path``, no network):

- ``html MB``: the page's size, and how much of it is the compressed data block;
- ``ready ms``: the page's own DOM-ready marker (``<html data-ready>``: milliseconds from the
  navigation's start to the end of the page's script, by the browser's clock);
- ``source ms`` / ``results ms``: from a click to the first source's facts table, and to the
  first page of the provenance results, both drawn from the data block (the first unpacks it).

Targets (issue 19): at 10,000 facts the page is at most 5 MB and ready within 5 s; at 100,000
at most 25 MB. This script measures; the tests never assert a time.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (10_000, 100_000)
FACTS_PER_SOURCE = 50
TARGET_MB = {10_000: 5.0, 100_000: 25.0}
TARGET_READY_MS = 5000
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def factledger(*args: str, ok: tuple[int, ...] = (0,)) -> float:
    """Run the CLI; its wall time. Any other exit code than ``ok`` stops the benchmark."""
    exe = Path(sys.executable).with_name("factledger")
    t0 = time.perf_counter()
    proc = subprocess.run([str(exe), *args], check=False, capture_output=True, text=True)
    if proc.returncode not in ok:
        raise RuntimeError(f"factledger {' '.join(args)}: exit {proc.returncode}: {proc.stderr}")
    return time.perf_counter() - t0


def in_browser(page_path: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            t0 = time.perf_counter()
            page.goto(page_path.as_uri(), timeout=120_000)
            page.wait_for_selector("html[data-ready]", timeout=120_000)
            wall = time.perf_counter() - t0
            ready = float(page.get_attribute("html", "data-ready") or "nan")
            t1 = time.perf_counter()
            page.click("details.source > summary")
            page.wait_for_selector("details.source table.facts", timeout=120_000)
            source = time.perf_counter() - t1
            page.click("#all-results > summary")
            t2 = time.perf_counter()
            page.click('[data-result-kind="provenance"] > summary')
            page.wait_for_selector('[data-result-kind="provenance"] table.results', timeout=120_000)
            results = time.perf_counter() - t2
            if errors:
                raise RuntimeError(f"page errors: {errors}")
        finally:
            browser.close()
    return {
        "ready_ms": ready,
        "load_wall_s": wall,
        "source_ms": source * 1000,
        "results_ms": results * 1000,
    }


def measure(n: int, work: Path) -> dict[str, float]:
    root = work / f"corpus-{n}"
    factledger("synth", "--sources", str(max(1, n // FACTS_PER_SOURCE)), "--facts", str(n),
               str(root))  # fmt: skip
    check_s = factledger("check", "--root", str(root), "-q", ok=(0, 1))  # 1: the findings
    html = root / "reports" / "discrepancies.html"
    text = html.read_text(encoding="utf-8")
    block = re.search(r'id="report-archive">([^<]*)</script>', text)
    out = {
        "facts": n,
        "check_s": check_s,
        "html_mb": html.stat().st_size / 1e6,
        "block_mb": len(block.group(1)) / 1e6 if block else 0.0,
        "findings": text.count("data-finding-id="),
    }
    out.update(in_browser(html))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rows = []
    with tempfile.TemporaryDirectory(prefix="factledger-report-size-") as tmp:
        for n in sizes:
            rows.append(measure(n, Path(tmp)))
            r = rows[-1]
            print(f"{n:>7,} facts: check {r['check_s']:.1f} s, html {r['html_mb']:.2f} MB "
                  f"(data block {r['block_mb']:.2f} MB), {r['findings']} findings, ready "
                  f"{r['ready_ms']:.0f} ms, first source {r['source_ms']:.0f} ms, first "
                  f"results page {r['results_ms']:.0f} ms", flush=True)  # fmt: skip
    print()
    print("| facts | html MB | data block MB | findings | ready ms | source ms | results ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    ok = True
    for r in rows:
        print(f"| {r['facts']:,} | {r['html_mb']:.2f} | {r['block_mb']:.2f} | {r['findings']} | "
              f"{r['ready_ms']:.0f} | {r['source_ms']:.0f} | {r['results_ms']:.0f} |")  # fmt: skip
        limit = TARGET_MB.get(r["facts"])
        if limit is not None and r["html_mb"] > limit:
            ok = False
            print(f"  over the {limit} MB target")
        if r["facts"] <= 10_000 and r["ready_ms"] > TARGET_READY_MS:
            ok = False
            print(f"  ready later than {TARGET_READY_MS} ms")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
