"""The layering of docs/architecture.md, enforced: each module imports only what lies upstream."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "factledger"

# module (or package prefix) → the factledger modules it may import (prefixes).
PARSERS = ("text", "period", "intervals", "formatting", "mentions", "expression", "quantity")
ALLOWED: dict[str, tuple[str, ...]] = {
    "model": (),
    "payloads": ("model",),
    **{p: ("model", *PARSERS) for p in PARSERS},
    "fx": ("model", "intervals"),
    "load": ("model", "load", "workers", *PARSERS),
    "table": ("model", "fx"),
    "checks": ("model", "payloads", "load", "table", "fx", "checks", *PARSERS),
    "workers": (),
    "engine": ("model", "load", "table", "checks", "workers"),
    # the engine's runs through a cache: engine's own pieces (acknowledgements, the outcome)
    "incremental": ("model", "load", "table", "fx", "checks", "engine", "incremental", "workers"),
    "report": ("model", "payloads", "report", "formatting", "text", "period", "engine", "workers"),
}
# Faces present an outcome (or write what a command says it writes); they never compute a verdict.
FACES = (
    "cli", "pytest_plugin", "diff", "suggest", "explain", "acknowledge", "scaffold", "devtools",
    "watch", "__init__",
)  # fmt: skip


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    return ".".join(rel.parts)


def imports(path: Path) -> set[str]:
    """Every factledger module this file imports, at any depth (also lazy imports)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("factledger")
        ):
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            out.update(n.removeprefix("factledger.") for n in names if n != "factledger")
        elif isinstance(node, ast.Import):
            out.update(
                a.name.removeprefix("factledger.")
                for a in node.names
                if a.name.startswith("factledger.")
            )
    return out


def layer(name: str) -> str:
    return name.split(".")[0]


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_module_imports_only_upstream(path: Path) -> None:
    name = module_name(path)
    own = layer(name)
    if own in FACES:
        return
    assert own in ALLOWED, f"{name}: add its layer to docs/architecture.md and this test"
    allowed = ALLOWED[own]
    bad = sorted(
        i for i in imports(path)
        if not any(i == a or i.startswith(a + ".") or layer(i) == a for a in allowed)
        and not (own in PARSERS and layer(i) == own)
    )  # fmt: skip
    assert not bad, f"{name} imports {bad}, not upstream of it (docs/architecture.md)"


def test_nothing_but_the_cli_imports_devtools() -> None:
    for path in MODULES:
        name = module_name(path)
        if layer(name) in ("devtools", "cli"):
            continue
        assert not [i for i in imports(path) if layer(i) == "devtools"], name


def test_no_core_module_is_longer_than_about_800_lines() -> None:
    long = {
        module_name(p): n
        for p in MODULES
        if layer(module_name(p)) != "devtools"
        and (n := len(p.read_text("utf-8").splitlines())) > 850
    }
    assert not long, long
