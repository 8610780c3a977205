"""Plain sentences for an editor, built from the report document alone.

A finding card opens with one sentence in the corpus's own numbers and outlets — "懂財帝 and 雲媒體
give 可靈's 2025Q2 revenue as 2.5億元 and 約2億元: they cannot both be right." — so the reader
sees the story before the interval arithmetic. Outlets come from ``sources[].outlet``, entity
names from ``entities[].names``, metrics from ``metrics[]``, and every value is the fact's
``value`` as written (with a hedge the value shares with its neighbours, e.g. 分別超過…). Nothing
here decides a verdict: the sentence only says in words what the engine found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from factledger.model import ACK_WORDS, verdict_words

# Metric keys are snake_case; these parts read as abbreviations (mau → MAU, pe_ratio → PE ratio).
ABBREVIATIONS = frozenset(
    {"mau", "dau", "gmv", "arpu", "yoy", "qoq", "ai", "api", "cpm", "capex", "pe", "rd", "roi"}
)
# A sentence names at most this many values; the card's evidence table has every fact.
SENTENCE_VALUES = 6
SENTENCE_CHARS = 260  # about three lines of a card: beyond it, values give way to "and N more"
_FACT_REF = re.compile(r"\{([^{}]+)\}")


def join(items: Sequence[str]) -> str:
    """a · a and b · a, b and c"""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def metric_words(key: str) -> str:
    return " ".join(p.upper() if p in ABBREVIATIONS else p for p in key.split("_") if p)


def qualifier_words(quals: dict[str, Any] | None) -> str:
    """{model: kling-2.1-hq, basis: kling-2.0-master} → "basis kling-2.0-master, model …"."""
    return ", ".join(f"{k} {v}" for k, v in sorted((quals or {}).items()))


class Words:
    """Sentences over one document (its outlets, entity names and facts, indexed once)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.facts = {f["id"]: f for f in doc.get("facts") or []}
        self.sources = {s["id"]: s for s in doc.get("sources") or []}
        self.names = {
            e["key"]: (e.get("names") or [e["key"]])[0] for e in doc.get("entities") or []
        }

    # ----------------------------------------------------------------------------- pieces

    def outlet(self, source_id: str) -> str:
        return (self.sources.get(source_id) or {}).get("outlet") or source_id

    def entity(self, key: str) -> str:
        return self.names.get(key) or key

    def value(self, fact: dict[str, Any]) -> str:
        """The value as written; a hedge the quote shares with it (分別超過1.5億元、2.5億元 →
        2.5億元) is said beside it, so 2.5億元 is never read as exact."""
        value = fact.get("value") or ""
        hedge = fact.get("hedge") or ""
        return f"{value} ({hedge})" if hedge and hedge not in value else value

    def subject(self, fact: dict[str, Any], *, period: bool = True, qualifiers: bool = True) -> str:
        """可靈's 2025Q1 revenue (segment p-side)"""
        parts = [f"{self.entity(fact.get('entity') or '')}'s"]
        if period:
            parts.append((fact.get("period") or {}).get("text") or "")
        parts.append(metric_words(fact.get("metric") or ""))
        quals = qualifier_words(fact.get("qualifiers")) if qualifiers else ""
        return " ".join(p for p in parts if p) + (f" ({quals})" if quals else "")

    def with_values(self, text: str) -> str:
        """A rule's description with ``{fact-id}`` written as that fact's value."""
        return _FACT_REF.sub(
            lambda m: self.value(self.facts[m.group(1)]) if m.group(1) in self.facts else m.group(),
            text,
        )

    # ----------------------------------------------------------------------------- who says what

    def claims(self, facts: Sequence[dict[str, Any]], limit: int = SENTENCE_VALUES) -> str:
        """What the outlets give, in one clause: "懂財帝 and 雲媒體 give 可靈's 2025Q2 revenue as
        2.5億元 and 約2億元"; what all facts share is said once, what differs beside each value."""
        facts = [f for f in facts if f]
        if not facts:
            return ""

        def shared(key: str) -> bool:
            return len({repr(f.get(key)) for f in facts}) == 1

        same_entity, same_metric = shared("entity"), shared("metric")
        same_period = len({(f.get("period") or {}).get("text") for f in facts}) == 1
        same_quals = shared("qualifiers")
        first = facts[0]
        # one entity's one metric: said once, the values beside their periods and qualifiers
        one_subject = same_entity and same_metric

        def item(f: dict[str, Any]) -> tuple[str, str]:
            """(what sets the value apart from the others, the value)"""
            period = (f.get("period") or {}).get("text") or ""
            if one_subject:
                quals = "" if same_quals else qualifier_words(f.get("qualifiers"))
                return ("" if same_period else period,
                        self.value(f) + (f" ({quals})" if quals else ""))  # fmt: skip
            what = [] if same_entity else [f"{self.entity(f.get('entity') or '')}'s"]
            if not same_period:
                what.append(period)
            what.append(metric_words(f.get("metric") or ""))
            quals = qualifier_words(f.get("qualifiers"))
            return " ".join(w for w in what if w) + (f" ({quals})" if quals else ""), self.value(f)

        def said(items: list[tuple[str, str]]) -> str:
            """破4億 and 4億 for 2024Q4, 3.8億 for 2025Q1 · revenue as 5000萬元, share as 33%"""
            if one_subject:
                by_period: dict[str, list[str]] = {}
                for period, v in items:
                    by_period.setdefault(period, []).append(v)
                return join([join(vs) + (f" for {p}" if p else "") for p, vs in by_period.items()])
            return join([f"{what} as {v}" for what, v in items])

        by_outlet: dict[str, list[tuple[str, str]]] = {}
        for f in facts:
            it = item(f)
            items = by_outlet.setdefault(self.outlet(f.get("source") or ""), [])
            if it not in items:
                items.append(it)
        total = sum(map(len, by_outlet.values()))
        # fewer values while the clause runs long (lists of qualified subjects), never fewer
        # than one per outlet: the sentence names everyone
        kept = _trim(by_outlet, limit)
        while sum(len(said(v)) for v in kept.values()) > SENTENCE_CHARS and sum(
            map(len, kept.values())
        ) > len(kept):
            kept = _trim(by_outlet, sum(map(len, kept.values())) - 1)
        more = total - sum(map(len, kept.values()))
        tail = f" (and {more} more)" if more > 0 else ""
        if one_subject:
            subject = self.subject(first, period=same_period, qualifiers=same_quals)
            if all(len(v) == 1 for v in kept.values()) and len(kept) > 1:
                outlets = join(list(kept))
                values = join([said(v) for v in kept.values()])
                return f"{outlets} give {subject} as {values}{tail}"
            groups = [f"{o} gives {subject} as {said(v)}" for o, v in kept.items()]
            return "; ".join(groups) + tail
        lead = ""
        period = (first.get("period") or {}).get("text")
        if same_entity:
            lead = f"For {self.entity(first.get('entity') or '')}"
            if same_period:
                lead += f" in {period}"
            lead += ", "
        elif same_period:
            lead = f"In {period}, "
        groups = [f"{o} gives {said(v)}" for o, v in kept.items()]
        return lead + "; ".join(groups) + tail

    # ----------------------------------------------------------------------------- the lead

    def lead(self, result: dict[str, Any], facts: Sequence[dict[str, Any]]) -> str:
        """The card's first sentence: who says what, then what that means."""
        kind, verdict = result.get("kind") or "", result.get("verdict") or ""
        data = result.get("data") or {}
        claims = self.claims(facts)
        several = len({self.value(f) for f in facts}) > 2
        if not claims:
            if kind == "rule" or kind in ("invariant", "claim"):
                return self.rule_without_facts(result)
            return result.get("message") or verdict_words(verdict, kind)
        if verdict == "conflict":
            return f"{claims}: they cannot {'all' if several else 'both'} be right."
        if verdict == "stale":
            return f"{claims}: {self.stale(data) or 'one of them is an outdated figure'}."
        if verdict == "needs-review":
            return f"{claims}: different subjects, or one figure given two ways?"
        if verdict == "agree":
            return f"{claims}: they agree."
        if verdict == "revision":
            return f"{claims}: a later statement revises the figure."
        if verdict == "strained":
            return f"{claims}: they fit together only at a stretch."
        if verdict == "repeated-figure":
            return f"{claims}: the same figure, given for different dates."
        if kind == "claim" and verdict == "violated":
            return f"{claims}: they contradict the claim."
        if verdict == "violated":
            return f"{claims}: they cannot all be right."
        return f"{claims}: {verdict_words(verdict, kind).lower()}."

    def stale(self, data: dict[str, Any]) -> str:
        """ "3.8億 is the figure 伯虎財經 gives for 2023Q4" from ``matches_earlier``."""
        parts = []
        for fid, earlier in sorted((data.get("matches_earlier") or {}).items()):
            fact = self.facts.get(fid)
            value = self.value(fact) if fact else fid
            period = earlier.get("period_label") or earlier.get("period") or ""
            parts.append(
                f"{value} is what {self.outlet(earlier.get('source') or '')} gives for the "
                f"earlier period {period} ({earlier.get('value')}) — an outdated figure "
                "presented as current"
            )
        return "; ".join(parts)

    def rule_without_facts(self, result: dict[str, Any]) -> str:
        data = result.get("data") or {}
        what = self.with_values(data.get("description") or "") or result.get("id") or ""
        missing = data.get("unresolved") or []
        if result.get("verdict") == "unresolved" and missing:
            return f"{what.rstrip('.')}: cannot be checked — no fact for {join(missing)}."
        return (
            f"{what.rstrip('.')}: {verdict_words(result.get('verdict') or '', result.get('kind'))}."
        )

    def why(self, result: dict[str, Any]) -> str:
        """A second line: the relation a rule states, in words, with values for fact ids."""
        data = result.get("data") or {}
        if result.get("kind") in ("rule", "invariant", "claim") and data.get("description"):
            return self.with_values(data["description"])
        return ""

    def strain(self, result: dict[str, Any]) -> str:
        """What a strained reading takes (payload ``strain``), with outlets for source ids."""
        text = (result.get("data") or {}).get("strain") or ""
        for sid in sorted(self.sources, key=len, reverse=True):
            if sid in text:
                text = text.replace(f"({sid})", f"({self.outlet(sid)})")
        return f"Only at a stretch: {text}." if text else ""

    def reviewed(self, ack: dict[str, Any] | None) -> str:
        if not ack:
            return ""
        verdict = ack.get("verdict") or ""
        return ACK_WORDS.get(verdict, verdict)


def _trim(by_outlet: dict[str, list[Any]], limit: int) -> dict[str, list[Any]]:
    """At most ``limit`` values, but one for every outlet first: the sentence names everyone."""
    if sum(map(len, by_outlet.values())) <= limit:
        return by_outlet
    kept = {o: v[:1] for o, v in by_outlet.items()}
    room = limit - len(kept)
    for o, values in by_outlet.items():
        extra = values[1 : 1 + max(room, 0)]
        kept[o] += extra
        room -= len(extra)
    return kept
