"""Checks of single fact fields that need more than a type: periods written as text, counts,
dates in order, the value's place in its quote, and claims. Each reports located problems and
returns the value or None; ``load.corpus`` builds facts from them."""

from __future__ import annotations

from collections.abc import Callable

from factledger.load import yamlnodes as yn
from factledger.mentions import whole_mention_spans
from factledger.model import CLAIM_KINDS, Claim, Metric, Period, Problems, Source, did_you_mean
from factledger.text import fold


def _check_fields(m: yn.Map, spec: dict[str, bool], probs: Problems, what: str, *ids: str) -> bool:
    ok = True
    for name in m.items:
        if name not in spec:
            more = did_you_mean(name, spec)
            probs.add(m.key_lines[name], name, f"unknown field in {what}{more}", *ids)
            ok = False
    for name, required in spec.items():
        if required and name not in m.items:
            probs.add(m.line, name, f"missing required field of {what}", *ids)
            ok = False
    return ok


def _text(node: yn.Node | None, probs: Problems, fld: str, *ids: str, any_scalar=False):
    """A string field. ``any_scalar`` accepts numbers/dates as their written text."""
    if node is None:
        return None
    if isinstance(node, yn.Scalar):
        if node.kind == "str" or (any_scalar and node.kind not in ("null", "bool")):
            return node.text
        probs.add(node.line, fld, f"expected text, got {node.kind} {node.text!r}", *ids)
        return None
    probs.add(node.line, fld, f"expected text, got a {type(node).__name__.lower()}", *ids)
    return None


def _str_list(node: yn.Node | None, probs: Problems, fld: str, *ids: str) -> list[str] | None:
    if node is None:
        return None
    if isinstance(node, yn.Scalar) and node.kind == "str":
        return [node.text]
    if not isinstance(node, yn.Seq):
        probs.add(node.line, fld, "expected a list of text", *ids)
        return None
    out = [_text(n, probs, fld, *ids) for n in node.items]
    return None if any(v is None for v in out) else out  # type: ignore[return-value]


def _str_map(node: yn.Node | None, probs: Problems, fld: str, *ids: str) -> dict | None:
    if node is None:
        return None
    if not isinstance(node, yn.Map):
        probs.add(node.line, fld, "expected a mapping of text to text", *ids)
        return None
    out = {}
    for k, v in node.items.items():
        val = _text(v, probs, f"{fld}.{k}", *ids, any_scalar=True)
        if val is None:
            return None
        out[k] = val
    return out


def _period_text(node: yn.Node, probs: Problems, fld: str, fid: str) -> str | None:
    """A period is text: YAML's reading of an unquoted 2025 (a number) or 2025-11-27 (a date) is
    refused, so the file says what the curator meant."""
    if isinstance(node, yn.Scalar) and node.kind == "int":
        hint = f"write FY{node.text}, or quote it" if len(node.text) == 4 else "quote it"
        probs.add(node.line, fld, f"{node.text} is a YAML number, not a period: {hint}", fid)
        return None
    if isinstance(node, yn.Scalar) and node.kind in ("float", "timestamp"):
        what = "date" if node.kind == "timestamp" else "number"
        probs.add(node.line, fld, f"{node.text} is a YAML {what}, not a period: quote it", fid)
        return None
    return _text(node, probs, fld, fid)


def _count(node: yn.Node, probs: Problems, fld: str, fid: str) -> int | None:
    """A positive whole number written as one (1, 2, ...)."""
    if (
        isinstance(node, yn.Scalar)
        and node.kind == "int"
        and node.text.isdigit()
        and (int(node.text) >= 1)
    ):
        return int(node.text)
    text = node.text if isinstance(node, yn.Scalar) else type(node).__name__.lower()
    probs.add(node.line, fld, f"{text!r} is not a positive whole number (1, 2, ...)", fid)
    return None


def _dates_in_order(
    vals: dict[str, object],
    periods: dict[str, Period],
    source: Source,
    at: Callable[[str], int],
    probs: Problems,
    fid: str,
) -> bool:
    """A source cannot report a claim made after it was published, nor an actual figure of a
    period that had not begun."""
    published = source.published
    ok = True
    stated = periods.get("stated")
    if stated is not None and stated.start > published.end:
        probs.add(
            at("stated"),
            "stated",
            f"{stated.text} is after the source was published ({published.text})",
            fid,
        )
        ok = False
    period = periods.get("period")
    if vals.get("kind") == "actual" and period is not None and period.start > published.end:
        probs.add(
            at("period"),
            "period",
            f"an actual figure of {period.text}, which starts after the source was published "
            f"({published.text}): a projection is guidance, forecast or estimate",
            fid,
        )
        ok = False
    return ok


def _value_placed(
    vals: dict[str, object], at: Callable[[str], int], probs: Problems, fid: str
) -> bool:
    """The value's place in the quote is known: one whole-number match, or ``occurrence`` says
    which. (No match at all is provenance's finding: it shows the quote.)"""
    value, occurrence = str(vals["value"]), vals.get("occurrence")
    spans = whole_mention_spans(fold(str(vals["quote"])), fold(value))
    if occurrence is None and len(spans) > 1:
        probs.add(
            at("value"),
            "value",
            f"{value!r} is {len(spans)} numbers of the quote: say which with occurrence: "
            f"1..{len(spans)}",
            fid,
        )
        return False
    if isinstance(occurrence, int) and spans and occurrence > len(spans):
        times = "once" if len(spans) == 1 else f"{len(spans)} times"
        probs.add(
            at("occurrence"),
            "occurrence",
            f"{occurrence}, but the quote holds {value!r} {times}",
            fid,
        )
        return False
    return True


def _claim(
    spec: dict[str, str], metrics: dict[str, Metric], line: int, probs: Problems, fid: str
) -> Claim | None:
    """A claim mapping: exactly one of CLAIM_KINDS, with what that kind needs."""
    kinds = [k for k in spec if k in CLAIM_KINDS]
    extra = sorted(set(spec) - set(CLAIM_KINDS) - {"ranking", "by", "of", "subject"})
    if len(kinds) != 1 or extra:
        unknown = f"; unknown {', '.join(extra)}" if extra else ""
        message = f"one of {', '.join(CLAIM_KINDS)} (rank with ranking: and by:, count with of:)"
        probs.add(line, "claim", message + unknown, fid)
        return None
    kind = kinds[0]
    arg = spec[kind].strip()
    if kind in ("greater_than", "less_than"):
        if not arg:
            probs.add(
                line, "claim", f"{kind}: the other figure (a {{fact-id}} or a reference)", fid
            )
            return None
        return Claim(kind, other=arg, subject=spec.get("subject"))
    if kind in ("record_high", "record_low"):
        if arg.lower() not in ("true", "yes"):
            probs.add(line, "claim", f"{kind}: true", fid)
            return None
        return Claim(kind)
    if not arg.isdigit() or int(arg) < 1:
        probs.add(line, "claim", f"{kind}: a whole number from 1, not {arg!r}", fid)
        return None
    if kind == "rank":
        by = spec.get("by")
        if not spec.get("ranking") or (by is not None and by not in metrics):
            message = (
                "rank: needs ranking: (the name of the ranking) and, when the corpus holds the "
                f"figures that rank it, by: (their metric){'' if by is None else f', not {by!r}'}"
            )
            probs.add(line, "claim", message, fid)
            return None
        return Claim(kind, n=int(arg), ranking=spec["ranking"], by=by)
    of = spec.get("of", "")
    if of not in metrics:
        probs.add(line, "claim", f"count: needs of: a metric whose facts list the members "
                  f"(not {of!r})", fid)  # fmt: skip
        return None
    return Claim(kind, n=int(arg), of=of)
