"""The report document → ``discrepancies.json``, streamed.

Each item of the long lists is encoded on its own by the json module's C encoder (compact
separators; ``indent`` would force the pure-Python encoder, several times slower) and written
straight to the file, so neither the whole document nor the whole text is ever in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from factledger.model import json_safe
from factledger.report.document import Document

# one encoder, reused: json.dumps with arguments builds a new one per call
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_BATCH = 512  # items joined per write: fewer, larger writes


def encode(value: Any) -> str:
    """Compact JSON text of ``value`` (C encoder); a non-finite float anywhere becomes null."""
    try:
        return _ENCODER.encode(value)
    except ValueError:  # NaN or Infinity, which JSON does not have
        return _ENCODER.encode(json_safe(value))


def write_array(fh: TextIO, items: Iterable[Any]) -> None:
    fh.write("[")
    batch: list[str] = []
    first = True
    for item in items:
        batch.append(encode(item))
        if len(batch) == _BATCH:
            fh.write(("" if first else ",") + ",".join(batch))
            first = False
            batch.clear()
    if batch:
        fh.write(("" if first else ",") + ",".join(batch))
    fh.write("]")


def write_json(fh: TextIO, document: Document) -> None:
    """The whole document as one JSON object, in the order of ``docs/report-schema.json``."""
    fh.write("{")
    for i, (key, value) in enumerate(document.head.items()):
        fh.write(f"{',' if i else ''}{encode(key)}:{encode(value)}")
    for key, items in document.lists():
        fh.write(f",{encode(key)}:")
        write_array(fh, items)
    fh.write("}\n")


def to_json(doc: dict[str, Any]) -> str:
    """A whole document dict (:func:`factledger.report.document.build`) as compact JSON."""
    return encode(doc)
