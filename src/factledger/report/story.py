"""The page's view model, in the order an editor reads it: the story first, the apparatus after.

What needs a decision (open errors, stale acknowledgements), then contradictions between sources,
errors within one source, stale or repeated figures, figures that fit only at a stretch,
revisions, agreements, and last, quietly, the reviewed lists of different subjects. Every
finding is one card, in one section; a reviewed contradiction stays where it is, with a
"reviewed" badge and the reviewer's reason. Each card opens with one plain sentence
(:mod:`.words`) and shows its facts once; the interval arithmetic and the ids are in its
details. Nothing here decides a verdict: it arranges what the engine decided.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from factledger import formatting as fmt
from factledger.model import (
    ACK_WORDS,
    FINDING_STATUSES,
    PROJECTION_KINDS,
    STATUS_WORDS,
    verdict_words,
)
from factledger.report import archive
from factledger.report.charts import timeline_charts
from factledger.report.revisions import revision_figures
from factledger.report.sections import SECTION_IDS, SECTIONS, blocking, section_of
from factledger.report.view import (
    RELATION_KINDS,
    SEVERITY_ORDER,
    STATUS_ORDER,
    _fact_view,
    _Index,
    _results_view,
    _rule_view,
    _source_view,
    anchor,
    fmt_pct,
    href,
    source_label,
)
from factledger.report.words import Words, join, metric_words, qualifier_words

# formatting.CONTROLS as a JavaScript pattern, so text the page's script draws from the data
# block shows the same characters as tags (every one as \uXXXX: the pattern holds raw controls).
CONTROLS_JS = "".join(c if " " <= c <= "~" else f"\\u{ord(c):04x}" for c in fmt.CONTROLS.pattern)
# A card shows this many facts; the rest are one click away, so no card grows past a screen.
EVIDENCE_ROWS = 5
# A paged page (a large corpus) shows three in full, without the article's title (the sources
# list has it), and lists the rest in a line each linking to its row: about 15 KB a finding
# would otherwise put 100,000 facts' findings over the page's 25 MB budget.
EVIDENCE_ROWS_PAGED = 3
STATUS_RANK = {s: i for i, s in enumerate(("open", "stale-ack", "acknowledged"))}
BADGE_WORDS = {"open": "Open", "stale-ack": "Review outdated", "acknowledged": "Reviewed"}


# --------------------------------------------------------------------------- cards

# How much of the sentence before a quote a card shows (其/該 usually point back there).
BEFORE_CHARS = 40
AFTER_CHARS = 16


def _evidence(ix: _Index, words: Words, fact: dict[str, Any]) -> dict[str, Any]:
    """One row of a card's evidence: who, what, the value as written, the quote in its
    sentence; the dates behind a period in its tooltip, the stated date for projections."""
    v = _fact_view(ix, fact)
    ctx = v["context"]
    if len(ctx["before"]) > BEFORE_CHARS:
        ctx["before"] = "…" + ctx["before"].lstrip("…")[-BEFORE_CHARS:]
    if len(ctx["after"]) > AFTER_CHARS:
        ctx["after"] = ctx["after"][:AFTER_CHARS] + "…"
    src = ix.sources.get(fact.get("source") or "") or {}
    quals = qualifier_words(fact.get("qualifiers"))
    v.update(
        subject=f"{words.entity(fact.get('entity') or '')} · {metric_words(v['metric'])}"
        + (f" ({quals})" if quals else ""),
        period_text=(fact.get("period") or {}).get("text") or "",
        published_text=(src.get("published") or {}).get("text") or "",
        stated_text=(fact.get("stated") or {}).get("text") or ""
        if fact.get("kind") in PROJECTION_KINDS
        else "",
    )
    return v


def _card(
    ix: _Index, words: Words, f: dict[str, Any], rank: int, *, paged: bool = False
) -> dict[str, Any]:
    known, unknown = ix.involved(f)
    data = f.get("data") or {}
    facts = [ix.facts[i] for i in known]
    # a stale figure's earlier match is evidence too: shown after the group, marked as earlier
    earlier = [
        m["fact_id"]
        for m in (data.get("matches_earlier") or {}).values()
        if f.get("kind") == "conflict" and m.get("fact_id") in ix.facts
    ]
    earlier = [i for i in dict.fromkeys(earlier) if i not in known]
    evidence = [_evidence(ix, words, fact) for fact in facts]
    for i in earlier:
        view = _evidence(ix, words, ix.facts[i])
        view["earlier"] = True
        evidence.append(view)
    sources = list(dict.fromkeys(fact.get("source") or "" for fact in facts))
    if not sources and f.get("file") in ix.source_of_file:
        sources = [ix.source_of_file[f["file"]]]
    entities = list(dict.fromkeys(fact.get("entity") or "" for fact in facts))
    status = f.get("status") or "open"
    ack = f.get("acknowledgement")
    ack_view = None
    if ack:
        ack_view = {
            "verdict": ack.get("verdict") or "",
            "words": ACK_WORDS.get(ack.get("verdict") or "", ack.get("verdict") or ""),
            "reason": ack.get("reason") or "",
            "reviewer": ack.get("reviewer") or "",
            "date": ack.get("date") or "",
            "where": fmt.where(ack.get("file"), ack.get("line")),
            "fingerprint": ack.get("fingerprint") or "",
        }
    kind = f.get("kind") or ""
    shown = EVIDENCE_ROWS_PAGED if paged else EVIDENCE_ROWS
    if paged:
        for v in evidence:
            v["title"] = ""
    return {
        "rank": rank,
        "id": f["id"],
        "anchor": anchor("finding", f["id"]),
        "href": href(anchor("finding", f["id"])),
        "section": section_of(f, len({fact.get("source") for fact in facts})),
        "kind": kind,
        "severity": f.get("severity") or "",
        "status": status,
        "status_words": STATUS_WORDS.get(status, status),
        "badge": BADGE_WORDS.get(status, status),
        "blocking": blocking(f),
        "verdict": f.get("verdict") or "",
        "verdict_words": verdict_words(f.get("verdict") or "", kind),
        "lead": words.lead(f, facts),
        "why": words.why(f),
        "strain": words.strain(f),
        "message": f.get("message") or "",
        "where": fmt.where(f.get("file"), f.get("line")),
        "fingerprint": f.get("fingerprint") or "",
        "ack": ack_view,
        "evidence": evidence[:shown],
        "more_evidence": evidence[shown:],
        "more_compact": paged,
        "unknown_facts": unknown,
        "entities": " ".join(e for e in entities if e),
        "sources": " ".join(s for s in sources if s),
        "rule": _rule_view(ix, data) if kind in RELATION_KINDS and data else None,
        # the payload as recorded, for kinds whose data the card does not lay out itself
        "data_json": json.dumps(data, ensure_ascii=False, indent=1, default=str)
        if data and kind != "conflict" and kind not in RELATION_KINDS
        else "",
    }


# --------------------------------------------------------------------------- agreements


def said(words: Words, ix: _Index, members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per outlet, the values it gives (as written, each once), linked to its first fact."""
    out: dict[str, dict[str, Any]] = {}
    for m in members:
        fact = ix.facts.get(m["fact_id"])
        value = words.value(fact) if fact else m["value"]
        entry = out.setdefault(
            m["source"],
            {"outlet": words.outlet(m["source"]), "values": [], "fact_id": m["fact_id"],
             "href": href(anchor("fact", m["fact_id"]))},
        )  # fmt: skip
        if value not in entry["values"]:
            entry["values"].append(value)
    for entry in out.values():
        entry["value"] = join(entry["values"])
    return list(out.values())


def agreements(ix: _Index, words: Words, results: Iterable[dict[str, Any]]) -> list[dict]:
    """Groups (entity, metric, qualifiers, period) where two or more sources give overlapping
    values: the agreed interval (what every source allows: the intersection) and who said what.
    Most sources first: the editor's confidence signal."""
    rows = []
    for r in results:
        data = r.get("data") or {}
        if r.get("kind") != "conflict" or r.get("verdict") != "agree":
            continue
        members = data.get("facts") or []
        outlets = list(dict.fromkeys(m["source"] for m in members))
        if len(outlets) < 2:
            continue
        agreed = None
        for m in members:
            iv = fmt.interval_from_json(m["interval"])
            agreed = iv if agreed is None else agreed.intersect(iv)
        first = ix.facts.get(members[0]["fact_id"]) or {}
        key = {
            **(data.get("key") or {}),
            **{k: first[k] for k in ("entity", "metric", "qualifiers") if k in first},
        }
        subject = (
            f"{words.entity(key.get('entity') or '')} · {metric_words(key.get('metric') or '')}"
        )
        quals = qualifier_words(key.get("qualifiers"))
        rows.append(
            {
                "id": r["id"],
                "subject": subject + (f" ({quals})" if quals else ""),
                "period": (first.get("period") or {}).get("text") or members[0]["period"],
                "agreed": fmt.interval_words(agreed),
                "n_sources": len(outlets),
                "said": said(words, ix, members),
            }
        )
    rows.sort(key=lambda a: (-a["n_sources"], a["subject"], a["period"]))
    return rows


# --------------------------------------------------------------------------- the page


def _options(values: Iterable[str], label=lambda v: v) -> list[tuple[str, str]]:
    return [(v, label(v)) for v in sorted({v for v in values if v})]


def build_view(doc: dict[str, Any], *, inline_limit: int | None = None) -> dict[str, Any]:
    """Everything the template shows, computed once; the template only lays it out.

    A corpus with more than ``inline_limit`` facts and results (default
    :data:`archive.INLINE_LIMIT`) is *paged*: the findings and their facts stay in the page,
    the source tables, article texts, agreements and the list of every result go to the
    compressed data block, which the page's script unpacks and pages on demand."""
    ix = _Index(doc)
    words = Words(doc)
    summary = doc.get("summary") or {}
    paged = archive.is_paged(doc, inline_limit)
    cards = [_card(ix, words, f, i, paged=paged) for i, f in enumerate(doc.get("findings") or [])]
    cards.sort(key=lambda c: (STATUS_RANK.get(c["status"], 9), c["rank"]))
    by_section: dict[str, list[dict[str, Any]]] = {s: [] for s in SECTION_IDS}
    for c in cards:
        by_section[c["section"]].append(c)
    results = doc.get("results") or []
    agreed = agreements(ix, words, results)
    figures, more_revisions = revision_figures(doc, words)
    charts, more_charts = timeline_charts(doc)
    reviewed_lists = [c for c in by_section["different-subjects"] if c["status"] == "acknowledged"]
    quiet = {c["id"] for c in reviewed_lists}
    counts = {
        "decision": sum(c["blocking"] for c in cards),
        "revisions": len(figures) + more_revisions,
        "agreements": len(agreed),
        **{s: len(by_section[s]) for s in SECTION_IDS if s not in ("decision", "revisions",
                                                                     "agreements")},
    }  # fmt: skip
    sections = [
        {
            "id": sid,
            "title": title,
            "blurb": blurb,
            "count": counts[sid],
            "cards": [c for c in by_section.get(sid, []) if c["id"] not in quiet],
        }
        for sid, title, blurb in SECTIONS
    ]
    cov = summary.get("coverage")
    by_status = summary.get("by_status") or {}
    by_severity = summary.get("by_severity") or {}
    view_sources = [_source_view(ix, s, full=not paged) for s in doc.get("sources") or []]
    view = {
        "paged": paged,
        "summary": {
            "gate": summary.get("gate") or "fail",
            "exit_code": summary.get("exit_code"),
            "open_errors": summary.get("open_errors", 0),
            "findings": summary.get("findings", len(cards)),
            "by_severity": [(k, by_severity.get(k, 0)) for k in SEVERITY_ORDER[:2]]
            + [(k, v) for k, v in by_severity.items() if k not in SEVERITY_ORDER[:2]],
            "by_status": [(k, STATUS_WORDS.get(k, k), by_status.get(k, 0)) for k in STATUS_ORDER]
            + [(k, k, v) for k, v in by_status.items() if k not in STATUS_ORDER],
            "facts": summary.get("facts", len(ix.facts)),
            "sources": summary.get("sources", len(ix.sources)),
            "coverage": None
            if not isinstance(cov, dict)
            else {
                **cov,
                "coverage_pct": fmt_pct(cov.get("coverage")),
                "share_pct": fmt_pct(cov.get("covered_share_of_mentions")),
            },
            "crosscheck": None
            if not summary.get("crosscheck")
            else {**summary["crosscheck"], "share_pct": fmt_pct(summary["crosscheck"]["share"])},
            "commit": summary.get("commit") or "",
            "timestamp": summary.get("timestamp") or "",
            "run_id": summary.get("run_id") or "",
        },
        "findings": cards,
        "sections": sections,
        "decision": [c for c in cards if c["blocking"]],
        "open_warnings": [c for c in cards if c["status"] == "open" and not c["blocking"]],
        "reviewed_lists": reviewed_lists,
        "revisions": figures,
        "more_revisions": more_revisions,
        "agreements": [] if paged else agreed,
        "n_agreements": len(agreed),
        "charts": charts,
        "more_charts": more_charts,
        "filters": {
            "severity": _options(c["severity"] for c in cards),
            "status": [
                (k, STATUS_WORDS.get(k, k))
                for k in FINDING_STATUSES
                if any(c["status"] == k for c in cards)
            ]
            + _options(c["status"] for c in cards if c["status"] not in FINDING_STATUSES),
            "kind": _options(c["kind"] for c in cards),
            "entity": _options((e for c in cards for e in c["entities"].split()), ix.entity_name),
            "source": _options(
                (s for c in cards for s in c["sources"].split()), lambda s: source_label(ix, s)
            ),
        },
        "sources": view_sources,
        "results": _results_view(ix, results, rows=not paged),
        "n_results": len(results),
        "script_data": {"gate": summary.get("gate"), "paged": paged, "controls": CONTROLS_JS},
        "archive": archive.pack(archive.build(doc, ix, agreed)) if paged else "",
    }
    return view
