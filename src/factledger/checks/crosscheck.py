"""Cross-check coverage: the share of numeric facts that some rule, invariant, claim or conflict
group actually compares with something else.

Definitions (docs/mutations.md):

* a **numeric fact** reads as a finite or half-bounded interval in a non-date dimension and is not
  ``hypothetical``;
* a fact is **touched** when it is an operand of at least one rule, invariant, claim or conflict
  group whose verdict can change between passing and failing when the fact's value changes — an
  operand of an unbounded or vacuous comparison does not count. Each cross-checking check reports
  the facts it touches (``CheckOutput.touched``), computed by probing the fact's value (see
  :func:`probes`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from factledger.model import DIMENSION_DOMAINS, Fact, Interval

if TYPE_CHECKING:
    from factledger.load import Corpus

# How far from the fact's own magnitude the other values it is probed with lie: a comparison
# that only a far larger or smaller value could break still counts as a check, and a monotone one
# (every rule kind, and a conflict group) is decided by its two extremes.
PROBE_REACH = 1e6


def is_numeric(fact: Fact, dimension: str) -> bool:
    iv = fact.canonical
    if iv is None or dimension == "date" or fact.kind == "hypothetical" or iv.is_empty:
        return False
    if math.isnan(iv.lo) or math.isnan(iv.hi):
        return False
    return not (math.isinf(iv.lo) and math.isinf(iv.hi))


def probes(iv: Interval, dimension: str) -> list[Interval]:
    """Other values the fact could have had, as points in its unit, inside its domain: the far
    ends (its magnitude × 10⁻⁶ and × 10⁶, or the domain's own ends, and far below zero where the
    domain allows it)."""
    lo_dom, hi_dom = DIMENSION_DOMAINS.get(dimension, (0.0, math.inf))
    ends = [abs(x) for x in (iv.lo, iv.hi) if math.isfinite(x) and x != 0]
    r = max(ends) if ends else 1.0
    low = -r * PROBE_REACH if lo_dom < 0 else r / PROBE_REACH
    values = {max(lo_dom, low), min(hi_dom, r * PROBE_REACH)}
    return [Interval(v, v, unit=iv.unit) for v in sorted(values)]


def measure(corpus: Corpus, touched: set[str]) -> dict[str, Any]:
    """Numeric facts and the touched ones, per source and overall."""
    numeric = []
    for f in corpus.facts:
        metric = corpus.metrics.get(f.metric)
        if metric is not None and is_numeric(f, metric.dimension):
            numeric.append((f.source, f.id))
    return tally(numeric, touched)


def tally(numeric: Iterable[tuple[str, str]], touched: set[str]) -> dict[str, Any]:
    """Per source and overall, from the numeric facts' (source, id) in corpus order."""
    per: dict[str, dict[str, Any]] = defaultdict(lambda: {"numeric": 0, "touched": 0})
    untouched: dict[str, list[str]] = defaultdict(list)
    for source, fid in numeric:
        per[source]["numeric"] += 1
        if fid in touched:
            per[source]["touched"] += 1
        else:
            untouched[source].append(fid)
    sources = {}
    for sid in sorted(per):
        n, t = per[sid]["numeric"], per[sid]["touched"]
        sources[sid] = {
            "numeric": n,
            "touched": t,
            "share": round(t / n, 4) if n else 1.0,
            "untouched": untouched[sid],
        }
    n = sum(s["numeric"] for s in sources.values())
    t = sum(s["touched"] for s in sources.values())
    return {
        "summary": {"numeric": n, "touched": t, "share": round(t / n, 4) if n else 1.0},
        "sources": sources,
    }
