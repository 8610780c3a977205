"""Strict YAML reading that keeps line numbers.

PyYAML's safe composer (libyaml-backed ``CSafeLoader`` where available) builds a node tree; we turn
it into plain values ourselves so that every mapping remembers the line of each key, duplicate keys
are errors, aliases are refused (a billion-laughs document composes in linear time, and we never
expand it), and only the standard scalar tags are accepted (``!!python/...`` is refused).
Scalars stay text with their resolved tag: values are parsed by our own parsers, never read as
floats by YAML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from factledger.load.files import InputFileError, read_input

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 50 * 1024 * 1024  # refuse larger files with one clear error
MAX_DEPTH = 64

_STD = "tag:yaml.org,2002:"
SCALAR_TAGS = {f"{_STD}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}


@dataclass
class Scalar:
    text: str
    tag: str
    line: int
    style: str | None = None  # None (plain), '"', "'", '|' or '>'
    start: int = -1  # character offsets of the written scalar, with parse(offsets=True)
    end: int = -1
    end_line: int = 0  # the last line of its text

    @property
    def text_line(self) -> int:
        """The line the text starts on: a block scalar (``|``, ``>``) starts after its key."""
        return self.line + (1 if self.style in ("|", ">") else 0)

    @property
    def kind(self) -> str:
        return self.tag.removeprefix(_STD)


@dataclass
class Seq:
    items: list[Any]
    line: int
    end_line: int = 0


@dataclass
class Map:
    items: dict[str, Any]
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)
    end_line: int = 0  # the last line of its last value


Node = Scalar | Seq | Map


class YamlProblem(Exception):
    """A document that cannot be read as data. ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def read(
    path: Path,
    *,
    limit: int = MAX_FILE_BYTES,
    root: Path | None = None,
    setting: str = "limits.max_yaml_bytes",
) -> str:
    """A YAML (or seed) file's text: checked and read by :func:`files.read_input` (a regular
    file inside ``root``, at most ``limit`` bytes), then decoded; :class:`YamlProblem` if not."""
    try:
        raw = read_input(path, limit=limit, root=root, setting=setting)
    except InputFileError as exc:
        raise YamlProblem(exc.message) from None
    return decode(raw, limit)


def decode(raw: bytes, limit: int = MAX_FILE_BYTES) -> str:
    if len(raw) > limit:
        raise YamlProblem(f"file is {len(raw):,} bytes, over the {limit:,}-byte cap")
    if b"\x00" in raw:
        raise YamlProblem("binary file (contains NUL bytes)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblem(f"not UTF-8 text: byte {exc.start} cannot be decoded") from None


def parse(text: str, *, offsets: bool = False) -> tuple[Node | None, list[YamlProblem]]:
    """Compose one YAML document into our node tree (None when empty).

    Syntax errors raise :class:`YamlProblem` with the usual fix where one is known; problems
    local to one value (a duplicate key, an alias, a disallowed tag) are returned beside the
    tree, whose offending value becomes null, so one bad fact does not hide the others.
    ``offsets``: record each scalar's character span (PyYAML's pure-Python composer, whose marks
    are character offsets; libyaml's are not guaranteed to be) for tools that edit the text.
    """
    loader = yaml.SafeLoader if offsets else _Loader
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or ""
        message = f"YAML syntax: {problem}"
        raise YamlProblem(message + syntax_hint(text, line, problem), line) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"YAML: {exc}") from None
    except RecursionError:
        raise YamlProblem("YAML nested too deeply") from None
    problems: list[YamlProblem] = []
    if root is None:
        return None, problems
    return _convert(root, set(), 0, problems, offsets), problems


def _colon_hint(m: re.Match[str]) -> str:
    key, value = m.group("key"), m.group("value").strip()
    quoted = emit_scalar(value, '"')
    return (
        f"the value of {key!r} contains ': ', which YAML reads as the start of a mapping: "
        f"quote the whole value, e.g. {key}: {quoted}"
    )


_KEY = r"^\s*(?:-\s+)?(?P<key>[\w.-]+):"
# (line pattern, the usual fix): the first that matches the error's line, or the line before it.
_HINTS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(_KEY + r"\s+[\[{]"),
     "quote a value that starts with { or [: YAML reads it as a mapping or a list"),
    (re.compile(_KEY + r"\s+(?P<value>[^'\"#\s].*?:\s.*?)(?:\s+#.*)?$"), _colon_hint),
    (re.compile(_KEY + r'\s+"(?:[^"\\]|\\.)*"\s*[^\s#]'),
     'a double-quoted value ends at its next ": write a quote inside it as \\" (or use '
     "single quotes around the value)"),
    (re.compile(_KEY + r"\s+'(?:[^']|'')*'\s*[^\s#]"),
     "a single-quoted value ends at its next ': write a quote inside it as '' (two)"),
    (re.compile(r"^\t| \t"), "indent with spaces: YAML does not allow tabs"),
    (re.compile(_KEY + r"\s+[@`%]"), "quote a value that starts with @, ` or %"),
    (re.compile(_KEY + r"\s+[*&!]"),
     "quote a value that starts with *, & or !: YAML reads it as an alias, anchor or tag"),
    (re.compile(r"^\s*-[^\s-]"), "put a space after the '-' that starts a list item"),
    (re.compile(_KEY + r"[^\s/]"), "put a space after the ':' that ends a key"),
)  # fmt: skip
# Errors that mean a line is indented differently from its neighbours.
_INDENT_PROBLEMS = ("expected '-' indicator", "expected <block end>")


def syntax_hint(text: str, line: int | None, problem: str = "") -> str:
    """The usual fix for a syntax error on (or just before) ``line``, as `` (…)``, or ''."""
    if not line:
        return ""
    lines = text.splitlines()
    for at in (line, line - 1):
        if 0 < at <= len(lines):
            for pattern, hint in _HINTS:
                m = pattern.search(lines[at - 1])
                if m:
                    return f" ({hint if isinstance(hint, str) else hint(m)})"
    if any(p in problem for p in _INDENT_PROBLEMS):
        return (
            " (check the indentation: each field of a list item lines up under the first one "
            "after '- ', each list item under the one before)"
        )
    return ""


def _null(line: int) -> Scalar:
    return Scalar("", f"{_STD}null", line)


_SEQ_TAG, _MAP_TAG, _MERGE_TAG = f"{_STD}seq", f"{_STD}map", f"{_STD}merge"


def _convert(
    node: yaml.Node,
    seen: set[int],
    depth: int,
    problems: list[YamlProblem],
    offsets: bool,
    at: int | None = None,
) -> Node:
    """``at``: the line that holds ``node`` (its key's), which an alias does not know itself."""
    # The hot loop of loading (every scalar of every file passes here): type tests by class
    # identity, no per-call tables, no temporary lists.
    line = node.start_mark.line + 1
    if depth > MAX_DEPTH:
        raise YamlProblem(f"nested deeper than {MAX_DEPTH} levels", line)
    # An alias composes to the node of its anchor, the very same object: a node seen twice is
    # an alias (scalars too, so ``period: *p`` is refused like a list alias).
    if id(node) in seen:  # its marks are the anchor's: say where the alias is
        problems.append(YamlProblem("YAML aliases (*name) are not allowed", at or line))
        return _null(at or line)
    seen.add(id(node))
    cls = node.__class__
    tag = node.tag
    if cls is yaml.ScalarNode:
        if tag not in SCALAR_TAGS:
            problems.append(YamlProblem(f"tag {tag} is not allowed", line))
            return _null(line)
        # marks are 0-based; a block scalar's end mark lies at column 0 past its last line break
        end = node.end_mark
        end_line = end.line + (1 if end.column else 0)
        if end_line < line:
            end_line = line
        if offsets:
            return Scalar(node.value, tag, line, node.style, node.start_mark.index, end.index,
                          end_line)  # fmt: skip
        return Scalar(node.value, tag, line, node.style, -1, -1, end_line)
    if tag != (_SEQ_TAG if cls is yaml.SequenceNode else _MAP_TAG):
        problems.append(YamlProblem(f"tag {tag} is not allowed", line))
        return _null(line)
    depth += 1
    end_line = line
    if cls is yaml.SequenceNode:
        items = [_convert(n, seen, depth, problems, offsets, line) for n in node.value]
        for item in items:
            if item.end_line > end_line:
                end_line = item.end_line
        return Seq(items, line, end_line)
    out = Map({}, line)
    values, key_lines = out.items, out.key_lines
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if key_node.__class__ is not yaml.ScalarNode or key_node.tag == _MERGE_TAG:
            problems.append(YamlProblem("mapping keys must be plain text (no <<)", key_line))
            continue
        if id(key_node) in seen:
            line_of_alias = value_node.start_mark.line + 1 if id(value_node) not in seen else line
            problems.append(YamlProblem("YAML aliases (*name) are not allowed", line_of_alias))
            continue
        seen.add(id(key_node))
        key = key_node.value
        if key in values:
            problems.append(
                YamlProblem(f"{key}: duplicate key (first at line {key_lines[key]})", key_line)
            )
            continue
        value = values[key] = _convert(value_node, seen, depth, problems, offsets, key_line)
        key_lines[key] = key_line
        if value.end_line > end_line:
            end_line = value.end_line
    out.end_line = end_line
    return out


def plain(node: Node | None) -> Any:
    """Drop line information (for fields that are free-form metadata)."""
    if node is None:
        return None
    if isinstance(node, Scalar):
        return None if node.kind == "null" else node.text
    if isinstance(node, Seq):
        return [plain(n) for n in node.items]
    return {k: plain(v) for k, v in node.items.items()}


def emit_scalar(value: str, style: str | None = None) -> str | None:
    """``value`` written as a YAML scalar in ``style`` (plain when it reads back unchanged,
    else double-quoted); None for block styles, which are not written inline."""
    if style == '"':
        return json.dumps(value, ensure_ascii=False)  # JSON escapes are YAML escapes
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style is None:
        try:
            plain_ok = "\n" not in value and yaml.safe_load(value) == value
        except yaml.YAMLError:
            plain_ok = False
        return value if plain_ok else json.dumps(value, ensure_ascii=False)
    return None
