"""The HTML report in a real browser: Debian's Chromium driven by Playwright (no browser download).

One browser launch and one page for the module: the tests run in file order against the same
page and each leaves the filters cleared. The last test checks, over everything done before it,
that nothing logged an error, nothing left the file and no dialog opened.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from factledger.report import html as html_report
from factledger.report.sections import SECTION_IDS
from factledger.report.view import anchor

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


def href_id(finding_id: str) -> str:
    return anchor("finding", finding_id)


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


def card(page: Any, finding_id: str) -> Any:
    """By the id's data attribute, quoted for CSS (the hostile id holds quotes and brackets)."""
    quoted = finding_id.replace("\\", "\\\\").replace('"', '\\"')
    return page.locator(f'[data-finding-id="{quoted}"]')


def clear_filters(page: Any) -> None:
    page.click("#filters button[type=reset]")
    # a function, not an expression: the page's CSP forbids string eval
    page.wait_for_function("() => !document.querySelector('[data-finding-id][hidden]')")


def below_the_bar(page: Any, element_js: str) -> dict[str, float]:
    """Where an element's top is against the sticky bar's bottom and the viewport;
    ``element_js`` is a JS expression for the element."""
    return page.evaluate(
        f"""() => {{
            const e = {element_js};
            const bar = document.getElementById("filters").getBoundingClientRect();
            return {{top: e.getBoundingClientRect().top, bar: bar.bottom,
                     height: window.innerHeight}};
        }}"""
    )


def test_page_is_ready_and_every_finding_is_there_once(page: Any, doc: dict[str, Any]) -> None:
    page.wait_for_selector("html[data-ready]")
    ids = page.eval_on_selector_all("[data-finding-id]", "els => els.map(e => e.dataset.findingId)")
    assert sorted(ids) == sorted(f["id"] for f in doc["findings"])
    sections = page.eval_on_selector_all("main > section", "els => els.map(e => e.id)")
    assert sections == [*SECTION_IDS, "timelines", "sources", "results"]
    n = len(ids)
    assert page.text_content("#visible-count") == f"{n} of {n} findings shown"
    assert page.is_visible("#gate") and page.text_content("#gate").startswith("FAIL")


def test_severity_filter_hides_and_shows(page: Any, doc: dict[str, Any]) -> None:
    warnings = {f["id"] for f in doc["findings"] if f["severity"] == "warning"}
    page.click(".filter-menu > summary")
    page.select_option("select[name=severity]", "warning")
    assert set(visible_ids(page)) == warnings
    assert (
        page.text_content("#visible-count")
        == f"{len(warnings)} of {len(doc['findings'])} findings shown"
    )
    assert not card(page, doc["findings"][0]["id"]).is_visible()
    page.select_option("select[name=severity]", "")
    assert len(visible_ids(page)) == len(doc["findings"])


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
    page.click(".filter-menu > summary")  # close the menu again


def test_text_search_filters(page: Any, doc: dict[str, Any]) -> None:
    page.fill("input[name=q]", "4.16億")
    assert visible_ids(page) == ["conflict:kuaishou.dau:2025Q3"]
    # the search reads the cards' quotes and outlets too, and folds full-width characters
    page.fill("input[name=q]", "雲媒體 ４.１６億")
    assert visible_ids(page) == ["conflict:kuaishou.dau:2025Q3"]
    page.fill("input[name=q]", "no such text anywhere")
    assert visible_ids(page) == []
    assert page.is_visible("#no-match")
    page.fill("input[name=q]", "")
    assert len(visible_ids(page)) == len(doc["findings"])


def test_a_card_shows_its_quotes_and_keeps_the_arithmetic_in_its_details(page: Any) -> None:
    c = card(page, "conflict:kling.revenue:2025Q2:" + HOSTILE_ID)
    lead = c.locator("h3.lead").inner_text()
    assert lead.startswith("懂財帝 and 鈦媒體") and "2.5億元" in lead and "約2億元" in lead
    quote = c.locator("table.evidence blockquote.ctx").first
    assert quote.is_visible() and "可靈收入分別超過1.5億元、2.5億元、3億元" in quote.inner_text()
    assert c.locator("table.evidence mark").first.inner_text() == "2.5億元"
    details = c.locator("details.more")
    assert not details.locator(".message").is_visible()
    details.locator("summary").click()
    assert "The check says:" in details.locator(".message").inner_text()
    assert HOSTILE_ID in details.inner_text()
    details.locator("summary").click()


def test_hostile_quote_is_visible_text(page: Any, doc: dict[str, Any], events: dict) -> None:
    c = card(page, "conflict:kling.revenue:2025Q2:" + HOSTILE_ID)
    row = c.locator("tr.fact").nth(1)
    text = row.locator("blockquote.ctx").inner_text()
    assert SCRIPT in text and '"><img src=x onerror=alert(1)>' in text
    assert "U+202E" in text
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 4
    assert events["dialogs"] == []


def test_fact_link_opens_its_source(page: Any) -> None:
    c = card(page, "conflict:kuaishou.dau:2025Q3")
    c.locator("a.loc").first.click()
    row = page.locator("#fact-dcd-kuaishou-dau-2025q3")
    row.wait_for(state="visible")
    assert "facts/dcd.yaml:48" in row.inner_text()
    where = below_the_bar(page, "document.getElementById('fact-dcd-kuaishou-dau-2025q3')")
    assert where["bar"] <= where["top"] < where["height"]
    page.evaluate("document.querySelectorAll('details.source').forEach(d => d.open = false)")
    page.evaluate("history.replaceState(null, '', location.pathname)")


def test_a_jump_to_a_card_lands_below_the_sticky_bar(page: Any, doc: dict[str, Any]) -> None:
    for f in doc["findings"]:
        page.evaluate("history.replaceState(null, '', location.pathname); window.scrollTo(0, 0)")
        page.evaluate(f"location.hash = {json.dumps('#' + href_id(f['id']))}")
        page.wait_for_timeout(50)
        where = below_the_bar(
            page,
            "document.getElementById(decodeURIComponent(location.hash.slice(1)))"
            ".querySelector('h3.lead')",
        )
        assert where["bar"] <= where["top"] < where["height"], (f["id"], where)
    page.evaluate("history.replaceState(null, '', location.pathname); window.scrollTo(0, 0)")
    page.evaluate("document.getElementById('reviewed-lists') && "
                  "(document.getElementById('reviewed-lists').open = false)")  # fmt: skip


def test_charts_render(page: Any) -> None:
    svg = page.locator('svg[data-chart="kling.revenue"]')
    box = svg.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100
    assert page.locator("svg[data-chart]").count() == 1  # the only series with three periods
    labels = svg.locator("text.value-label").all_text_contents()
    assert "5000萬元" in labels and "約2億元" in labels
    assert svg.locator(".mark.conflict").count() == 2  # 2025Q2: 懂財帝 vs 鈦媒體
    figures = page.locator("figure.revision")
    assert figures.count() == 2  # one per issuer
    stated = [
        figures.nth(i).locator("g.step").evaluate_all("els => els.map(e => e.dataset.stated)")
        for i in range(2)
    ]
    assert stated == [["2025-01", "2025-11-27"], ["2024-06..2025-05", "2025-06"]]
    assert "as stated by 快手" in figures.first.locator("figcaption").inner_text()
    assert page.locator("#agreements-table tbody tr").count() == 1


def test_screenshot(page: Any) -> None:
    """What a reviewer sees first: the verdict, what needs a decision, the first cards."""
    page.set_viewport_size({"width": 1280, "height": 1800})
    page.evaluate("window.scrollTo(0, 0)")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    page.set_viewport_size({"width": 1280, "height": 1000})
    assert SCREENSHOT.stat().st_size > 10_000


# --------------------------------------------------------------------------- the paged page


@pytest.fixture(scope="module")
def paged(
    browser: Any,
    doc: dict[str, Any],
    events: dict[str, list[Any]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Any]:
    """The same document as a large corpus's page: everything but the findings in the block."""
    path = tmp_path_factory.mktemp("paged") / "discrepancies.html"
    path.write_text(html_report.render(doc, inline_limit=0), encoding="utf-8")
    pg = browser.new_page(viewport={"width": 1280, "height": 1000})
    pg.on("pageerror", lambda exc: events["pageerror"].append(str(exc)))
    pg.on("console", lambda m: events["console"].append(m.text) if m.type == "error" else None)
    pg.on("request", lambda req: events["requests"].append(req.url))
    pg.goto(path.as_uri())
    pg.wait_for_selector("html[data-ready]")
    try:
        yield pg
    finally:
        pg.close()


def test_paged_agreements_and_results_come_from_the_block(paged: Any, doc: dict[str, Any]) -> None:
    paged.wait_for_selector("#agreements table.agreements tbody tr")
    row = paged.locator("#agreements table.agreements tbody tr").first.inner_text()
    assert "(1.5億元, 1.6億元]" in row and "懂財帝" in row and "雲媒體" in row
    paged.click("#all-results > summary")
    group = paged.locator('[data-result-kind="provenance"]')
    group.locator("summary").click()
    rows = group.locator("table.results tbody tr")
    rows.first.wait_for()
    n = sum(1 for r in doc["results"] if r["kind"] == "provenance")
    assert rows.count() == n
    first = next(r for r in doc["results"] if r["kind"] == "provenance")
    assert first["id"] in rows.first.inner_text() and first["message"] in rows.first.inner_text()


def test_paged_fact_link_draws_its_source_first(paged: Any) -> None:
    fid = "fact-dcd-kuaishou-mau-2025q3"  # in no finding: only in the data block
    assert paged.locator(f"#{fid}").count() == 0
    paged.evaluate(f"location.hash = '#{fid}'")
    row = paged.locator(f"#{fid}")
    row.wait_for(state="visible")
    assert "facts/dcd.yaml:57" in row.inner_text() and "7.31億" in row.inner_text()
    where = below_the_bar(paged, f"document.getElementById('{fid}')")
    assert where["bar"] <= where["top"] < where["height"]
    source = paged.locator('details.source[data-source-id="dcd"]')
    assert "Coverage not measured." in source.inner_text()


def test_paged_article_text_is_text(paged: Any) -> None:
    source = paged.locator('details.source[data-source-id="evil"]')
    source.locator("summary").click()
    article = source.locator(".article")
    source.locator("details.group > summary").click()
    text = article.inner_text()
    assert SCRIPT in text and "U+202E" in text and "\u202e" not in text
    assert article.locator("mark.v").first.inner_text() == "約2億元"
    assert paged.locator("img").count() == 0


def test_no_console_errors_network_or_dialogs(page: Any, events: dict[str, list[Any]]) -> None:
    assert events["console"] == []
    assert events["pageerror"] == []
    assert events["dialogs"] == []
    assert events["requests"], "the page itself should have been requested"
    assert [u for u in events["requests"] if not u.startswith(ALLOWED_SCHEMES)] == []
