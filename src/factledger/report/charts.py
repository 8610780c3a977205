"""Timeline charts of a series' values as SVG, drawn server-side (no script library, offline)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from factledger import formatting as fmt
from factledger.model import Period
from factledger.period import GRANULARITIES, granularity
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

# --------------------------------------------------------------------------- timeline charts

CHART_W = 640
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 78, 18, 18, 30
PANEL_H, PANEL_H_ONE, PANEL_GAP = 130, 200, 22
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
    return granularity(Period(period.get("text") or "", start, end))


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
            y_ticks.append((sy(v), fmt.number(v, unit, suffix=False)))
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
                "period": _period(f.get("period")),
                "value": f.get("value") or "",
                "interval": _iv(f.get("interval")),
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
            f"({f['period'].get('text')}; {f.get('kind')}) = {_iv(iv)}"
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
            title += f" ({fmt.qualifiers(dict(quals))})"
        charts.append(
            _chart(
                key,
                f"{title} — {unit}",
                unit,
                facts,
                "source",
                lambda s: source_label(ix, s),
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
                title += f" ({fmt.qualifiers(dict(quals))})"
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
