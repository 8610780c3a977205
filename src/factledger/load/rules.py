"""Rule files (``checks/rules/*.yaml``): read with the one YAML node reader, parsed into Rules.

Every problem with a rule file is returned as a located input Result, never raised; a broken rule
never hides the others. The rule language itself is :mod:`factledger.expression`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from factledger.expression import (
    Assertion,
    Compare,
    Expr,
    ExprError,
    IdRef,
    check_names,
    parse_assertion,
    parse_expression,
)
from factledger.load import yamlnodes as yn
from factledger.load.ids import id_key, id_problem
from factledger.model import Fact, Problems, Result, input_problem

RULE_FIELDS = ("id", "description", "severity", "tolerance", "reason", "reading", "assert")
READINGS = ("both", "sound")
REQUIRED_FIELDS = ("id", "description", "severity", "assert")
RULE_SEVERITIES = ("error", "warning")
RULE_SUFFIXES = (".yaml", ".yml")
# A rule's tolerance (relative, for ~) is 0 unless it says why; above MAX_TOLERANCE two figures
# 20 % apart would "agree", which is no longer a check.
DEFAULT_TOLERANCE = 0.0
MAX_TOLERANCE = 0.2


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    severity: str
    expression: str
    tree: Assertion
    file: str
    line: int
    tolerance: float = DEFAULT_TOLERANCE
    # both: also judged under the typical reading (strained); sound: opted out, with a reason
    reading: str = "both"
    # why the rule departs from the defaults: a tolerance above 0, or reading: sound
    reason: str | None = None
    # Implicit rule of a derived fact: the formula's result is read in the fact's unit when the
    # formula cannot carry it (see evaluate.formula_unit_fits).
    derived: bool = False
    # The result kind: "rule" (checks/rules/, derived facts) or "invariant" (a relation declared
    # in facts/metrics.yaml, instantiated by checks/invariants.py); the result id is kind:id.
    kind: str = "rule"


def load_rules(
    paths: str | Path | Iterable[str | Path] = "checks/rules",
    *,
    entities: Collection[str] | None = None,
    metrics: Collection[str] | None = None,
    fact_ids: Collection[str] | None = None,
    root: str | Path | None = None,
    limit: int = yn.MAX_FILE_BYTES,
    unreadable: set[str] | None = None,
) -> tuple[list[Rule], list[Result]]:
    """Load rule files (a directory means its ``*.yaml`` and ``*.yml``); returns (rules, problems).

    ``entities``/``metrics``/``fact_ids``: known keys (a reference to anything else is a located
    problem); None skips that check. ``root``: file names in results are relative to it, and a
    symlink that leaves it is refused. ``limit``: the size cap of one file, in bytes.
    ``unreadable``: receives the names of files that could not be read at all.
    """
    read = read_rule_files(paths, root, limit)
    return check_rule_files(read, entities, metrics, fact_ids, unreadable)


@dataclass
class RuleFile:
    """A rule file read and parsed, its references not yet checked against the corpus' keys
    (so it can be read before, or beside, the facts): the problems before its rules, then per
    rule node its own problems, its rule (None when it has problems) and the line of its
    assertion."""

    file: str
    problems: list[Result]
    nodes: list[tuple[list[Result], Rule | None, int]]
    unreadable: bool = False


def read_rule_files(
    paths: str | Path | Iterable[str | Path],
    root: str | Path | None = None,
    limit: int = yn.MAX_FILE_BYTES,
) -> list[RuleFile]:
    out = []
    for path in _rule_paths(paths):
        name = _display_name(path, root)
        try:
            text = yn.read(path, limit=limit, root=Path(root) if root is not None else None)
        except yn.YamlProblem as exc:
            problem = input_problem(name, None, "file", exc.message)
            out.append(RuleFile(name, [problem], [], unreadable=True))
            continue
        out.append(read_rule_text(text, name))
    return out


def check_rule_files(
    files: list[RuleFile],
    entities: Collection[str] | None = None,
    metrics: Collection[str] | None = None,
    fact_ids: Collection[str] | None = None,
    unreadable: set[str] | None = None,
) -> tuple[list[Rule], list[Result]]:
    """The rules whose references are all known, and every problem, in the files' order;
    ``unreadable`` receives the names of files that could not be read at all."""
    rules: list[Rule] = []
    problems: list[Result] = []
    for rf in files:
        if rf.unreadable and unreadable is not None:
            unreadable.add(rf.file)
        got, bad = _check_rule_file(rf, entities, metrics, fact_ids)
        rules.extend(got)
        problems.extend(bad)
    problems.extend(_duplicate_ids(rules))
    return _unique_rules(rules), problems


def _display_name(path: Path, root: str | Path | None) -> str:
    if root is not None:
        # as found under the root first: a linked rules folder keeps its name in messages
        for mine, base in (
            (path.absolute(), Path(root).absolute()),
            (path.resolve(), Path(root).resolve()),
        ):
            try:
                return mine.relative_to(base).as_posix()
            except ValueError:
                pass
    return path.as_posix()


def _rule_paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    found: list[Path] = []
    for item in map(Path, items):
        if item.is_dir():
            found.extend(rule_files(item))
        elif item.exists() or item.is_symlink() or item.suffix in RULE_SUFFIXES:
            found.append(item)  # a named file that is missing is reported as unreadable
    return found


def rule_files(folder: Path) -> list[Path]:
    """The rule files of a folder: ``*.yaml`` and ``*.yml``, by name (a folder named so is the
    reader's error, as for any file that cannot be read)."""
    return sorted(p for p in folder.iterdir() if p.suffix in RULE_SUFFIXES)


def _duplicate_ids(rules: list[Rule]) -> list[Result]:
    first: dict[str, Rule] = {}
    out: list[Result] = []
    for rule in rules:
        key = id_key(rule.id)
        if key in first:
            where = f"{first[key].file}:{first[key].line}"
            out.append(
                input_problem(
                    rule.file, rule.line, "id", f"duplicate rule id {rule.id!r} (also {where})",
                    key=rule.id,
                )
            )  # fmt: skip
        else:
            first[key] = rule
    return out


def _unique_rules(rules: list[Rule]) -> list[Rule]:
    seen: set[str] = set()
    out = []
    for rule in rules:
        if id_key(rule.id) not in seen:
            seen.add(id_key(rule.id))
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
    return _check_rule_file(read_rule_text(text, file), entities, metrics, fact_ids)


def read_rule_text(text: str, file: str) -> RuleFile:
    problems = Problems(file)
    nodes = _rule_nodes(text, problems)
    out = RuleFile(file, problems.results, [])
    for node in nodes:
        mine = Problems(file)
        rule = _rule_from_node(node, file, mine)
        line = node.items["assert"].text_line if rule is not None else node.line
        out.nodes.append((mine.results, rule, line))
    return out


def _check_rule_file(
    rf: RuleFile,
    entities: Collection[str] | None,
    metrics: Collection[str] | None,
    fact_ids: Collection[str] | None,
) -> tuple[list[Rule], list[Result]]:
    problems = Problems(rf.file, list(rf.problems))
    rules: list[Rule] = []
    for own, rule, line in rf.nodes:
        problems.results.extend(own)
        if rule is None:
            continue
        errors = check_names(rule.tree, entities, metrics, fact_ids)
        for err in errors:
            problems.add(line, "assert", str(err), key=rule.id)
        if not errors:
            rules.append(rule)
    problems.results.extend(_duplicate_ids(rules))
    return _unique_rules(rules), problems.results


def _rule_nodes(text: str, problems: Problems) -> list[yn.Map]:
    try:
        root, local = yn.parse(text)
    except yn.YamlProblem as exc:
        problems.add(exc.line or 1, "yaml", exc.message.removeprefix("YAML syntax: "))
        return []
    for p in local:
        problems.add(p.line, "yaml", p.message)
    if root is None:
        return []
    if not isinstance(root, yn.Map):
        problems.add(root.line, "rules", "a rule file is a mapping with a 'rules:' list")
        return []
    for name in root.items:
        if name != "rules":
            problems.add(root.key_lines[name], name, "unknown top-level field (only 'rules')")
    if "rules" not in root.items:
        problems.add(root.line, "rules", "missing 'rules:' list")
        return []
    seq = root.items["rules"]
    if not isinstance(seq, yn.Seq):
        problems.add(seq.line, "rules", "'rules' must be a list of rules")
        return []
    nodes = []
    for item in seq.items:
        if isinstance(item, yn.Map):
            nodes.append(item)
        else:
            problems.add(item.line, "rules", "each rule is a mapping (id, description, ...)")
    return nodes


def _rule_from_node(node: yn.Map, file: str, problems: Problems) -> Rule | None:
    """One rule, or None after recording why not."""
    before = len(problems.results)
    raw_id = node.items.get("id")
    key = raw_id.text if isinstance(raw_id, yn.Scalar) else ""
    allowed = ", ".join(RULE_FIELDS)
    for name in node.items:
        if name not in RULE_FIELDS:
            problems.add(node.key_lines[name], name, f"unknown field (allowed: {allowed})", key=key)
    for name in REQUIRED_FIELDS:
        if name not in node.items:
            problems.add(node.line, name, "missing required field", key=key)
    text = {name: _scalar(name, node, problems, key) for name in node.items if name in RULE_FIELDS}
    _check_values(text, node, problems, key)
    known = len(problems.results)
    tolerance = _tolerance(text.get("tolerance"), node, problems, key)
    reason = text.get("reason")
    reading = text.get("reading") or "both"
    if reading not in READINGS:
        problems.add(node.items["reading"].line, "reading", f"{reading!r} is not one of "
                     f"{', '.join(READINGS)}", key=key)  # fmt: skip
    elif reading == "sound" and not (reason or "").strip():
        problems.add(node.items["reading"].line, "reading", "reading: sound (no strained "
                     "verdict) needs a reason: saying why", key=key)  # fmt: skip
    if len(problems.results) == known:  # a tolerance that is no number says so already
        _check_reason(tolerance, reason, reading, node, problems, key)
    tree = _parse_assert(text.get("assert"), node, problems, key)
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
        line=node.line,
        tolerance=tolerance,
        reading=reading,
        reason=" ".join(reason.split()) if reason else None,
    )


def _check_reason(
    tolerance: float, reason: str | None, reading: str, node: yn.Map, problems: Problems, key: str
) -> None:
    if tolerance > DEFAULT_TOLERANCE and not (reason and reason.strip()):
        problems.add(
            node.items["tolerance"].line,
            "tolerance",
            f"{tolerance:g} is above the default {DEFAULT_TOLERANCE:g}: say why in reason:",
            key=key,
        )
    elif reason is not None and tolerance <= DEFAULT_TOLERANCE and reading == "both":
        problems.add(
            node.items["reason"].line,
            "reason",
            "explains a tolerance above the default or reading: sound; this rule has neither",
            key=key,
        )


def _check_values(text: dict[str, str | None], node: yn.Map, problems: Problems, key: str) -> None:
    rule_id, severity, description = text.get("id"), text.get("severity"), text.get("description")
    if rule_id is not None and (why := id_problem(rule_id)):
        problems.add(node.items["id"].line, "id", why, key=key)
    if severity is not None and severity not in RULE_SEVERITIES:
        reason = f"{severity!r} is not one of {', '.join(RULE_SEVERITIES)}"
        problems.add(node.items["severity"].line, "severity", reason, key=key)
    if description is not None and not description.strip():
        problems.add(
            node.items["description"].line, "description", "must say what the rule checks", key=key
        )


def _scalar(name: str, node: yn.Map, problems: Problems, key: str) -> str | None:
    value = node.items[name]
    if isinstance(value, yn.Scalar) and value.kind != "null":
        return value.text
    # {fact-id} or [ at the start of a plain YAML value opens a mapping or a list
    hint = " (quote it: an unquoted { or [ starts a YAML mapping or list)"
    nested = isinstance(value, yn.Map | yn.Seq)
    problems.add(value.line, name, "must be a single value" + (hint if nested else ""), key=key)
    return None


def _tolerance(text: str | None, node: yn.Map, problems: Problems, key: str) -> float:
    if text is None:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value <= MAX_TOLERANCE:  # also false for NaN
        problems.add(
            node.items["tolerance"].line,
            "tolerance",
            f"{text!r} is not a relative tolerance in [0, {MAX_TOLERANCE:g}]",
            key=key,
        )
        return DEFAULT_TOLERANCE
    return value


def _parse_assert(text: str | None, node: yn.Map, problems: Problems, key: str) -> Assertion | None:
    if text is None:
        return None
    try:
        return parse_assertion(text)
    except ExprError as exc:
        problems.add(node.items["assert"].text_line, "assert", str(exc), key=key)
        return None


# --- derived facts: a writer's own computation is an implicit rule ---------------------------


def derived_rules(
    facts: Iterable[Fact],
    *,
    entities: Collection[str] | None = None,
    metrics: Collection[str] | None = None,
    ids: Collection[str] | None = None,
) -> tuple[list[Rule], list[Result]]:
    """An implicit ``{id} ~ formula`` rule for every derived fact with a formula. ``ids``: the
    fact ids a formula may name (default: those of ``facts``)."""
    facts = list(facts)
    if ids is None:
        ids = {f.id for f in facts}
    rules: list[Rule] = []
    problems: list[Result] = []
    for fact in facts:
        if fact.kind != "derived" or not fact.formula:
            continue
        line = fact.line_of("formula")

        def problem(message: str, fact: Fact = fact, line: int = line) -> Result:
            return input_problem(
                fact.file, line, "formula", message, key=fact.id, fact_ids=(fact.id,)
            )

        try:
            formula = parse_expression(fact.formula)
        except ExprError as exc:
            problems.append(problem(str(exc)))
            continue
        errors = check_names(formula, entities, metrics, ids)
        problems.extend(problem(str(err)) for err in errors)
        if not errors:
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
