"""A large corpus's report in Chromium (opt-in: ``FACTLEDGER_LARGE=1``, about a minute).

``FACTLEDGER_LARGE=1`` uses 10,000 synthetic facts; ``FACTLEDGER_LARGE=100000`` any other size.
The page must stay within its size budget (5 MB up to 10,000 facts, 25 MB up to 100,000), hold
every finding with its facts as HTML and everything else in the data block, and draw a source,
the results and a fact from that block. How soon it is ready is measured, not asserted, by
``benchmarks/report_size.py``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from factledger import engine
from factledger.devtools import synth
from factledger.report import archive, document
from factledger.report import html as html_report

from .test_browser import below_the_bar, browser  # noqa: F401  (the Chromium fixture)

SETTING = os.environ.get("FACTLEDGER_LARGE", "")
pytestmark = pytest.mark.skipif(
    not SETTING, reason="opt-in: FACTLEDGER_LARGE=1 (10,000 facts) or FACTLEDGER_LARGE=<facts>"
)
FACTS = 10_000 if SETTING in ("", "1") else int(SETTING)


def budget_mb(facts: int) -> float:
    return 5.0 if facts <= 10_000 else 25.0


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    root = tmp_path_factory.mktemp("large") / "corpus"
    synth.generate(root, sources=max(1, FACTS // 50), facts=FACTS, rate=0.01, seed=0)
    doc = json.loads(json.dumps(document.build(engine.run(root, expectations=False), root)))
    path = root / "discrepancies.html"
    path.write_text(html_report.render(doc), encoding="utf-8")
    return doc, path


def test_the_page_keeps_to_its_budget_and_packs_the_rest(built: tuple[dict, Path]) -> None:
    doc, path = built
    text = path.read_text(encoding="utf-8")
    assert path.stat().st_size <= budget_mb(FACTS) * 1e6, path.stat().st_size
    assert archive.is_paged(doc)
    shown = re.sub(r"<script\b.*?</script>", "", text, flags=re.S)
    assert shown.count("data-finding-id=") == len(doc["findings"]) > 0
    block = archive.unpack(re.search(r'id="report-archive">([^<]*)</script>', text).group(1))
    assert block["facts"]["id"] == [f["id"] for f in doc["facts"]]
    assert sum(len(g["id"]) for g in block["results"].values()) == len(doc["results"])


def test_the_page_draws_from_its_data_block(browser: Any, built: tuple[dict, Path]) -> None:  # noqa: F811
    _, path = built
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(path.as_uri(), timeout=120_000)
        page.wait_for_selector("html[data-ready]", timeout=120_000)
        page.click("details.source > summary")
        page.wait_for_selector("details.source table.facts tbody tr", timeout=120_000)
        page.click("#all-results > summary")
        page.click('[data-result-kind="provenance"] > summary')
        rows = page.locator('[data-result-kind="provenance"] table.results tbody tr')
        rows.first.wait_for(timeout=120_000)
        assert rows.count() == 100  # a page at a time
        # a finding's fact link opens its source, drawn from the block, below the sticky bar
        link = page.locator("#contradictions a.loc").first
        target = link.get_attribute("href")[1:]
        link.click()
        page.locator(f'[id="{target}"]').wait_for(state="visible", timeout=120_000)
        where = below_the_bar(page, f"document.getElementById({json.dumps(target)})")
        assert where["bar"] <= where["top"] < where["height"]
        assert errors == []
    finally:
        page.close()
