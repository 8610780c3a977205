"""The report document → the HTML page's view model: findings, facts, sources, results.

Input is only the plain dict of :func:`factledger.report.document.build`; nothing here computes a
verdict, it arranges what the engine decided so a reviewer can read it. Every text that comes from
a source or a fact is data: the template autoescapes it, :func:`show` makes invisible direction
controls visible, and JSON for the page's script is escaped so no ``</script>`` can close it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any
from urllib.parse import quote as url_quote

from markupsafe import Markup, escape

from factledger import formatting as fmt
from factledger.model import (
    FINDING_STATUSES,
    RESULT_KINDS,
    SEVERITIES,
    Period,
    verdict_words,
)
from factledger.text import fold, fold_map, locate, sentence_bounds

REPORT_FILE = "discrepancies.html"  # the name the report writes; ClaimReview urls point into it
SEVERITY_ORDER = SEVERITIES
STATUS_ORDER = FINDING_STATUSES
RESULT_KIND_ORDER = RESULT_KINDS
# Result kinds whose payload is payloads.RuleData (a relation between facts).
RELATION_KINDS = ("rule", "invariant", "claim")

# Okabe–Ito, minus yellow (unreadable on white), plus two darks: distinguishable for most kinds
# of colour blindness, which matters when colour is the only thing telling sources apart.
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#7F3C8D",
    "#444444",
)
_WS = re.compile(r"\s+")


# --------------------------------------------------------------------------- formatting


def _iv(data: dict[str, Any] | None) -> str:
    """A report-document interval in words (the one formatter's)."""
    return fmt.interval_words(fmt.interval_from_json(data)) if data else "—"


def _period(p: dict[str, Any] | None) -> str:
    """A report-document period as written, with its dates when the text does not show them."""
    if not p:
        return "—"
    if not p.get("start"):
        return p.get("text") or ""
    start, end = date.fromisoformat(p["start"]), date.fromisoformat(p["end"])
    return fmt.period_as_written(Period(p.get("text") or "", start, end))


def show(value: Any) -> Markup:
    """Escape data for HTML and make control characters (``formatting.CONTROLS``: terminal
    controls, invisible direction marks) visible as ``U+202E``."""
    if value is None:
        return Markup("")
    escaped = str(escape(str(value)))
    return Markup(
        fmt.CONTROLS.sub(
            lambda m: (
                f'<span class="ctl" title="invisible control character">'
                f"{fmt.control_name(m.group())}</span>"
            ),
            escaped,
        )
    )


# For plain-text places (an SVG <title> tooltip), where no markup can mark a control.
visible_controls = fmt.visible_controls


def _extra_hedge(fact: dict[str, Any]) -> str:
    """The hedge when the value does not carry it itself (分別超過1.5億元、2.5億元 → 2.5億元)."""
    hedge = fact.get("hedge") or ""
    return "" if hedge and hedge in (fact.get("value") or "") else hedge


def fmt_pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}" if x in (0, 1) else f"{x:.1%}"


_ANCHOR_UNSAFE = re.compile(r"[^\w:.\-]")


def anchor(prefix: str, ident: str) -> str:
    """An element id for ``ident``: itself when already safe, else a readable, unique stand-in."""
    if not _ANCHOR_UNSAFE.search(ident):
        return f"{prefix}-{ident}"
    digest = hashlib.sha256(ident.encode()).hexdigest()[:8]
    return f"{prefix}-{_ANCHOR_UNSAFE.sub('_', ident)[:60]}-{digest}"


def href(anchor_id: str) -> str:
    return "#" + url_quote(anchor_id, safe=":.-_~")


def script_json(obj: Any) -> Markup:
    """JSON for a ``<script type="application/json">``: ``<``, ``>``, ``&`` never appear raw."""
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # U+2028/2029 are legal in JSON but not in older JS string literals; keep them out anyway.
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# --------------------------------------------------------------------------- quote in context


Mark = tuple[int, int, str]  # [start, end) of the text, and its flag: q quote, v value, u mention


def _runs(text: str, marks: Iterable[Mark], start: int = 0, end: int | None = None) -> list[dict]:
    """``text[start:end]`` cut into segments of equal highlight flags, for the template.

    Linear in the text plus the marks (sorted once): the segments are cut at the marks' ends,
    never grown a character at a time (which, on a 10 MB seed, took longer than ten minutes).
    """
    end = len(text) if end is None else end
    deltas: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for lo, hi, flag in marks:
        lo, hi = max(lo, start), min(hi, end)
        if lo < hi:
            deltas[lo].append((flag, 1))
            deltas[hi].append((flag, -1))
    cuts = sorted({start, end, *deltas})
    active: Counter[str] = Counter()
    out: list[dict[str, Any]] = []
    for a, b in itertools.pairwise(cuts):
        for flag, d in deltas.get(a, ()):
            active[flag] += d
        flags = frozenset(f for f, n in active.items() if n > 0)
        if out and out[-1]["flags"] == flags:
            out[-1]["end"] = b
        else:
            out.append({"start": a, "end": b, "flags": flags})
    for seg in out:
        seg["text"] = text[seg.pop("start") : seg.pop("end")]
        seg["q"], seg["v"], seg["u"] = "q" in seg["flags"], "v" in seg["flags"], "u" in seg["flags"]
    return out


def quote_context(fact: dict[str, Any], source: dict[str, Any] | None) -> dict[str, Any]:
    """The quote inside its sentence of the source, the value span marked; neighbours muted.

    When the quote is not in the source (a provenance finding), the quote alone is shown, so the
    reviewer sees exactly what the fact file claims the source says.
    """
    quote, value = fact.get("quote") or "", fact.get("value") or ""
    text = ""
    where = None
    if source:
        text = f"{source.get('title') or ''}\n{source.get('body') or ''}"
        where = locate(text, quote) if quote else None
    if where is None:
        span = locate(quote, value) if value else None
        marks: list[Mark] = [(0, len(quote), "q")] + ([(*span, "v")] if span else [])
        return {
            "found": False,
            "before": "",
            "segments": _runs(quote, marks),
            "after": "",
            "value_found": span is not None,
        }
    qs, qe = where
    ss, se = sentence_bounds(text, qs, qe)
    if se > qe and text[se - 1] == "\n":
        se -= 1
    span = locate(text, value, qs, qe) if value else None
    marks = [(qs, qe, "q")] + ([(*span, "v")] if span else [])
    # One sentence before and a little after: 其/該 in a quote usually point back there.
    ps = sentence_bounds(text, ss - 1, ss)[0] if ss > 0 else ss
    before = text[ps:ss].strip("\n")
    if len(before) > 120:
        before = "…" + before[-120:]
    after = text[se : se + 60].split("\n")[0]
    if after and se + 60 < len(text):
        after += "…"
    return {
        "found": True,
        "before": before,
        "segments": _runs(text, marks, ss, se),
        "after": after,
        "value_found": span is not None,
    }


def annotated_text(source: dict[str, Any], facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The whole article with every fact's quote underlined, values and uncovered mentions
    marked: what coverage measured, as a reader sees it."""
    text = f"{source.get('title') or ''}\n{source.get('body') or ''}"
    marks: list[Mark] = []
    for f in facts:
        where = locate(text, f.get("quote") or "")
        if where is None:
            continue
        marks.append((*where, "q"))
        span = locate(text, f.get("value") or "", *where)
        if span:
            marks.append((*span, "v"))
    cov = source.get("coverage") or {}
    _, origin = fold_map(text)
    for m in cov.get("uncovered") or []:
        at, length = m.get("at"), len(fold(m.get("text") or ""))
        # mention offsets are in the folded text the coverage check read
        if isinstance(at, int) and at >= 0 and at + length <= len(origin) and length:
            marks.append((origin[at], origin[at + length - 1] + 1, "u"))
    return _runs(text, marks)


def split_context(mention: dict[str, Any]) -> tuple[str, str, str]:
    """Coverage writes ``before【mention】after``; the article may hold 【】 itself, so cut at the
    bracketed mention nearest to where it must be."""
    ctx, text, at = mention.get("context") or "", mention.get("text") or "", mention.get("at") or 0
    token = f"【{text}】"
    hits = [m.start() for m in re.finditer(re.escape(token), ctx)]
    if not text or not hits:
        return ctx, "", ""
    expected = min(at, 18)
    i = min(hits, key=lambda h: abs(h - expected))
    return ctx[:i], text, ctx[i + len(token) :]


# --------------------------------------------------------------------------- view model


class _Index:
    """Lookups over the document, built once per render."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.facts = {f["id"]: f for f in doc.get("facts") or []}
        self.sources = {s["id"]: s for s in doc.get("sources") or []}
        self.entities = {e["key"]: e for e in doc.get("entities") or []}
        self.metrics = {m["key"]: m for m in doc.get("metrics") or []}
        self.source_of_file = {s.get("file"): s["id"] for s in self.sources.values()}
        self.by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for f in self.facts.values():
            self.source_of_file.setdefault(f.get("file"), f.get("source"))
            self.by_source[f.get("source") or ""].append(f)

    def entity_name(self, key: str) -> str:
        e = self.entities.get(key)
        names = (e or {}).get("names") or []
        return f"{names[0]} ({key})" if names and names[0] != key else key

    def involved(self, result: dict[str, Any]) -> tuple[list[str], list[str]]:
        """Fact ids a result names — its own, a conflict group's members, a relation's operands —
        read from the kind's declared payload (payloads.ConflictData, payloads.RuleData): known
        to the document, and unknown."""
        data = result.get("data") or {}
        ids: list[str] = list(result.get("fact_ids") or [])
        if result.get("kind") == "conflict":
            ids += [m["fact_id"] for m in data.get("facts") or []]
        elif result.get("kind") in RELATION_KINDS:
            ids += [op["fact_id"] for op in data.get("operands") or []]
        seen = list(dict.fromkeys(ids))
        return [i for i in seen if i in self.facts], [i for i in seen if i not in self.facts]


def _fact_view(ix: _Index, fact: dict[str, Any]) -> dict[str, Any]:
    src = ix.sources.get(fact.get("source") or "")
    return {
        "id": fact["id"],
        "anchor": anchor("fact", fact["id"]),
        "href": href(anchor("fact", fact["id"])),
        "where": fmt.where(fact.get("file"), fact.get("line")),
        "source_id": fact.get("source") or "",
        "outlet": (src or {}).get("outlet") or "",
        "title": (src or {}).get("title") or fact.get("source") or "",
        "published": _period((src or {}).get("published")),
        "entity": ix.entity_name(fact.get("entity") or ""),
        "entity_key": fact.get("entity") or "",
        "metric": fact.get("metric") or "",
        "qualifiers": fmt.qualifiers(fact.get("qualifiers")),
        "period": _period(fact.get("period")),
        "stated": _period(fact.get("stated")),
        "kind": fact.get("kind") or "",
        "value": fact.get("value") or "",
        "hedge": _extra_hedge(fact),
        "interval": _iv(fact.get("interval")),
        "written_interval": _iv(fact.get("written_interval")),
        "quote": fact.get("quote") or "",
        "note": fact.get("note") or "",
        "context": quote_context(fact, src),
        "earlier": False,  # a stale figure's earlier match, shown beside the group
    }


def _rule_view(ix: _Index, data: dict[str, Any]) -> dict[str, Any]:
    """A relation's arithmetic (payloads.RuleData: rules, invariants and claims alike)."""
    operands = []
    for op in data.get("operands") or []:
        fid = op.get("fact_id") or ""
        operands.append(
            {
                "ref": op.get("ref") or "",
                "fact_id": fid,
                "href": href(anchor("fact", fid)) if fid in ix.facts else "",
                "source": op.get("source") or "",
                "value": op.get("value") or "",
                "interval": _iv(op.get("interval")),
                "converted": _iv(op.get("converted")) if op.get("converted") else "",
                "quote": op.get("quote") or "",
                "where": fmt.where(op.get("file"), op.get("line")),
            }
        )
    # the declared shapes (payloads.Alternative, RuleData.unresolved), as the schema checks them
    alternatives = [
        f"with {a['fact_id']} ({ix.sources.get(a['source'], {}).get('outlet') or a['source']}) "
        f"alone: {verdict_words(a['verdict'], 'rule').lower()} "
        f"(left {_iv(a['lhs'])}, right {_iv(a['rhs'])})"
        for a in data.get("alternatives") or []
    ]
    unresolved = data.get("unresolved") or []
    return {
        "description": data.get("description") or "",
        "expression": data.get("expression") or "",
        "tolerance": _tolerance_words(data),
        "lhs": _iv(data["lhs"]) if data.get("lhs") else "",
        "rhs": _iv(data["rhs"]) if data.get("rhs") else "",
        "converted": any(op.get("converted") for op in data.get("operands") or []),
        "operands": operands,
        "alternatives": alternatives,
        "unresolved": unresolved,
    }


def _tolerance_words(data: dict[str, Any]) -> str:
    """A tolerance above the default, with the reason the rule gives for it."""
    tol, reason = data.get("tolerance"), data.get("reason")
    if not isinstance(tol, int | float) or tol <= 0:
        return ""
    return f"{tol * 100:g} %" + (f" — {reason}" if isinstance(reason, str) and reason else "")


def _source_view(ix: _Index, s: dict[str, Any], *, full: bool = True) -> dict[str, Any]:
    """A source's summary, and (``full``) its facts table and annotated article: in the page
    for a small corpus, in the compressed data block for a large one (report.archive)."""
    facts = ix.by_source.get(s["id"], [])
    cov = s.get("coverage")
    cov_view = None
    if isinstance(cov, dict):
        cov_view = {
            "mentions": cov.get("mentions"),
            "covered": cov.get("covered"),
            "ignored": cov.get("ignored"),
            "coverage": fmt_pct(cov.get("coverage")),
            "uncovered": [
                dict(
                    zip(("before", "text", "after"), split_context(m), strict=True), at=m.get("at")
                )
                for m in cov.get("uncovered") or []
            ],
        }
    return {
        "id": s["id"],
        "anchor": anchor("source", s["id"]),
        "title": s.get("title") or "",
        "outlet": s.get("outlet") or "",
        "language": s.get("language") or "",
        "published": _period(s.get("published")),
        "published_basis": s.get("published_basis") or "",
        "curation": s.get("curation") or "",
        "file": s.get("file") or "",
        "url": s.get("url") or "",
        "n_facts": len(facts),
        "facts": [_fact_row(ix, f) for f in facts] if full else [],
        "coverage": cov_view,
        "text": annotated_text(s, facts) if full else [],
    }


def _fact_row(ix: _Index, f: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f["id"],
        "anchor": anchor("fact", f["id"]),
        "entity": ix.entity_name(f.get("entity") or ""),
        "metric": f.get("metric") or "",
        "qualifiers": fmt.qualifiers(f.get("qualifiers")),
        "period": (f.get("period") or {}).get("text") or "",
        "period_range": _period(f.get("period")),
        "value": f.get("value") or "",
        "hedge": _extra_hedge(f),
        "interval": _iv(f.get("interval")),
        "kind": f.get("kind") or "",
        "where": fmt.where(f.get("file"), f.get("line")),
    }


def _results_view(
    ix: _Index, results: list[dict[str, Any]], *, rows: bool = True
) -> list[dict[str, Any]]:
    """Every result, grouped by kind with pass/fail counts; the rows themselves only when
    ``rows`` (a paged report keeps them in its data block)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        groups[r.get("kind") or "?"].append(r)
    order = [k for k in RESULT_KIND_ORDER if k in groups] + sorted(
        k for k in groups if k not in RESULT_KIND_ORDER
    )
    out = []
    for kind in order:
        passed = sum(bool(r.get("passed")) for r in groups[kind])
        shown = [
            {
                "id": r.get("id") or "",
                "passed": bool(r.get("passed")),
                "severity": r.get("severity") or "",
                "verdict": r.get("verdict") or "",
                "message": r.get("message") or "",
                "where": fmt.where(r.get("file"), r.get("line")),
                "facts": [
                    (i, href(anchor("fact", i)) if i in ix.facts else "")
                    for i in r.get("fact_ids") or []
                ],
            }
            for r in (groups[kind] if rows else ())
        ]
        n = len(groups[kind])
        out.append({"kind": kind, "rows": shown, "n": n, "passed": passed, "failed": n - passed})
    return out


def source_label(ix: _Index, sid: str) -> str:
    s = ix.sources.get(sid) or {}
    title = s.get("title") or ""
    title = title if len(title) <= 28 else title[:27] + "…"
    return f"{s.get('outlet') or sid} · {title}" if title else sid
