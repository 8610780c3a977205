"""List the numeric mentions of a seed with context (curation aid).

Usage: python scripts/list_mentions.py seeds/<id>.md
"""

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from factledger.mentions import find_mentions, fold

seed = Path(sys.argv[1]).read_text()
_, front, body = seed.split("---\n", 2)
text = fold(yaml.safe_load(front)["title"] + "\n" + body)
ms = find_mentions(text)
for m in ms:
    print(f"{m.start:6d} {m.text:<12} …{text[max(0, m.start - 15) : m.end + 12]}…")
print(len(ms), "mentions")
