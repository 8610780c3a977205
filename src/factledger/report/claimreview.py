"""schema.org ClaimReview JSON-LD for the findings about sourced claims."""

from __future__ import annotations

import json
from typing import Any

from factledger.model import ACK_WORDS, json_safe, verdict_words
from factledger.report.view import REPORT_FILE, _Index, anchor, href


def claimreview(doc: dict[str, Any]) -> str:
    """schema.org ClaimReview JSON-LD: one review per finding that involves facts."""
    ix = _Index(doc)
    timestamp = (doc.get("summary") or {}).get("timestamp") or ""
    run_id = (doc.get("summary") or {}).get("run_id")
    # the report set this review belongs to (report --verify checks every file carries one id)
    part_of = {"@type": "Report", "url": REPORT_FILE, "identifier": run_id} if run_id else None
    run_date = timestamp[:10] or None
    reviews = []
    for f in doc.get("findings") or []:
        known, _ = ix.involved(f)
        if not known:
            continue
        facts = [ix.facts[i] for i in known]
        appearances = []
        for sid in dict.fromkeys(fact.get("source") or "" for fact in facts):
            src = ix.sources.get(sid) or {}
            appearances.append(
                {
                    "@type": "CreativeWork",
                    "headline": src.get("title") or sid,
                    "publisher": {"@type": "Organization", "name": src.get("outlet") or ""},
                    "datePublished": (src.get("published") or {}).get("start"),
                }
            )
        words = verdict_words(f.get("verdict") or "", f.get("kind"))
        ack = f.get("acknowledgement")
        if f.get("status") == "acknowledged" and ack:
            words += f" (acknowledged: {ACK_WORDS.get(ack.get('verdict'), ack.get('verdict'))})"
        elif f.get("status") == "stale-ack":
            words += " (acknowledgement is stale)"
        explanation = f.get("message") or ""
        if ack and ack.get("reason"):
            explanation += f" — reviewer: {ack['reason']}"
        fid = anchor("finding", f["id"])
        reviews.append(
            {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "@id": f"#{fid}",
                "url": f"{REPORT_FILE}{href(fid)}",
                "claimReviewed": facts[0].get("quote") or "",
                "itemReviewed": {
                    "@type": "Claim",
                    # one source: an object, as most consumers expect; several (a conflict): a list
                    "appearance": appearances[0] if len(appearances) == 1 else appearances,
                },
                "reviewRating": {
                    "@type": "Rating",
                    "alternateName": words,
                    "ratingExplanation": explanation,
                },
                "author": {"@type": "Organization", "name": "factledger"},
                "datePublished": run_date,
                **({"isPartOf": part_of} if part_of else {}),
            }
        )
    return json.dumps(json_safe(reviews), ensure_ascii=False, indent=1, allow_nan=False)
