"""Timelines of a series' values as SVG, drawn server-side (no script library, offline).

A timeline is drawn only for a series with three or more periods: fewer is a comparison, which
the finding cards and the agreements table already show. On a true time axis each fact spans its
own period (a year's guidance across the whole year, a month's revenue across its month), so a
year never reads as a run of months. Each length of period — day, month, quarter, half-year,
year, other spans — has its own band with its own y axis, since a year's revenue is about four
quarters'. Every mark carries its value as written; a fact in a contradiction is outlined red.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from factledger import formatting as fmt
from factledger.model import Period
from factledger.period import GRANULARITIES, granularity
from factledger.report.sections import CONTRADICTING, section_of
from factledger.report.view import (
    PALETTE,
    _Index,
    _iv,
    _period,
    anchor,
    href,
    source_label,
    visible_controls,
)
from factledger.report.words import metric_words, qualifier_words

CHART_W = 640
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 64, 16, 30, 30
BAND_H, BAND_H_ONE, BAND_GAP = 140, 190, 34
MIN_PERIODS = 3
# A page shows at most this many timelines: those with a contradiction first, then the series
# most sources report; a 10,000-fact corpus has hundreds of series.
MAX_CHARTS = 24
LABEL_PX = 10.5  # font size of value labels, in SVG units

# --------------------------------------------------------------------------- shared geometry


def text_width(text: str, px: float = LABEL_PX) -> float:
    """About how wide ``text`` is: wide (CJK) characters take a full em, others about half."""
    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in text)
    return px * (wide + 0.58 * (len(text) - wide))


class Labels:
    """Greedy placement of text labels without overlap: each label tries its candidate
    positions in order and takes the first that does not cover an earlier one."""

    def __init__(self, left: float, right: float) -> None:
        self.left, self.right = left, right
        self.boxes: list[tuple[float, float, float, float]] = []

    def place(self, text: str, cx: float, ys: list[float]) -> tuple[float, float] | None:
        w, h = text_width(text) + 4, LABEL_PX + 2
        x = min(max(cx, self.left + w / 2), self.right - w / 2)
        for y in ys:
            box = (x - w / 2, y - h + 2, x + w / 2, y + 2)
            if not any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                for b in self.boxes
            ):
                self.boxes.append(box)
                return round(x, 1), round(y, 1)
        return None


def nice_step(span: float, target: int = 4) -> float:
    raw = span / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def month_ticks(d0: date, d1: date) -> list[tuple[date, str]]:
    months = (d1.year - d0.year) * 12 + d1.month - d0.month + 1
    step = next(s for s in (1, 2, 3, 6, 12, 24, 60, 120) if months / s <= 8)
    ticks = []
    y, m = d0.year, d0.month
    while (y, m) <= (d1.year, d1.month):
        if (m - 1) % step == 0 and date(y, m, 1) >= d0:
            ticks.append((date(y, m, 1), str(y) if step >= 12 else f"{y}-{m:02d}"))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return ticks


def arrow(cx: float, tip: float, depth: float) -> str:
    """A small triangle with its tip at (cx, tip), its base ``depth`` below (negative: above)."""
    base = tip + depth
    return f"M{cx - 5:.1f} {base:.1f}L{cx:.1f} {tip:.1f}L{cx + 5:.1f} {base:.1f}Z"


def y_scale(values: list[float]) -> tuple[float, float, float]:
    """Axis bounds from zero (bars of magnitudes start at 0) with headroom for arrows."""
    y_lo, y_hi = min([*values, 0.0]), max([*values, 0.0])
    if y_hi == y_lo:
        y_hi = y_lo + 1
    step = nice_step(y_hi - y_lo)
    y_lo = math.floor(y_lo / step) * step
    y_hi = math.ceil(y_hi * 1.1 / step) * step if y_hi > 0 else math.ceil(y_hi / step) * step
    return y_lo, y_hi, step


def y_ticks(y_lo: float, y_hi: float, step: float, unit: str, sy: Callable[[float], float]):
    out, v = [], y_lo
    while v <= y_hi + step / 2:
        out.append((sy(v), fmt.number(v, unit, suffix=False)))
        v += step
    return out


def _ends(iv: dict[str, Any]) -> list[float]:
    return [v for v in (iv.get("lo"), iv.get("hi")) if v is not None]


def band_mark(
    iv: dict[str, Any], x0: float, x1: float, top: float, bottom: float, sy: Callable
) -> dict[str, Any]:
    """A value interval as a band between x0 and x1: a thick line for an exact value, dashed
    edges for excluded bounds, an arrow and a fade where there is no bound."""
    lo, hi = iv.get("lo"), iv.get("hi")
    y_top = top if hi is None else sy(hi)
    y_bot = bottom if lo is None else sy(lo)
    cx = round((x0 + x1) / 2, 1)
    return {
        "x": round(x0, 1),
        "x2": round(x1, 1),
        "w": round(max(x1 - x0, 1), 1),
        "cx": cx,
        "y_top": y_top,
        "y_bot": y_bot,
        "h": round(max(y_bot - y_top, 0), 1),
        "point": lo is not None and hi is not None and lo == hi,
        "lo_inf": lo is None,
        "hi_inf": hi is None,
        "lo_open": bool(iv.get("lo_open")),
        "hi_open": bool(iv.get("hi_open")),
        "fade": "up" if hi is None else "down" if lo is None else "",
        "up": arrow(cx, y_top, 9),
        "down": arrow(cx, y_bot, -9),
    }


# --------------------------------------------------------------------------- timelines


def _plottable(f: dict[str, Any]) -> bool:
    iv, p = f.get("interval"), f.get("period") or {}
    return (
        isinstance(iv, dict)
        and (iv.get("lo") is not None or iv.get("hi") is not None)
        and bool(p.get("start"))
        and bool(p.get("end"))
        and f.get("kind") != "hypothetical"
    )


def _granularity(p: dict[str, Any]) -> str:
    return granularity(
        Period(p.get("text") or "", date.fromisoformat(p["start"]), date.fromisoformat(p["end"]))
    )


def _days(p: dict[str, Any]) -> int:
    return (date.fromisoformat(p["end"]) - date.fromisoformat(p["start"])).days


def conflicted_facts(doc: dict[str, Any]) -> set[str]:
    """Facts of the findings that set sources against each other (the page's contradictions
    and stale figures): a conflict group's members, a violated relation's operands."""
    facts = {f["id"]: f for f in doc.get("facts") or []}
    out: set[str] = set()
    for finding in doc.get("findings") or []:
        data = finding.get("data") or {}
        if finding.get("kind") == "conflict":
            named = [m["fact_id"] for m in data.get("facts") or []]
        else:
            named = [op["fact_id"] for op in data.get("operands") or []]
        ids = [i for i in [*(finding.get("fact_ids") or []), *named] if i in facts]
        n_sources = len({facts[i].get("source") for i in ids})
        if section_of(finding, n_sources) in CONTRADICTING:
            out.update(ids)
    return out


def series_keys(doc: dict[str, Any]) -> dict[tuple, list[dict[str, Any]]]:
    """Plottable facts of series metrics by (entity, metric, qualifiers), in the unit most of
    them have, for series with three or more distinct periods."""
    ix_metrics = {m["key"]: m for m in doc.get("metrics") or []}
    by_key: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for f in doc.get("facts") or []:
        metric = ix_metrics.get(f.get("metric") or "")
        if not metric or not metric.get("series") or not _plottable(f):
            continue
        quals = tuple(sorted((str(k), str(v)) for k, v in (f.get("qualifiers") or {}).items()))
        by_key[(f.get("entity") or "", f["metric"], quals)].append(f)
    out = {}
    for key, facts in by_key.items():
        unit = Counter(f["interval"].get("unit") or "" for f in facts).most_common(1)[0][0]
        facts = [f for f in facts if (f["interval"].get("unit") or "") == unit]
        if len({(f["period"]["start"], f["period"]["end"]) for f in facts}) >= MIN_PERIODS:
            out[key] = facts
    return out


def chart_key(entity: str, metric: str, quals: tuple[tuple[str, str], ...]) -> str:
    q = "[" + ",".join(f"{k}={v}" for k, v in quals) + "]" if quals else ""
    return f"{entity}.{metric}{q}"


def timeline_charts(
    doc: dict[str, Any], limit: int = MAX_CHARTS
) -> tuple[list[dict[str, Any]], int]:
    """The timelines to draw (at most ``limit``; contradictions first, then the series most
    sources report) and how many more series qualified."""
    ix = _Index(doc)
    marked = conflicted_facts(doc)
    series = series_keys(doc)

    def priority(item: tuple[tuple, list[dict[str, Any]]]) -> tuple:
        key, facts = item
        hot = any(f["id"] in marked for f in facts)
        return (not hot, -len({f.get("source") for f in facts}), -len(facts), key)

    chosen = sorted(series.items(), key=priority)[:limit]
    charts = []
    for (entity, metric, quals), facts in sorted(chosen, key=lambda kv: kv[0]):
        title = f"{ix.entity_name(entity)} · {metric_words(metric)}"
        if quals:
            title += f" ({qualifier_words(dict(quals))})"
        unit = facts[0]["interval"].get("unit") or ""
        charts.append(
            _chart(chart_key(entity, metric, quals), title, unit, facts, ix, marked, len(charts))
        )
    return charts, len(series) - len(chosen)


def _chart(
    key: str,
    title: str,
    unit: str,
    facts: list[dict[str, Any]],
    ix: _Index,
    marked: set[str],
    n: int,
) -> dict[str, Any]:
    sources = list(dict.fromkeys(f.get("source") or "" for f in facts))
    color = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(sources)}
    colors = sorted(set(color.values()))
    starts = [date.fromisoformat(f["period"]["start"]) for f in facts]
    ends = [date.fromisoformat(f["period"]["end"]) + timedelta(days=1) for f in facts]
    d0, d1 = min(starts), max(ends)
    pad = max((d1 - d0).days * 0.02, 2)
    x_lo, x_hi = d0.toordinal() - pad, d1.toordinal() + pad
    pw = CHART_W - MARGIN_L - MARGIN_R

    def sx(x: float) -> float:
        return round(MARGIN_L + (x - x_lo) / (x_hi - x_lo) * pw, 1)

    by_band: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in facts:
        by_band[_granularity(f["period"])].append(f)
    bands_order = [g for g in GRANULARITIES if g in by_band]
    bh = BAND_H_ONE if len(bands_order) == 1 else BAND_H
    labels = Labels(MARGIN_L, CHART_W - MARGIN_R)
    bands = []
    for b_index, g in enumerate(bands_order):
        top = MARGIN_T + b_index * (bh + BAND_GAP)
        bottom = top + bh
        members = by_band[g]
        y_lo, y_hi, step = y_scale([v for f in members for v in _ends(f["interval"])])

        def sy(y: float, top: float = top, y_lo: float = y_lo, y_hi: float = y_hi) -> float:
            return round(top + (y_hi - y) / (y_hi - y_lo) * bh, 1)

        marks = []
        # longest periods first, so shorter ones are drawn over them and stay visible
        for f in sorted(
            members, key=lambda f: (-_days(f["period"]), f["period"]["start"], f["id"])
        ):
            p0 = date.fromisoformat(f["period"]["start"]).toordinal()
            p1 = (date.fromisoformat(f["period"]["end"]) + timedelta(days=1)).toordinal()
            x0, x1 = sx(p0), sx(p1)
            if x1 - x0 < 4:  # a single day: a narrow bar centred on it
                mid = (x0 + x1) / 2
                x0, x1 = mid - 2, mid + 2
            m = band_mark(f["interval"], x0, x1, top, bottom, sy)
            c = color[f.get("source") or ""]
            m.update(
                fact_id=f["id"],
                href=href(anchor("fact", f["id"])),
                color=c,
                ci=colors.index(c),
                dashed=f.get("kind") not in ("actual", None),
                conflict=f["id"] in marked,
                value=f.get("value") or "",
                label=None,
                tip=visible_controls(
                    f"{source_label(ix, f.get('source') or '')} — {f.get('value')} "
                    f"({f['period'].get('text')}; {f.get('kind')}) = {_iv(f['interval'])}; "
                    f"{f['id']}"
                ),
            )
            marks.append(m)
        # labels: the value as written at the mark's top, once per period and value
        said: set[tuple[float, str]] = set()
        for m in sorted(marks, key=lambda m: (not m["conflict"], m["y_top"])):
            if (m["x"], m["value"]) in said:
                continue
            said.add((m["x"], m["value"]))
            ys = [m["y_top"] - 4 - k * (LABEL_PX + 1) for k in range(4)]
            ys += [m["y_bot"] + LABEL_PX + 3]
            ys = [y for y in ys if top - BAND_GAP + LABEL_PX + 6 < y < bottom + BAND_GAP - 4]
            at = labels.place(m["value"], m["cx"], ys)
            if at:
                m["label"] = {"x": at[0], "y": at[1], "text": m["value"]}
        bands.append(
            {
                "label": g if len(bands_order) > 1 else "",
                "top": top,
                "bottom": bottom,
                "y_ticks": y_ticks(y_lo, y_hi, step, unit, sy),
                "zero": sy(0) if y_lo < 0 < y_hi else None,
                "marks": marks,
            }
        )
    plot_bottom = bands[-1]["bottom"]
    x_ticks = [
        (sx(d.toordinal()), label)
        for d, label in month_ticks(d0, d1)
        if x_lo <= d.toordinal() <= x_hi
    ]
    return {
        "key": key,
        "anchor": anchor("chart", key),
        "svg_id": f"chart{n}",
        "title": title,
        "unit": unit,
        "periods": len({(f["period"]["start"], f["period"]["end"]) for f in facts}),
        "w": CHART_W,
        "h": plot_bottom + MARGIN_B,
        "left": MARGIN_L,
        "right": CHART_W - MARGIN_R,
        "top": MARGIN_T,
        "bottom": plot_bottom,
        "bands": bands,
        "x_ticks": x_ticks,
        "legend": [(color[s], source_label(ix, s)) for s in sources],
        "colors": colors,
        "has_conflict": any(f["id"] in marked for f in facts),
        "facts": [
            {
                "id": f["id"],
                "href": href(anchor("fact", f["id"])),
                "who": source_label(ix, f.get("source") or ""),
                "period": _period(f.get("period")),
                "value": f.get("value") or "",
                "interval": _iv(f.get("interval")),
                "kind": f.get("kind") or "",
                "conflict": f["id"] in marked,
            }
            for f in sorted(facts, key=lambda f: (f["period"]["start"], f["id"]))
        ],
    }
