"""The report read as an editor reads it: sections, plain sentences, agreements, revision chains,
ClaimReview, the compressed data block of a large corpus, and the CLI's --base-url."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from factledger import cli, engine
from factledger.report import archive, document
from factledger.report import html as html_report
from factledger.report.claimreview import page_url, publication_date, reviews
from factledger.report.revisions import revision_figures
from factledger.report.sections import section_of
from factledger.report.story import agreements
from factledger.report.view import _Index
from factledger.report.words import Words

from .conftest import write_mini
from .test_html_report import (
    HOSTILE_ID,
    conflict_data,
    finding,
    interval,
    make_doc,
    member,
    result,
    revision_result,
)

# --------------------------------------------------------------------------- sections


def _f(kind: str, verdict: str, status: str = "open", ack: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "verdict": verdict, "status": status,
            "acknowledgement": {"verdict": ack} if ack else None}  # fmt: skip


@pytest.mark.parametrize(
    ("finding", "n_sources", "section"),
    [
        (_f("conflict", "conflict"), 2, "contradictions"),
        (_f("conflict", "conflict", "acknowledged", "sources-disagree"), 2, "contradictions"),
        (_f("rule", "violated"), 3, "contradictions"),
        (_f("invariant", "violated"), 2, "contradictions"),
        (_f("claim", "violated"), 1, "within-source"),
        (_f("rule", "violated"), 1, "within-source"),
        (_f("provenance", "missing"), 1, "within-source"),
        (_f("input", "error"), 0, "within-source"),
        (_f("rule", "unresolved"), 0, "within-source"),
        (_f("conflict", "stale"), 2, "stale"),
        (_f("claim", "repeated-figure"), 2, "stale"),
        (_f("rule", "strained"), 2, "strained"),
        (_f("conflict", "needs-review"), 1, "different-subjects"),
        (_f("conflict", "needs-review", "acknowledged", "different-subjects"), 1,
         "different-subjects"),
        # reviewed as a real disagreement, a "different subjects?" list is a contradiction
        (_f("conflict", "needs-review", "acknowledged", "sources-disagree"), 1, "contradictions"),
    ],
)  # fmt: skip
def test_section_of(finding: dict[str, Any], n_sources: int, section: str) -> None:
    assert section_of(finding, n_sources) == section


# --------------------------------------------------------------------------- sentences


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return make_doc()


def facts_of(doc: dict[str, Any], *ids: str) -> list[dict[str, Any]]:
    by_id = {f["id"]: f for f in doc["facts"]}
    return [by_id[i] for i in ids]


def test_a_conflict_says_who_gives_what(doc: dict[str, Any]) -> None:
    w = Words(doc)
    facts = facts_of(doc, "dcd-kling-revenue-2025q2", HOSTILE_ID)
    lead = w.lead({"kind": "conflict", "verdict": "conflict"}, facts)
    assert lead == (
        "懂財帝 and 鈦媒體\"><img src=x onerror=alert(1)> give 可靈's 2025Q2 revenue as "
        "2.5億元 (超過) and 約2億元: they cannot both be right."
    )


def test_different_periods_and_subjects_are_said_beside_each_value(doc: dict[str, Any]) -> None:
    w = Words(doc)
    # one subject, two periods
    lead = w.lead(
        {"kind": "conflict", "verdict": "needs-review"},
        facts_of(doc, "dcd-kuaishou-dau-2025q3", "ymt-kuaishou-dau-2025q1"),
    )
    assert lead == (
        "懂財帝 and 雲媒體 give 快手's DAU as 4.16億 for 2025Q3 and 3.8億 for 2025Q1: different "
        "subjects, or one figure given two ways?"
    )
    # one outlet, three metrics of one entity
    lead = w.lead(
        {"kind": "rule", "verdict": "violated"},
        facts_of(doc, "ymt-kling-revenue-2025-03", "ymt-kling-revenue-2025q1",
                 "ymt-kling-revenue-share-2025-03"),
    )  # fmt: skip
    assert lead.startswith("For 可靈, 雲媒體 gives 2025-03 revenue as 5000萬元, 2025Q1 revenue as")
    assert "2025-03 revenue share (of kling-revenue) as 33%" in lead
    assert lead.endswith(": they cannot all be right.")


def test_a_long_list_names_every_outlet_first() -> None:
    doc = make_doc()
    w = Words(doc)
    facts = []
    for i, src in enumerate(["dcd"] * 9 + ["ymt"]):
        f = copy.deepcopy(doc["facts"][0])
        f.update(id=f"x{i}", source=src, value=f"{i}億元", hedge=None)
        facts.append(f)
    lead = w.claims(facts, limit=4)
    assert "懂財帝 gives" in lead and "雲媒體 gives" in lead and "9億元" in lead
    assert lead.endswith("(and 6 more)")


def test_a_stale_figure_names_the_earlier_one(doc: dict[str, Any]) -> None:
    w = Words(doc)
    earlier = member("ymt-kuaishou-dau-2025q1", "3.8億", interval(3.75e8, 3.85e8), "ymt")
    earlier["period_label"] = "2025Q1"
    data = conflict_data("stale") | {"matches_earlier": {"dcd-kuaishou-dau-2025q3": earlier}}
    lead = w.lead({"kind": "conflict", "verdict": "stale", "data": data},
                  facts_of(doc, "dcd-kuaishou-dau-2025q3"))  # fmt: skip
    assert "4.16億 is what 雲媒體 gives for the earlier period 2025Q1 (3.8億)" in lead
    assert "outdated figure presented as current" in lead


def test_a_rules_description_reads_with_values_for_fact_ids(doc: dict[str, Any]) -> None:
    w = Words(doc)
    text = w.with_values("{ymt-kling-revenue-2025-03} is a third of {ymt-kling-revenue-2025q1}")
    assert text == "5000萬元 is a third of 超過1.5億元"
    assert w.with_values("{no-such-fact}") == "{no-such-fact}"


# --------------------------------------------------------------------------- agreements, chains


def test_agreements_are_groups_that_two_sources_confirm(doc: dict[str, Any]) -> None:
    rows = agreements(_Index(doc), Words(doc), doc["results"])
    (row,) = rows
    assert row["subject"] == "可靈 · revenue" and row["period"] == "2025Q1"
    # the intersection of (1.5億, ∞) and [1.5億, 1.6億]
    assert row["agreed"] == "(1.5億元, 1.6億元]"
    assert [(s["outlet"], s["value"]) for s in row["said"]] == [
        ("懂財帝", "超過1.5億元"),
        ("雲媒體", "超過1.5億元"),
    ]


def test_one_figure_per_chain_in_either_payload_shape(doc: dict[str, Any]) -> None:
    two, left = revision_figures(doc, Words(doc))
    assert left == 0
    assert [(f["issuer"], f["stated"]) for f in two] == [
        ("快手", ["2025-01", "2025-11-27"]),
        ("投資機構", ["2024-06..2025-05", "2025-06"]),
    ]
    labels = [lab["text"] for lab in two[0]["labels"]]
    assert labels == ["懂財帝 6000萬美元", "懂財帝 超過10億元"]
    # x is when it was stated: later steps are further right
    xs = [p["x"] for p in two[1]["points"]]
    assert xs == sorted(xs)
    capped, left = revision_figures(doc, Words(doc), limit=1)
    assert len(capped) == 1 and left == 1
    # the older single chain, of unknown issuer
    single = copy.deepcopy(doc)
    single["results"] = [r for r in doc["results"] if r["verdict"] != "revision"]
    single["results"].append(revision_result(per_issuer=False))
    (one,), _ = revision_figures(single, Words(single))
    assert one["issuer"] == ""
    assert one["stated"] == ["2024-06..2025-05", "2025-01", "2025-06", "2025-11-27"]


def test_a_restated_figure_is_drawn_at_its_own_date(doc: dict[str, Any]) -> None:
    """A later statement that repeats a step's figure (RevisionStep.restated) is labelled
    "again" and drawn at its own stated date, outlined; the chain's line skips it."""
    again = copy.deepcopy(doc)
    rev = next(r for r in again["results"] if r["verdict"] == "revision")
    first = rev["data"]["chains"][0]["steps"][0]
    first["restated"] = [
        {"fact_id": "dcd-kling-revenue-fy2025", "source": "dcd", "value": "超過10億元",
         "kind": "guidance", "interval": interval(1e9, None, lo_open=True),
         "stated": "2025-03"}
    ]  # fmt: skip
    fig = revision_figures(again, Words(again))[0][0]
    assert "懂財帝 again 超過10億元" in [lab["text"] for lab in fig["labels"]]
    restated = [m for m in fig["marks"] if m["dashed"]]
    assert len(restated) == 1 and len(fig["points"]) == 2
    assert "restated by 懂財帝 on 2025-03: 超過10億元" in fig["steps"][0]["said"]


# --------------------------------------------------------------------------- ClaimReview


PUBLICATION = {
    "base_url": "https://example.org/factcheck/",
    "reviewer_name": "Example Fact Desk",
    "reviewer_url": "https://example.org/",
}


def test_every_claimreview_has_every_property() -> None:
    """What the issue lists: claimReviewed (the quote), reviewRating {ratingValue, bestRating,
    worstRating, alternateName}, itemReviewed Claim {author (the outlet), datePublished,
    appearance {url when the source has one}}, author (the reviewer), datePublished, url."""
    doc = make_doc()
    doc["summary"]["publication"] = PUBLICATION
    doc["sources"][1]["url"] = "https://example.com/ymt/kling-q1"  # 雲媒體's article
    facts = {f["id"]: f for f in doc["facts"]}
    out = reviews(doc)
    assert len(out) == 4
    for r in out:
        assert r["@type"] == "ClaimReview"
        assert r["claimReviewed"] in {f["quote"] for f in facts.values()}
        rating = r["reviewRating"]
        assert rating["@type"] == "Rating"
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        assert (rating["worstRating"], rating["bestRating"]) == (1, 5)
        assert rating["alternateName"] and rating["ratingExplanation"]
        claim = r["itemReviewed"]
        assert claim["@type"] == "Claim"
        assert claim["author"]["@type"] == "Organization" and claim["author"]["name"]
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", claim["datePublished"])
        appearance = claim["appearance"]
        assert appearance["@type"] == "CreativeWork" and appearance["headline"]
        assert appearance["publisher"]["name"] == claim["author"]["name"]
        if claim["author"]["name"] == "雲媒體":
            assert appearance["url"] == "https://example.com/ymt/kling-q1"
        else:
            assert "url" not in appearance
        assert r["author"] == {"@type": "Organization", "name": "Example Fact Desk",
                               "url": "https://example.org/"}  # fmt: skip
        assert r["datePublished"] == "2025-11-28"
        assert r["url"].startswith("https://example.org/factcheck/discrepancies.html#finding-")
        assert r["@id"] == r["url"]
    assert any(r["itemReviewed"]["author"]["name"] == "雲媒體" for r in out)


def test_a_reviewed_list_of_different_subjects_is_no_claimreview() -> None:
    doc = make_doc()
    res = result("conflict:kling.price:series-false", "conflict", "warning", "needs-review",
                 "two tiers", ("ymt-kling-price-gold", "evil-kling-price-gold"),
                 data=conflict_data("needs-review"))  # fmt: skip
    ack = {"verdict": "different-subjects", "reason": "two tiers", "reviewer": "r",
           "date": "2025-11-28", "fingerprint": res["fingerprint"], "file": "a.yaml",
           "line": 1}  # fmt: skip
    doc["findings"].append(finding(res, "acknowledged", ack))
    assert res["id"] not in json.dumps(reviews(doc))
    ack["verdict"] = "sources-disagree"  # reviewed as a real disagreement: a claim review
    assert "conflict:kling.price:series-false" in json.dumps(reviews(doc))


@pytest.mark.parametrize(
    ("published", "date"),
    [
        (("2025-11-27", "2025-11-27"), "2025-11-27"),
        (("2025-06-01", "2025-06-30"), "2025-06"),
        (("2025-03-27", "2025-04-30"), "2025"),
        (("2024-06-01", "2025-05-31"), None),
    ],
)
def test_a_date_range_gives_no_day(published: tuple[str, str], date: str | None) -> None:
    assert publication_date({"text": "", "start": published[0], "end": published[1]}) == date


def test_page_url() -> None:
    assert page_url("https://example.org/fc/") == "https://example.org/fc/discrepancies.html"
    assert page_url("https://example.org/fc") == "https://example.org/fc/discrepancies.html"
    assert page_url("https://example.org/r.html") == "https://example.org/r.html"
    assert page_url("") is None and page_url(None) is None


# --------------------------------------------------------------------------- a large corpus


def test_a_paged_page_keeps_the_findings_and_packs_the_rest() -> None:
    doc = make_doc()
    page = html_report.render(doc, inline_limit=0)
    shown = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    # every finding's facts are in the page, as cards' evidence
    for f in doc["findings"]:
        for fid in f["fact_ids"]:
            assert f'data-fact-id="{fid}"' in shown or fid == HOSTILE_ID
    # a fact no finding names is only in the data block, as is every result's row
    assert "dcd-kuaishou-mau-2025q3" not in shown
    assert '<table class="facts">' not in shown and '<table class="results">' not in shown
    block = re.search(r'id="report-archive">([^<]*)</script>', page).group(1)
    data = archive.unpack(block)
    assert data["facts"]["id"] == [f["id"] for f in doc["facts"]]
    assert sum(len(g["id"]) for g in data["results"].values()) == len(doc["results"])
    provenance = data["results"]["provenance"]
    # ids and locations that repeat a fact's are stored as 0
    assert provenance["id"][0] == 0 and provenance["where"][0] == 0
    assert data["agreements"]["agreed"] == ["(1.5億元, 1.6億元]"]
    ymt = data["sources"][1]
    assert ymt["file"] == "facts/ymt.yaml" and ymt["text"].startswith("快手可靈 Q1")
    # the same document renders in full below the limit, with no data block
    full = html_report.render(doc)
    assert '<table class="facts">' in full
    assert re.search(r'id="report-archive">\s*</script>', full)


# --------------------------------------------------------------------------- the CLI and the file


RULE = """rules:
  - id: kling-q2-small
    description: Kling's Q2 revenue is below 1億.
    severity: error
    assert: kling.revenue@2025Q2 < 1億
"""


def _corpus(root: Path) -> Path:
    write_mini(root)
    (root / "checks" / "rules").mkdir(parents=True, exist_ok=True)
    (root / "checks" / "rules" / "small.yaml").write_text(RULE, encoding="utf-8")
    seed = root / "seeds" / "mini.md"
    seed.write_text(
        seed.read_text(encoding="utf-8").replace(
            "curation: partial\n", "curation: partial\nurl: https://example.com/mini\n"
        ),
        encoding="utf-8",
    )
    (root / "factledger.toml").write_text(
        '[report]\nreviewer_name = "Example Fact Desk"\nreviewer_url = "https://example.org/"\n',
        encoding="utf-8",
    )
    return root


def test_the_document_carries_source_urls_and_the_publication(tmp_path: Path) -> None:
    root = _corpus(tmp_path / "corpus")
    doc = document.build(engine.run(root, expectations=False), root)
    assert doc["sources"][0]["url"] == "https://example.com/mini"
    assert doc["summary"]["publication"] == {
        "base_url": None, "reviewer_name": "Example Fact Desk",
        "reviewer_url": "https://example.org/",
    }  # fmt: skip


def test_check_base_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _corpus(tmp_path / "corpus")
    out = tmp_path / "reports"
    assert cli.main(["check", "--root", str(root), "--out", str(out), "-q", "--fast"]) == 1
    said = capsys.readouterr().out
    assert "claimreview.jsonld: not publishable" in said
    (review,) = json.loads((out / "claimreview.jsonld").read_text(encoding="utf-8"))
    assert "url" not in review
    assert review["itemReviewed"]["appearance"]["url"] == "https://example.com/mini"
    assert review["author"]["name"] == "Example Fact Desk"
    base = "https://example.org/fc/"
    args = ["check", "--root", str(root), "--out", str(out), "-q", "--fast", "--base-url", base]
    assert cli.main(args) == 1
    assert "not publishable" not in capsys.readouterr().out
    (review,) = json.loads((out / "claimreview.jsonld").read_text(encoding="utf-8"))
    assert review["url"] == (
        "https://example.org/fc/discrepancies.html#finding-rule:kling-q2-small"
    )
    assert cli.main(["check", "--root", str(root), "--base-url", "example.org"]) == 2
