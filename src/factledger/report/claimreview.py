"""schema.org ClaimReview JSON-LD for the findings about a sourced claim.

One review per finding that rates a claim: a contradiction between sources (conflict, stale),
a violated relation (rule, invariant, claim) and a figure that fits only at a stretch
(``strained``, ``repeated-figure``) — each with at least one fact from a source. Input, schema,
provenance and coverage findings are about the files, not a claim; a list reviewed as different
subjects rates nothing; a rule that cannot be checked has no verdict to publish.

A review is publishable when the report knows where the page lives (``report.base_url`` or
``--base-url``): its ``url`` is then absolute. Without it the file is still written, without
``url``, and the CLI says it is not publishable.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import urljoin

from factledger.model import ACK_WORDS, json_safe, verdict_words
from factledger.report.view import REPORT_FILE, _Index, anchor, href
from factledger.report.words import Words

CLAIM_KINDS = frozenset({"conflict", "rule", "invariant", "claim"})
# Rating scale: 1 (false) … 5 (true). A contradiction says the figures cannot all be right, not
# which one is wrong: "disputed" (2) until a reviewer finds the source in error (1).
BEST, WORST = 5, 1
RATINGS = {"conflict": 2, "stale": 2, "violated": 2, "strained": 3, "repeated-figure": 3,
           "member-in-ranking": 3}  # fmt: skip
ACK_RATINGS = {
    "source-error": 1,
    "sources-disagree": 2,
    "superseded": 2,
    "loose-wording": 3,  # true only under a stretched reading of its words
    "different-subjects": 4,
}


def page_url(base_url: str | None) -> str | None:
    """The report page's absolute address: ``base_url`` is the folder it is published in (or
    the page itself, when it names an .html file)."""
    if not base_url:
        return None
    if not base_url.endswith("/") and not base_url.lower().endswith((".html", ".htm")):
        base_url += "/"
    return urljoin(base_url, REPORT_FILE) if base_url.endswith("/") else base_url


def publication_date(published: dict[str, Any] | None) -> str | None:
    """An ISO date for a source's publication period: its day, or — for a range, which gives
    no day — the month or year the whole range lies in; None when it spans years."""
    if not published or not published.get("start"):
        return None
    start, end = date.fromisoformat(published["start"]), date.fromisoformat(published["end"])
    if start == end:
        return start.isoformat()
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.year:04d}-{start.month:02d}"
    return f"{start.year:04d}" if start.year == end.year else None


def rates_a_claim(finding: dict[str, Any], n_facts: int) -> bool:
    kind, verdict = finding.get("kind") or "", finding.get("verdict") or ""
    if n_facts == 0 or (kind not in CLAIM_KINDS and verdict not in ("strained",)):
        return False
    if verdict == "needs-review":
        # a point metric's list: a claim review only once a reviewer found a real disagreement
        ack = finding.get("acknowledgement") or {}
        return finding.get("status") == "acknowledged" and ack.get("verdict") in (
            "sources-disagree", "source-error", "superseded",
        )  # fmt: skip
    return verdict in RATINGS


def _primary(finding: dict[str, Any], known: list[str]) -> str:
    """The fact whose claim is reviewed: the outdated one of a stale figure, the first of a
    conflict's disjoint pair, else the first fact the finding names."""
    data = finding.get("data") or {}
    for fid in sorted(data.get("matches_earlier") or {}):
        if fid in known:
            return fid
    for fid in data.get("disjoint") or []:
        if fid in known:
            return fid
    return known[0]


def _organization(name: str, url: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"@type": "Organization", "name": name}
    if url:
        out["url"] = url
    return out


def reviews(doc: dict[str, Any]) -> list[dict[str, Any]]:
    ix = _Index(doc)
    words = Words(doc)
    summary = doc.get("summary") or {}
    publication = summary.get("publication") or {}
    page = page_url(publication.get("base_url"))
    reviewer = _organization(
        publication.get("reviewer_name") or "factledger", publication.get("reviewer_url")
    )
    run_date = (summary.get("timestamp") or "")[:10] or None
    run_id = summary.get("run_id")
    # the report set this review belongs to (report --verify checks every file carries one id)
    part_of = {"@type": "Report", "url": page or REPORT_FILE, "identifier": run_id}
    out = []
    for f in doc.get("findings") or []:
        known, _ = ix.involved(f)
        if not rates_a_claim(f, len(known)):
            continue
        facts = [ix.facts[i] for i in known]
        claim = ix.facts[_primary(f, known)]
        src = ix.sources.get(claim.get("source") or "") or {}
        appearance: dict[str, Any] = {
            "@type": "CreativeWork",
            "headline": src.get("title") or claim.get("source") or "",
            "publisher": _organization(src.get("outlet") or claim.get("source") or ""),
        }
        if src.get("url"):
            appearance["url"] = src["url"]
        claimed = publication_date(src.get("published"))
        if claimed:
            appearance["datePublished"] = claimed
        item: dict[str, Any] = {
            "@type": "Claim",
            "author": _organization(src.get("outlet") or claim.get("source") or ""),
            "appearance": appearance,
        }
        if claimed:
            item["datePublished"] = claimed
        words_said = verdict_words(f.get("verdict") or "", f.get("kind"))
        rating = RATINGS.get(f.get("verdict") or "", 2)
        ack = f.get("acknowledgement")
        if f.get("status") == "acknowledged" and ack:
            words_said += f" (reviewed: {ACK_WORDS.get(ack.get('verdict'), ack.get('verdict'))})"
            rating = ACK_RATINGS.get(ack.get("verdict") or "", rating)
        elif f.get("status") == "stale-ack":
            words_said += " (review outdated)"
        explanation = words.lead(f, facts)
        if ack and ack.get("reason"):
            explanation += f" Reviewer: {ack['reason']}"
        fid = anchor("finding", f["id"])
        review: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "@id": f"{page}{href(fid)}" if page else href(fid),
            "claimReviewed": claim.get("quote") or "",
            "itemReviewed": item,
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": rating,
                "bestRating": BEST,
                "worstRating": WORST,
                "alternateName": words_said,
                "ratingExplanation": explanation,
            },
            "author": reviewer,
            "datePublished": run_date,
        }
        if page:
            review["url"] = f"{page}{href(fid)}"
        if run_id:
            review["isPartOf"] = part_of
        out.append(review)
    return out


def claimreview(doc: dict[str, Any]) -> str:
    """The reviews as a JSON-LD array (the page embeds the same array)."""
    return json.dumps(json_safe(reviews(doc)), ensure_ascii=False, indent=1, allow_nan=False)


def publishable(doc: dict[str, Any]) -> bool:
    return bool(((doc.get("summary") or {}).get("publication") or {}).get("base_url"))
