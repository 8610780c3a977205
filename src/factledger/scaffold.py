"""``factledger init DIR`` and ``factledger new-source ARTICLE.txt``: a corpus and a source in one
command each.

``init`` writes an empty corpus that passes ``factledger check`` and ``pytest checks`` at once:
``seeds/``, ``facts/`` with empty registries, ``checks/`` (the pytest face, an empty ``rules/``
and an empty ``acknowledged.yaml``), ``factledger.toml``, a CI workflow and a pre-commit hook.
``new-source`` turns an article's text into ``seeds/<id>.md`` with complete front matter and an
empty ``facts/<id>.yaml``. Neither ever overwrites a file: anything in the way is an error and
nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import factledger
from factledger.load import yamlnodes as yn
from factledger.load.corpus import KEY_RE, SOURCE_FIELDS
from factledger.load.settings import load_settings
from factledger.period import PeriodError, parse_period

EXIT_OK, EXIT_REFUSED = 0, 2


class ScaffoldError(Exception):
    """Why nothing was written (one line)."""


def _template(name: str) -> str:
    return (resources.files("factledger") / "scaffold_files" / name).read_text(encoding="utf-8")


ENTITIES = """\
# Every fact's entity: a key (lower-case letters, digits, - _), the names the sources use, a kind.
#   - key: kuaishou
#     names: [快手, 快手科技, Kuaishou]
#     kind: company
entities: []
"""

METRICS = """\
# Every fact's metric: a key, a dimension (money, count, share, growth, ratio, rank, score,
# credits, duration, date, price-per-period, money-per-day), its unit, whether it is a series
# (one value per period) and what it measures. docs/fact-format.md in factledger has them all.
#   - key: mau
#     dimension: count
#     unit: count
#     series: true
#     names: [月活, MAU]
#     description: Monthly active users in (or at the end of) the period.
metrics: []
"""

ACKNOWLEDGED = """\
# Reviewed findings: write them with `factledger ack ID --verdict … --reason … --reviewer …`.
acknowledged: []
"""

SETTINGS = """\
# factledger settings: every key is optional (the defaults are shown).
# [report]
# out_dir = "reports"
# base_url = ""          # where discrepancies.html is published (ClaimReview urls)
# reviewer_name = ""
# reviewer_url = ""
"""

GITIGNORE = """\
.venv/
__pycache__/
reports/
.factledger-cache/
"""


def corpus_files() -> dict[str, str]:
    """Relative path → text of every file ``init`` writes."""
    return {
        "seeds/.gitkeep": "",
        "facts/entities.yaml": ENTITIES,
        "facts/metrics.yaml": METRICS,
        "checks/conftest.py": _template("conftest.py.tmpl"),
        "checks/test_corpus.py": _template("test_corpus.py.tmpl"),
        "checks/rules/.gitkeep": "",
        "checks/acknowledged.yaml": ACKNOWLEDGED,
        "factledger.toml": SETTINGS,
        ".github/workflows/facts.yml": _template("facts.yml.tmpl").replace(
            "__VERSION__", factledger.__version__
        ),
        ".pre-commit-config.yaml": _template("pre-commit-config.yaml.tmpl"),
        ".gitignore": GITIGNORE,
    }


def _write_new(files: dict[Path, str]) -> None:
    """Write every file, or none when any of them already exists."""
    existing = [p for p in files if p.exists()]
    if existing:
        raise ScaffoldError(f"{existing[0]} already exists: nothing written (never overwritten)")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as out:  # "x": fail if it appeared
            out.write(text)


def init(root: Path) -> list[Path]:
    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"{root} is not a folder")
    if root.exists() and any(root.iterdir()):
        raise ScaffoldError(f"{root} is not empty: init makes a new corpus in a new folder")
    files = {root / rel: text for rel, text in corpus_files().items()}
    _write_new(files)
    return list(files)


# --- new-source ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewSource:
    id: str
    outlet: str
    published: str
    published_basis: str
    title: str | None = None
    url: str | None = None
    language: str = "zh-Hant"


def split_article(text: str, title: str | None) -> tuple[str, str]:
    """(title, body): the given title and the whole text, or the first non-empty line and the
    text after it. The body is kept as received, but for the line breaks before it."""
    text = text.removeprefix("\ufeff")
    if title is not None:
        return title.strip(), text.lstrip("\r\n")
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip():
            return line.strip(), "".join(lines[i + 1 :]).lstrip("\r\n")
    raise ScaffoldError("the article is empty")


def front_matter(src: NewSource, title: str, origin_file: str) -> str:
    values = {
        "id": src.id,
        "title": title,
        "outlet": src.outlet,
        "language": src.language,
        "published": src.published,
        "published_basis": src.published_basis,
        "curation": "partial",
    }
    if src.url:
        values["url"] = src.url
    origin = yn.emit_scalar(origin_file, '"')
    lines = ["---"]
    for key in SOURCE_FIELDS:  # the loader's own field names; origin, a mapping, last
        if key in values:
            style = '"' if key == "published" else None  # a date stays text
            lines.append(f"{key}: {yn.emit_scalar(values[key], style)}")
    lines += ["origin:", f"  file: {origin}", "---"]
    return "\n".join(lines) + "\n"


def facts_stub(source_id: str) -> str:
    return f"""\
# Facts of seeds/{source_id}.md: one entry per numeric claim, each value a span of its quote and
# each quote verbatim text of the seed. `factledger suggest {source_id}` prints a stub for every
# numeric mention; docs/fact-format.md has every field. Mentions that are not claims go in an
# `ignore:` list with a reason.
source: {source_id}
facts: []
"""


def new_source(root: Path, article: Path, src: NewSource) -> list[Path]:
    problems = []
    if not KEY_RE.match(src.id):
        problems.append(f"--id {src.id!r}: use lower-case letters, digits, - _ and .")
    try:
        parse_period(src.published)
    except PeriodError as exc:
        problems.append(f"--published {src.published!r}: {exc}")
    if src.url is not None and not (
        src.url.startswith(("http://", "https://")) and not any(c.isspace() for c in src.url)
    ):
        problems.append(f"--url {src.url!r} is not an http(s) address")
    for name, value in (("outlet", src.outlet), ("published-basis", src.published_basis)):
        if not value.strip():
            problems.append(f"--{name} must not be empty")
    if problems:
        raise ScaffoldError("; ".join(problems))
    try:  # a regular file within the seed cap, checked before it is read (not a FIFO, /dev/zero)
        text = yn.read(
            article,
            limit=load_settings(root)[0].max_seed_bytes,
            setting="limits.max_seed_bytes",
        )
    except yn.YamlProblem as exc:
        raise ScaffoldError(f"{article}: {exc.message}") from None
    title, body = split_article(text.replace("\r\n", "\n"), src.title)
    if "\n---\n" in f"\n{body}":
        raise ScaffoldError(f"{article}: a line '---' would end the front matter early")
    seed = root / "seeds" / f"{src.id}.md"
    facts = root / "facts" / f"{src.id}.yaml"
    files = {seed: front_matter(src, title, article.name) + body, facts: facts_stub(src.id)}
    _write_new(files)
    return [seed, facts]


# --- command line -------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    try:
        written = init(args.dir.resolve())
    except ScaffoldError as exc:
        print(f"factledger init: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"created an empty corpus in {args.dir} ({len(written)} files). Next:")
    print(f"  cd {args.dir} && factledger check && pytest checks")
    print("  factledger new-source ARTICLE.txt --id … --outlet … --published … "
          "--published-basis …")  # fmt: skip
    return EXIT_OK


def cmd_new_source(args: argparse.Namespace) -> int:
    src = NewSource(
        id=args.id, outlet=args.outlet, published=args.published,
        published_basis=args.published_basis, title=args.title, url=args.url,
        language=args.language,
    )  # fmt: skip
    try:
        seed, facts = new_source(args.root, args.article, src)
    except ScaffoldError as exc:
        print(f"factledger new-source: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    rel = [p.relative_to(args.root).as_posix() for p in (seed, facts)]
    print(f"wrote {rel[0]} (curation: partial) and {rel[1]} (no facts yet). Next:")
    print(f"  factledger suggest {src.id}: a YAML stub for every numeric mention;")
    print("  factledger check: after adding facts (set curation: complete when every mention is")
    print("  a fact or ignored with a reason). docs/adding-a-source.md walks through an example.")
    return EXIT_OK


def add_parsers(
    sub: argparse._SubParsersAction,
    with_root: Callable,
    epilogs: dict[str, str],
    **kw,
) -> None:
    p = sub.add_parser(
        "init",
        help="create an empty corpus that passes check and pytest at once",
        description="Create DIR with seeds/, facts/ (empty entity and metric registries), "
        "checks/ (conftest.py and test_corpus.py: the corpus as pytest items; an empty rules/; "
        "an empty acknowledged.yaml), factledger.toml, a CI workflow (.github/workflows/"
        "facts.yml), a pre-commit hook and a .gitignore. DIR must be new or empty.",
        epilog=epilogs["init"],
        **kw,
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="folder for the new corpus")
    p.set_defaults(func=cmd_init)

    p = with_root(
        sub.add_parser(
            "new-source",
            help="add an article: seeds/<id>.md with front matter, an empty facts/<id>.yaml",
            description="Write seeds/<id>.md — front matter (id, title, outlet, language, "
            "published, published_basis, curation: partial, origin, url) then the article's "
            "text — and facts/<id>.yaml with no facts yet. The title is --title, else the "
            "article's first non-empty line (the body is then the text after it). Never "
            "overwrites: an existing seed or facts file is an error and nothing is written.",
            epilog=epilogs["new-source"],
            **kw,
        )
    )
    p.add_argument("article", type=Path, metavar="ARTICLE.txt", help="the article as UTF-8 text")
    p.add_argument("--id", required=True, help="source id: lower-case letters, digits, - _")
    p.add_argument("--outlet", required=True, help="who published it")
    p.add_argument(
        "--published", required=True,
        help="when: a day (2025-11-27), month (2025-06), quarter or a span A..B",
    )  # fmt: skip
    p.add_argument(
        "--published-basis", required=True,
        help="how the date was established (a dateline, the latest date in the text, ...)",
    )  # fmt: skip
    p.add_argument("--title", default=None, help="default: the article's first non-empty line")
    p.add_argument("--url", default=None, help="where it was published (http or https)")
    p.add_argument("--language", default="zh-Hant", help="BCP 47 tag (default zh-Hant)")
    p.set_defaults(func=cmd_new_source)
