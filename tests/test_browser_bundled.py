"""The bundled corpus' own report in Chromium: every finding with its quotes and verdict, and a
timeline chart for every series metric that has two or more periods."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from factledger import engine
from factledger.report import document as report_data
from factledger.report import html as html_report

from .test_browser import browser  # noqa: F401  (the module-scoped Chromium fixture)

PROJECT = Path(__file__).resolve().parents[1]


def squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return report_data.build(engine.run(PROJECT), PROJECT)


@pytest.fixture(scope="module")
def page(browser: Any, doc: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:  # noqa: F811
    path = tmp_path_factory.mktemp("bundled") / "discrepancies.html"
    path.write_text(html_report.render(doc), encoding="utf-8")
    pg = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(path.as_uri())
    pg.wait_for_load_state("load")
    pg.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    yield pg
    assert errors == []
    pg.close()


def test_every_finding_appears_with_quotes_and_verdict(page: Any, doc: dict[str, Any]) -> None:
    assert doc["findings"], "the bundled corpus has reviewed findings to show"
    facts = {f["id"]: f for f in doc["facts"]}
    cards = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('[data-finding-id]')]"
        ".map(e => [e.dataset.findingId, [e.innerText, e.dataset.status]]))"
    )
    for finding in doc["findings"]:
        assert finding["id"] in cards, finding["id"]
        text, status = cards[finding["id"]]
        assert status == finding["status"]
        shown = squash(text)
        for fid in finding["fact_ids"]:
            assert squash(facts[fid]["quote"]) in shown, (finding["id"], fid)
        if finding["acknowledgement"]:
            assert finding["acknowledgement"]["verdict"] in text
        assert squash(finding["message"][:40]) in shown


def test_every_series_metric_with_two_periods_has_a_chart(page: Any, doc: dict[str, Any]) -> None:
    series = {m["key"] for m in doc["metrics"] if m["series"]}
    periods: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for f in doc["facts"]:
        if f["metric"] in series and f["interval"] and f["kind"] != "hypothetical":
            quals = ",".join(f"{k}={v}" for k, v in sorted(f["qualifiers"].items()))
            key = f"{f['entity']}.{f['metric']}" + (f"[{quals}]" if quals else "")
            periods[key].add((f["period"]["start"], f["period"]["end"]))
    expected = {k for k, p in periods.items() if len(p) >= 2}
    assert expected, "the bundled corpus has series to chart"
    charts = set(
        page.eval_on_selector_all("svg[data-chart]", "els => els.map(e => e.dataset.chart)")
    )
    assert expected <= charts, sorted(expected - charts)
