"""Split the received corpus file into one seed file per article (run once; kept for the record).

The received file holds a tag line (``#可靈AI``) and then, per article, a title line and a
body line.
Each seed keeps the body byte-for-byte; metadata goes into YAML front matter.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ARTICLES = [
    # (slug, published, published_basis)
    (
        "dongcaidi-kling-annual-revenue",
        "2025-11-27",
        "latest date in the text is 截至11月27日 (market value, share price) and it reports "
        "Kuaishou's 2025Q3 results",
    ),
    (
        "tmtpost-kling-price-cut",
        "2025-09-23..2025-09-30",
        "reports the 9月23日 launch of Kling 2.5 Turbo as news, calls the Q2 report 上個月 "
        "(last month) and the Busan film festival (September) 近期",
    ),
    (
        "yunmeiti-kling-q1-revenue",
        "2025-05..2025-08",
        "2025Q1 results are the latest it cites and the 2025Q2 report is still awaited "
        "(2025年第二季度的財報也將進一步驗證)",
    ),
    (
        "morketing-kling-60-countries",
        "2025-06",
        "says the April campaign was 兩個月前 and cites the 5月29日 release of Kling 2.1",
    ),
    (
        "bohu-kling-two-faces",
        "2025-06",
        "2025Q1 results are the latest quarter it cites; Kling 2.1 (released a month after the "
        "April 2.0) is current",
    ),
    (
        "huxiu-kling-global-top",
        "2025-03-27..2025-04",
        "reports the 3月27日 Artificial Analysis ranking as news, cites 2024Q4 results as the "
        "latest and 2025Q1 plans in the future tense",
    ),
]


def main(src: Path, out: Path) -> None:
    lines = src.read_bytes().decode("utf-8").splitlines(keepends=True)
    pairs = lines[1:]
    assert len(pairs) == 2 * len(ARTICLES), len(pairs)
    for i, (slug, published, basis) in enumerate(ARTICLES):
        title = pairs[2 * i].rstrip("\n")
        body = pairs[2 * i + 1]
        outlet = body.rstrip("\n").rsplit("(", 1)[1].rstrip(")")
        meta = {
            "id": slug,
            "title": title,
            "outlet": outlet,
            "language": "zh-Hant",
            "published": published,
            "published_basis": basis,
            "curation": "partial",  # set to complete by hand once every mention is covered
            "origin": {"file": src.name, "title_line": 2 * i + 2, "body_line": 2 * i + 3},
        }
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10**6)
        (out / f"{slug}.md").write_bytes(f"---\n{front}---\n{body}".encode())


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
