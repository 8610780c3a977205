"""Find every numeric mention in a text — and every word that makes a checkable claim without a
number (創歷史新高, 高於): what coverage counts.

A mention is an Arabic-digit number (``1.5``, ``3,850``, ``Q3``, ``H1``) or a Chinese-numeral
quantity that carries a unit, hedge, multiple or rank (``兩倍``, ``十餘人``, ``一大半``,
``數十萬``, ``第二名``, ``兩到三個``). Bare idioms (一個, 一種, 一方面) are not mentions.

Works on folded text (see :func:`fold`), the same text quotes are matched against, so mention
positions and quote positions agree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str


_DIGITS = "零〇一二兩三四五六七八九"
_NUM = f"[{_DIGITS}十百千萬億兆]"
# Units, classifiers and markers after which a Chinese numeral states a quantity.
# Longest first so that 個月 wins over 個.
_UNITS = sorted(
    [
        "個月",
        "季度",
        "季報",
        "分鐘",
        "小時",
        "維度",
        "方面",
        "倍",
        "年",
        "月",
        "周",
        "週",
        "天",
        "日",
        "人",
        "名",
        "家",
        "個",
        "種",
        "款",
        "條",
        "部",
        "張",
        "次",
        "大",
        "成",
        "位",
        "項",
        "檔",
        "塊",
        "線",
        "層",
        "國",
        "元",
        "級",
        "重",
        "輪",
        "屆",
        "代",
        "期",
        "類",
        "席",
    ],
    key=len,
    reverse=True,
)
# After a bare 一 these are idioms (一個, 一種, 一方面), not counts.
_IDIOM_AFTER_ONE = set("個種條部張次大位項檔塊線層家名期類代輪重席") | {"方面"}
_UNIT_RE = "|".join(map(re.escape, _UNITS))

_ARABIC = [
    # Q3/H1 stand alone as period mentions (also inside 2025Q3).
    r"(?<![A-Za-z])[QH][1-4](?![0-9])",
    r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?",
]
_CHINESE = [
    # ranks: 第二名, 第一
    rf"第{_NUM}+",
    # ranges: 兩到三個
    rf"{_NUM}+(?:到|至){_NUM}+(?:{_UNIT_RE})",
    # enumerations sharing a unit (二、三名): each numeral is its own mention
    rf"{_NUM}+(?=、{_NUM}+(?:{_UNIT_RE}))",
    # magnitudes: 數十萬, 幾十個, 十餘人, 二十多個
    rf"[數幾]{_NUM}*[十百千萬億]+(?:餘|多)?(?:{_UNIT_RE})?",
    rf"{_NUM}*[十百千萬]+(?:餘|多)(?:{_UNIT_RE})?",
    r"一大半",
    # 破億, 超千萬元
    r"(?<=[破超過])[億萬]",
    # numeral + unit / multiple
    rf"{_NUM}+(?:{_UNIT_RE})",
]
# Words that make a checkable claim without a number of their own (docs/fact-format.md, claim
# facts): a record (創歷史新高) or a comparison (高於 another figure). Coverage counts them, so a
# checkable 創新低 is recorded as a claim fact or ignored with a reason, like any number.
CLAIM_WORDS = (
    "創歷史新高", "創歷史新低", "創下新高", "創下新低", "歷史新高", "歷史新低", "創新高", "創新低",
    "高於", "低於", "超越", "不及",
)  # fmt: skip
_CLAIM = "|".join(map(re.escape, sorted(CLAIM_WORDS, key=len, reverse=True)))
# A Chinese scale word right after digits (2200萬人) belongs to that number's mention.
_MENTION = re.compile(
    "|".join(
        [f"(?P<claim>{_CLAIM})"]
        + [f"(?:{p})" for p in _ARABIC]
        + [f"(?<![0-9])(?<![0-9][.,])(?:{p})" for p in _CHINESE]
    )
)


def _is_idiom(token: str) -> bool:
    if not token.startswith("一") or token.startswith("一大半"):
        return False
    rest = token[1:]
    return rest in _IDIOM_AFTER_ONE


def _has_quantity(token: str) -> bool:
    """A Chinese token must hold a numeral, not just a scale word inside another word."""
    if token[0].isdigit() or token[0] in "QH第數幾":
        return True
    if any(c in _DIGITS + "十" for c in token):
        return True
    # 千萬元, 百萬級, 百元: scale words count when a unit follows
    return bool(re.fullmatch(rf"[百千萬億兆]+(?:{_UNIT_RE})", token)) or token in ("億", "萬")


def find_mentions(folded: str) -> list[Mention]:
    """Every numeric mention of an already-folded text, in order, non-overlapping."""
    found: list[Mention] = []
    for m in _MENTION.finditer(folded):
        token = m.group(0)
        if not m.group("claim") and (_is_idiom(token) or not _has_quantity(token)):
            continue
        found.append(Mention(m.start(), m.end(), token))
    return found


def is_whole(mentions: Sequence[Mention], start: int, end: int) -> bool:
    """Whether ``[start, end)`` holds at least one of ``mentions`` and cuts none: every mention
    it touches lies wholly inside it (0% in 60% cuts the mention 60; 1.5億元 holds 1.5)."""
    inside = False
    for m in mentions:
        if m.end <= start or m.start >= end:
            continue
        if m.start < start or m.end > end:
            return False
        inside = True
    return inside


@lru_cache(maxsize=1 << 16)  # a quote is shared by several facts; loader and provenance both ask
def mentions_of(folded: str) -> tuple[Mention, ...]:
    """:func:`find_mentions`, memoised, for texts asked about again and again (quotes)."""
    return tuple(find_mentions(folded))


@lru_cache(maxsize=1 << 16)
def whole_mention_spans(folded: str, needle: str) -> tuple[tuple[int, int], ...]:
    """Where the already-folded ``needle`` occurs in the already-folded ``folded`` as whole
    numeric mentions (:func:`is_whole`), in order. A fact's ``value`` must be one of these; its
    ``occurrence: N`` picks the N-th (1-based) when there are several.

    A needle in which the finder sees no number at all — a number in words it does not count
    (兆, 幾毛錢, 數周, 個位數) — only has to cut no mention."""
    if not needle:
        return ()
    mentions = mentions_of(folded)
    wordy = not mentions_of(needle)
    spans: list[tuple[int, int]] = []
    i = folded.find(needle)
    while i >= 0:
        end = i + len(needle)
        if is_whole(mentions, i, end) or (wordy and cuts_none(mentions, i, end)):
            spans.append((i, end))
        i = folded.find(needle, i + 1)
    return tuple(spans)


def cuts_none(mentions: Sequence[Mention], start: int, end: int) -> bool:
    """Whether ``[start, end)`` leaves every one of ``mentions`` whole: each lies inside it or
    outside it (Q3 in 2025Q3 does; 2月 in 12月 cuts the mention 12)."""
    return all(
        m.end <= start or m.start >= end or (start <= m.start and m.end <= end) for m in mentions
    )
