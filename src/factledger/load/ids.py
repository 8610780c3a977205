"""Fact and rule ids: what an id may be, and when two ids are the same.

Ids are lower-case ASCII (``[a-z0-9][a-z0-9._-]*``, at most 120 characters) so that ids that look
alike are alike; two ids that collide after NFKC and case folding are duplicates all the same.
"""

from __future__ import annotations

import re
import unicodedata

ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
MAX_ID_CHARS = 120


def id_problem(value: str) -> str | None:
    """Why ``value`` is not a fact or rule id, or None when it is one."""
    if not ID_RE.fullmatch(value):
        return (
            f"{value!r} is not an id: lower-case letters, digits and . _ - "
            "(starting with a letter or digit)"
        )
    if len(value) > MAX_ID_CHARS:
        return f"{len(value)} characters, over the {MAX_ID_CHARS} an id may have"
    return None


def id_key(value: str) -> str:
    """What ids are compared by: NFKC, then case folded (ＫＬＩＮＧ-1 and kling-1 are one id)."""
    return unicodedata.normalize("NFKC", value).casefold()
