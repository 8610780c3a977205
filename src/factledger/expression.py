"""The rule language: syntax tree, tokenizer, recursive-descent parser and printer.

A rule asserts something over facts, e.g. ``kling.revenue@2025Q1 + kling.revenue@2025Q2 +
kling.revenue@2025Q3 ~ kling.revenue@2025Q1..2025Q3``. User text is tokenized and parsed by hand;
nothing is ever ``eval``-ed. ``docs/rules.md`` describes the language as users see it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from factledger.model import CURRENCIES, KINDS, Period
from factledger.period import PeriodError, parse_period

# --- the syntax tree --------------------------------------------------------------------------
# Columns are 1-based positions in the expression text; they never take part in equality so a
# printed-and-reparsed tree equals the original.


@dataclass(frozen=True)
class Num:
    value: float
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Str:
    value: str
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Ref:
    """``entity.metric@period[key=value, ...]``."""

    entity: str
    metric: str
    period: Period
    filters: tuple[tuple[str, str], ...] = ()
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class IdRef:
    """``{fact-id}``: one fact by id, whatever its kind."""

    fact_id: str
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Neg:
    operand: Expr
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class BinOp:
    op: str  # + - * /
    left: Expr
    right: Expr
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    name: str  # sum share growth fx
    args: tuple[Expr, ...]
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Compare:
    op: str  # < <= > >= == ~
    left: Expr
    right: Expr
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Trend:
    """``increasing(ref)`` / ``decreasing(ref)``: a whole assertion over a series."""

    name: str
    ref: Ref
    col: int = field(default=0, compare=False)


Expr = Num | Str | Ref | IdRef | Neg | BinOp | Call
Assertion = Compare | Trend

COMPARISONS = ("<=", ">=", "==", "<", ">", "~")
FUNCTIONS = {"sum": "sum(a, b, ...)", "share": "share(part, whole)", "growth": "growth(new, old)"}
FUNCTIONS |= {"fx": 'fx(amount, "USD", "CNY")'}
TRENDS = ("increasing", "decreasing")
# Limits that keep arbitrary text from exhausting the stack when a tree is parsed, printed or
# evaluated (all recursive); real rules are far smaller.
MAX_DEPTH = 64  # nesting of parentheses, calls and unary minus
MAX_NODES = 200  # operators and calls in one assertion


class ExprError(ValueError):
    """A problem in an expression, at a 1-based column."""

    def __init__(self, reason: str, column: int) -> None:
        self.reason = reason
        self.column = column
        super().__init__(f"{reason} at column {column}")


# --- tokenizer ------------------------------------------------------------------------------

# Entity and metric keys: words joined by '-' (baidu-steam-engine); an entity starts with a
# letter so that a number such as 1.5 is never read as a reference.
_ENTITY = r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*"
_METRIC = r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*"
# ASCII and full-width digits, as the quantity parser reads them (NFKC); never \d, which also
# matches Bengali ৪ (8), Devanagari ८ and every other script's digits.
_DIGITS = "[0-9０-９]"
_TOKEN = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<ref>(?P<entity>{_ENTITY})\.(?P<metric>{_METRIC})(?P<at>@)?)
  | (?P<num>{_DIGITS}+(?:\.{_DIGITS}+)?(?:[eE][+-]?{_DIGITS}+)?(?P<mult>[萬億])?)
  | (?P<str>"[^"\n]*"?)
  | (?P<idref>\{{[^{{}}\s]*\}}?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|==|[-+*/(),<>~])
    """,
    re.VERBOSE,
)
# After '@': period atoms joined by '..'; '-' only inside dates (2025-11-27), so that
# ``a.b@2025Q1 - c.d@2025Q1`` still subtracts.
_PERIOD = re.compile(r"[A-Za-z0-9]+(?:(?:-(?=[0-9])|\.\.)[A-Za-z0-9]+)*")
_FILTER = re.compile(
    r"\s*(?P<key>[A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?P<value>[A-Za-z0-9_][\w.\-]*)\s*"
)
_FACT_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
_MULTIPLIERS = {"萬": 1e4, "億": 1e8}


@dataclass(frozen=True)
class Token:
    kind: str  # num str idref name op ref end
    text: str
    col: int
    value: Any = None


def tokenize(text: str) -> list[Token]:
    """Split an expression into tokens; raises :class:`ExprError` on anything unknown."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExprError(f"unexpected {text[pos]!r}", pos + 1)
        kind = m.lastgroup if m.lastgroup in ("ws", "num", "str", "idref", "name", "op") else "ref"
        if kind == "ref":
            token, pos = _reference_token(text, m)
            tokens.append(token)
            continue
        if kind != "ws":
            tokens.append(_simple_token(kind, m))
        pos = m.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


def _simple_token(kind: str, m: re.Match[str]) -> Token:
    text, col = m.group(), m.start() + 1
    if kind == "num":
        return Token(kind, text, col, _number(text, m.group("mult"), col))
    if kind == "str":
        if len(text) < 2 or not text.endswith('"'):
            raise ExprError("unterminated string", col)
        return Token(kind, text, col, text[1:-1])
    if kind == "idref":
        body = text[1:-1] if text.endswith("}") else None
        if body is None:
            raise ExprError("unterminated '{' (a fact id is written {fact-id})", col)
        if not _FACT_ID.fullmatch(body):
            raise ExprError(f"bad fact id {body!r} in braces", col)
        return Token(kind, text, col, body)
    return Token(kind, text, col)


def _number(text: str, mult: str | None, col: int) -> float:
    digits = unicodedata.normalize("NFKC", text[:-1] if mult else text)
    value = float(digits) * (_MULTIPLIERS[mult] if mult else 1.0)
    if math.isinf(value):
        raise ExprError(f"number {text} is too large", col)
    return value


def _reference_token(text: str, m: re.Match[str]) -> tuple[Token, int]:
    """``entity.metric@period`` and an optional ``[filters]`` block, as one token."""
    col = m.start() + 1
    if not m.group("at"):
        raise ExprError(
            f"{m.group()!r} needs a period: write {m.group()}@2025Q1 (or a span A..B)", col
        )
    pm = _PERIOD.match(text, m.end())
    if not pm:
        raise ExprError("expected a period after '@'", m.end() + 1)
    pos = pm.end()
    filters: tuple[tuple[str, str], ...] = ()
    look = pos
    while look < len(text) and text[look] in " \t":
        look += 1
    if look < len(text) and text[look] == "[":
        filters, pos = _filters(text, look)
    value = (m.group("entity"), m.group("metric"), pm.group(), pm.start() + 1, filters)
    return Token("ref", text[m.start() : pos], col, value), pos


def _filters(text: str, start: int) -> tuple[tuple[tuple[str, str], ...], int]:
    end = text.find("]", start)
    if end < 0:
        raise ExprError("unclosed '[' (filters are written [key=value, ...])", start + 1)
    pairs: list[tuple[str, str]] = []
    offset = start + 1
    for part in text[start + 1 : end].split(","):
        fm = _FILTER.fullmatch(part)
        if not fm:
            raise ExprError(f"bad filter {part.strip()!r} (expected key=value)", offset + 1)
        key, value = fm.group("key"), fm.group("value")
        if key in dict(pairs):
            raise ExprError(f"filter {key!r} given twice", offset + 1)
        if key == "kind" and value not in KINDS:
            raise ExprError(f"unknown kind {value!r} (one of {', '.join(KINDS)})", offset + 1)
        pairs.append((key, value))
        offset += len(part) + 1
    return tuple(pairs), end + 1


# --- parser ---------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over the token list. Grammar:

    assertion := trend | expr CMP expr
    expr      := term (('+' | '-') term)*
    term      := unary (('*' | '/') unary)*
    unary     := '-' unary | primary
    primary   := NUMBER | REF | '{' id '}' | NAME '(' args ')' | '(' expr ')'
    """

    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.nodes = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, text: str) -> Token:
        if self.tok.text != text or self.tok.kind not in ("op",):
            raise self.unexpected(f"expected {text!r}")
        return self.advance()

    def unexpected(self, hint: str = "") -> ExprError:
        tok = self.tok
        what = "end of expression" if tok.kind == "end" else repr(tok.text)
        return ExprError(f"unexpected {what}" + (f" ({hint})" if hint else ""), tok.col)

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"expression nested more than {MAX_DEPTH} deep", self.tok.col)

    def count(self, tok: Token) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExprError(f"expression has more than {MAX_NODES} operations", tok.col)

    # -- levels --

    def assertion(self) -> Assertion:
        if self.tok.kind == "name" and self.tok.text in TRENDS:
            trend = self.trend()
            if self.tok.kind != "end":
                raise self.unexpected(f"{trend.name}() is a whole assertion")
            return trend
        left = self.expr()
        if not (self.tok.kind == "op" and self.tok.text in COMPARISONS):
            if self.tok.kind == "end":
                raise ExprError("an assertion needs one comparison (< <= > >= == ~)", self.tok.col)
            raise self.unexpected()
        op = self.advance()
        right = self.expr()
        if self.tok.kind == "op" and self.tok.text in COMPARISONS:
            raise self.unexpected("only one comparison is allowed")
        if self.tok.kind != "end":
            raise self.unexpected()
        return Compare(op.text, left, right, op.col)

    def trend(self) -> Trend:
        name = self.advance()
        self.expect("(")
        if self.tok.kind != "ref":
            raise self.unexpected(f"{name.text}() takes one reference such as kuaishou.mau@A..B")
        ref = self.reference()
        self.expect(")")
        return Trend(name.text, ref, name.col)

    def expr(self) -> Expr:
        node = self.term()
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.advance()
            self.count(op)
            node = BinOp(op.text, node, self.term(), op.col)
        return node

    def term(self) -> Expr:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in "*/":
            op = self.advance()
            self.count(op)
            node = BinOp(op.text, node, self.unary(), op.col)
        return node

    def unary(self) -> Expr:
        if self.tok.kind == "op" and self.tok.text == "-":
            op = self.advance()
            self.count(op)
            self.nest()
            operand = self.unary()
            self.depth -= 1
            return Neg(operand, op.col)
        return self.primary()

    def primary(self) -> Expr:
        tok = self.tok
        if tok.kind == "num":
            self.advance()
            return Num(tok.value, tok.col)
        if tok.kind == "ref":
            return self.reference()
        if tok.kind == "idref":
            self.advance()
            return IdRef(tok.value, tok.col)
        if tok.kind == "name":
            return self.call()
        if tok.kind == "str":
            raise ExprError(
                'strings are only allowed as fx() currencies: fx(x, "USD", "CNY")', tok.col
            )
        if tok.kind == "op" and tok.text == "(":
            self.nest()  # before advancing, so an error points at this parenthesis
            self.advance()
            node = self.expr()
            self.depth -= 1
            self.expect(")")
            return node
        raise self.unexpected()

    def reference(self) -> Ref:
        tok = self.advance()
        entity, metric, period_text, period_col, filters = tok.value
        try:
            period = parse_period(period_text)
        except PeriodError as exc:
            raise ExprError(f"bad period: {exc}", period_col) from None
        return Ref(entity, metric, period, filters, tok.col)

    def call(self) -> Expr:
        name = self.advance()
        if not (self.tok.kind == "op" and self.tok.text == "("):
            raise ExprError(
                f"unexpected {name.text!r} (a reference is entity.metric@period, a fact "
                '{fact-id}, a currency "USD")',
                name.col,
            )
        if name.text in TRENDS:
            raise ExprError(f"{name.text}() is a whole assertion, not part of one", name.col)
        if name.text not in FUNCTIONS:
            known = ", ".join([*FUNCTIONS, *TRENDS])
            raise ExprError(f"unknown function {name.text!r} (known: {known})", name.col)
        self.count(name)
        self.advance()
        self.nest()
        args = self.arguments(name.text)
        self.depth -= 1
        self.expect(")")
        _check_arity(name, args)
        return Call(name.text, tuple(args), name.col)

    def arguments(self, fname: str) -> list[Expr]:
        args: list[Expr] = []
        if self.tok.kind == "op" and self.tok.text == ")":
            return args
        while True:
            if fname == "fx" and len(args) in (1, 2) and self.tok.kind == "str":
                tok = self.advance()
                args.append(Str(tok.value, tok.col))
            else:
                args.append(self.expr())
            if not (self.tok.kind == "op" and self.tok.text == ","):
                return args
            self.advance()


_CURRENCY = re.compile(r"[A-Z]{3}")


def _check_arity(name: Token, args: list[Expr]) -> None:
    usage = FUNCTIONS[name.text]
    wanted = {"share": 2, "growth": 2, "fx": 3}.get(name.text)
    if (wanted is not None and len(args) != wanted) or not args:
        raise ExprError(
            f"{name.text}() takes {wanted or 'one or more'} arguments: {usage}", name.col
        )
    if name.text == "fx":
        for arg in args[1:]:
            col = getattr(arg, "col", name.col)
            if not isinstance(arg, Str) or not _CURRENCY.fullmatch(arg.value):
                raise ExprError(f"fx() currencies are quoted codes: {usage}", col)
            if arg.value not in CURRENCIES:  # else fx(x, "XYZ", "CNY") of a CNY x would pass
                known = ", ".join(CURRENCIES)
                raise ExprError(f"unknown currency {arg.value!r} (one of {known})", col)


def parse_assertion(text: str) -> Assertion:
    """Parse a whole assertion (one comparison, or increasing()/decreasing())."""
    return _Parser(text).assertion()


def parse_expression(text: str) -> Expr:
    """Parse an expression with no comparison (a derived fact's formula)."""
    parser = _Parser(text)
    node = parser.expr()
    if parser.tok.kind != "end":
        raise parser.unexpected()
    return node


# --- printing -------------------------------------------------------------------------------

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def ref_text(ref: Ref) -> str:
    base = f"{ref.entity}.{ref.metric}@{ref.period.text}"
    if not ref.filters:
        return base
    return base + "[" + ", ".join(f"{k}={v}" for k, v in ref.filters) + "]"


def to_text(node: Expr | Assertion) -> str:
    """Canonical text; ``parse(to_text(tree)) == tree``."""
    if isinstance(node, Compare):
        return f"{to_text(node.left)} {node.op} {to_text(node.right)}"
    if isinstance(node, Trend):
        return f"{node.name}({ref_text(node.ref)})"
    if isinstance(node, Num):
        return _number_text(node.value)
    if isinstance(node, Str):
        return f'"{node.value}"'
    if isinstance(node, Ref):
        return ref_text(node)
    if isinstance(node, IdRef):
        return f"{{{node.fact_id}}}"
    if isinstance(node, Neg):
        inner = to_text(node.operand)
        return f"-({inner})" if isinstance(node.operand, BinOp) else f"-{inner}"
    if isinstance(node, Call):
        return f"{node.name}(" + ", ".join(to_text(a) for a in node.args) + ")"
    return _binop_text(node)


def _number_text(value: float) -> str:
    # Shortest text that reads back to the same float: 700000000 rather than 700000000.0.
    if value == int(value) and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _binop_text(node: BinOp) -> str:
    prec = _PRECEDENCE[node.op]
    left, right = to_text(node.left), to_text(node.right)
    if isinstance(node.left, BinOp) and _PRECEDENCE[node.left.op] < prec:
        left = f"({left})"
    # The parser is left-associative: a right operand of equal precedence needs parentheses.
    if isinstance(node.right, BinOp) and _PRECEDENCE[node.right.op] <= prec:
        right = f"({right})"
    return f"{left} {node.op} {right}"


def children(node: Expr | Assertion) -> tuple[Expr, ...]:
    """The direct subexpressions of a node."""
    if isinstance(node, Compare | BinOp):
        return (node.left, node.right)
    if isinstance(node, Neg):
        return (node.operand,)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Trend):
        return (node.ref,)
    return ()


def walk(node: Expr | Assertion) -> Iterator[Expr | Assertion]:
    """Every node, pre-order."""
    yield node
    for child in children(node):
        yield from walk(child)


def check_names(
    tree: Expr | Assertion,
    entities: Collection[str] | None = None,
    metrics: Collection[str] | None = None,
    fact_ids: Collection[str] | None = None,
) -> list[ExprError]:
    """Unknown entity/metric keys and fact ids, each at its column (a None set is not checked)."""
    errors: list[ExprError] = []
    for node in walk(tree):
        if isinstance(node, Ref):
            if entities is not None and node.entity not in entities:
                errors.append(ExprError(f"unknown entity {node.entity!r}", node.col))
            if metrics is not None and node.metric not in metrics:
                col = node.col + len(node.entity) + 1
                errors.append(ExprError(f"unknown metric {node.metric!r}", col))
        elif isinstance(node, IdRef) and fact_ids is not None and node.fact_id not in fact_ids:
            errors.append(ExprError(f"unknown fact id {node.fact_id!r}", node.col))
    return errors
