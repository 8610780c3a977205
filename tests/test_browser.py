"""The HTML report in a real browser: Debian's Chromium driven by Playwright (no browser download).

One browser launch and one page for the module: the tests run in file order against the same
page and each leaves the filters cleared. The last test checks, over everything done before it,
that nothing logged an error, nothing left the file and no dialog opened.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from factledger.report import html as html_report

from .test_html_report import HOSTILE_ID, SCRIPT, make_doc

PROJECT = Path(__file__).resolve().parents[1]
SCREENSHOT = PROJECT / "reports" / "report-screenshot.png"
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
ALLOWED_SCHEMES = ("file:", "data:", "about:")


def chromium_path() -> str:
    return shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    exe = chromium_path()
    if not Path(exe).exists():
        reason = (
            f"Chromium not found ({exe}); install Debian's chromium and fonts-wqy-microhei "
            "to run the browser tests"
        )
        if os.environ.get("FACTLEDGER_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return make_doc()


@pytest.fixture(scope="module")
def events() -> dict[str, list[Any]]:
    return {"console": [], "pageerror": [], "requests": [], "dialogs": []}


@pytest.fixture(scope="module")
def page(
    browser: Any,
    doc: dict[str, Any],
    events: dict[str, list[Any]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Any]:
    path = tmp_path_factory.mktemp("report") / "discrepancies.html"
    path.write_text(html_report.render(doc), encoding="utf-8")
    pg = browser.new_page(viewport={"width": 1280, "height": 1000})

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            events["console"].append(msg.text)

    def on_dialog(dialog: Any) -> None:
        events["dialogs"].append(dialog.message)
        dialog.dismiss()

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: events["pageerror"].append(str(exc)))
    pg.on("request", lambda req: events["requests"].append(req.url))
    pg.on("dialog", on_dialog)
    pg.goto(path.as_uri())
    pg.wait_for_load_state("load")
    try:
        yield pg
    finally:
        pg.close()


def visible_ids(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "[data-finding-id]", "els => els.filter(e => !e.hidden).map(e => e.dataset.findingId)"
    )


def finding_card(page: Any, doc: dict[str, Any], finding_id: str) -> Any:
    """By position: ids with quotes and brackets (the hostile one) make poor CSS selectors."""
    index = [f["id"] for f in doc["findings"]].index(finding_id)
    return page.locator("#findings-list > li").nth(index)


def clear_filters(page: Any) -> None:
    page.click("#filters button[type=reset]")
    # a function, not an expression: the page's CSP forbids string eval
    page.wait_for_function("() => !document.querySelector('[data-finding-id][hidden]')")


def test_findings_present_and_ordered(page: Any, doc: dict[str, Any]) -> None:
    rows = page.eval_on_selector_all(
        "#findings-list > [data-finding-id]",
        "els => els.map(e => [e.dataset.findingId, e.dataset.status, e.dataset.severity])",
    )
    assert [r[0] for r in rows] == [f["id"] for f in doc["findings"]]

    def rank(status: str, severity: str) -> int:
        if status == "acknowledged":
            return 2
        return 0 if severity == "error" else 1

    ranks = [rank(status, severity) for _, status, severity in rows]
    assert ranks == sorted(ranks) and ranks[0] == 0 and ranks[-1] == 2
    n = len(rows)
    assert page.text_content("#visible-count") == f"{n} of {n} findings shown"
    assert page.is_visible("#gate") and page.text_content("#gate").startswith("FAIL")


def test_severity_filter_hides_and_shows(page: Any, doc: dict[str, Any]) -> None:
    warnings = [f["id"] for f in doc["findings"] if f["severity"] == "warning"]
    page.select_option("select[name=severity]", "warning")
    assert visible_ids(page) == warnings
    assert (
        page.text_content("#visible-count")
        == f"{len(warnings)} of {len(doc['findings'])} findings shown"
    )
    assert not finding_card(page, doc, doc["findings"][0]["id"]).is_visible()
    page.select_option("select[name=severity]", "")
    assert visible_ids(page) == [f["id"] for f in doc["findings"]]


def test_status_entity_and_source_filters(page: Any, doc: dict[str, Any]) -> None:
    page.select_option("select[name=status]", "acknowledged")
    assert visible_ids(page) == [f["id"] for f in doc["findings"] if f["status"] == "acknowledged"]
    clear_filters(page)
    page.select_option("select[name=entity]", "kuaishou")
    assert visible_ids(page) == ["conflict:kuaishou.dau:2025Q3"]
    clear_filters(page)
    page.select_option("select[name=source]", "evil")
    ids = visible_ids(page)
    assert ids and all(i.startswith("conflict:") for i in ids)
    clear_filters(page)


def test_text_search_filters(page: Any, doc: dict[str, Any]) -> None:
    page.fill("input[name=q]", "3.8億")
    assert visible_ids(page) == ["conflict:kuaishou.dau:2025Q3"]
    # the search reads facts' quotes and outlets too, and folds full-width characters
    page.fill("input[name=q]", "雲媒體 ３.８億")
    assert visible_ids(page) == ["conflict:kuaishou.dau:2025Q3"]
    page.fill("input[name=q]", "no such text anywhere")
    assert visible_ids(page) == []
    assert page.is_visible("#no-match")
    page.fill("input[name=q]", "")
    assert len(visible_ids(page)) == len(doc["findings"])


def test_expanding_a_finding_shows_its_quotes(page: Any) -> None:
    card = page.locator('[data-finding-id="conflict:kuaishou.dau:2025Q3"]')
    quote = card.locator("blockquote.ctx").first
    assert not quote.is_visible()
    card.locator("details.more > summary").click()
    assert quote.is_visible()
    assert "快手Q3日活4.16億" in quote.inner_text()
    assert card.locator("blockquote.ctx mark").first.inner_text() == "4.16億"
    assert card.locator("table.compare").is_visible()


def test_hostile_quote_is_visible_text(page: Any, doc: dict[str, Any], events: dict) -> None:
    card = finding_card(page, doc, doc["findings"][0]["id"])
    card.locator("details.more > summary").click()
    fact = card.locator(".fact").filter(has_text="evil-")
    assert fact.count() == 1
    text = fact.locator("blockquote.ctx").inner_text()
    assert SCRIPT in text and '"><img src=x onerror=alert(1)>' in text
    assert "U+202E" in text
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 3
    assert events["dialogs"] == []
    assert HOSTILE_ID in card.inner_text()


def test_fact_link_opens_its_source(page: Any) -> None:
    card = page.locator('[data-finding-id="conflict:kuaishou.dau:2025Q3"]')
    card.locator("a.loc").first.click()
    row = page.locator("#fact-dcd-kuaishou-dau-2025q3")
    row.wait_for(state="visible")
    assert "facts/dcd.yaml:48" in row.inner_text()
    page.evaluate("document.querySelectorAll('details.source').forEach(d => d.open = false)")
    page.evaluate("history.replaceState(null, '', location.pathname)")


def test_charts_render(page: Any) -> None:
    svg = page.locator('svg[data-chart="kling.revenue"]')
    box = svg.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100
    assert page.locator('svg[data-chart="jimeng+kling.mau"]').count() == 1
    assert page.locator('svg[data-chart*="subscription_price"]').count() == 0


def test_screenshot(page: Any) -> None:
    """What a reviewer sees first: the verdict, the counts and the findings, one expanded."""
    page.evaluate("window.scrollTo(0, 0)")
    page.evaluate("document.querySelectorAll('details.more').forEach(d => d.open = false)")
    page.locator('[data-finding-id="conflict:kuaishou.dau:2025Q3"] details.more > summary').click()
    page.set_viewport_size({"width": 1280, "height": 1800})
    page.evaluate("window.scrollTo(0, 0)")  # the click scrolled the card into view
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    assert SCREENSHOT.stat().st_size > 10_000


def test_no_console_errors_network_or_dialogs(page: Any, events: dict[str, list[Any]]) -> None:
    assert events["console"] == []
    assert events["pageerror"] == []
    assert events["dialogs"] == []
    assert events["requests"], "the page itself should have been requested"
    assert [u for u in events["requests"] if not u.startswith(ALLOWED_SCHEMES)] == []
