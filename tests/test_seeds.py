"""Each seed's title and body are byte-identical to the lines of the file we received."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from factledger.load import split_front_matter

PROJECT = Path(__file__).resolve().parents[1]
ORIGINAL = PROJECT.parent / "shared" / "seeds" / "000_ebf554ae4e347046.txt"
SEEDS = sorted((PROJECT / "seeds").glob("*.md"))


def test_six_seeds() -> None:
    assert len(SEEDS) == 6


@pytest.mark.skipif(not ORIGINAL.exists(), reason=f"original corpus file not present at {ORIGINAL}")
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_seed_matches_original_bytes(seed: Path) -> None:
    original = ORIGINAL.read_bytes().decode("utf-8").splitlines(keepends=True)
    front, body = split_front_matter(seed.read_bytes().decode("utf-8"))
    meta = yaml.safe_load(front)
    origin = meta["origin"]
    assert origin["file"] == ORIGINAL.name
    title_line = original[origin["title_line"] - 1]
    body_line = original[origin["body_line"] - 1]
    assert (meta["title"] + "\n").encode() == title_line.encode()
    assert body.encode() == body_line.encode()


@pytest.mark.skipif(not ORIGINAL.exists(), reason=f"original corpus file not present at {ORIGINAL}")
def test_every_original_line_is_in_a_seed() -> None:
    """Nothing of the received text was dropped: 1 tag line + a title and body per seed."""
    original = ORIGINAL.read_bytes().decode("utf-8").splitlines(keepends=True)
    used = {1}
    for seed in SEEDS:
        front, _ = split_front_matter(seed.read_text(encoding="utf-8"))
        origin = yaml.safe_load(front)["origin"]
        used |= {origin["title_line"], origin["body_line"]}
    assert used == set(range(1, len(original) + 1))
