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
    outlets = list(dict.fromkeys(sf["source"] for s in steps for sf in s["facts"]))
    color = {o: PALETTE[i % len(PALETTE)] for i, o in enumerate(outlets)}
    unit = next((sf["interval"].get("unit") for s in steps for sf in s["facts"]), "") or ""
    d0 = min(date.fromisoformat(s["stated_start"]) for s in steps)
    d1 = max(date.fromisoformat(s["stated_end"]) + timedelta(days=1) for s in steps)
    if (d1 - d0).days < MIN_DAYS:
        mid = d0 + (d1 - d0) / 2
        d0, d1 = mid - timedelta(days=MIN_DAYS // 2), mid + timedelta(days=MIN_DAYS // 2)
    pad = max((d1 - d0).days * 0.04, 5)
    x_lo, x_hi = d0.toordinal() - pad, d1.toordinal() + pad
    pw = FIG_W - MARGIN_L - MARGIN_R

    def sx(x: float) -> float:
        return round(MARGIN_L + (x - x_lo) / (x_hi - x_lo) * pw, 1)

    # one label per step and outlet: "懂財帝 10億 · 超過10億元", in lanes above the plot
    labels = []
    for k, s in enumerate(steps):
        x0 = sx(date.fromisoformat(s["stated_start"]).toordinal())
        x1 = sx((date.fromisoformat(s["stated_end"]) + timedelta(days=1)).toordinal())
        for outlet in dict.fromkeys(sf["source"] for sf in s["facts"]):
            values = list(
                dict.fromkeys(
                    words.value(words.facts[sf["fact_id"]])
                    if sf["fact_id"] in words.facts
                    else sf["value"]
                    for sf in s["facts"]
                    if sf["source"] == outlet
                )
            )
            text = f"{words.outlet(outlet)} {' · '.join(values)}"
            labels.append({"step": k, "source": outlet, "text": text, "cx": (x0 + x1) / 2})
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
    values = [
        v for s in steps for sf in s["facts"] for v in (sf["interval"].get("lo"),
                                                        sf["interval"].get("hi")) if v is not None
    ]  # fmt: skip
    y_lo, y_hi, step = y_scale(values)

    def sy(y: float) -> float:
        return round(top + (y_hi - y) / (y_hi - y_lo) * PLOT_H, 1)

    marks, path = [], []
    tops: dict[tuple[int, str], float] = {}
    for k, s in enumerate(steps):
        x0 = sx(date.fromisoformat(s["stated_start"]).toordinal())
        x1 = sx((date.fromisoformat(s["stated_end"]) + timedelta(days=1)).toordinal())
        if x1 - x0 < 8:
            mid = (x0 + x1) / 2
            x0, x1 = mid - 4, mid + 4
        ys = []
        for sf in s["facts"]:
            m = band_mark(sf["interval"], x0, x1, top, bottom, sy)
            m.update(
                fact_id=sf["fact_id"],
                href=href(anchor("fact", sf["fact_id"])),
                color=color[sf["source"]],
                ci=sorted(set(color.values())).index(color[sf["source"]]),
                dashed=False,
                conflict=False,
                tip=visible_controls(
                    f"{words.outlet(sf['source'])}, stated {s['stated']}: {sf['value']} "
                    f"= {_iv(sf['interval'])}; {sf['fact_id']}"
                ),
            )
            marks.append(m)
            # the chain runs through the values' finite ends (an open-ended 超過 at its bound)
            ys += [sy(v) for v in (sf["interval"].get("lo"), sf["interval"].get("hi"))
                   if v is not None]  # fmt: skip
            key = (k, sf["source"])
            tops[key] = min(tops.get(key, bottom), m["y_top"])
        mid_y = (min(ys) + max(ys)) / 2 if ys else bottom
        path.append((round((x0 + x1) / 2, 1), round(mid_y, 1)))
    for lab in labels:
        lab["y"] = round(top - 10 - lab["lane"] * LANE_H, 1)
        lab["to"] = tops[(lab["step"], lab["source"])]
        lab["color"] = color[lab["source"]]
    x_ticks = [
        (sx(d.toordinal()), t) for d, t in month_ticks(d0, d1) if x_lo <= d.toordinal() <= x_hi
    ]
    said = [
        (
            s["stated"],
            join(
                [
                    f"{words.outlet(o)} "
                    + ", ".join(
                        dict.fromkeys(
                            words.value(words.facts[sf["fact_id"]])
                            if sf["fact_id"] in words.facts
                            else sf["value"]
                            for sf in s["facts"]
                            if sf["source"] == o
                        )
                    )
                    for o in dict.fromkeys(sf["source"] for sf in s["facts"])
                ]
            ),
        )
        for s in steps
    ]
    return {
        "key": f"{r['id']}#{n}",
        "anchor": anchor("revision", f"{r['id']}#{n}"),
        "result_id": r["id"],
        "svg_id": f"rev{index}",
        "title": subject,
        "issuer": issuer or "",
        "unit": unit,
        "sentence": " → ".join(f"{what} (stated {when})" for when, what in said),
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
                    }
                    for sf in s["facts"]
                ],
            }
            for s, (_, what) in zip(steps, said, strict=True)
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
        "colors": sorted(set(color.values())),
        "legend": [(color[o], words.outlet(o)) for o in outlets],
        "unit_label": fmt.unit_suffix(unit).strip() or unit,
    }
