"""``factledger explain ID``: one fact, how its value was read, and what checks it — or one result
(a finding's id, as ``check`` and the page print it): what it says and the facts it names.

A face: it runs the engine and presents what the checks said about one fact — its quote and
value, the interval the quantity parser read (as written and in the metric's canonical unit),
every result whose ``fact_ids`` include it with its verdict, and, said plainly, when no rule,
invariant, claim or conflict involves it (then only its own source vouches for it).
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Callable
from typing import TextIO

from factledger import engine, formatting
from factledger.model import Fact, Finding, Interval, Result, verdict_words

EXIT_OK, EXIT_NOT_LOADED, EXIT_USAGE = 0, 1, 2

# Results that hold a fact against other facts; every other kind checks it on its own.
CROSS_KINDS = ("rule", "invariant", "claim", "conflict")


def _iv(iv: Interval | None) -> str:
    if iv is None:
        return "not read"
    words, brackets = formatting.interval_words(iv), formatting.interval(iv)
    return words if words == brackets else f"{words}  {brackets}"


def _result_lines(r: Result, finding: Finding | None) -> list[str]:
    status = f", {finding.status}" if finding and finding.status != "open" else ""
    where = f"{r.where}: " if r.where else ""
    head = (
        f"  {where}{r.kind}: {verdict_words(r.verdict, r.kind)} "
        f"({r.verdict}, {r.severity}{status}) — {r.id}"
    )
    lines = [head, f"      {r.message}"]
    if finding and finding.ack and finding.status == "acknowledged":
        lines.append(f"      reviewed: {finding.ack.verdict} — {finding.ack.reason}")
    return lines


def explain(outcome: engine.Outcome, fact: Fact) -> str:
    corpus = outcome.corpus
    src = corpus.sources.get(fact.source)
    lines = [f"{fact.id} — {fact.file}:{fact.line}"]
    if src is not None:
        lines.append(
            f"  source:  {src.id} — {src.outlet}, {src.title} (published "
            f"{formatting.period_as_written(src.published)}), {src.file}"
        )
    quals = f" [{formatting.qualifiers(fact.qualifiers)}]" if fact.qualifiers else ""
    lines.append(
        f"  key:     {fact.entity}.{fact.metric}{quals} @ "
        f"{formatting.period_as_written(fact.period)}, {fact.kind}"
    )
    if fact.stated != (src.published if src else None):
        lines.append(f"  stated:  {formatting.period_as_written(fact.stated)}")
    lines.append(f"  quote:   「{fact.quote}」")
    extras = [f"{k} {v!r}" for k, v in (("hedge", fact.hedge), ("unit", fact.unit),
                                          ("rounded to", fact.rounded_to)) if v]  # fmt: skip
    lines.append(f"  value:   {fact.value!r}" + (f" ({', '.join(extras)})" if extras else ""))
    if fact.note:
        lines.append(f"  note:    {fact.note}")

    metric = corpus.metrics.get(fact.metric)
    lines += ["", "How the value was read (sound: every value the text allows):"]
    canonical = f"canonical ({metric.unit})" if metric else "canonical"
    width = max(len(canonical), len("typical reading")) + 2
    lines.append(f"  {'as written:':<{width}}{_iv(fact.interval)}")
    lines.append(f"  {canonical + ':':<{width}}{_iv(fact.canonical)}")
    # The typical reading (the value a reader would take) comes with quantities that carry one;
    # until then only the sound interval above is printed.
    typical = getattr(fact, "typical", None)
    if isinstance(typical, Interval):
        lines.append(f"  {'typical reading:':<{width}}{_iv(typical)}")

    findings = {f.result.id: f for f in outcome.findings}
    mine = [r for r in outcome.results if fact.id in r.fact_ids]
    cross = [r for r in mine if r.kind in CROSS_KINDS]
    own = [r for r in mine if r.kind not in CROSS_KINDS]
    lines += ["", f"What checks it against other facts ({len(cross)}):"]
    if cross:
        for r in cross:
            lines += _result_lines(r, findings.get(r.id))
    else:
        lines.append(
            "  Nothing cross-checks this fact: no rule, invariant, claim or conflict involves it. "
            "Only its own source vouches for it."
        )
        lines.append(
            f"  A rule in checks/rules/ that refers to {fact.entity}.{fact.metric}@"
            f"{formatting.period_label(fact.period)} or {{{fact.id}}}, a relation of "
            f"{fact.metric!r} in facts/metrics.yaml with a partner figure, or another source "
            "giving the same figure, would check it."
        )
    lines += ["", f"What checks it on its own ({len(own)}):"]
    for r in own:
        lines += _result_lines(r, findings.get(r.id))
    if not own:
        lines.append("  nothing")
    return "\n".join(lines) + "\n"


def explain_result(outcome: engine.Outcome, result: Result) -> str:
    """One result: its verdict and message, its review, then each fact it names, with the quote
    (so a reviewer can judge a finding without opening the files)."""
    findings = {f.result.id: f for f in outcome.findings}
    lines = _result_lines(result, findings.get(result.id))
    facts = {f.id: f for f in outcome.corpus.facts}
    named = [facts[i] for i in dict.fromkeys(result.fact_ids) if i in facts]
    lines += ["", f"The facts it names ({len(named)}):"]
    for f in named:
        quals = f" [{formatting.qualifiers(f.qualifiers)}]" if f.qualifiers else ""
        lines.append(f"  {f.id} — {f.file}:{f.line}")
        lines.append(
            f"      {f.entity}.{f.metric}{quals} @ {formatting.period_label(f.period)}: "
            f"{f.value!r} ({f.source})"
        )
        lines.append(f"      「{f.quote}」")
    if not named:
        lines.append("  none")
    lines.append("")
    lines.append("Each fact: factledger explain <fact id>.")
    return "\n".join(lines) + "\n"


def cmd_explain(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    outcome = engine.run(args.root, expectations=not args.fast)
    facts = {f.id: f for f in outcome.corpus.facts}
    fact = facts.get(args.fact_id)
    for name in sorted(outcome.corpus.unreadable):  # the explanation may lack what it holds
        print(
            formatting.visible_controls(f"factledger explain: cannot read {name}"), file=sys.stderr
        )
    if fact is not None:
        print(formatting.visible_controls(explain(outcome, fact)), end="", file=out)
        return EXIT_USAGE if outcome.corpus.unreadable else EXIT_OK
    result = next((r for r in outcome.results if r.id == args.fact_id), None)
    if result is not None:
        print(formatting.visible_controls(explain_result(outcome, result)), end="", file=out)
        return EXIT_USAGE if outcome.corpus.unreadable else EXIT_OK
    problems = [r for r in outcome.results if args.fact_id in r.fact_ids]
    if problems:
        print(f"{args.fact_id} was not loaded; its input problems:", file=out)
        for r in problems:
            line = f"  {r.where + ': ' if r.where else ''}{r.message}"
            print(formatting.visible_controls(line), file=out)
        return EXIT_NOT_LOADED
    known = [*facts, *(r.id for r in outcome.results)]
    hint = difflib.get_close_matches(args.fact_id, known, n=3)
    more = f" (did you mean {', '.join(hint)}?)" if hint else ""
    message = f"factledger explain: no fact or result {args.fact_id!r} in {args.root}{more}"
    print(formatting.visible_controls(message), file=sys.stderr)
    return EXIT_USAGE


def add_parser(
    sub: argparse._SubParsersAction, with_root: Callable, **kw
) -> argparse.ArgumentParser:
    p = with_root(
        sub.add_parser(
            "explain",
            help="one fact (its quote, how its value was read, every result involving it) or "
            "one result (what it says and the facts it names)",
            description="For a fact id: print the fact (file:line, source, quote, value), the "
            "interval its value was read as (as written and in the metric's canonical unit), then "
            "every result that involves it with its verdict: first what checks it against other "
            "facts (rules, invariants, claims, conflicts) — or, plainly, that nothing does — then "
            "its own checks (provenance, input). For a result id (as `check` and the report print "
            "it): its verdict, message and review, then every fact it names with its quote.",
            **kw,
        )
    )
    p.add_argument("fact_id", metavar="ID", help="a fact id (facts/<source>.yaml) or a result id")
    p.add_argument("--fast", action="store_true", help="skip the great-expectations suite")
    p.set_defaults(func=cmd_explain)
    return p
