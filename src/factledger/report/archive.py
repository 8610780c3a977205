"""The data block of a large report: everything but the findings, compressed, shown on demand.

At 10,000 facts the page written in full would be tens of megabytes of tables nobody scrolls.
So a large corpus's page holds the findings and the facts they involve as HTML; every fact,
source text, agreement and result goes into one JSON document, gzip-compressed and base64-coded
into a ``<script type="application/octet-stream">`` element. The page's script unpacks it
(``DecompressionStream``, no network) the first time a reader opens a source, the agreements or
the list of results, and shows it a page at a time. Rows are arrays of display strings, in the
order the page's columns show them; the one formatter wrote every number in them.
"""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

from factledger import formatting as fmt
from factledger.report.view import _extra_hedge, _Index, _iv, _period, anchor
from factledger.text import fold, fold_map, locate

# Facts plus results above which the page goes paged: about 4 MB of HTML written in full.
INLINE_LIMIT = 4000
# Highlight bits of an article span: quote, value, uncovered mention.
QUOTE, VALUE, UNCOVERED = 1, 2, 4


def is_paged(doc: dict[str, Any], limit: int | None = None) -> bool:
    limit = INLINE_LIMIT if limit is None else limit
    return len(doc.get("facts") or []) + len(doc.get("results") or []) > limit


def pack(data: dict[str, Any]) -> str:
    """JSON → gzip (mtime 0: the same data packs to the same bytes) → base64, one line."""
    raw = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return base64.b64encode(gzip.compress(raw.encode("utf-8"), 9, mtime=0)).decode("ascii")


def unpack(text: str) -> dict[str, Any]:
    """The inverse of :func:`pack` (for tests and tools; the page unpacks in its script)."""
    return json.loads(gzip.decompress(base64.b64decode(text)).decode("utf-8"))


def spans(source: dict[str, Any], facts: list[dict[str, Any]]) -> tuple[str, list[list[int]]]:
    """A source's title and body, and where its facts' quotes, their values and the uncovered
    mentions are in it: ``[start, end, bits]``, as the page underlines and marks them."""
    text = f"{source.get('title') or ''}\n{source.get('body') or ''}"
    out: list[list[int]] = []
    for f in facts:
        where = locate(text, f.get("quote") or "")
        if where is None:
            continue
        out.append([where[0], where[1], QUOTE])
        value = locate(text, f.get("value") or "", *where)
        if value:
            out.append([value[0], value[1], VALUE])
    cov = source.get("coverage") or {}
    if cov.get("uncovered"):
        _, origin = fold_map(text)
        for m in cov["uncovered"]:
            at, length = m.get("at"), len(fold(m.get("text") or ""))
            # mention offsets are in the folded text the coverage check read
            if isinstance(at, int) and at >= 0 and length and at + length <= len(origin):
                out.append([origin[at], origin[at + length - 1] + 1, UNCOVERED])
    return text, out


def columns(rows: list[list[Any]], names: tuple[str, ...]) -> dict[str, list[Any]]:
    """Rows as one list per column: like values side by side compress far better."""
    return {n: [r[i] for r in rows] for i, n in enumerate(names)}


FACT_COLUMNS = ("id", "entity", "metric", "period", "range", "value", "hedge", "read", "kind",
                "where", "anchor")  # fmt: skip
RESULT_COLUMNS = ("ok", "severity", "verdict", "id", "message", "where", "facts")
AGREEMENT_COLUMNS = ("subject", "period", "agreed", "sources", "said")


def build(doc: dict[str, Any], ix: _Index, agreements: list[dict[str, Any]]) -> dict[str, Any]:
    """The block's JSON, column by column: ``facts`` (and a fact's anchor when it is not
    ``fact-<id>``; a fact's ``where`` is its line alone when its source's ``file`` holds all its
    facts); ``sources`` (per source of the document, in order: its fields, coverage figures,
    facts file, fact indices, text and highlight spans as flat [start − previous start, length,
    bits] triples); ``results`` per kind — a result's id is 0
    when it is ``<kind>:<its first fact's id>`` and written without the ``<kind>:`` prefix when
    it has one (else as a one-item list), its ``where`` 0 when it is its first fact's; and
    ``agreements``."""
    index: dict[str, int] = {}
    facts = []
    for i, f in enumerate(doc.get("facts") or []):
        index[f["id"]] = i
        own = anchor("fact", f["id"])
        quals = fmt.qualifiers(f.get("qualifiers"))
        facts.append(
            [
                f["id"],
                ix.entity_name(f.get("entity") or ""),
                (f.get("metric") or "") + (f" ({quals})" if quals else ""),
                (f.get("period") or {}).get("text") or "",
                _period(f.get("period")),
                f.get("value") or "",
                _extra_hedge(f),
                _iv(f.get("interval")),
                f.get("kind") or "",
                fmt.where(f.get("file"), f.get("line")),
                None if own == f"fact-{f['id']}" else own,
            ]
        )
    fact_where = [f[9] for f in facts]  # before a source's own file shortens them
    sources = []
    for s in doc.get("sources") or []:
        own = ix.by_source.get(s["id"], [])
        text, marks = spans(s, own)
        cov = s.get("coverage") or {}
        files = {f.get("file") for f in own}
        if len(files) == 1:  # the usual facts/<source>.yaml: its facts keep only their line
            for f in own:
                facts[index[f["id"]]][9] = f.get("line")
        # spans as [start - previous start, length, bits]: small numbers compress well
        marks.sort()
        deltas, at = [], 0
        for start, end, bits in marks:
            deltas += [start - at, end - start, bits]
            at = start
        sources.append(
            {
                "fields": [
                    s["id"], s.get("file") or "", _period(s.get("published")),
                    s.get("published_basis") or "", s.get("language") or "",
                    s.get("curation") or "", s.get("url") or "",
                ],
                "coverage": [cov.get("mentions"), cov.get("covered"), cov.get("ignored"),
                             len(cov.get("uncovered") or [])] if cov else None,
                "file": files.pop() if len(files) == 1 else None,
                "facts": [index[f["id"]] for f in own],
                "text": text,
                "spans": deltas,
            }
        )  # fmt: skip
    groups: dict[str, list[list[Any]]] = {}
    for r in doc.get("results") or []:
        kind = r.get("kind") or "?"
        refs = [index.get(i, i) for i in r.get("fact_ids") or []]
        first = facts[refs[0]] if refs and isinstance(refs[0], int) else None
        rid, where = r.get("id") or "", fmt.where(r.get("file"), r.get("line"))
        if first and rid == f"{kind}:{first[0]}":
            short: Any = 0
        elif rid.startswith(f"{kind}:"):
            short = rid[len(kind) + 1 :]
        else:
            short = [rid]
        groups.setdefault(kind, []).append(
            [
                1 if r.get("passed") else 0,
                r.get("severity") or "",
                r.get("verdict") or "",
                short,
                r.get("message") or "",
                0 if first and where == fact_where[refs[0]] else where,
                refs,
            ]
        )
    rows = [
        [a["subject"], a["period"], a["agreed"], a["n_sources"],
         [[s["outlet"], s["value"], index.get(s["fact_id"], -1)] for s in a["said"]]]
        for a in agreements
    ]  # fmt: skip
    return {
        "facts": columns(facts, FACT_COLUMNS),
        "sources": sources,
        "results": {k: columns(v, RESULT_COLUMNS) for k, v in groups.items()},
        "agreements": columns(rows, AGREEMENT_COLUMNS),
    }
