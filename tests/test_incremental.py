"""The incremental cache gives what a full run gives: random edit sequences on a synthetic corpus,
and after each edit the cached run's results compared with a full run's — ids, verdicts,
fingerprints and everything else a result carries, the findings with their acknowledgement
status, the extras and the exit code."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factledger import engine, incremental
from factledger.devtools.synth import generate

OPERATIONS = (
    "change-value", "change-period", "add-fact", "remove-fact", "duplicate-id", "move-fact",
    "edit-rule", "remove-rule", "duplicate-rule", "id-rule", "ack", "stale-ack", "remove-ack",
    "edit-seed", "edit-outlet", "touch", "remove-file", "copy-file", "ignore", "break-yaml",
    "change-entity", "new-source", "edit-claim", "edit-relation", "rename-qualifier",
    "drop-entity",
)  # fmt: skip


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synth") / "corpus"
    generate(root, sources=6, facts=60, rate=0.1, seed=7)
    (root / "ground_truth.json").unlink()
    add_claims(root)
    return root


# synth writes relations (facts/metrics.yaml) but no claim facts: the template gets claims of
# every kind, with what they compare with
OTHER = "ent-zz"  # a second entity (synth writes one per 60 facts)
# synth's entity relations: ent-00001-ai part_of ent-00001, ent-00001-lite member_of ent-00001-ai
NAMES = {"ent-00001": "海鼎科技", OTHER: "織夢科技", "ent-00001-ai": "海鼎AI",
         "ent-00001-lite": "海鼎Lite"}  # fmt: skip
REGISTRY = """\
  - key: revenue_rank
    dimension: rank
    unit: rank
    series: true
    names: [第二名]
    description: Place in a revenue ranking (the `of` qualifier).
  - key: model_releases
    dimension: count
    unit: count
    series: true
    names: [迭代]
    description: Model releases over the period.
  - key: release_date
    dimension: date
    unit: date
    series: false
    names: [發佈]
    description: Release date of a model (the `model` qualifier).
"""
# (seed index, id, entity, metric, qualifiers, period, value, claim, the sentence after the name)
CLAIMS = [
    (0, "clm-record", "ent-00001", "revenue", "", "2025Q4", "創歷史新高",
     '{record_high: "true"}', "2025年Q4收入創歷史新高。"),
    (0, "clm-greater", "ent-00001", "revenue", "", "2025Q1", "高於",
     f'{{greater_than: "{OTHER}.revenue@2025Q1"}}', "2025年Q1收入高於織夢科技。"),
    (1, "zz-revenue-2025q1", OTHER, "revenue", "", "2025Q1", "12億元", "", "2025年Q1收入12億元。"),
    (1, "zz-revenue-2025q2", OTHER, "revenue", "", "2025Q2", "13億元", "", "2025年Q2收入13億元。"),
    (1, "zz-revenue-2025h1", OTHER, "revenue", "", "2025H1", "20億元", "", "2025年H1收入20億元。"),
    (1, "clm-less", OTHER, "revenue", "", "2025Q1", "低於",
     '{less_than: "{src-00001-ent-00001-revenue-2025q1}"}', "2025年Q1收入低於海鼎科技。"),
    (0, "rank-fig-0", "ent-00001", "revenue", "{of: top-revenue}", "2025Q4", "30億元", "",
     "2025年Q4榜單收入30億元。"),
    (1, "rank-fig-1", OTHER, "revenue", "{of: top-revenue}", "2025Q4", "20億元", "",
     "2025年Q4榜單收入20億元。"),
    (0, "clm-rank-0", "ent-00001", "revenue_rank", "{of: top-revenue}", "2025Q4", "第二名",
     '{rank: "2", ranking: top-revenue, by: revenue}', "2025年Q4收入榜第二名。"),
    (1, "clm-rank-1", OTHER, "revenue_rank", "{of: top-revenue}", "2025Q4", "第二名",
     '{rank: "2", ranking: top-revenue, by: revenue}', "2025年Q4收入榜第二名。"),
    (0, "ai-revenue-2025q1", "ent-00001-ai", "revenue", "", "2025Q1", "30億元", "",
     "2025年Q1收入30億元。"),
    (0, "clm-rank-ai", "ent-00001-ai", "revenue_rank", "{of: top-revenue}", "2025Q4", "第三名",
     '{rank: "3", ranking: top-revenue}', "2025年Q4收入榜第三名。"),
    (1, "clm-rank-lite", "ent-00001-lite", "revenue_rank", "{of: top-revenue}", "2025Q4",
     "第四名", '{rank: "4", ranking: top-revenue}', "2025年Q4收入榜第四名。"),
    (1, "zz-release-1.0", OTHER, "release_date", "{model: m-1.0}", "2025-03", "2025年3月", "",
     "2025年3月發佈模型1.0。"),
    (1, "zz-release-2.0", OTHER, "release_date", "{model: m-2.0}", "2025-03", "2025年3月", "",
     "2025年3月發佈模型2.0。"),
    (1, "clm-count", OTHER, "model_releases", "", "FY2025", "3次",
     '{count: "3", of: release_date}', "2025年模型迭代了3次。"),
]  # fmt: skip


def add_claims(root: Path) -> None:
    """Claim facts of every kind (synth writes none), and what they compare with: a second
    entity, a ranking's figures, a count's members; each quoting a sentence added to a seed."""
    facts = root / "facts"
    with (facts / "entities.yaml").open("a", encoding="utf-8") as fh:
        fh.write(f"  - key: {OTHER}\n    names: [{NAMES[OTHER]}]\n    kind: company\n")
    declared = (facts / "metrics.yaml").read_text("utf-8")
    with (facts / "metrics.yaml").open("a", encoding="utf-8") as fh:
        for block in REGISTRY.split("  - key: ")[1:]:  # the metrics synth does not declare
            if f"- key: {block.split()[0]}\n" not in declared:
                fh.write("  - key: " + block)
    seeds = sorted((root / "seeds").glob("*.md"))[:2]
    for i, seed in enumerate(seeds):
        mine = [c for c in CLAIMS if c[0] == i]
        quotes = [NAMES[c[2]] + c[8] for c in mine]
        seed.write_text(seed.read_text("utf-8").rstrip("\n") + "".join(quotes) + "\n", "utf-8")
        blocks = ""
        for (_, fid, entity, metric, quals, period, value, claim, _), quote in zip(
            mine, quotes, strict=True
        ):
            blocks += f"  - id: {fid}\n    entity: {entity}\n    metric: {metric}\n"
            blocks += f"    qualifiers: {quals}\n" if quals else ""
            blocks += f'    period: "{period}"\n    value: "{value}"\n    kind: actual\n'
            blocks += f'    quote: "{quote}"\n' + (f"    claim: {claim}\n" if claim else "")
        path = facts / f"{seed.stem}.yaml"
        text = path.read_text("utf-8")
        if "\nignore:" in text:
            text = text.replace("\nignore:", "\n" + blocks + "ignore:", 1)
        else:
            text = text.rstrip("\n") + "\n" + blocks
        path.write_text(text, "utf-8")


def snapshot(outcome: engine.Outcome) -> dict:
    results = sorted(
        (r.id, r.kind, r.verdict, r.severity, r.fingerprint, r.message, r.fact_ids,
         r.file or "", r.line or 0, repr(r.data))
        for r in outcome.results
    )  # fmt: skip
    findings = sorted((f.result.id, f.status, f.result.fingerprint) for f in outcome.findings)
    return {
        "results": results,
        "findings": findings,
        "extras": outcome.extras,
        "counts": outcome.counts(),
        "exit": outcome.exit_code,
        "unreadable": sorted(outcome.corpus.unreadable),
        "facts": sorted(f.id for f in outcome.corpus.facts),
    }


def assert_same(cached: engine.Outcome, full: engine.Outcome, step: str) -> None:
    a, b = snapshot(cached), snapshot(full)
    for key in b:
        if key == "results" and a[key] != b[key]:
            only_a = sorted(set(a[key]) - set(b[key]))[:3]
            only_b = sorted(set(b[key]) - set(a[key]))[:3]
            pytest.fail(f"after {step}: results differ\ncached only: {only_a}\nfull only: {only_b}")
        assert a[key] == b[key], f"after {step}: {key} differs"
    # the same order too (a report lists results in it)
    assert [r.id for r in cached.results] == [r.id for r in full.results], step


# --- edits, as an analyst makes them in an editor -------------------------------------------------


def _facts_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "facts").glob("*.yaml")
                  if p.name not in ("entities.yaml", "metrics.yaml"))  # fmt: skip


def _blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each fact item of a synth facts file."""
    starts = [m.start() for m in re.finditer(r"^  - id: ", text, re.M)]
    out = []
    for i, s in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        tail = re.search(r"^\S", text[s:end], re.M)
        out.append((s, s + tail.start() if tail else end))
    return out


def _pick_fact(
    rng: random.Random, root: Path, claims: bool = False
) -> tuple[Path, str, tuple[int, int]] | None:
    """A fact's file, its text and the fact's span (``claims``: a claim fact's)."""
    picks = []
    for p in _facts_files(root):
        text = p.read_text("utf-8")
        picks += [
            (p, text, b) for b in _blocks(text) if not claims or "claim:" in text[b[0] : b[1]]
        ]
    return rng.choice(picks) if picks else None


def _rule_files(root: Path) -> list[Path]:
    return sorted((root / "checks" / "rules").glob("*.yaml"))


def _rule_blocks(text: str) -> list[tuple[int, int]]:
    starts = [m.start() for m in re.finditer(r"^  - id: ", text, re.M)]
    return [(s, starts[i + 1] if i + 1 < len(starts) else len(text)) for i, s in enumerate(starts)]


ACK_HEAD = "acknowledged:\n"


def _acks(root: Path) -> str:
    path = root / "checks" / "acknowledged.yaml"
    return path.read_text("utf-8") if path.exists() else ACK_HEAD


def _ack_entry(rid: str, fp: str) -> str:
    return (
        f'  - id: "{rid}"\n    fingerprint: "{fp}"\n    verdict: source-error\n'
        '    reason: "reviewed in a test"\n    reviewer: tester\n    date: "2025-12-01"\n'
    )


def edit(op: str, n: int, root: Path, last: engine.Outcome) -> str:
    """Apply one edit; say what it did."""
    rng = random.Random(n)
    if op in ("change-value", "change-period", "add-fact", "remove-fact", "duplicate-id",
              "move-fact", "ignore", "change-entity", "edit-claim"):  # fmt: skip
        picked = _pick_fact(rng, root, claims=op == "edit-claim")
        if picked is None:
            return "nothing to edit"
        path, text, (s, e) = picked
        block = text[s:e]
        if op == "change-value":
            m = re.search(r'value: "([^"]*?)(\d)([^"\d]*)"', block)
            if m is None:
                return "no value"
            digit = str((int(m[2]) + rng.randint(1, 9)) % 10)
            new = block[: m.start(2)] + digit + block[m.end(2) :]
        elif op == "change-period":
            new = re.sub(
                r'period: "(\d{4})Q(\d)"',
                lambda m: f'period: "{m[1]}Q{int(m[2]) % 4 + 1}"',
                block,
            )
        elif op == "add-fact":
            copy = re.sub(r"^  - id: (\S+)", lambda m: f"  - id: {m[1]}-copy{n % 97}", block,
                          flags=re.M)  # fmt: skip
            new = block + copy
        elif op == "remove-fact":
            new = ""
        elif op == "edit-claim":  # the other side, the place, the count, the direction
            swaps = [("greater_than", "less_than"), ("less_than", "greater_than"),
                     ("record_high", "record_low"), ("rank: \"2\"", "rank: \"1\""),
                     ("rank: \"1\"", "rank: \"3\""), ("count: \"3\"", "count: \"2\""),
                     ("count: \"2\"", "count: \"1\""), ("@2025Q1", "@2025Q3"),
                     ("by: revenue", "by: net_profit")]  # fmt: skip
            have = [(a, b) for a, b in swaps if a in block]
            if not have:
                return "no claim to change"
            a, b = rng.choice(have)
            new = block.replace(a, b, 1)
        elif op == "change-entity":  # the fact joins other groups (perhaps new ones)
            keys = re.findall(r"key: (\S+)", (root / "facts" / "entities.yaml").read_text("utf-8"))
            new = re.sub(r"entity: \S+", f"entity: {rng.choice(keys)}", block, count=1)
        elif op == "duplicate-id":  # a fact of another file, under the same id
            other = rng.choice(_facts_files(root))
            blocks = _blocks(other.read_text("utf-8"))
            if not blocks:
                return "no other fact"
            a, b = rng.choice(blocks)
            fid = re.match(r"  - id: (\S+)", other.read_text("utf-8")[a:b])[1]  # type: ignore[index]
            new = block + re.sub(r"^  - id: \S+", f"  - id: {fid}", block, flags=re.M)
        elif op == "move-fact":  # cut here, paste at the end of another file
            other = rng.choice(_facts_files(root))
            path.write_text(text[:s] + text[e:], "utf-8")
            other_text = other.read_text("utf-8")
            if not _blocks(other_text):
                return "no facts list"
            a, b = _blocks(other_text)[-1]
            other.write_text(other_text[:b] + block + other_text[b:], "utf-8")
            return f"moved a fact from {path.name} to {other.name}"
        else:  # ignore: an ignore entry for a number of the seed
            m = re.search(r'value: "([^"]+)"', block)
            if m is None:
                return "no value"
            entry = f'ignore:\n  - mention: "{m[1]}"\n    reason: "not a claim (test)"\n'
            if "\nignore:" in text:
                text = text.replace("\nignore:\n", "\n" + entry, 1)
            else:
                text = text.rstrip("\n") + "\n" + entry
            path.write_text(text, "utf-8")
            return f"ignore entry in {path.name}"
        path.write_text(text[:s] + new + text[e:], "utf-8")
        return f"{op} in {path.name}"
    if op in ("edit-rule", "remove-rule", "duplicate-rule", "id-rule"):
        files = _rule_files(root)
        path = rng.choice(files)
        text = path.read_text("utf-8")
        blocks = _rule_blocks(text)
        if not blocks:
            return "no rules"
        s, e = rng.choice(blocks)
        block = text[s:e]
        if op == "edit-rule":
            new = block.replace(" ~ ", " <= ", 1) if " ~ " in block else block.replace(
                "severity: error", "severity: warning")  # fmt: skip
        elif op == "remove-rule":
            new = ""
        elif op == "duplicate-rule":
            other = root / "checks" / "rules" / f"extra-{n % 3}.yaml"
            head = other.read_text("utf-8") if other.exists() else "rules:\n"
            other.write_text(head + block, "utf-8")
            return f"rule copied into {other.name}"
        else:  # a rule naming a fact by id (that may exist or not)
            ids = [f.id for f in last.corpus.facts] or ["nothing"]
            fid = rng.choice(ids) + ("" if rng.random() < 0.7 else "-gone")
            new = block + (f"  - id: by-id-{n % 1000}\n    description: by id\n"
                           f"    severity: error\n    assert: '{{{fid}}} > 0'\n")  # fmt: skip
        path.write_text(text[:s] + new + text[e:], "utf-8")
        return f"{op} in {path.name}"
    if op in ("ack", "stale-ack", "remove-ack"):
        path = root / "checks" / "acknowledged.yaml"
        text = _acks(root)
        if op == "remove-ack":
            entries = _rule_blocks(text)
            if not entries:
                return "no acks"
            s, e = rng.choice(entries)
            text = text[:s] + text[e:]
        else:
            open_ = [f.result for f in last.findings if f.result.acknowledgeable
                     and f.result.id not in text]  # fmt: skip
            if not open_:
                return "nothing to acknowledge"
            r = rng.choice(open_)
            fp = r.fingerprint if op == "ack" else "0000000000000000"
            text = text.replace("acknowledged: []", "acknowledged:")
            text = text.rstrip("\n") + "\n" + _ack_entry(r.id, fp)
        if text.strip() == "acknowledged:":
            text = "acknowledged: []\n"
        path.write_text(text, "utf-8")
        return f"{op} in acknowledged.yaml"
    if op in ("edit-seed", "edit-outlet"):
        seeds = sorted((root / "seeds").glob("*.md"))
        path = rng.choice(seeds)
        text = path.read_text("utf-8")
        if op == "edit-seed":
            text = text.rstrip("\n") + f"又有{rng.randint(2, 99)}家公司表示關注。\n"
        else:
            text = re.sub(r'outlet: "([^"]*)"', lambda m: f'outlet: "{m[1]}{n % 7}"', text)
        path.write_text(text, "utf-8")
        return f"{op} {path.name}"
    if op == "edit-relation":  # facts/metrics.yaml: a relation added, dropped or changed
        path = root / "facts" / "metrics.yaml"
        text = path.read_text("utf-8")
        swaps = [
            ("    subset_of: mau\n", ""),
            ("    aggregation: stock\n", "    aggregation: flow\n"),
            ("complete: false", "complete: true"),
            ("parts: [segment]", "parts: [segmnet]"),
            ("    growth_of: revenue\n", ""),
            ("aggregation: cumulative", "aggregation: stock"),
            ("    names: [註冊用戶]", "    subset_of: mau\n    names: [註冊用戶]"),
        ]
        have = [(a, b) for a, b in swaps if a in text]
        if not have:
            return "no relation to change"
        a, b = rng.choice(have)
        path.write_text(text.replace(a, b, 1), "utf-8")
        return f"relation {a.strip()!r} → {b.strip()!r}"
    if op == "rename-qualifier":  # a part-whole qualifier renamed (a typo) in one file, or back
        path = rng.choice(_facts_files(root))
        text = path.read_text("utf-8")
        a, b = ("segmnet", "segment") if "segmnet:" in text else ("segment", "segmnet")
        path.write_text(text.replace(f"{a}:", f"{b}:"), "utf-8")
        return f"qualifier {a} → {b} in {path.name}"
    if op == "drop-entity":  # every fact of one entity removed (its invariants go)
        entity = rng.choice(sorted(NAMES))
        for path in _facts_files(root):
            text = path.read_text("utf-8")
            for s, e in reversed(_blocks(text)):
                if f"entity: {entity}\n" in text[s:e]:
                    text = text[:s] + text[e:]
            path.write_text(text, "utf-8")
        return f"dropped every fact of {entity}"
    if op == "touch":
        path = rng.choice(_facts_files(root) + _rule_files(root))
        path.write_text(path.read_text("utf-8"), "utf-8")
        return f"touched {path.name}"
    if op == "remove-file":
        files = _facts_files(root)
        if len(files) < 2:
            return "keep the last file"
        path = rng.choice(files)
        path.unlink()
        return f"removed {path.name}"
    if op == "new-source":  # a new article and its facts
        seed = rng.choice(sorted((root / "seeds").glob("*.md")))
        sid = f"zz-new-{n % 5}"
        text = re.sub(r"^id: .*$", f"id: {sid}", seed.read_text("utf-8"), count=1, flags=re.M)
        (root / "seeds" / f"{sid}.md").write_text(text, "utf-8")
        facts = root / "facts" / f"{seed.stem}.yaml"
        if facts.exists():
            text = facts.read_text("utf-8").replace(f"source: {seed.stem}", f"source: {sid}")
            text = re.sub(r"^  - id: (\S+)", lambda m: f"  - id: {m[1]}-{sid}", text, flags=re.M)
            (root / "facts" / f"{sid}.yaml").write_text(text, "utf-8")
        return f"new source {sid} from {seed.stem}"
    if op == "copy-file":  # every fact id of it repeated in a new file
        path = rng.choice(_facts_files(root))
        target = path.with_name(f"zz-copy-{n % 5}.yaml")
        shutil.copyfile(path, target)
        return f"copied {path.name} to {target.name}"
    if op == "break-yaml":
        path = rng.choice(_facts_files(root) + _rule_files(root))
        path.write_text(path.read_text("utf-8") + "  - {unclosed: [\n", "utf-8")
        return f"broke {path.name}"
    raise AssertionError(op)


def check_sequence(
    template: Path, tmp: Path, ops: list[tuple[str, int]], reuse: bool = False
) -> None:
    """``reuse``: one session for every run (as ``watch`` runs), else a new one each time (as
    ``check`` runs)."""
    root = tmp / "corpus"
    shutil.copytree(template, root)
    quiet: list[str] = []
    session = incremental.Session(root, expectations=False, notice=quiet.append)

    def cached() -> engine.Outcome:
        if reuse:
            return session.run()
        return incremental.run(root, expectations=False, notice=quiet.append)

    full = engine.run(root, expectations=False)
    assert_same(cached(), full, "the first (cold) run")
    for i, (op, n) in enumerate(ops):
        what = edit(op, n, root, full)
        full = engine.run(root, expectations=False)
        assert_same(cached(), full, f"edit {i + 1}: {what}")
    assert not quiet, quiet  # the cache was never discarded


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 10**6)),
                    min_size=1, max_size=6), reuse=st.booleans())  # fmt: skip
def test_random_edits_give_what_a_full_run_gives(
    template: Path, tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, int]],
    reuse: bool,
) -> None:  # fmt: skip
    check_sequence(template, tmp_path_factory.mktemp("edits"), ops, reuse)


def test_a_part_qualifier_misspelt_everywhere_then_mended(template: Path, tmp_path: Path) -> None:
    """The registry's parts qualifier against the facts' qualifiers (a load problem that depends
    on every facts file): renamed file by file until no fact uses it, then back."""
    files = len(_facts_files(template))
    check_sequence(template, tmp_path, [("rename-qualifier", i) for i in range(2 * files)])


def test_the_template_has_a_claim_of_every_kind_and_invariants(template: Path) -> None:
    full = engine.run(template, expectations=False)
    claims = {r.id: r.verdict for r in full.results if r.kind == "claim"}
    kinds = {f.claim.kind for f in full.corpus.facts if f.claim is not None}
    assert kinds == {"record_high", "greater_than", "less_than", "rank", "count"}
    assert len(claims) == 8 and "input" not in {r.kind for r in full.results}
    relations = full.extras["invariants"]["relations"]
    assert relations.get("entity_part_of") and relations.get("member-in-ranking")
    assert full.extras["invariants"]["invariants"] > 0
    assert any(r.kind == "invariant" and OTHER in r.id for r in full.results)


@pytest.mark.parametrize("op", OPERATIONS)
def test_each_kind_of_edit(template: Path, tmp_path: Path, op: str) -> None:
    """Every kind of edit at least once, twice in a row (the second on a warm cache)."""
    check_sequence(template, tmp_path, [(op, 1), (op, 2)])
