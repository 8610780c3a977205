"""The report document → one self-contained HTML page, and schema.org ClaimReview JSON-LD.

Input is only the plain dict of :func:`factledger.report_data.build`; nothing here computes a
verdict, it arranges what the engine decided so a reviewer can read it. Every text that comes from
a source or a fact is data: Jinja autoescapes it, JSON for the page's script is escaped so no
``</script>`` can close its element, and the script only ever assigns ``textContent``. The page
loads nothing from the network (no CDN, fonts or images), so it works from a file, offline.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from factledger.model import RESULT_KINDS, json_safe

TEMPLATES = Path(__file__).resolve().parent / "templates"
REPORT_FILE = "discrepancies.html"  # the name report.py writes; ClaimReview urls point into it

SEVERITY_ORDER = ("error", "warning", "info")
STATUS_ORDER = ("open", "stale-ack", "acknowledged")
RESULT_KIND_ORDER = RESULT_KINDS

# Verdicts said in words for the page and for ClaimReview's alternateName. Unknown verdicts
# (checks land in parallel) fall back to the verdict itself, de-hyphenated.
VERDICT_WORDS = {
    "pass": "Passes",
    "holds": "Rule holds",
    "possible": "Rule can hold",
    "agree": "Sources agree",
    "revision": "Later source revises the figure",
    "covered": "All mentions covered",
    "skipped": "Skipped",
    "fail": "Fails",
    "error": "Error: cannot be checked",
    "violated": "Rule violated",
    "impossible": "Rule cannot hold",
    "conflict": "Sources conflict",
    "needs-review": "Needs a reviewer",
    "stale": "Stale acknowledgement",
    "refused": "Acknowledgement refused",
    "uncovered": "Numeric mention not recorded",
    "unused": "Unused ignore entry",
    "missing": "Quote or value missing from the source",
    "not-found": "Not found in the source",
    "mismatch": "Does not match the source",
}
STATUS_WORDS = {
    "open": "Open",
    "stale-ack": "Stale acknowledgement",
    "acknowledged": "Acknowledged",
}
ACK_WORDS = {
    "sources-disagree": "the sources disagree",
    "different-subjects": "the facts are about different subjects",
    "source-error": "the source is in error",
    "superseded": "a later figure replaces it",
}
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
# Units whose large values Chinese sources write in 萬/億; figures are easier to check against the
# quote when the page writes them the same way.
_MYRIAD_UNITS = ("CNY", "USD", "HKD", "count")
# Invisible controls that can reorder or hide text (Trojan-Source style). Shown, not obeyed.
_CONTROLS = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SENTENCE_END = "。!?;!?;\n"
_WS = re.compile(r"\s+")


# --------------------------------------------------------------------------- formatting


def show(value: Any) -> Markup:
    """Escape data for HTML and make invisible direction controls visible as ``U+202E``."""
    if value is None:
        return Markup("")
    escaped = str(escape(str(value)))
    return Markup(
        _CONTROLS.sub(
            lambda m: (
                f'<span class="ctl" title="invisible control character">'
                f"U+{ord(m.group()):04X}</span>"
            ),
            escaped,
        )
    )


def visible_controls(value: str) -> str:
    """For plain-text places (an SVG <title> tooltip), where no markup can mark a control."""
    return _CONTROLS.sub(lambda m: f"[U+{ord(m.group()):04X}]", value)


def _g(x: float) -> str:
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.6g}"


def fmt_num(x: float | None, unit: str = "") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "?"
    if unit == "date":  # dates are day ordinals, so interval arithmetic works on them
        try:
            return date.fromordinal(round(x)).isoformat()
        except (ValueError, OverflowError):
            return _g(x)
    base = unit.partition("/")[0]
    if base in _MYRIAD_UNITS and abs(x) >= 1e4:
        return _g(x / 1e8) + "億" if abs(x) >= 1e8 else _g(x / 1e4) + "萬"
    return _g(x)


def fmt_interval(iv: dict[str, Any] | None) -> str:
    """An interval in words a reviewer checks against the quote: ``> 1.5億 CNY``, ``[a, b]``."""
    if not iv:
        return "—"
    lo, hi, unit = iv.get("lo"), iv.get("hi"), iv.get("unit") or ""
    lo_open, hi_open = bool(iv.get("lo_open")), bool(iv.get("hi_open"))
    if lo is None and hi is None:
        text = "any value"
    elif hi is None:
        text = f"{'>' if lo_open else '≥'} {fmt_num(lo, unit)}"
    elif lo is None:
        text = f"{'<' if hi_open else '≤'} {fmt_num(hi, unit)}"
    elif lo == hi and not (lo_open or hi_open):
        text = fmt_num(lo, unit)
    elif unit == "date" and not (lo_open or hi_open):
        text = f"{fmt_num(lo, unit)}..{fmt_num(hi, unit)}"  # how periods are written
    else:
        text = (
            f"{'(' if lo_open else '['}{fmt_num(lo, unit)}, "
            f"{fmt_num(hi, unit)}{')' if hi_open else ']'}"
        )
    return text if unit == "date" else f"{text} {unit}".strip()


def fmt_period(p: dict[str, Any] | None) -> str:
    if not p:
        return "—"
    text, start, end = p.get("text") or "", p.get("start"), p.get("end")
    if not start:
        return text
    span = start if start == end else f"{start}..{end}"
    return text if text == span else f"{text} ({span})"


def fmt_where(file: str | None, line: int | None) -> str:
    if not file:
        return ""
    return file if line is None else f"{file}:{line}"


def fmt_qualifiers(q: dict[str, Any] | None) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted((q or {}).items()))


def _extra_hedge(fact: dict[str, Any]) -> str:
    """The hedge when the value does not carry it itself (分別超過1.5億元、2.5億元 → 2.5億元)."""
    hedge = fact.get("hedge") or ""
    return "" if hedge and hedge in (fact.get("value") or "") else hedge


def fmt_pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}" if x in (0, 1) else f"{x:.1%}"


def verdict_words(verdict: str) -> str:
    return VERDICT_WORDS.get(verdict, verdict.replace("-", " ").capitalize())


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


def _search_text(*parts: Any) -> str:
    """What the search box matches: NFKC, lower case, and a copy without spaces (CJK quotes)."""
    text = unicodedata.normalize("NFKC", " ".join(str(p) for p in parts if p)).lower()
    text = _WS.sub(" ", text)
    return f"{text} {text.replace(' ', '')}"


# --------------------------------------------------------------------------- quote in context


@lru_cache(maxsize=512)
def _fold_map(text: str) -> tuple[str, tuple[int, ...]]:
    """The folded text quotes are matched in (NFKC, no whitespace) and each char's origin."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            if not c.isspace():
                out.append(c)
                origin.append(i)
    return "".join(out), tuple(origin)


def _fold(text: str) -> str:
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def locate(
    text: str, needle: str, start: int = 0, end: int | None = None
) -> tuple[int, int] | None:
    """Where ``needle`` occurs in ``text[start:end]`` as the checks match it, in ``text``'s own
    offsets (sources keep full-width punctuation and spaces that quotes may write otherwise)."""
    folded, origin = _fold_map(text)
    want = _fold(needle)
    if not want or not origin:
        return None
    lo = next((k for k, o in enumerate(origin) if o >= start), len(origin))
    hi = (
        len(origin)
        if end is None
        else next((k for k, o in enumerate(origin) if o >= end), len(origin))
    )
    i = folded.find(want, lo, hi)
    if i < 0:
        return None
    return origin[i], origin[i + len(want) - 1] + 1


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``text[start:end]`` to whole sentences (a quote is at most one, but may be part)."""
    s = start
    while s > 0 and text[s - 1] not in _SENTENCE_END:
        s -= 1
    e = end
    if e > start and text[e - 1] in _SENTENCE_END:
        return s, e
    while e < len(text):
        e += 1
        if text[e - 1] in _SENTENCE_END:
            break
    return s, e


def _runs(text: str, flags: list[frozenset[str]], offset: int = 0) -> list[dict[str, Any]]:
    """Consecutive characters with the same highlight flags → segments for the template."""
    out: list[dict[str, Any]] = []
    for i, ch in enumerate(text):
        f = flags[offset + i]
        if out and out[-1]["flags"] == f:
            out[-1]["text"] += ch
        else:
            out.append({"text": ch, "flags": f})
    for seg in out:
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
        flags = [frozenset({"q"})] * len(quote)
        span = locate(quote, value) if value else None
        if span:
            flags = [
                frozenset({"q", "v"}) if span[0] <= i < span[1] else frozenset({"q"})
                for i in range(len(quote))
            ]
        return {
            "found": False,
            "before": "",
            "segments": _runs(quote, flags),
            "after": "",
            "value_found": span is not None,
        }
    qs, qe = where
    ss, se = _sentence_bounds(text, qs, qe)
    if se > qe and text[se - 1] == "\n":
        se -= 1
    span = locate(text, value, qs, qe) if value else None
    flags = []
    for i in range(ss, se):
        f = {"q"} if qs <= i < qe else set()
        if span and span[0] <= i < span[1]:
            f.add("v")
        flags.append(frozenset(f))
    # One sentence before and a little after: 其/該 in a quote usually point back there.
    ps = _sentence_bounds(text, ss - 1, ss)[0] if ss > 0 else ss
    before = text[ps:ss].strip("\n")
    if len(before) > 120:
        before = "…" + before[-120:]
    after = text[se : se + 60].split("\n")[0]
    if after and se + 60 < len(text):
        after += "…"
    return {
        "found": True,
        "before": before,
        "segments": _runs(text[ss:se], flags),
        "after": after,
        "value_found": span is not None,
    }


def annotated_text(source: dict[str, Any], facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The whole article with every fact's quote underlined, values and uncovered mentions
    marked: what coverage measured, as a reader sees it."""
    text = f"{source.get('title') or ''}\n{source.get('body') or ''}"
    flags: list[set[str]] = [set() for _ in text]
    for f in facts:
        where = locate(text, f.get("quote") or "")
        if where is None:
            continue
        for i in range(*where):
            flags[i].add("q")
        span = locate(text, f.get("value") or "", *where)
        if span:
            for i in range(*span):
                flags[i].add("v")
    cov = source.get("coverage") or {}
    _, origin = _fold_map(text)
    for m in cov.get("uncovered") or []:
        at, length = m.get("at"), len(_fold(m.get("text") or ""))
        # mention offsets are in the folded text the coverage check read
        if isinstance(at, int) and at >= 0 and at + length <= len(origin) and length:
            for i in range(origin[at], origin[at + length - 1] + 1):
                flags[i].add("u")
    return _runs(text, [frozenset(f) for f in flags])


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
        for f in self.facts.values():
            self.source_of_file.setdefault(f.get("file"), f.get("source"))

    def entity_name(self, key: str) -> str:
        e = self.entities.get(key)
        names = (e or {}).get("names") or []
        return f"{names[0]} ({key})" if names and names[0] != key else key

    def involved(self, result: dict[str, Any]) -> tuple[list[str], list[str]]:
        """Fact ids a result names (its own, a conflict's, a rule's operands): known, unknown."""
        data = result.get("data") or {}
        ids: list[str] = list(result.get("fact_ids") or [])
        listed = data.get("facts") if isinstance(data.get("facts"), list) else []
        for item in listed:
            if isinstance(item, str):
                ids.append(item)
            elif isinstance(item, dict) and isinstance(item.get("id") or item.get("fact_id"), str):
                ids.append(item.get("id") or item.get("fact_id"))
        operands = data.get("operands") if isinstance(data.get("operands"), list) else []
        for op in operands:
            if isinstance(op, dict) and isinstance(op.get("fact_id"), str):
                ids.append(op["fact_id"])
        seen = list(dict.fromkeys(ids))
        return [i for i in seen if i in self.facts], [i for i in seen if i not in self.facts]


def _fact_view(ix: _Index, fact: dict[str, Any]) -> dict[str, Any]:
    src = ix.sources.get(fact.get("source") or "")
    return {
        "id": fact["id"],
        "anchor": anchor("fact", fact["id"]),
        "href": href(anchor("fact", fact["id"])),
        "where": fmt_where(fact.get("file"), fact.get("line")),
        "source_id": fact.get("source") or "",
        "outlet": (src or {}).get("outlet") or "",
        "title": (src or {}).get("title") or fact.get("source") or "",
        "published": fmt_period((src or {}).get("published")),
        "entity": ix.entity_name(fact.get("entity") or ""),
        "entity_key": fact.get("entity") or "",
        "metric": fact.get("metric") or "",
        "qualifiers": fmt_qualifiers(fact.get("qualifiers")),
        "period": fmt_period(fact.get("period")),
        "stated": fmt_period(fact.get("stated")),
        "kind": fact.get("kind") or "",
        "value": fact.get("value") or "",
        "hedge": _extra_hedge(fact),
        "interval": fmt_interval(fact.get("interval")),
        "written_interval": fmt_interval(fact.get("written_interval")),
        "quote": fact.get("quote") or "",
        "note": fact.get("note") or "",
        "context": quote_context(fact, src),
    }


def _rule_view(ix: _Index, data: dict[str, Any]) -> dict[str, Any] | None:
    if not any(k in data for k in ("lhs", "rhs", "operands")):
        return None
    operands = []
    for op in data.get("operands") or []:
        if not isinstance(op, dict):
            continue
        fid = op.get("fact_id") or ""
        operands.append(
            {
                "ref": op.get("ref") or "",
                "fact_id": fid,
                "href": href(anchor("fact", fid)) if fid in ix.facts else "",
                "source": op.get("source") or "",
                "value": op.get("value") or "",
                "interval": fmt_interval(op.get("interval")),
                "quote": op.get("quote") or "",
                "where": fmt_where(op.get("file"), op.get("line")),
            }
        )
    alternatives = data.get("alternatives") or []
    if not isinstance(alternatives, list):
        alternatives = [alternatives]
    unresolved = data.get("unresolved") or []
    if not isinstance(unresolved, list):
        unresolved = [unresolved]
    return {
        "description": data.get("description") if isinstance(data.get("description"), str) else "",
        "expression": data.get("expression") if isinstance(data.get("expression"), str) else "",
        "lhs": fmt_interval(data["lhs"]) if isinstance(data.get("lhs"), dict) else "",
        "rhs": fmt_interval(data["rhs"]) if isinstance(data.get("rhs"), dict) else "",
        "operands": operands,
        "alternatives": [_as_text(a) for a in alternatives],
        "unresolved": [_as_text(a) for a in unresolved],
    }


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


# One column per fact up to this many; a wider conflict (ten disjoint ai_impact values) reads
# better as one row per fact.
COMPARISON_MAX_COLUMNS = 4
COMPARISON_ROWS = (
    ("Value", "value"),
    ("Interval", "interval"),
    ("Period", "period"),
    ("Kind", "kind"),
    ("Stated", "stated"),
    ("Quote", "quote"),
    ("File", "where"),
)


def _is_comparison(result: dict[str, Any], n_facts: int) -> bool:
    data = result.get("data") or {}
    kind = data.get("kind") if isinstance(data.get("kind"), str) else ""
    return n_facts >= 2 and (result.get("kind") == "conflict" or kind in ("conflict", "revision"))


def _finding_view(ix: _Index, f: dict[str, Any], rank: int) -> dict[str, Any]:
    known, unknown = ix.involved(f)
    facts = [_fact_view(ix, ix.facts[i]) for i in known]
    entities = list(dict.fromkeys(ix.facts[i].get("entity") or "" for i in known))
    sources = list(dict.fromkeys(ix.facts[i].get("source") or "" for i in known))
    if not sources and f.get("file") in ix.source_of_file:
        sources = [ix.source_of_file[f["file"]]]
    data = f.get("data") or {}
    ack = f.get("acknowledgement")
    ack_view = None
    if ack:
        ack_view = {
            "verdict": ack.get("verdict") or "",
            "words": ACK_WORDS.get(ack.get("verdict") or "", ack.get("verdict") or ""),
            "reason": ack.get("reason") or "",
            "reviewer": ack.get("reviewer") or "",
            "date": ack.get("date") or "",
            "where": fmt_where(ack.get("file"), ack.get("line")),
            "fingerprint": ack.get("fingerprint") or "",
        }
    data_kind = data.get("kind") if isinstance(data.get("kind"), str) else ""
    search = _search_text(
        f.get("id"),
        f.get("kind"),
        f.get("severity"),
        f.get("status"),
        f.get("verdict"),
        verdict_words(f.get("verdict") or ""),
        f.get("message"),
        f.get("file"),
        data_kind,
        *(ack_view or {}).values(),
        *(
            x
            for fv in facts
            for x in (
                fv["id"],
                fv["entity"],
                fv["metric"],
                fv["qualifiers"],
                fv["period"],
                fv["value"],
                fv["quote"],
                fv["outlet"],
                fv["title"],
                fv["source_id"],
                fv["note"],
                fv["where"],
            )
        ),
        *(name for e in entities for name in (ix.entities.get(e) or {}).get("names") or []),
    )
    return {
        "rank": rank,
        "id": f["id"],
        "anchor": anchor("finding", f["id"]),
        "href": href(anchor("finding", f["id"])),
        "kind": f.get("kind") or "",
        "data_kind": data_kind,
        "severity": f.get("severity") or "",
        "status": f.get("status") or "open",
        "status_words": STATUS_WORDS.get(f.get("status") or "open", f.get("status") or ""),
        "verdict": f.get("verdict") or "",
        "verdict_words": verdict_words(f.get("verdict") or ""),
        "message": f.get("message") or "",
        "where": fmt_where(f.get("file"), f.get("line")),
        "fingerprint": f.get("fingerprint") or "",
        "ack": ack_view,
        "facts": facts,
        "unknown_facts": unknown,
        "entities": " ".join(e for e in entities if e),
        "sources": " ".join(s for s in sources if s),
        "comparison": facts if _is_comparison(f, len(facts)) else None,
        "rule": _rule_view(ix, data) if isinstance(data, dict) else None,
        "data_json": json.dumps(data, ensure_ascii=False, indent=1, default=str) if data else "",
        "search": search,
    }


def _source_view(ix: _Index, s: dict[str, Any]) -> dict[str, Any]:
    facts = [f for f in ix.facts.values() if f.get("source") == s["id"]]
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
        "published": fmt_period(s.get("published")),
        "published_basis": s.get("published_basis") or "",
        "curation": s.get("curation") or "",
        "file": s.get("file") or "",
        "facts": [_fact_row(ix, f) for f in facts],
        "coverage": cov_view,
        "text": annotated_text(s, facts),
    }


def _fact_row(ix: _Index, f: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f["id"],
        "anchor": anchor("fact", f["id"]),
        "entity": ix.entity_name(f.get("entity") or ""),
        "metric": f.get("metric") or "",
        "qualifiers": fmt_qualifiers(f.get("qualifiers")),
        "period": (f.get("period") or {}).get("text") or "",
        "period_range": fmt_period(f.get("period")),
        "value": f.get("value") or "",
        "hedge": _extra_hedge(f),
        "interval": fmt_interval(f.get("interval")),
        "kind": f.get("kind") or "",
        "where": fmt_where(f.get("file"), f.get("line")),
    }


def _results_view(ix: _Index, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        groups[r.get("kind") or "?"].append(r)
    order = [k for k in RESULT_KIND_ORDER if k in groups] + sorted(
        k for k in groups if k not in RESULT_KIND_ORDER
    )
    out = []
    for kind in order:
        rows = [
            {
                "id": r.get("id") or "",
                "passed": bool(r.get("passed")),
                "severity": r.get("severity") or "",
                "verdict": r.get("verdict") or "",
                "message": r.get("message") or "",
                "where": fmt_where(r.get("file"), r.get("line")),
                "facts": [
                    (i, href(anchor("fact", i)) if i in ix.facts else "")
                    for i in r.get("fact_ids") or []
                ],
            }
            for r in groups[kind]
        ]
        passed = sum(r["passed"] for r in rows)
        out.append({"kind": kind, "rows": rows, "passed": passed, "failed": len(rows) - passed})
    return out


def _options(values: Iterable[str], label=lambda v: v) -> list[tuple[str, str]]:
    return [(v, label(v)) for v in sorted({v for v in values if v})]


def build_view(doc: dict[str, Any]) -> dict[str, Any]:
    """Everything the template shows, computed once; the template only lays it out."""
    ix = _Index(doc)
    summary = doc.get("summary") or {}
    findings = [_finding_view(ix, f, i) for i, f in enumerate(doc.get("findings") or [])]
    cov = summary.get("coverage")
    by_status = summary.get("by_status") or {}
    by_severity = summary.get("by_severity") or {}
    all_entities = [e for fv in findings for e in fv["entities"].split()]
    all_sources = [s for fv in findings for s in fv["sources"].split()]
    return {
        "summary": {
            "gate": summary.get("gate") or "fail",
            "exit_code": summary.get("exit_code"),
            "open_errors": summary.get("open_errors", 0),
            "findings": summary.get("findings", len(findings)),
            "by_severity": [(k, by_severity.get(k, 0)) for k in SEVERITY_ORDER[:2]]
            + [(k, v) for k, v in by_severity.items() if k not in SEVERITY_ORDER[:2]],
            "by_status": [(k, STATUS_WORDS.get(k, k), by_status.get(k, 0)) for k in STATUS_ORDER]
            + [(k, k, v) for k, v in by_status.items() if k not in STATUS_ORDER],
            "by_kind": sorted((summary.get("by_kind") or {}).items()),
            "facts": summary.get("facts", len(ix.facts)),
            "sources": summary.get("sources", len(ix.sources)),
            "coverage": None
            if not isinstance(cov, dict)
            else {
                **cov,
                "coverage_pct": fmt_pct(cov.get("coverage")),
                "share_pct": fmt_pct(cov.get("covered_share_of_mentions")),
            },
            "commit": summary.get("commit") or "",
            "timestamp": summary.get("timestamp") or "",
        },
        "findings": findings,
        "filters": {
            "severity": _options(fv["severity"] for fv in findings),
            "status": [
                (k, STATUS_WORDS.get(k, k))
                for k in STATUS_ORDER
                if any(fv["status"] == k for fv in findings)
            ]
            + _options(fv["status"] for fv in findings if fv["status"] not in STATUS_ORDER),
            "kind": _options(fv["kind"] for fv in findings),
            "entity": _options(all_entities, ix.entity_name),
            "source": _options(all_sources, lambda s: _source_label(ix, s)),
        },
        "charts": timeline_charts(doc),
        "sources": [_source_view(ix, s) for s in doc.get("sources") or []],
        "results": _results_view(ix, doc.get("results") or []),
        "n_results": len(doc.get("results") or []),
        "script_data": {
            "search": {fv["id"]: fv["search"] for fv in findings},
            "gate": summary.get("gate"),
        },
    }


def _source_label(ix: _Index, sid: str) -> str:
    s = ix.sources.get(sid) or {}
    title = s.get("title") or ""
    title = title if len(title) <= 28 else title[:27] + "…"
    return f"{s.get('outlet') or sid} · {title}" if title else sid


# --------------------------------------------------------------------------- timeline charts

CHART_W = 640
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 78, 18, 18, 30
PANEL_H, PANEL_H_ONE, PANEL_GAP = 130, 200, 22
GRANULARITIES = ("day", "month", "quarter", "half-year", "year", "span")
# Classes of period length whose typical values differ more than this get their own panel:
# flows grow with the period (a year's revenue ≈ 4 quarters'), stocks do not (MAU in a quarter
# and in a month sit on one axis).
PANEL_SPLIT_RATIO = 2.5


def _plottable(f: dict[str, Any]) -> bool:
    iv, p = f.get("interval"), f.get("period") or {}
    return (
        isinstance(iv, dict)
        and (iv.get("lo") is not None or iv.get("hi") is not None)
        and bool(p.get("start"))
        and bool(p.get("end"))
    )


def _nice_step(span: float, target: int = 5) -> float:
    raw = span / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _month_ticks(d0: date, d1: date) -> list[tuple[date, str]]:
    months = (d1.year - d0.year) * 12 + d1.month - d0.month + 1
    step = next(s for s in (1, 2, 3, 6, 12, 24, 60, 120) if months / s <= 9)
    ticks = []
    y, m = d0.year, d0.month
    while (y, m) <= (d1.year, d1.month):
        if (m - 1) % step == 0 and date(y, m, 1) >= d0:
            label = str(y) if step >= 12 else f"{y}-{m:02d}"
            ticks.append((date(y, m, 1), label))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return ticks


def _arrow(cx: float, tip: float, depth: float) -> str:
    """A small triangle with its tip at (cx, tip), its base ``depth`` below (negative: above)."""
    base = tip + depth
    return f"M{cx - 5:.1f} {base:.1f}L{cx:.1f} {tip:.1f}L{cx + 5:.1f} {base:.1f}Z"


def _granularity(period: dict[str, Any]) -> str:
    start, end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    days = (end - start).days + 1
    if days == 1:
        return "day"
    if start.day != 1 and days > 1:
        return "span"
    if 28 <= days <= 31:
        return "month"
    if 89 <= days <= 92 and start.month in (1, 4, 7, 10):
        return "quarter"
    if 181 <= days <= 184 and start.month in (1, 7):
        return "half-year"
    if 365 <= days <= 366 and start.month == 1:
        return "year"
    return "span"


def _magnitude(facts: list[dict[str, Any]]) -> float:
    ends = sorted(
        abs(v)
        for f in facts
        for v in (f["interval"].get("lo"), f["interval"].get("hi"))
        if v is not None
    )
    return ends[len(ends) // 2] if ends else 0.0


def _panels(facts: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Facts grouped by period length, neighbouring lengths merged when their values are alike:
    Kling's quarterly revenue is not flattened by its annual guidance, MAU stays one panel."""
    by_class: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in facts:
        by_class[_granularity(f["period"])].append(f)
    panels: list[tuple[list[str], float, list[dict[str, Any]]]] = []
    for g in GRANULARITIES:
        if g not in by_class:
            continue
        mag = _magnitude(by_class[g])
        if panels:
            names, ref, members = panels[-1]
            lo, hi = sorted((ref, mag))
            if lo == hi or (lo > 0 and hi / lo <= PANEL_SPLIT_RATIO):
                names.append(g)
                members.extend(by_class[g])
                continue
        panels.append(([g], mag, list(by_class[g])))
    return [(" + ".join(names), members) for names, _, members in panels]


def _y_scale(facts: list[dict[str, Any]]) -> tuple[float, float, float]:
    finite = [
        v
        for f in facts
        for v in (f["interval"].get("lo"), f["interval"].get("hi"))
        if v is not None
    ]
    y_lo, y_hi = min([*finite, 0.0]), max([*finite, 0.0])
    if y_hi == y_lo:
        y_hi = y_lo + 1
    step = _nice_step(y_hi - y_lo)
    y_lo = math.floor(y_lo / step) * step
    # headroom so an upward arrow (unbounded above) clears the highest finite value
    y_hi = math.ceil(y_hi * 1.08 / step) * step if y_hi > 0 else math.ceil(y_hi / step) * step
    return y_lo, y_hi, step


def _chart(
    chart_key: str,
    title: str,
    unit: str,
    facts: list[dict[str, Any]],
    color_key: str,
    label_of: Callable[[str], str],
    n: int,
) -> dict[str, Any]:
    """Geometry of one timeline: x spans each fact's period, y its value interval; one panel
    (own y axis, shared x axis) per class of period length whose values differ in size."""
    keys = list(dict.fromkeys(f.get(color_key) or "" for f in facts))
    color = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}
    colors = sorted(set(color.values()))
    starts = [date.fromisoformat(f["period"]["start"]) for f in facts]
    ends = [date.fromisoformat(f["period"]["end"]) + timedelta(days=1) for f in facts]
    d0, d1 = min(starts), max(ends)
    pad = max((d1 - d0).days * 0.03, 3)
    x_lo, x_hi = d0.toordinal() - pad, d1.toordinal() + pad
    pw = CHART_W - MARGIN_L - MARGIN_R

    def sx(x: float) -> float:
        return round(MARGIN_L + (x - x_lo) / (x_hi - x_lo) * pw, 1)

    grouped = _panels(facts)
    ph = PANEL_H_ONE if len(grouped) == 1 else PANEL_H
    panels = []
    for p_index, (label, members) in enumerate(grouped):
        top = MARGIN_T + p_index * (ph + PANEL_GAP)
        bottom = top + ph
        y_lo, y_hi, step = _y_scale(members)

        def sy(y: float, top: float = top, y_lo: float = y_lo, y_hi: float = y_hi) -> float:
            return round(top + (y_hi - y) / (y_hi - y_lo) * ph, 1)

        # facts sharing a period stand side by side in it rather than on top of each other
        slots: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for f in sorted(members, key=lambda f: (keys.index(f.get(color_key) or ""), f["id"])):
            slots[(f["period"]["start"], f["period"]["end"])].append(f)
        marks = []
        # longest periods first, so shorter ones are drawn over them and stay visible
        for (p0, p1), group in sorted(
            slots.items(),
            key=lambda kv: (-(date.fromisoformat(kv[0][1]) - date.fromisoformat(kv[0][0])).days,
                            kv[0]),
        ):  # fmt: skip
            x0 = sx(date.fromisoformat(p0).toordinal())
            x1 = sx((date.fromisoformat(p1) + timedelta(days=1)).toordinal())
            width = max((x1 - x0) / len(group), 5.0)
            for k, f in enumerate(group):
                marks.append(
                    _mark(f, x0, x1, k, len(group), width, top, bottom, sy, color, color_key,
                          colors, label_of)
                )  # fmt: skip
        y_ticks = []
        v = y_lo
        while v <= y_hi + step / 2:
            y_ticks.append((sy(v), fmt_num(v, unit) if unit != "%" else f"{_g(v)}%"))
            v += step
        panels.append(
            {
                "label": label if len(grouped) > 1 else "",
                "top": top,
                "bottom": bottom,
                "y_ticks": y_ticks,
                "zero": sy(0) if y_lo < 0 < y_hi else None,
                "marks": marks,
            }
        )
    plot_bottom = panels[-1]["bottom"]
    x_ticks = [
        (sx(d.toordinal()), label)
        for d, label in _month_ticks(d0, d1)
        if x_lo <= d.toordinal() <= x_hi
    ]
    return {
        "key": chart_key,
        "svg_id": f"chart{n}",
        "title": title,
        "unit": unit,
        "w": CHART_W,
        "h": plot_bottom + MARGIN_B,
        "left": MARGIN_L,
        "right": CHART_W - MARGIN_R,
        "top": MARGIN_T,
        "bottom": plot_bottom,
        "panels": panels,
        "x_ticks": x_ticks,
        "legend": [(color[k], label_of(k)) for k in keys],
        "colors": colors,
        "facts": [
            {
                "id": f["id"],
                "href": href(anchor("fact", f["id"])),
                "who": label_of(f.get(color_key) or ""),
                "period": fmt_period(f.get("period")),
                "value": f.get("value") or "",
                "interval": fmt_interval(f.get("interval")),
                "kind": f.get("kind") or "",
            }
            for f in sorted(facts, key=lambda f: (f["period"]["start"], f["id"]))
        ],
    }


def _mark(
    f: dict[str, Any],
    x0: float,
    x1: float,
    k: int,
    n: int,
    width: float,
    top: float,
    bottom: float,
    sy: Callable[[float], float],
    color: dict[str, str],
    color_key: str,
    colors: list[str],
    label_of: Callable[[str], str],
) -> dict[str, Any]:
    """One fact's band: open ends dashed, unbounded ends an arrow at the panel edge."""
    iv = f["interval"]
    lo, hi = iv.get("lo"), iv.get("hi")
    left = x0 + k * width if (x1 - x0) >= 5 * n else (x0 + x1) / 2 - width / 2
    c = color[f.get(color_key) or ""]
    y_top = top if hi is None else sy(hi)
    y_bot = bottom if lo is None else sy(lo)
    x, w = round(left + 0.5, 1), round(max(width - 1, 3), 1)
    cx = round(left + width / 2, 1)
    return {
        "fact_id": f["id"],
        "href": href(anchor("fact", f["id"])),
        "color": c,
        "ci": colors.index(c),
        "x": x,
        "w": w,
        "x2": round(x + w, 1),
        "up": _arrow(cx, y_top, 9),
        "down": _arrow(cx, y_bot, -9),
        "y_top": y_top,
        "y_bot": y_bot,
        "h": round(max(y_bot - y_top, 0), 1),
        "point": lo is not None and hi is not None and lo == hi,
        "lo_inf": lo is None,
        "hi_inf": hi is None,
        "lo_open": bool(iv.get("lo_open")),
        "hi_open": bool(iv.get("hi_open")),
        "dashed": f.get("kind") not in ("actual", None),
        "fade": "up" if hi is None else "down" if lo is None else "",
        "tip": visible_controls(
            f"{label_of(f.get(color_key) or '')} — {f['id']}: {f.get('value')} "
            f"({f['period'].get('text')}; {f.get('kind')}) = {fmt_interval(iv)}"
        ),
    }


def timeline_charts(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """One chart per (entity, metric, qualifiers) of a series metric with ≥ 2 distinct periods,
    coloured by source; plus one per (metric, qualifiers) that several entities of like magnitude
    share, coloured by entity, for comparisons like 即夢AI vs 可靈 MAU (an entity may bring a
    single period there: the chart as a whole needs two)."""
    ix = _Index(doc)
    by_key: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[dict[str, Any]]] = defaultdict(
        list
    )
    for f in ix.facts.values():
        metric = ix.metrics.get(f.get("metric") or "")
        if not metric or not metric.get("series") or not _plottable(f):
            continue
        quals = tuple(sorted((str(k), str(v)) for k, v in (f.get("qualifiers") or {}).items()))
        by_key[(f.get("entity") or "", f["metric"], quals)].append(f)

    def same_unit(facts: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
        unit = Counter(f["interval"].get("unit") or "" for f in facts).most_common(1)[0][0]
        return unit, [f for f in facts if (f["interval"].get("unit") or "") == unit]

    def periods(facts: list[dict[str, Any]]) -> int:
        return len({(f["period"]["start"], f["period"]["end"]) for f in facts})

    def qual_text(quals: tuple[tuple[str, str], ...]) -> str:
        return "[" + ",".join(f"{k}={v}" for k, v in quals) + "]" if quals else ""

    charts = []
    for (entity, metric, quals), facts in sorted(by_key.items()):
        unit, facts = same_unit(facts)
        if periods(facts) < 2:
            continue
        key = f"{entity}.{metric}{qual_text(quals)}"
        title = f"{ix.entity_name(entity)} · {metric}"
        if quals:
            title += f" ({fmt_qualifiers(dict(quals))})"
        charts.append(
            _chart(
                key,
                f"{title} — {unit}",
                unit,
                facts,
                "source",
                lambda s: _source_label(ix, s),
                len(charts),
            )
        )
    by_metric: dict[tuple[str, tuple[tuple[str, str], ...]], list[str]] = defaultdict(list)
    for entity, metric, quals in by_key:
        by_metric[(metric, quals)].append(entity)
    for (metric, quals), all_entities in sorted(by_metric.items()):
        for entities in _magnitude_clusters({e: by_key[(e, metric, quals)] for e in all_entities}):
            facts = [f for e in entities for f in by_key[(e, metric, quals)]]
            unit, facts = same_unit(facts)
            if periods(facts) < 2 or len({f.get("entity") for f in facts}) < 2:
                continue
            names = " vs ".join(ix.entity_name(e) for e in entities)
            key = f"{'+'.join(entities)}.{metric}{qual_text(quals)}"
            title = f"{names} · {metric}"
            if quals:
                title += f" ({fmt_qualifiers(dict(quals))})"
            charts.append(
                _chart(key, f"{title} — {unit}", unit, facts, "entity", ix.entity_name, len(charts))
            )
    return charts


def _magnitude_clusters(facts_of: dict[str, list[dict[str, Any]]]) -> list[list[str]]:
    """Entities whose values are within ×20 of each other, so one linear axis shows them all:
    即夢AI (~1000萬) with 可靈 (~100萬) MAU, but not with 快手 (~7億)."""
    mags = {}
    for e, facts in facts_of.items():
        ends = [
            abs(v)
            for f in facts
            for v in (f["interval"].get("lo"), f["interval"].get("hi"))
            if v is not None
        ]
        mags[e] = max(ends, default=0.0)
    clusters: list[list[str]] = []
    first = 0.0
    for e in sorted(mags, key=lambda e: (mags[e], e)):
        if clusters and (first == 0 or mags[e] <= first * 20):
            clusters[-1].append(e)
        else:
            clusters.append([e])
            first = mags[e]
    return [sorted(c) for c in clusters if len(c) >= 2]


# --------------------------------------------------------------------------- entry points


@cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,  # a typo in the template fails the tests, not the reviewer
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["show"] = show
    env.filters["script_json"] = script_json
    env.filters["verdict_words"] = verdict_words
    return env


def render(doc: dict[str, Any]) -> str:
    """The discrepancy report as one self-contained HTML page."""
    view = build_view(doc)
    view["claimreview"] = json.loads(claimreview(doc))
    view["comparison_rows"] = COMPARISON_ROWS
    view["comparison_max_columns"] = COMPARISON_MAX_COLUMNS
    # our own files, inlined verbatim (not as templates: JS braces are not Jinja syntax)
    view["css"] = Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))
    view["js"] = Markup((TEMPLATES / "report.js").read_text(encoding="utf-8"))
    return _env().get_template("report.html.j2").render(**view)


def claimreview(doc: dict[str, Any]) -> str:
    """schema.org ClaimReview JSON-LD: one review per finding that involves facts."""
    ix = _Index(doc)
    timestamp = (doc.get("summary") or {}).get("timestamp") or ""
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
        words = verdict_words(f.get("verdict") or "")
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
            }
        )
    return json.dumps(json_safe(reviews), ensure_ascii=False, indent=1, allow_nan=False)
