"""Revision chains as figures: a projection as it was stated over time, one figure per issuer.

x is when a value was stated (a stated span — "some time in 2024-06..2025-05" — is drawn across
its span), y is the value's interval in the metric's unit; each step is labelled with the outlet
and the value as written, and a line links the steps oldest to newest. The chains come from a
``conflict`` result with verdict ``revision``: ``data.chains`` (``[{issuer, steps}]``, one per
issuer) when the payload has it, else ``data.chain`` as one chain of unknown issuer.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from factledger import formatting as fmt
from factledger.period import PeriodError, parse_period
from factledger.report.charts import (
    LABEL_PX,
    band_mark,
    month_ticks,
    text_width,
    y_scale,
    y_ticks,
)
from factledger.report.view import PALETTE, _iv, anchor, href, visible_controls
from factledger.report.words import Words, join

FIG_W = 960
MARGIN_L, MARGIN_R, MARGIN_B = 70, 16, 30
PLOT_H, LANE_H = 170, LABEL_PX + 4
MIN_DAYS = 90  # a chain stated within days still gets a readable axis
# A page draws at most this many chains; the rest are in the list of every result.
MAX_FIGURES = 30


def chains(data: dict[str, Any]) -> list[dict[str, Any]]:
    """``[{"issuer": str | None, "steps": [RevisionStep…]}]`` from either payload shape."""
    if data.get("chains"):
        return [{"issuer": c.get("issuer"), "steps": c.get("steps") or []} for c in data["chains"]]
    if data.get("chain"):
        return [{"issuer": None, "steps": data["chain"]}]
    return []


def _span(stated: str) -> tuple[date, date] | None:
    try:
        p = parse_period(stated)
    except PeriodError:
        return None
    return p.start, p.end


def _finite(sf: dict[str, Any]) -> list[float]:
    return [v for v in (sf["interval"].get("lo"), sf["interval"].get("hi")) if v is not None]


def _groups(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the figure draws and labels: per step, each outlet's values at the step's stated
    span; then what restated them later (``restated``), per outlet and stated date, at its own."""
    out: list[dict[str, Any]] = []
    for k, s in enumerate(steps):
        start, end = date.fromisoformat(s["stated_start"]), date.fromisoformat(s["stated_end"])
        for n, outlet in enumerate(dict.fromkeys(sf["source"] for sf in s["facts"])):
            out.append({"step": k, "source": outlet, "restated": False, "first_of_step": n == 0,
                        "stated": s["stated"], "start": start, "end": end,
                        "facts": [sf for sf in s["facts"] if sf["source"] == outlet]})  # fmt: skip
        again: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for sf in s.get("restated") or []:
            again.setdefault((sf["source"], sf.get("stated") or s["stated"]), []).append(sf)
        for (outlet, stated), facts in again.items():
            at = _span(stated) or (start, end)
            out.append(
                {"step": k, "source": outlet, "restated": True, "first_of_step": False,
                 "stated": stated, "start": at[0], "end": at[1], "facts": facts}
            )  # fmt: skip
    return out


def revision_figures(
    doc: dict[str, Any], words: Words, limit: int = MAX_FIGURES
) -> tuple[list[dict[str, Any]], int]:
    """The figures to draw and how many chains are left out."""
    figures: list[dict[str, Any]] = []
    left = 0
    for r in doc.get("results") or []:
        if r.get("kind") != "conflict" or r.get("verdict") != "revision":
            continue
        for n, chain in enumerate(chains(r.get("data") or {})):
            if not chain["steps"]:
                continue
            if len(figures) >= limit:
                left += 1
                continue
            figures.append(_figure(r, n, chain, words, len(figures)))
    return figures, left


def _figure(
    r: dict[str, Any], n: int, chain: dict[str, Any], words: Words, index: int
) -> dict[str, Any]:
    steps = chain["steps"]
    first_fact = words.facts.get(steps[0]["facts"][0]["fact_id"]) if steps[0]["facts"] else None
    subject = words.subject(first_fact) if first_fact else (r.get("data") or {}).get("label", "")
    issuer = chain.get("issuer")
    groups = _groups(steps)
    outlets = list(dict.fromkeys(g["source"] for g in groups))
    color = {o: PALETTE[i % len(PALETTE)] for i, o in enumerate(outlets)}
    colors = sorted(set(color.values()))
    unit = next((sf["interval"].get("unit") for g in groups for sf in g["facts"]), "") or ""
    d0 = min(g["start"] for g in groups)
    d1 = max(g["end"] + timedelta(days=1) for g in groups)
    if (d1 - d0).days < MIN_DAYS:
        mid = d0 + (d1 - d0) / 2
        d0, d1 = mid - timedelta(days=MIN_DAYS // 2), mid + timedelta(days=MIN_DAYS // 2)
    pad = max((d1 - d0).days * 0.04, 5)
    x_lo, x_hi = d0.toordinal() - pad, d1.toordinal() + pad
    pw = FIG_W - MARGIN_L - MARGIN_R

    def sx(x: float) -> float:
        return round(MARGIN_L + (x - x_lo) / (x_hi - x_lo) * pw, 1)

    def value(sf: dict[str, Any]) -> str:
        return (
            words.value(words.facts[sf["fact_id"]]) if sf["fact_id"] in words.facts else sf["value"]
        )

    # one label per group — a step's values from one outlet, or what it restated later — in
    # lanes above the plot: "懂財帝 1.4億美元 · 10億元 (約)", "懂財帝 again 10億 · 超過10億元"
    labels = []
    for g in groups:
        g["x0"] = sx(g["start"].toordinal())
        g["x1"] = sx((g["end"] + timedelta(days=1)).toordinal())
        if g["x1"] - g["x0"] < 8:
            mid = (g["x0"] + g["x1"]) / 2
            g["x0"], g["x1"] = mid - 4, mid + 4
        said = " · ".join(dict.fromkeys(value(sf) for sf in g["facts"]))
        text = f"{words.outlet(g['source'])}{' again' if g['restated'] else ''} {said}"
        labels.append({"group": g, "text": text, "cx": (g["x0"] + g["x1"]) / 2})
    lanes: list[list[tuple[float, float]]] = []
    for lab in sorted(labels, key=lambda lab: lab["cx"]):
        w = text_width(lab["text"]) + 8
        x = min(max(lab["cx"], MARGIN_L + w / 2), FIG_W - MARGIN_R - w / 2)
        lane = next(
            (i for i, used in enumerate(lanes) if all(x - w / 2 > b or x + w / 2 < a
                                                      for a, b in used)),
            len(lanes),
        )  # fmt: skip
        if lane == len(lanes):
            lanes.append([])
        lanes[lane].append((x - w / 2, x + w / 2))
        lab.update(x=round(x, 1), lane=lane)
    top = 10 + len(lanes) * LANE_H + 10
    bottom = top + PLOT_H
    ends = [v for g in groups for sf in g["facts"] for v in _finite(sf)]
    y_lo, y_hi, step = y_scale(ends)

    def sy(y: float) -> float:
        return round(top + (y_hi - y) / (y_hi - y_lo) * PLOT_H, 1)

    marks = []
    for g in groups:
        g["top"] = bottom
        for sf in g["facts"]:
            m = band_mark(sf["interval"], g["x0"], g["x1"], top, bottom, sy)
            m.update(
                fact_id=sf["fact_id"],
                href=href(anchor("fact", sf["fact_id"])),
                color=color[g["source"]],
                ci=colors.index(color[g["source"]]),
                dashed=g["restated"],  # a repeat of an earlier statement: outlined, not filled
                conflict=False,
                tip=visible_controls(
                    f"{words.outlet(sf['source'])}, stated {sf.get('stated') or g['stated']}"
                    f"{' (restating an earlier figure)' if g['restated'] else ''}: "
                    f"{sf['value']} = {_iv(sf['interval'])}; {sf['fact_id']}"
                ),
            )
            marks.append(m)
            g["top"] = min(g["top"], m["y_top"])
    # the chain runs through each step's own values (their finite ends: 超過 at its bound)
    path = []
    for g in groups:
        if g["restated"] or g["first_of_step"] is False:
            continue
        ys = [sy(v) for h in groups if h["step"] == g["step"] and not h["restated"]
              for sf in h["facts"] for v in _finite(sf)]  # fmt: skip
        path.append((round((g["x0"] + g["x1"]) / 2, 1), round((min(ys) + max(ys)) / 2, 1)
                     if ys else bottom))  # fmt: skip
    for lab in labels:
        lab["y"] = round(top - 10 - lab["lane"] * LANE_H, 1)
        lab["to"] = lab["group"]["top"]
        lab["color"] = color[lab["group"]["source"]]
    x_ticks = [
        (sx(d.toordinal()), t) for d, t in month_ticks(d0, d1) if x_lo <= d.toordinal() <= x_hi
    ]
    said, sentence = [], []
    for k, s in enumerate(steps):
        own = [g for g in groups if g["step"] == k and not g["restated"]]
        again = [g for g in groups if g["step"] == k and g["restated"]]
        what = join(
            [f"{words.outlet(g['source'])} {', '.join(dict.fromkeys(map(value, g['facts'])))}"
             for g in own]
        )  # fmt: skip
        repeats = "; ".join(
            f"restated by {words.outlet(g['source'])} on {g['stated']}: "
            + ", ".join(dict.fromkeys(map(value, g["facts"])))
            for g in again
        )
        said.append(what + (f"; {repeats}" if repeats else ""))
        sentence.append(f"{what} (stated {s['stated']}{'; ' + repeats if repeats else ''})")
    return {
        "key": f"{r['id']}#{n}",
        "anchor": anchor("revision", f"{r['id']}#{n}"),
        "result_id": r["id"],
        "svg_id": f"rev{index}",
        "title": subject,
        # an issuer is an entity (the company's own guidance) or an outlet (an analyst's view)
        "issuer": words.entity(issuer) if issuer else "",
        "unit": unit,
        "sentence": " → ".join(sentence),
        "steps": [
            {
                "stated": s["stated"],
                "said": what,
                "facts": [
                    {
                        "id": sf["fact_id"],
                        "href": href(anchor("fact", sf["fact_id"])),
                        "value": sf["value"],
                        "interval": _iv(sf["interval"]),
                        "kind": sf["kind"],
                        "restated": sf.get("stated") if again else "",
                    }
                    for again, facts in ((False, s["facts"]), (True, s.get("restated") or []))
                    for sf in facts
                ],
            }
            for s, what in zip(steps, said, strict=True)
        ],
        "stated": [s["stated"] for s in steps],
        "w": FIG_W,
        "h": bottom + MARGIN_B,
        "left": MARGIN_L,
        "right": FIG_W - MARGIN_R,
        "top": top,
        "bottom": bottom,
        "y_ticks": y_ticks(y_lo, y_hi, step, unit, sy),
        "x_ticks": x_ticks,
        "marks": marks,
        "labels": labels,
        "path": " ".join(f"{'M' if i == 0 else 'L'}{x} {y}" for i, (x, y) in enumerate(path)),
        "points": [
            {"x": x, "y": y, "stated": s["stated"]} for (x, y), s in zip(path, steps, strict=True)
        ],
        "colors": colors,
        "legend": [(color[o], words.outlet(o)) for o in outlets],
        "unit_label": fmt.unit_suffix(unit).strip() or unit,
    }
