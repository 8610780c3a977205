"""Hostile and malformed input: never an unhandled exception, always one located, clear error.

Fuzzing is bounded (``max_examples`` ≤ 200, no deadline) so CI runs a fixed amount of work.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import string
import threading
import time
import tracemalloc
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factledger import cli, engine, report
from factledger.expression import ExprError, parse_assertion
from factledger.load.corpus import FACT_FIELDS, load_corpus
from factledger.load.rules import load_rule_text
from factledger.model import DIMENSION_UNITS, Interval
from factledger.quantity import QuantityError, parse_quantity

from .conftest import write_mini

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ_FILE = "facts/fuzz.yaml"


# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory) -> Path:
    """A mini corpus whose facts/fuzz.yaml each example overwrites."""
    return write_mini(tmp_path_factory.mktemp("fuzz") / "corpus")


def problems_of(root: Path, rel: str) -> list:
    corpus = load_corpus(root)
    for p in corpus.problems:  # every problem is an input error naming its file
        assert p.kind == "input" and p.severity == "error" and p.file, p
        assert p.message.strip(), p
        assert p.line is None or p.line >= 1, p
    return [p for p in corpus.problems if p.file == rel]


WHOLE_FILE = re.compile(r"not UTF-8|binary file|over the .*cap|^YAML: |cannot read")


def assert_located(found: list) -> None:
    for p in found:
        if p.line is None:  # only a problem with the file as a whole has no line
            assert WHOLE_FILE.search(p.message), p


def tree_state(root: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``root``: content hash and modification time."""
    return {
        p.relative_to(root).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --- fuzzing: loader ----------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.dates(),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(st.text(max_size=12), st.integers()), children, max_size=5),
    ),
    max_leaves=30,
)
field_values = st.one_of(
    scalars,
    st.lists(st.text(max_size=10), max_size=3),
    st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3),
    st.sampled_from(["2025Q3", "2025-13", "FY2025..2024Q1", "超過1.5億元", "約10億", "-3%",
                     "kling", "revenue", "actual", "9" * 400, "1e308億"]),
)  # fmt: skip
fact_like = st.fixed_dictionaries(
    {},
    optional={name: field_values for name in [*FACT_FIELDS, "bogus"]},
)
facts_documents = st.fixed_dictionaries(
    {"source": st.one_of(st.just("mini"), scalars), "facts": st.lists(fact_like, max_size=4)},
    optional={"ignore": documents},
)


class TestLoaderFuzz:
    @FUZZ
    @given(doc=documents)
    def test_any_yaml_document(self, fuzz_root: Path, doc) -> None:
        text = yaml.safe_dump(doc, allow_unicode=True)
        (fuzz_root / FUZZ_FILE).write_text(text, encoding="utf-8")
        found = problems_of(fuzz_root, FUZZ_FILE)
        assert all(p.line is not None for p in found), found  # valid YAML: every line known

    @FUZZ
    @given(doc=facts_documents)
    def test_any_facts_shaped_document(self, fuzz_root: Path, doc) -> None:
        text = yaml.safe_dump(doc, allow_unicode=True)
        (fuzz_root / FUZZ_FILE).write_text(text, encoding="utf-8")
        found = problems_of(fuzz_root, FUZZ_FILE)
        assert all(p.line is not None for p in found), found

    @FUZZ
    @given(text=st.text(max_size=400))
    def test_any_text_as_a_facts_file(self, fuzz_root: Path, text: str) -> None:
        (fuzz_root / FUZZ_FILE).write_text(text, encoding="utf-8", errors="surrogatepass")
        assert_located(problems_of(fuzz_root, FUZZ_FILE))

    @FUZZ
    @given(raw=st.binary(max_size=400))
    def test_any_bytes_as_a_facts_file(self, fuzz_root: Path, raw: bytes) -> None:
        (fuzz_root / FUZZ_FILE).write_bytes(raw)
        assert_located(problems_of(fuzz_root, FUZZ_FILE))

    @FUZZ
    @given(text=st.text(max_size=300))
    def test_any_text_as_seed_front_matter(self, fuzz_root: Path, text: str) -> None:
        rel = "seeds/fuzz-seed.md"
        (fuzz_root / rel).write_text(f"---\n{text}\n---\nbody\n", encoding="utf-8",
                                     errors="surrogatepass")  # fmt: skip
        try:
            assert_located(problems_of(fuzz_root, rel))
        finally:
            (fuzz_root / rel).unlink()


# --- fuzzing: parsers ---------------------------------------------------------------------------


class TestQuantityFuzz:
    @settings(max_examples=200, deadline=None)
    @given(
        value=st.text(),
        dimension=st.sampled_from(sorted(DIMENSION_UNITS)),
        hedge=st.none() | st.text(max_size=6),
        unit=st.none() | st.text(max_size=6),
        rounded_to=st.none() | st.text(max_size=6),
        year=st.none() | st.integers(min_value=-(10**6), max_value=10**6),
    )
    def test_text_never_crashes(self, value, dimension, hedge, unit, rounded_to, year) -> None:
        try:
            iv = parse_quantity(value, dimension=dimension, hedge=hedge, unit=unit,
                                rounded_to=rounded_to, year=year)  # fmt: skip
        except QuantityError as exc:
            assert str(exc).strip()
            assert repr(value) in str(exc)  # the message names the text it could not read
            return
        assert isinstance(iv, Interval)
        assert not (iv.lo != iv.lo or iv.hi != iv.hi), iv  # never NaN

    @settings(max_examples=200, deadline=None)
    @given(
        value=st.text(
            alphabet="0123456789.,%億萬元約超過近不足多餘-~到至年增減美元人個", max_size=14
        ),
        dimension=st.sampled_from(sorted(DIMENSION_UNITS)),
    )
    def test_number_like_text_never_crashes(self, value: str, dimension: str) -> None:
        try:
            parse_quantity(value, dimension=dimension)
        except QuantityError as exc:
            assert str(exc).strip()


class TestRuleFuzz:
    @settings(max_examples=200, deadline=None)
    @given(text=st.text())
    def test_any_assertion_text(self, text: str) -> None:
        try:
            parse_assertion(text)
        except ExprError as exc:
            assert exc.reason.strip()
            assert 1 <= exc.column <= len(text) + 1, (exc.column, len(text))

    @settings(max_examples=200, deadline=None)
    @given(text=st.text(alphabet=string.ascii_letters + string.digits + " .@[]{}(),=<>~+-*/\"_",
                        max_size=80))  # fmt: skip
    def test_assertion_like_text(self, text: str) -> None:
        try:
            parse_assertion(text)
        except ExprError as exc:
            assert 1 <= exc.column <= len(text) + 1, (exc.column, len(text))

    @settings(max_examples=150, deadline=None)
    @given(text=st.text(max_size=300) | documents.map(yaml.safe_dump))
    def test_any_rule_file(self, text: str) -> None:
        _rules, problems = load_rule_text(text, "checks/rules/fuzz.yaml")
        for p in problems:
            assert p.kind == "input" and p.file == "checks/rules/fuzz.yaml", p
            assert p.line is None or p.line >= 1, p


# --- hostile YAML -------------------------------------------------------------------------------

ALIAS_BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
source: mini
facts: [*i, *i, *i, *i, *i, *i, *i, *i, *i]
"""


def bounded(fn, seconds: float = 5.0, megabytes: float = 64.0):
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        out = fn()
    finally:
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert peak < megabytes * 2**20, f"peak {peak / 2**20:.0f} MB"
    return out


class TestHostileYaml:
    def test_alias_bomb_is_refused_in_bounded_time_and_memory(self, mini: Path) -> None:
        (mini / FUZZ_FILE).write_text(ALIAS_BOMB, encoding="utf-8")
        found = bounded(lambda: problems_of(mini, FUZZ_FILE))
        assert any("aliases" in p.message and p.line for p in found), found

    def test_alias_bomb_in_a_rule_file(self) -> None:
        text = ALIAS_BOMB.replace("source: mini\nfacts:", "rules:")
        rules, problems = bounded(lambda: load_rule_text(text, "checks/rules/bomb.yaml"))
        assert rules == []
        assert problems and all(p.file == "checks/rules/bomb.yaml" for p in problems)

    def test_alias_bomb_in_seed_front_matter(self, mini: Path) -> None:
        (mini / "seeds" / "bomb.md").write_text(f"---\n{ALIAS_BOMB}---\nbody\n", encoding="utf-8")
        found = bounded(lambda: problems_of(mini, "seeds/bomb.md"))
        assert found

    @pytest.mark.parametrize(
        "tagged",
        [
            '!!python/object/apply:os.system ["echo pwned > {marker}"]',
            "!!python/object:builtins.dict {{}}",
            '!!python/name:os.system ""',
            "!!binary aGVsbG8=",
            "!custom thing",
        ],
    )
    def test_tags_are_refused(self, mini: Path, tagged: str) -> None:
        marker = mini / "pwned"
        value = tagged.format(marker=marker)
        facts = (mini / "facts" / "mini.yaml").read_text(encoding="utf-8")
        (mini / "facts" / "mini.yaml").write_text(
            facts.replace('value: "4.16億"', f"value: {value}"), encoding="utf-8"
        )
        found = problems_of(mini, "facts/mini.yaml")
        assert any("is not allowed" in p.message and p.line for p in found), found
        assert not marker.exists()
        rules_text = (
            f"rules:\n  - id: r\n    description: d\n    severity: error\n    assert: {value}\n"
        )
        _, rule_problems = load_rule_text(rules_text, "checks/rules/tag.yaml")
        assert rule_problems, "a tagged assert must not load as a rule"
        assert not marker.exists()


# --- malformed files ----------------------------------------------------------------------------


class TestMalformedFiles:
    @pytest.mark.parametrize(
        "rel",
        ["facts/mini.yaml", "facts/entities.yaml", "seeds/mini.md", "checks/acknowledged.yaml"],
    )
    @pytest.mark.parametrize(
        "content,expected",
        [
            (b"source: mini\nfacts: [\xff\xfe]\n", "not UTF-8"),
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
            (b"\x00" * 64, "binary file"),
        ],
        ids=["non-utf8", "png", "zeros"],
    )
    def test_undecodable(self, mini: Path, rel: str, content: bytes, expected: str) -> None:
        (mini / rel).write_bytes(content)
        found = problems_of(mini, rel)
        assert len(found) == 1, found
        assert expected in found[0].message

    @pytest.mark.parametrize("rel", ["facts/mini.yaml", "facts/metrics.yaml"])
    @pytest.mark.parametrize("content", ["", "   \n\n", "# only a comment\n"])
    def test_empty(self, mini: Path, rel: str, content: str) -> None:
        (mini / rel).write_text(content, encoding="utf-8")
        found = problems_of(mini, rel)
        assert len(found) == 1, found
        assert "empty file" in found[0].message and found[0].line == 1

    def test_empty_seed(self, mini: Path) -> None:
        (mini / "seeds" / "mini.md").write_text("", encoding="utf-8")
        found = problems_of(mini, "seeds/mini.md")
        assert len(found) == 1 and "front matter" in found[0].message, found

    @pytest.mark.parametrize("rel", ["facts/mini.yaml", "seeds/mini.md", "facts/entities.yaml"])
    def test_over_the_size_cap(self, mini: Path, rel: str) -> None:
        # the caps are settings ([limits] in factledger.toml); here both are set low
        (mini / "factledger.toml").write_text(
            "[limits]\nmax_seed_bytes = 400\nmax_yaml_bytes = 700\n", encoding="utf-8"
        )
        path = mini / rel
        path.write_text(path.read_text(encoding="utf-8") + "#" * 1000 + "\n", encoding="utf-8")
        found = problems_of(mini, rel)
        assert len(found) == 1, found
        assert "cap" in found[0].message and f"{path.stat().st_size:,}" in found[0].message

    def test_one_bad_file_hides_nothing_else(self, mini: Path) -> None:
        (mini / "facts" / "broken.yaml").write_bytes(b"\xff\xfe")
        corpus = load_corpus(mini)
        assert [p.file for p in corpus.problems] == ["facts/broken.yaml"]
        assert len(corpus.facts) == 3


# --- hostile text in the HTML report ------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RLO = "\u202e"
LONG = "長" * 20_000
LONG_ID = "m-" + "x" * 20_000
# ids are lower-case ASCII (factledger.load.ids): these two are refused, and the refusal — which
# names them — is what reaches the page
HOSTILE_ID = "m-dau" + SCRIPT + IMG + RLO

HOSTILE_SEED = f"""---
id: mini
title: 「可靈」將年賺10億 {SCRIPT}
outlet: 測試
language: zh-Hant
published: '2025-11-27'
published_basis: test fixture
curation: partial
---
今年Q1,可靈收入超過1.5億元{SCRIPT}。快手Q3日活4.16億{IMG}。反轉{RLO}文字收入2.5億元。{LONG}收入3億元。
"""


def hostile_facts() -> str:
    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    return f"""source: mini
facts:
  - id: m-rev-q1
    entity: kling
    metric: revenue
    period: "2025Q1"
    value: "超過1.5億元"
    kind: actual
    quote: {q("今年Q1,可靈收入超過1.5億元" + SCRIPT + "。")}
    note: {q("note " + IMG)}
  - id: m-dau-q3
    entity: kuaishou
    metric: dau
    period: "2025Q3"
    value: "4.16億"
    kind: actual
    quote: {q("快手Q3日活4.16億" + IMG + "。")}
    note: {q(RLO + "reversed note")}
  - id: m-rev-rlo
    entity: kling
    metric: revenue
    period: "2025Q2"
    value: "2.5億元"
    kind: actual
    quote: {q("反轉" + RLO + "文字收入2.5億元。")}
  - id: m-rev-long
    entity: kling
    metric: revenue
    period: "2025Q3"
    value: "3億元"
    kind: actual
    quote: {q(LONG + "收入3億元。")}
    note: {q(LONG)}
  - id: m-rev-missing
    entity: kling
    metric: revenue
    period: "2025Q4"
    value: "9億元"
    kind: actual
    quote: {q("並不存在" + SCRIPT + IMG + RLO + "收入9億元。")}
    note: {q(SCRIPT)}
  - id: {q(HOSTILE_ID)}
    entity: kuaishou
    metric: dau
    period: "2025Q2"
    value: "4.16億"
    kind: actual
    quote: "快手Q3日活4.16億"
  - id: {q(LONG_ID)}
    entity: kuaishou
    metric: dau
    period: "2025Q2"
    value: "4.16億"
    kind: actual
    quote: "快手Q3日活4.16億"
"""


def _visible(html: str) -> str:
    """The page without its script elements (data islands and code, never rendered)."""
    return re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S | re.I)


class _Shown(HTMLParser):
    """Text a reader sees: text nodes (SVG <title> tooltips included) and the attributes browsers
    display (title, alt, aria-label, placeholder); not scripts, styles or other attributes."""

    SHOWN_ATTRS = ("title", "alt", "aria-label", "placeholder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [v or "" for k, v in attrs if k in self.SHOWN_ATTRS]

    def handle_endtag(self, tag) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data) -> None:
        if not self._skip:
            self.parts.append(data)


def shown_text(html: str) -> str:
    parser = _Shown()
    parser.feed(html)
    return "\n".join(parser.parts)


class TestHostileReport:
    @pytest.fixture(scope="class")
    @classmethod
    def rendered(cls, tmp_path_factory) -> tuple[str, str, dict]:
        from factledger.report import document as report_data
        from factledger.report import html as html_report

        root = write_mini(tmp_path_factory.mktemp("hostile") / "corpus", hostile_facts())
        (root / "seeds" / "mini.md").write_text(HOSTILE_SEED, encoding="utf-8")
        outcome = engine.run(root, expectations=False)
        refused = {(p.fact_ids, p.message.split(":")[0]) for p in outcome.corpus.problems}
        assert refused == {((HOSTILE_ID,), "id"), ((LONG_ID,), "id")}, outcome.corpus.problems
        doc = report_data.build(outcome, root)
        benign = write_mini(tmp_path_factory.mktemp("benign") / "corpus")
        benign_doc = report_data.build(engine.run(benign, expectations=False), benign)
        return html_report.render(doc), html_report.render(benign_doc), doc

    def test_no_markup_is_injected(self, rendered) -> None:
        html, benign, _ = rendered
        assert SCRIPT not in html
        assert "<img" not in html.lower()
        assert "onerror=alert(1)>" not in html
        # the same number of script elements as a page without hostile text: nothing broke out
        count = lambda page: len(re.findall(r"<script\b", page, re.I))  # noqa: E731
        assert count(html) == count(benign)
        assert html.count("</script>") == benign.count("</script>")

    def test_hostile_text_is_shown_as_text(self, rendered) -> None:
        html, _, _ = rendered
        visible = _visible(html)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in visible
        assert "&lt;img src=x onerror=alert(1)&gt;" in visible

    def test_direction_override_is_visible_in_the_page(self, rendered) -> None:
        html, _, _ = rendered
        assert "U+202E" in shown_text(html)

    def test_direction_override_is_never_obeyed(self, rendered) -> None:
        html, _, _ = rendered
        shown = shown_text(html)
        at = shown.find(RLO)
        assert at < 0, f"raw U+202E shown to the reader: {shown[max(0, at - 60) : at + 20]!r}"

    def test_a_20000_character_line_stays_readable(self, rendered) -> None:
        html, _, doc = rendered
        assert any(f["id"] == "m-rev-long" for f in doc["facts"])
        shown = shown_text(html)
        assert "m-rev-long" in shown
        assert LONG_ID in shown  # a 20,000-character id is shown whole, as text
        assert LONG in shown  # the source text, whole, as text
        assert len(html) < 2_000_000  # shown a few times at most, not once per character
        css = re.findall(r"<style[^>]*>(.*?)</style>", html, re.S)
        assert any(re.search(r"overflow-wrap|word-break|white-space:\s*pre-wrap", c) for c in css)

    def test_data_islands_parse_back(self, rendered) -> None:
        html, _, _ = rendered
        islands = re.findall(
            r'<script type="application/(?:ld\+)?json"[^>]*>(.*?)</script>', html, re.S
        )
        assert islands
        for text in islands:
            json.loads(text)


# --- concurrent reports ------------------------------------------------------------------------


def _write_reports(args: tuple[str, str, int]) -> None:
    root, out, times = args
    outcome = engine.run(Path(root), expectations=False)
    for _ in range(times):
        report.write_all(outcome, Path(root), Path(out))


def assert_reports_whole(out: Path) -> None:
    names = sorted(p.name for p in out.iterdir())
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")], names
    assert "discrepancies.json" in names and "junit.xml" in names
    json.loads((out / "discrepancies.json").read_text(encoding="utf-8"))
    ET.parse(out / "junit.xml")
    if (out / "claimreview.jsonld").exists():
        json.loads((out / "claimreview.jsonld").read_text(encoding="utf-8"))
    if (out / "discrepancies.html").exists():
        assert (out / "discrepancies.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


class TestConcurrentReports:
    def test_threads(self, mini: Path, tmp_path: Path) -> None:
        out = tmp_path / "reports"
        outcome = engine.run(mini, expectations=False)
        errors: list[BaseException] = []
        start = threading.Barrier(4)

        def work() -> None:
            try:
                start.wait()
                for _ in range(5):
                    report.write_all(outcome, mini, out)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert_reports_whole(out)

    @pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
    def test_processes(self, mini: Path, tmp_path: Path) -> None:
        out = tmp_path / "reports"
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(2) as pool:
            pool.map(_write_reports, [(str(mini), str(out), 5)] * 2)
        assert_reports_whole(out)


# --- the harness never writes its inputs --------------------------------------------------------


class TestReadOnlyInputs:
    def test_commands_leave_seeds_and_facts_alone(self, bundled: Path, capsys) -> None:
        before = {d: tree_state(bundled / d) for d in ("seeds", "facts")}
        source = sorted(p.stem for p in (bundled / "seeds").glob("*.md"))[0]
        codes = [
            cli.main(["check", "--root", str(bundled), "-q"]),
            cli.main(["coverage", "--root", str(bundled)]),
            cli.main(["suggest", "--root", str(bundled), source]),
        ]
        capsys.readouterr()
        assert all(c in (0, 1) for c in codes), codes
        assert (bundled / "reports" / "discrepancies.json").exists()  # check did write reports/
        after = {d: tree_state(bundled / d) for d in ("seeds", "facts")}
        assert after == before
