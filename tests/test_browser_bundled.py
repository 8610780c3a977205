"""The bundled corpus' own report in Chromium, read as an editor reads it: the sections in
order, each card opening with a sentence that names outlets and values as written, every
revision chain drawn with its stated dates, no timeline of fewer than three periods, cards no
taller than a screen and a half, and no heading hidden under the sticky bar after a jump.
Writes the screenshots docs/report.md describes to reports/."""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from factledger import engine
from factledger.report import document as report_data
from factledger.report import html as html_report
from factledger.report.revisions import chains
from factledger.report.sections import SECTION_IDS
from factledger.report.view import _Index, anchor

from .test_browser import (
    below_the_bar,
    browser,  # noqa: F401  (the module-scoped Chromium fixture)
)

PROJECT = Path(__file__).resolve().parents[1]
SHOTS = PROJECT / "reports"
MAX_CARD_PX = 1200


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
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.goto(path.as_uri())
    pg.wait_for_selector("html[data-ready]")
    yield pg
    assert errors == []
    pg.close()


def test_sections_in_reading_order(page: Any) -> None:
    sections = page.eval_on_selector_all("main > section", "els => els.map(e => e.id)")
    assert sections == [*SECTION_IDS, "timelines", "sources", "results"]
    nav = page.eval_on_selector_all("nav.toc a", "els => els.map(e => e.hash.slice(1))")
    assert nav == sections


def test_every_card_leads_with_outlets_and_values_as_written(
    page: Any, doc: dict[str, Any]
) -> None:
    assert doc["findings"], "the bundled corpus has reviewed findings to show"
    ix = _Index(doc)
    outlets = {s["id"]: s["outlet"] for s in doc["sources"]}
    leads = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('[data-finding-id]')]"
        ".map(e => [e.dataset.findingId, e.querySelector('h3.lead').textContent]))"
    )
    for finding in doc["findings"]:
        lead = leads[finding["id"]]
        known, _ = ix.involved(finding)
        assert known, finding["id"]
        by_outlet: dict[str, set[str]] = defaultdict(set)
        for fid in known:
            fact = ix.facts[fid]
            by_outlet[outlets[fact["source"]]].add(fact["value"])
        for outlet, values in by_outlet.items():
            # every outlet is named, with at least one of its values exactly as written
            assert outlet in lead, (finding["id"], outlet, lead)
            assert any(v in lead for v in values), (finding["id"], values, lead)


def test_every_finding_shows_its_quotes_and_its_review(page: Any, doc: dict[str, Any]) -> None:
    page.evaluate("document.querySelectorAll('details.more-facts, #reviewed-lists')"
                  ".forEach(d => d.open = true)")  # fmt: skip
    cards = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('[data-finding-id]')]"
        ".map(e => [e.dataset.findingId, [e.innerText, e.dataset.status]]))"
    )
    facts = {f["id"]: f for f in doc["facts"]}
    for finding in doc["findings"]:
        text, status = cards[finding["id"]]
        assert status == finding["status"]
        shown = squash(text)
        for fid in finding["fact_ids"]:
            assert squash(facts[fid]["quote"]) in shown, (finding["id"], fid)
        if finding["acknowledgement"]:
            assert "Reviewed" in text and squash(finding["acknowledgement"]["reason"]) in shown
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = false)")


def test_every_revision_chain_is_drawn_with_its_stated_dates(
    page: Any, doc: dict[str, Any]
) -> None:
    revisions = [
        r for r in doc["results"] if r["kind"] == "conflict" and r["verdict"] == "revision"
    ]
    assert revisions, "the bundled corpus revises Kling's FY2025 revenue"
    for r in revisions:
        want = [[s["stated"] for s in c["steps"]] for c in chains(r["data"])]
        figures = page.locator(f'figure.revision[data-revision="{r["id"]}"]')
        assert figures.count() == len(want)
        for n, stated in enumerate(want):
            fig = figures.nth(n)
            box = fig.locator("svg").bounding_box()
            assert box and box["width"] > 500 and box["height"] > 150
            drawn = fig.locator("g.step").evaluate_all("els => els.map(e => e.dataset.stated)")
            assert drawn == stated
            listed = fig.locator("table.steps td.stated").all_inner_texts()
            assert listed == stated
            # each step labelled with its outlet and value as written
            labels = " ".join(fig.locator("text.value-label").all_text_contents())
            for step in chains(r["data"])[n]["steps"]:
                for sf in [*step["facts"], *step.get("restated", [])]:
                    assert sf["value"] in labels, (sf["value"], labels)


def test_no_timeline_has_fewer_than_three_periods(page: Any, doc: dict[str, Any]) -> None:
    facts = {f["id"]: f for f in doc["facts"]}
    charts = page.eval_on_selector_all(
        "svg[data-chart]",
        "els => els.map(e => [e.dataset.chart, +e.dataset.periods,"
        " [...e.querySelectorAll('.mark')].map(m => m.dataset.factId)])",
    )
    assert charts, "the bundled corpus has series to chart"
    for key, periods, ids in charts:
        spans = {(facts[i]["period"]["start"], facts[i]["period"]["end"]) for i in ids}
        assert len(spans) == periods >= 3, key
    # and every series with three or more periods has its timeline
    series = {m["key"] for m in doc["metrics"] if m["series"]}
    spans_of: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for f in doc["facts"]:
        if f["metric"] in series and f["interval"] and f["kind"] != "hypothetical":
            quals = ",".join(f"{k}={v}" for k, v in sorted(f["qualifiers"].items()))
            key = f"{f['entity']}.{f['metric']}" + (f"[{quals}]" if quals else "")
            spans_of[key].add((f["period"]["start"], f["period"]["end"]))
    assert {k for k, p in spans_of.items() if len(p) >= 3} == {c[0] for c in charts}


def test_no_card_is_taller_than_a_screen_and_a_half_collapsed(page: Any) -> None:
    page.evaluate("document.getElementById('reviewed-lists').open = true")
    heights = page.eval_on_selector_all(
        "[data-finding-id]",
        "els => els.map(e => [e.dataset.findingId, e.getBoundingClientRect().height])",
    )
    page.evaluate("document.getElementById('reviewed-lists').open = false")
    assert heights
    tall = [(i, h) for i, h in heights if not 0 < h <= MAX_CARD_PX]
    assert not tall, tall


def test_the_sticky_bar_never_covers_a_heading(page: Any, doc: dict[str, Any]) -> None:
    targets = [anchor("finding", f["id"]) for f in doc["findings"]]
    targets += [*SECTION_IDS, "timelines", "sources"]
    targets += page.eval_on_selector_all("figure.chart[id]", "els => els.map(e => e.id)")
    for target in targets:
        page.evaluate("history.replaceState(null, '', location.pathname); window.scrollTo(0, 0)")
        page.evaluate(f"location.hash = {json.dumps('#' + target)}")
        page.wait_for_timeout(30)
        where = below_the_bar(
            page,
            f"(document.getElementById({json.dumps(target)}).querySelector('h3.lead, h2, "
            f"figcaption') || document.getElementById({json.dumps(target)}))",
        )
        assert where["bar"] <= where["top"] < where["height"], (target, where)
    page.evaluate("history.replaceState(null, '', location.pathname); window.scrollTo(0, 0)")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = false)")


def test_screenshots(page: Any) -> None:
    """reports/report-top.png (the first screen), report-card.png (the first contradiction's
    card) and report-revision.png (the first revision chain): described in docs/report.md."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    shots = {
        "report-top.png": None,
        "report-card.png": page.locator("#contradictions [data-finding-id]").first,
        "report-revision.png": page.locator("figure.revision").first,
    }
    for name, element in shots.items():
        path = SHOTS / name
        if element is None:
            page.screenshot(path=str(path), full_page=False)
        else:
            # tall enough that the element needs no scrolling: the sticky bar stays on top
            page.set_viewport_size({"width": 1280, "height": 2400})
            element.screenshot(path=str(path))
            page.set_viewport_size({"width": 1280, "height": 1000})
        assert path.stat().st_size > 10_000, name
