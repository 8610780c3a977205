"""Consistency rules: rule files, the expression language, and the evaluator.

A rule is an assertion over facts, e.g. ``kling.revenue@2025Q1 + kling.revenue@2025Q2 +
kling.revenue@2025Q3 ~ kling.revenue@2025Q1..2025Q3``.
Every operand is an interval (:mod:`factledger.intervals`), so hedged values (超過, 約, 近) take
part as the ranges they are, and a rule says ``holds`` / ``possible`` / ``violated`` /
``unresolved``. See ``docs/rules.md`` for the language as users see it.

User text is parsed by a hand-written tokenizer and recursive-descent parser; nothing is ever
``eval``-ed. Every problem with a rule file is returned as a located
:class:`~factledger.model.Result`, never raised.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from factledger import fx, intervals
from factledger.model import KINDS, Fact, Interval, Period, Result, fingerprint
from factledger.period import PeriodError, format_period, parse_period

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
_TOKEN = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<ref>(?P<entity>{_ENTITY})\.(?P<metric>{_METRIC})(?P<at>@)?)
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?P<mult>[萬億])?)
  | (?P<str>"[^"\n]*"?)
  | (?P<idref>\{{[^{{}}\s]*\}}?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|==|[-+*/(),<>~])
    """,
    re.VERBOSE,
)
# After '@': period atoms joined by '..'; '-' only inside dates (2025-11-27), so that
# ``a.b@2025Q1 - c.d@2025Q1`` still subtracts.
_PERIOD = re.compile(r"[A-Za-z0-9]+(?:(?:-(?=\d)|\.\.)[A-Za-z0-9]+)*")
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
    digits = text[:-1] if mult else text
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
            if not isinstance(arg, Str) or not _CURRENCY.fullmatch(arg.value):
                col = getattr(arg, "col", name.col)
                raise ExprError(f"fx() currencies are quoted codes: {usage}", col)


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


# --- rules and rule files -------------------------------------------------------------------

RULE_FIELDS = ("id", "description", "severity", "tolerance", "assert")
REQUIRED_FIELDS = ("id", "description", "severity", "assert")
RULE_SEVERITIES = ("error", "warning")
_RULE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:\-]*")
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A mapping's fields: key text -> (key node, value node), for line numbers of both.
Fields = dict[str, tuple[yaml.Node, yaml.Node]]


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    severity: str
    expression: str
    tree: Assertion
    file: str
    line: int
    tolerance: float = 0.0
    # Implicit rule of a derived fact: the formula's result is read in the fact's unit when the
    # formula cannot carry it (see formula_unit_fits).
    derived: bool = False


class _Problems:
    """Collects located input problems for one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.results: list[Result] = []

    def add(self, line: int, field_name: str, message: str) -> None:
        self.results.append(problem(self.file, line, field_name, message))


def problem(file: str, line: int | None, field_name: str, message: str) -> Result:
    """A located input error: ``file:line: field: message``."""
    where = file if line is None else f"{file}:{line}"
    return Result(
        id=f"input:{where}:{field_name}",
        kind="input",
        severity="error",
        verdict="error",
        message=f"{where}: {field_name}: {message}",
        file=file,
        line=line,
    )


def load_rules(
    paths: str | Path | Iterable[str | Path] = "checks/rules",
    *,
    entities: Collection[str] | None = None,
    metrics: Collection[str] | None = None,
    fact_ids: Collection[str] | None = None,
    root: str | Path | None = None,
) -> tuple[list[Rule], list[Result]]:
    """Load rule files (a directory means its ``*.yaml``); returns (rules, problems).

    ``entities``/``metrics``/``fact_ids``: known keys (a reference to anything else is a located
    problem); None skips that check. ``root``: file names in results are relative to it.
    """
    rules: list[Rule] = []
    problems: list[Result] = []
    for path in _rule_paths(paths):
        name = _display_name(path, root)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(problem(name, None, "file", f"cannot read: {exc}"))
            continue
        got, bad = load_rule_text(text, name, entities=entities, metrics=metrics, fact_ids=fact_ids)
        rules.extend(got)
        problems.extend(bad)
    problems.extend(_duplicate_ids(rules))
    return _unique_rules(rules), problems


def _display_name(path: Path, root: str | Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _rule_paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    found: list[Path] = []
    for item in map(Path, items):
        if item.is_dir():
            found.extend(sorted(item.glob("*.yaml")))
        elif item.exists() or item.suffix in (".yaml", ".yml"):
            found.append(item)  # a named file that is missing is reported as unreadable
    return found


def _duplicate_ids(rules: list[Rule]) -> list[Result]:
    first: dict[str, Rule] = {}
    out: list[Result] = []
    for rule in rules:
        if rule.id in first:
            where = f"{first[rule.id].file}:{first[rule.id].line}"
            out.append(
                problem(rule.file, rule.line, "id", f"duplicate rule id {rule.id!r} (also {where})")
            )
        else:
            first[rule.id] = rule
    return out


def _unique_rules(rules: list[Rule]) -> list[Rule]:
    seen: set[str] = set()
    out = []
    for rule in rules:
        if rule.id not in seen:
            seen.add(rule.id)
            out.append(rule)
    return out


def load_rule_text(
    text: str,
    file: str,
    *,
    entities: Collection[str] | None = None,
    metrics: Collection[str] | None = None,
    fact_ids: Collection[str] | None = None,
) -> tuple[list[Rule], list[Result]]:
    """Parse one rule file's text; ``file`` is the name used in messages."""
    problems = _Problems(file)
    root = _compose(text, problems)
    rules: list[Rule] = []
    for node in _rule_nodes(root, problems):
        rule = _rule_from_node(node, file, problems)
        if rule is None:
            continue
        errors = check_names(rule.tree, entities, metrics, fact_ids)
        for err in errors:
            problems.add(_assert_line(node), "assert", str(err))
        if not errors:
            rules.append(rule)
    problems.results.extend(_duplicate_ids(rules))
    return _unique_rules(rules), problems.results


def _compose(text: str, problems: _Problems) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = str(getattr(exc, "problem", None) or exc)
        source_line = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
        if re.search(r":\s+[\[{]", source_line):
            reason += (
                " (quote an assert that starts with { or [: YAML reads it as a mapping or list)"
            )
        problems.add(line, "yaml", reason)
        return None


def _mapping(node: yaml.MappingNode, problems: _Problems) -> Fields:
    """Key text -> (key node, value node); duplicate and non-text keys are problems."""
    out: Fields = {}
    for key, value in node.value:
        line = key.start_mark.line + 1
        if not isinstance(key, yaml.ScalarNode):
            problems.add(line, "key", "keys must be plain words")
            continue
        if key.value in out:
            first = out[key.value][0].start_mark.line + 1
            problems.add(line, key.value, f"duplicate key (first given on line {first})")
            continue
        out[key.value] = (key, value)
    return out


def _rule_nodes(root: yaml.Node | None, problems: _Problems) -> list[yaml.MappingNode]:
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        problems.add(
            root.start_mark.line + 1, "rules", "a rule file is a mapping with a 'rules:' list"
        )
        return []
    fields = _mapping(root, problems)
    for name, (key, _) in fields.items():
        if name != "rules":
            problems.add(key.start_mark.line + 1, name, "unknown top-level field (only 'rules')")
    if "rules" not in fields:
        problems.add(root.start_mark.line + 1, "rules", "missing 'rules:' list")
        return []
    seq = fields["rules"][1]
    if not isinstance(seq, yaml.SequenceNode):
        problems.add(seq.start_mark.line + 1, "rules", "'rules' must be a list of rules")
        return []
    nodes = []
    for item in seq.value:
        if isinstance(item, yaml.MappingNode):
            nodes.append(item)
        else:
            problems.add(
                item.start_mark.line + 1, "rules", "each rule is a mapping (id, description, ...)"
            )
    return nodes


def _assert_line(node: yaml.MappingNode) -> int:
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "assert":
            return _value_line(value)
    return node.start_mark.line + 1


def _value_line(value: yaml.Node) -> int:
    # A block scalar (assert: |) has its text on the line after the key.
    extra = 1 if getattr(value, "style", None) in ("|", ">") else 0
    return value.start_mark.line + 1 + extra


def _rule_from_node(node: yaml.MappingNode, file: str, problems: _Problems) -> Rule | None:
    """One rule, or None after recording why not."""
    before = len(problems.results)
    fields = _mapping(node, problems)
    _check_field_names(fields, node.start_mark.line + 1, problems)
    text = {name: _scalar(name, fields, problems) for name in fields if name in RULE_FIELDS}
    _check_values(text, fields, problems)
    tolerance = _tolerance(text.get("tolerance"), fields, problems)
    tree = _parse_assert(text.get("assert"), fields, problems)
    rule_id, description, severity = text.get("id"), text.get("description"), text.get("severity")
    if len(problems.results) > before or None in (tree, rule_id, description, severity):
        return None
    return Rule(
        id=str(rule_id),
        description=str(description).strip(),
        severity=str(severity),
        expression=str(text["assert"]).strip(),
        tree=tree,  # type: ignore[arg-type]  # checked above
        file=file,
        line=node.start_mark.line + 1,
        tolerance=tolerance,
    )


def _check_field_names(fields: Fields, line: int, problems: _Problems) -> None:
    allowed = ", ".join(RULE_FIELDS)
    for name, (key, _) in fields.items():
        if name not in RULE_FIELDS:
            problems.add(key.start_mark.line + 1, name, f"unknown field (allowed: {allowed})")
    for name in REQUIRED_FIELDS:
        if name not in fields:
            problems.add(line, name, "missing required field")


def _check_values(text: dict[str, str | None], fields: Fields, problems: _Problems) -> None:
    rule_id, severity, description = text.get("id"), text.get("severity"), text.get("description")
    if rule_id is not None and not _RULE_ID.fullmatch(rule_id):
        reason = f"{rule_id!r} is not a rule id (letters, digits, - _ . :)"
        problems.add(_line(fields, "id"), "id", reason)
    if severity is not None and severity not in RULE_SEVERITIES:
        reason = f"{severity!r} is not one of {', '.join(RULE_SEVERITIES)}"
        problems.add(_line(fields, "severity"), "severity", reason)
    if description is not None and not description.strip():
        problems.add(_line(fields, "description"), "description", "must say what the rule checks")


def _line(fields: Fields, name: str) -> int:
    return fields[name][1].start_mark.line + 1


def _scalar(name: str, fields: Fields, problems: _Problems) -> str | None:
    value = fields[name][1]
    if isinstance(value, yaml.ScalarNode) and not value.tag.endswith(":null"):
        return str(value.value)
    # {fact-id} or [ at the start of a plain YAML value opens a mapping or a list
    hint = " (quote it: an unquoted { or [ starts a YAML mapping or list)"
    nested = isinstance(value, yaml.MappingNode | yaml.SequenceNode)
    problems.add(_line(fields, name), name, "must be a single value" + (hint if nested else ""))
    return None


def _tolerance(text: str | None, fields: Fields, problems: _Problems) -> float:
    if text is None:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value < 1:  # also false for NaN
        problems.add(
            _line(fields, "tolerance"),
            "tolerance",
            f"{text!r} is not a relative tolerance in [0, 1)",
        )
        return 0.0
    return value


def _parse_assert(text: str | None, fields: Fields, problems: _Problems) -> Assertion | None:
    if text is None:
        return None
    try:
        return parse_assertion(text)
    except ExprError as exc:
        problems.add(_value_line(fields["assert"][1]), "assert", str(exc))
        return None


# --- facts ----------------------------------------------------------------------------------


class FactIndex:
    """Facts keyed for O(1) lookup by (entity, metric, period key), by series, and by id."""

    def __init__(self, facts: Iterable[Fact]) -> None:
        self.facts = list(facts)
        by_key: dict[tuple[str, str, str], list[Fact]] = defaultdict(list)
        by_series: dict[tuple[str, str], list[Fact]] = defaultdict(list)
        for fact in self.facts:
            by_key[fact.entity, fact.metric, fact.period.key].append(fact)
            by_series[fact.entity, fact.metric].append(fact)
        self.by_key = dict(by_key)
        self.by_series = dict(by_series)
        self.by_id = {fact.id: fact for fact in self.facts}

    def lookup(self, entity: str, metric: str, period: Period) -> list[Fact]:
        return self.by_key.get((entity, metric, period.key), [])

    def series(self, entity: str, metric: str) -> list[Fact]:
        return self.by_series.get((entity, metric), [])


def selects(fact: Fact, filters: tuple[tuple[str, str], ...]) -> bool:
    """Whether a reference with ``filters`` uses ``fact``.

    Qualifier filters must all be among the fact's qualifiers. With no qualifier filter only
    unqualified facts match, so segment facts never mix into a total. Hypothetical facts match
    only ``[kind=hypothetical]``.
    """
    wanted = dict(filters)
    kind = wanted.pop("kind", None)
    if kind is not None and fact.kind != kind:
        return False
    if kind is None and fact.kind == "hypothetical":
        return False
    if not wanted:
        return not fact.qualifiers
    have = fact.qualifier_dict
    return all(have.get(k) == v for k, v in wanted.items())


def fact_dates(fact: Fact) -> frozenset[date]:
    """The date an amount is converted at: when it was stated for projections, else period end."""
    if fact.kind in ("guidance", "forecast"):
        return frozenset({fact.stated.end})
    return frozenset({fact.period.end})


# --- evaluation -----------------------------------------------------------------------------

VERDICT_ORDER = ("error", "unresolved", "violated", "possible", "holds")  # worst first


class EvalError(ValueError):
    """A rule that cannot be evaluated on these facts (units, exchange rates)."""


@dataclass(frozen=True)
class Value:
    iv: Interval
    dates: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Member:
    """One fact's contribution to an operand (converted when the operand is fx(ref, ...))."""

    fact: Fact
    interval: Interval
    dates: frozenset[date]


@dataclass
class Slot:
    """One operand of a rule: the facts a reference matched, and their combined value."""

    key: str
    label: str
    members: list[Member]
    skipped: list[Fact] = field(default_factory=list)
    excluded: int = 0  # same-key facts left out by the qualifier/hypothetical rule
    consistent: bool = True
    combined: Interval | None = None

    @property
    def value(self) -> Value:
        assert self.combined is not None
        return Value(self.combined, frozenset().union(*(m.dates for m in self.members)))


@dataclass(frozen=True)
class Outcome:
    verdict: str
    why: str
    lhs: Interval | None = None
    rhs: Interval | None = None


@dataclass(frozen=True)
class Alternative:
    slot: Slot
    member: Member
    outcome: Outcome


def worst(verdicts: Iterable[str]) -> str:
    return min(verdicts, key=VERDICT_ORDER.index)


def combine(slot: Slot) -> None:
    """Intersection when all members overlap (consistent duplicates), else the hull."""
    units = sorted({m.interval.unit for m in slot.members})
    if len(units) > 1:
        raise EvalError(
            f"{slot.label} matches facts in different units ({', '.join(units)}); "
            "filter them or convert with fx()"
        )
    inter = slot.members[0].interval
    hull = inter
    for member in slot.members[1:]:
        inter = intervals.intersection(inter, member.interval)
        hull = intervals.hull(hull, member.interval)
    slot.consistent = not inter.is_empty
    slot.combined = inter if slot.consistent else hull


def _member(fact: Fact, conversion: tuple[str, str] | None) -> Member:
    assert fact.interval is not None
    dates = fact_dates(fact)
    iv = fact.interval
    if conversion is not None:
        src, dst = conversion
        if iv.unit == dst:
            pass  # already in the target currency: used as written
        elif iv.unit in (src, ""):
            iv = _fx(lambda: fx.convert_over(iv, src, dst, dates))
        else:
            raise EvalError(f"fx(..., {src!r}, {dst!r}) got {fact.id} in {iv.unit}")
    return Member(fact, iv, dates)


def _fx(thunk: Callable[[], Interval]) -> Interval:
    try:
        return thunk()
    except fx.FxError as exc:
        raise EvalError(str(exc)) from None


def _operand_key(node: Ref | IdRef, conversion: tuple[str, str] | None) -> str:
    text = to_text(node)
    return text if conversion is None else f'fx({text}, "{conversion[0]}", "{conversion[1]}")'


def _operands(tree: Expr | Assertion) -> Iterator[tuple[Ref | IdRef, tuple[str, str] | None]]:
    """Each reference with the fx conversion applied directly to it, if any."""
    if isinstance(tree, Call) and tree.name == "fx" and isinstance(tree.args[0], Ref | IdRef):
        src, dst = tree.args[1], tree.args[2]
        assert isinstance(src, Str) and isinstance(dst, Str)
        yield tree.args[0], (src.value, dst.value)
        return
    if isinstance(tree, Ref | IdRef):
        yield tree, None
        return
    for child in children(tree):
        yield from _operands(child)


def _resolve(node: Ref | IdRef, conversion: tuple[str, str] | None, index: FactIndex) -> Slot:
    if isinstance(node, IdRef):
        fact = index.by_id.get(node.fact_id)
        facts, excluded = ([fact] if fact else []), 0
    else:
        same_key = index.lookup(node.entity, node.metric, node.period)
        facts = [f for f in same_key if selects(f, node.filters)]
        excluded = len(same_key) - len(facts)
    slot = Slot(_operand_key(node, conversion), to_text(node), [], excluded=excluded)
    for fact in facts:
        if fact.interval is None:
            slot.skipped.append(fact)
        else:
            slot.members.append(_member(fact, conversion))
    if slot.members:
        combine(slot)
    return slot


def _slots(tree: Compare, index: FactIndex) -> dict[str, Slot]:
    slots: dict[str, Slot] = {}
    for node, conversion in _operands(tree):
        key = _operand_key(node, conversion)
        if key not in slots:
            slots[key] = _resolve(node, conversion, index)
    return slots


def _eval(node: Expr, env: dict[str, Value]) -> Value:
    """The interval value of an expression, with the dates its facts carry."""
    if isinstance(node, Num):
        return Value(intervals.point(node.value))
    if isinstance(node, Ref | IdRef):
        return env[_operand_key(node, None)]
    if isinstance(node, Neg):
        inner = _eval(node.operand, env)
        return Value(intervals.neg(inner.iv), inner.dates)
    if isinstance(node, BinOp):
        left, right = _eval(node.left, env), _eval(node.right, env)
        op = {"+": intervals.add, "-": intervals.sub, "*": intervals.mul, "/": intervals.div}
        return Value(op[node.op](left.iv, right.iv), left.dates | right.dates)
    if isinstance(node, Call):
        return _call(node, env)
    raise EvalError(f"cannot evaluate {to_text(node)}")


def _call(node: Call, env: dict[str, Value]) -> Value:
    if node.name == "fx":
        return _eval_fx(node, env)
    args = [_eval(a, env) for a in node.args]
    dates = frozenset().union(*(a.dates for a in args))
    if node.name == "sum":
        total = args[0].iv
        for arg in args[1:]:
            total = intervals.add(total, arg.iv)
        return Value(total, dates)
    a, b = args[0].iv, args[1].iv
    intervals.common_unit(f"take {node.name}() of", a.unit, b.unit)
    ratio = intervals.with_unit(intervals.div(a, b), "")
    if node.name == "growth":
        ratio = intervals.sub(ratio, intervals.point(1.0))
    return Value(intervals.scale(ratio, 100.0, "%"), dates)


def _eval_fx(node: Call, env: dict[str, Value]) -> Value:
    src, dst = node.args[1], node.args[2]
    assert isinstance(src, Str) and isinstance(dst, Str)
    amount = node.args[0]
    if isinstance(amount, Ref | IdRef):
        return env[_operand_key(amount, (src.value, dst.value))]
    value = _eval(amount, env)
    if not value.dates:
        raise EvalError(f"{to_text(node)}: the amount uses no fact, so it has no date for a rate")
    iv = _fx(lambda: fx.convert_over(value.iv, src.value, dst.value, value.dates))
    return Value(iv, value.dates)


_OP_WORDS = {"<": "below", "<=": "at most", ">": "above", ">=": "at least", "==": "equal to"}


def formula_unit_fits(formula_unit: str, fact_unit: str) -> bool:
    """Whether a derived fact's formula result may be read in the fact's unit.

    A writer converts with bare numbers (``{videos} * 5 / 60`` seconds → minutes,
    ``{revenue} / {users} / 3`` → CNY per month), which carry no units. So a result that is a
    plain number or count, or whose unit the fact's unit is a rate of (CNY → CNY/month), is taken
    in the fact's unit; anything else (CNY vs USD, % vs CNY) is still a unit error.
    """
    return formula_unit in ("", "count", "x") or fact_unit.startswith(f"{formula_unit}/")


def _judge_compare(
    tree: Compare, env: dict[str, Value], tolerance: float, derived: bool = False
) -> Outcome:
    lhs, rhs = _eval(tree.left, env).iv, _eval(tree.right, env).iv
    if derived and lhs.unit != rhs.unit and formula_unit_fits(rhs.unit, lhs.unit):
        rhs = intervals.with_unit(rhs, lhs.unit)
    # A bare number is in the other side's unit (``> 7億`` against CNY); say so in the output.
    unit = intervals.common_unit("compare", lhs.unit, rhs.unit)
    lhs, rhs = intervals.with_unit(lhs, unit), intervals.with_unit(rhs, unit)
    if tree.op == "~":
        always, sometimes, diff, eps = intervals.approx(lhs, rhs, tolerance)
        verdict = _verdict(always, sometimes)
        return Outcome(verdict, _approx_why(verdict, diff, eps), lhs, rhs)
    always, sometimes = intervals.relation(lhs, tree.op, rhs)
    verdict = _verdict(always, sometimes)
    word = _OP_WORDS[tree.op]
    why = {
        "holds": f"every allowed value of the left side is {word} every allowed value of the right",
        "possible": f"some allowed values put the left side {word} the right, others do not",
        "violated": f"no allowed value puts the left side {word} the right",
    }[verdict]
    return Outcome(verdict, why, lhs, rhs)


def _verdict(always: bool, sometimes: bool) -> str:
    return "holds" if always else "possible" if sometimes else "violated"


def _approx_why(verdict: str, diff: Interval, eps: float) -> str:
    band = "" if eps == 0 else f" within ±{format_number(eps, diff.unit)}"
    d = format_interval(diff)
    if verdict == "holds":
        return f"the two sides agree{band} for every allowed value (difference {d})"
    if verdict == "possible":
        return f"the two sides can agree{band} but need not (difference {d})"
    return f"the two sides cannot agree{band}: their difference is {d}"


def evaluate(rule: Rule, index: FactIndex) -> Result:
    """Evaluate one rule against the facts; always returns a Result, never raises on data."""
    try:
        if isinstance(rule.tree, Trend):
            return _evaluate_trend(rule, rule.tree, index)
        return _evaluate_compare(rule, rule.tree, index)
    except (EvalError, intervals.UnitMismatch, fx.FxError) as exc:
        return _result(rule, "error", f"cannot evaluate: {exc}", [], {})


def evaluate_all(rules: Iterable[Rule], index: FactIndex) -> list[Result]:
    return [evaluate(rule, index) for rule in rules]


def _evaluate_compare(rule: Rule, tree: Compare, index: FactIndex) -> Result:
    slots = _slots(tree, index)
    unresolved = [s for s in slots.values() if not s.members]
    data: dict[str, Any] = {"operands": _operand_data(slots.values())}
    if unresolved:
        data["unresolved"] = [s.label for s in unresolved]
        return _result(
            rule, "unresolved", _unresolved_message(unresolved), list(slots.values()), data
        )
    base, alternatives = _decide(
        list(slots.values()), lambda env: _judge_compare(tree, env, rule.tolerance, rule.derived)
    )
    verdict = worst(a.outcome.verdict for a in alternatives) if alternatives else base.verdict
    left, right = side_texts(rule.expression, tree)
    head = f"{_side(left, tree.left, base.lhs)}; {_side(right, tree.right, base.rhs)}"
    if alternatives:
        message = (
            _alternatives_message(verdict, alternatives)
            + f". All sources together (disagreeing ones as their hull): {head}"
        )
    else:
        message = f"{head}: {verdict} — {base.why}"
    data |= {"lhs": _json(base.lhs), "rhs": _json(base.rhs)}
    data["alternatives"] = [_alternative_data(a) for a in alternatives]
    return _result(rule, verdict, message, list(slots.values()), data)


def _side(text: str, node: Expr, value: Interval | None) -> str:
    """``text = value``; a side that is only a number is just the number, in its unit."""
    if isinstance(node, Num) or (isinstance(node, Neg) and isinstance(node.operand, Num)):
        return _show(value)
    return f"{text} = {_show(value)}"


def side_texts(expression: str, tree: Compare) -> tuple[str, str]:
    """Both sides as the writer wrote them (the canonical text when the column is unknown)."""
    start = tree.col - 1
    if tree.col > 0 and expression[start : start + len(tree.op)] == tree.op:
        return expression[:start].strip(), expression[start + len(tree.op) :].strip()
    return to_text(tree.left), to_text(tree.right)


def _decide(
    slots: list[Slot], judge: Callable[[dict[str, Value]], Outcome]
) -> tuple[Outcome, list[Alternative]]:
    """Judge with every operand combined, then once per fact of each disagreeing operand.

    The other operands stay at their combined value, so the cost is one evaluation per fact of a
    disagreeing reference, never a product over sources.
    """
    env = {slot.key: slot.value for slot in slots}
    base = judge(env)
    alternatives: list[Alternative] = []
    for slot in slots:
        if slot.consistent:
            continue
        for member in slot.members:
            env_one = {**env, slot.key: Value(member.interval, member.dates)}
            alternatives.append(Alternative(slot, member, judge(env_one)))
    return base, alternatives


def _alternatives_message(verdict: str, alternatives: list[Alternative]) -> str:
    labels = ", ".join(dict.fromkeys(a.slot.label for a in alternatives))
    parts = []
    for alt in alternatives:
        fact, out = alt.member.fact, alt.outcome
        sides = f"left {_show(out.lhs)}, right {_show(out.rhs)}; " if out.lhs is not None else ""
        parts.append(f"{fact.id} ({fact.source}: {fact.value}) → {out.verdict} ({sides}{out.why})")
    return (
        f"{verdict} — the sources disagree on {labels}, so each is checked in turn: "
        + "; ".join(parts)
    )


def _unresolved_message(unresolved: list[Slot]) -> str:
    parts = []
    for slot in unresolved:
        note = ""
        if slot.skipped:
            note = f" ({len(slot.skipped)} matching fact(s) have no parsed value)"
        elif slot.excluded:
            note = (
                f" ({slot.excluded} fact(s) for this key have qualifiers or are hypothetical; "
                "add a filter such as [segment=...] to use them)"
            )
        parts.append(f"{slot.label}{note}")
    return "unresolved — no fact matches " + "; ".join(parts)


def _alternative_data(alt: Alternative) -> dict[str, Any]:
    return {
        "ref": alt.slot.label,
        "fact_id": alt.member.fact.id,
        "source": alt.member.fact.source,
        "verdict": alt.outcome.verdict,
        "lhs": _json(alt.outcome.lhs),
        "rhs": _json(alt.outcome.rhs),
    }


def _operand_data(slots: Iterable[Slot]) -> list[dict[str, Any]]:
    out = []
    for slot in slots:
        for member in slot.members:
            fact = member.fact
            entry = {
                "ref": slot.label,
                "fact_id": fact.id,
                "source": fact.source,
                "quote": fact.quote,
                "value": fact.value,
                "interval": _json(fact.interval),
                "file": fact.file,
                "line": fact.line,
            }
            if member.interval != fact.interval:
                entry["converted"] = _json(member.interval)
            out.append(entry)
    return out


def _json(iv: Interval | None) -> dict[str, Any] | None:
    return None if iv is None else iv.to_json()


def _result(
    rule: Rule, verdict: str, message: str, slots: list[Slot], data: dict[str, Any]
) -> Result:
    facts = list({m.fact.id: m.fact for s in slots for m in s.members}.values())
    parts = sorted([f.id, f.value, f.interval.to_json() if f.interval else None] for f in facts)
    base: dict[str, Any] = {
        "lhs": None,
        "rhs": None,
        "operands": [],
        "alternatives": [],
        "unresolved": [],
        "description": rule.description,
        "expression": rule.expression,
        "tolerance": rule.tolerance,
    }
    return Result(
        id=f"rule:{rule.id}",
        kind="rule",
        severity=rule.severity,
        verdict=verdict,
        # the rule in plain words first, then its numbers and the verdict's reason
        message=f"{' '.join(rule.description.split()).rstrip('.')}. {message}",
        fact_ids=tuple(f.id for f in facts),
        file=rule.file,
        line=rule.line,
        fingerprint=fingerprint(rule.expression, parts),
        data=base | data,
    )


# --- increasing() / decreasing() ------------------------------------------------------------

# Period lengths in days, so that Q1 (90 days) and Q3 (92) count as the same granularity.
_GRANULARITY = (
    ("day", 1, 1),
    ("month", 28, 31),
    ("quarter", 89, 92),
    ("half-year", 181, 184),
    ("year", 365, 366),
)


def granularity(period: Period) -> str:
    days = (period.end - period.start).days + 1
    for name, low, high in _GRANULARITY:
        if low <= days <= high:
            return name
    return f"{days}-day"


def _series_slots(ref: Ref, index: FactIndex) -> tuple[list[Slot], list[str], list[Period]]:
    """One slot per period inside the range, of the series' most common granularity."""
    inside = [
        f
        for f in index.series(ref.entity, ref.metric)
        if ref.period.start <= f.period.start
        and f.period.end <= ref.period.end
        and selects(f, ref.filters)
    ]
    groups: dict[str, list[Fact]] = defaultdict(list)
    for fact in sorted(inside, key=lambda f: (f.period.start, f.period.end)):
        groups[fact.period.key].append(fact)
    counts: dict[str, int] = defaultdict(int)
    for facts in groups.values():
        counts[granularity(facts[0].period)] += 1
    # Most periods wins; on a tie the finer granularity (shorter periods) wins.
    order = [g[0] for g in _GRANULARITY]
    chosen = max(
        counts, key=lambda g: (counts[g], -order.index(g) if g in order else -99), default=""
    )
    slots, ignored, periods = [], [], []
    for facts in groups.values():
        period = facts[0].period
        label = format_period(period.start, period.end)
        if granularity(period) != chosen:
            ignored.append(label)
            continue
        slot = Slot(period.key, label, [])
        for fact in facts:
            if fact.interval is None:
                slot.skipped.append(fact)
            else:
                slot.members.append(_member(fact, None))
        if slot.members:
            combine(slot)
            slots.append(slot)
            periods.append(period)
    return slots, ignored, periods


def _gaps(periods: list[Period]) -> list[str]:
    """The spans between consecutive periods that no fact covers."""
    gaps = []
    for prev, nxt in itertools.pairwise(periods):
        start = date.fromordinal(prev.end.toordinal() + 1)
        end = date.fromordinal(nxt.start.toordinal() - 1)
        if start <= end:
            gaps.append(format_period(start, end))
    return gaps


def _chain_possible(values: list[Interval]) -> bool:
    """Whether some choice x1 < x2 < ... < xn with xi in values[i] exists (greedy from below)."""
    lo, lo_open = values[0].lo, values[0].lo_open
    for iv in values[1:]:
        if lo >= iv.lo:
            lo, lo_open = lo, True  # strictly above the previous value
        else:
            lo, lo_open = iv.lo, iv.lo_open
        if not (lo < iv.hi or (lo == iv.hi and not lo_open and not iv.hi_open)):
            return False
    return True


def _judge_trend(name: str, slots: list[Slot], env: dict[str, Value]) -> Outcome:
    values = [env[s.key].iv for s in slots]
    if name == "decreasing":
        values = [intervals.neg(v) for v in values]
    steps, all_hold = [], True
    word = "rises" if name == "increasing" else "falls"
    for i in range(1, len(values)):
        always, sometimes = intervals.relation(values[i - 1], "<", values[i])
        all_hold = all_hold and always
        how = word if always else f"may not {word[:-1]}" if sometimes else f"does not {word[:-1]}"
        steps.append(f"{slots[i - 1].label} → {slots[i].label} {how}")
    if all_hold:
        verdict = "holds"
    elif _chain_possible(values):
        verdict = "possible"
    else:
        verdict = "violated"
    return Outcome(verdict, "; ".join(steps))


def _evaluate_trend(rule: Rule, tree: Trend, index: FactIndex) -> Result:
    slots, ignored, periods = _series_slots(tree.ref, index)
    label = ref_text(tree.ref)
    data: dict[str, Any] = {"operands": _operand_data(slots), "ignored_periods": ignored}
    if len(slots) < 2:
        data["unresolved"] = [label]
        found = ", ".join(s.label for s in slots) or "none"
        message = (
            f"unresolved — {tree.name}() needs facts for at least two periods of {label}; "
            f"found: {found}"
        )
        return _result(rule, "unresolved", message, slots, data)
    base, alternatives = _decide(slots, lambda env: _judge_trend(tree.name, slots, env))
    verdict = worst(a.outcome.verdict for a in alternatives) if alternatives else base.verdict
    series = "; ".join(f"{s.label} = {_show(s.combined)}" for s in slots)
    message = f"{tree.name}({label}): {series}"
    if alternatives:
        message += ". " + _alternatives_message(verdict, alternatives)
    else:
        message += f": {verdict} — {base.why}"
    gaps = [] if granularity(periods[0]) == "day" else _gaps(periods)
    if gaps:
        message += f". No facts for {', '.join(gaps)} (gap skipped: neighbours compared directly)"
    if ignored:
        message += f". Ignored periods of another length: {', '.join(ignored)}"
    data["series"] = [
        {
            "period": s.label,
            "interval": _json(s.combined),
            "fact_ids": [m.fact.id for m in s.members],
        }
        for s in slots
    ]
    data["gaps"] = gaps
    data["alternatives"] = [_alternative_data(a) for a in alternatives]
    return _result(rule, verdict, message, slots, data)


# --- derived facts --------------------------------------------------------------------------


def derived_rules(
    facts: Iterable[Fact],
    *,
    entities: Collection[str] | None = None,
    metrics: Collection[str] | None = None,
) -> tuple[list[Rule], list[Result]]:
    """An implicit ``{id} ~ formula`` rule for every derived fact with a formula."""
    facts = list(facts)
    ids = {f.id for f in facts}
    rules: list[Rule] = []
    problems: list[Result] = []
    for fact in facts:
        if fact.kind != "derived" or not fact.formula:
            continue
        line = fact.line_of("formula")
        try:
            formula = parse_expression(fact.formula)
        except ExprError as exc:
            problems.append(problem(fact.file, line, "formula", str(exc)))
            continue
        errors = check_names(formula, entities, metrics, ids)
        for err in errors:
            problems.append(problem(fact.file, line, "formula", str(err)))
        if errors:
            continue
        rules.append(_derived_rule(fact, formula))
    return rules, problems


def _derived_rule(fact: Fact, formula: Expr) -> Rule:
    text = (fact.formula or "").strip()
    lhs = f"{{{fact.id}}}"
    return Rule(
        id=f"derived:{fact.id}",
        description=(
            f"{fact.id} ({fact.value}) is the writer's own computation {text}; "
            "it must agree with the facts it is computed from"
        ),
        severity="error",
        expression=f"{lhs} ~ {text}",
        tree=Compare("~", IdRef(fact.id, 1), formula, len(lhs) + 2),
        file=fact.file,
        line=fact.line,
        tolerance=0.0,
        derived=True,
    )


# --- readable numbers -----------------------------------------------------------------------

_CHINESE_SCALE_UNITS = frozenset({"CNY", "USD", "HKD", "EUR", "count"})


def format_number(x: float, unit: str = "") -> str:
    """億/萬 for money and counts (7e8 → 7億), compact digits otherwise."""
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if unit in _CHINESE_SCALE_UNITS:
        if abs(x) >= 1e8:
            return f"{x / 1e8:.6g}億"
        if abs(x) >= 1e4:
            return f"{x / 1e4:.6g}萬"
    return f"{x:.6g}"


def format_interval(iv: Interval) -> str:
    """``(7億, ∞) CNY``; a single value is just the value."""
    unit = f" {iv.unit}" if iv.unit else ""
    if iv.is_empty:
        return f"∅{unit}"
    if iv.is_point:
        return f"{format_number(iv.lo, iv.unit)}{unit}"
    left = "(" if iv.lo_open else "["
    right = ")" if iv.hi_open else "]"
    lo, hi = format_number(iv.lo, iv.unit), format_number(iv.hi, iv.unit)
    return f"{left}{lo}, {hi}{right}{unit}"


def describe_interval(iv: Interval, *, unit_label: bool = True) -> str:
    """In words where that is clearer: ``above 7億 CNY``, ``at most 1 %``."""
    unit = f" {iv.unit}" if iv.unit and unit_label else ""
    lo_inf, hi_inf = math.isinf(iv.lo), math.isinf(iv.hi)
    if lo_inf and hi_inf:
        return "any value"
    if hi_inf:
        return f"{'above' if iv.lo_open else 'at least'} {format_number(iv.lo, iv.unit)}{unit}"
    if lo_inf:
        return f"{'below' if iv.hi_open else 'at most'} {format_number(iv.hi, iv.unit)}{unit}"
    return format_interval(iv)


def _show(iv: Interval | None) -> str:
    if iv is None:
        return "?"
    text = format_interval(iv)
    if math.isinf(iv.lo) == math.isinf(iv.hi):  # bounded, or (−∞, ∞): the brackets say it all
        return text
    return f"{text} ({describe_interval(iv, unit_label=False)})"


# --- the engine's entry point ---------------------------------------------------------------


def check_corpus(corpus: Any, _df: Any = None) -> tuple[list[Result], dict[str, Any]]:
    """All rule results for a loaded corpus (``loader.Corpus``): rule-file problems, every rule
    in ``checks/rules/*.yaml`` and every derived fact's implicit rule, evaluated."""
    root = Path(corpus.root)
    facts: list[Fact] = list(corpus.facts)
    entities, metrics = set(corpus.entities), set(corpus.metrics)
    rules, problems = load_rules(
        root / "checks" / "rules",
        entities=entities,
        metrics=metrics,
        fact_ids={f.id for f in facts},
        root=root,
    )
    implicit, derived_problems = derived_rules(facts, entities=entities, metrics=metrics)
    index = FactIndex(facts)
    results = evaluate_all([*rules, *implicit], index)
    verdicts: dict[str, int] = defaultdict(int)
    for result in results:
        verdicts[result.verdict] += 1
    extra = {"rules": len(rules), "derived": len(implicit), "verdicts": dict(verdicts)}
    return [*problems, *derived_problems, *results], extra
