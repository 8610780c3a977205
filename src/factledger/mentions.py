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


# Every character a mention can start with (a new alternative of _MENTION adds its own here;
# tests/test_mentions.py checks the scan against finditer). The regex engine cannot skip ahead to
# these by itself (the alternatives open with lookbehinds), so the scan below does.
_FIRST = re.compile(
    f"[0-9QH第數幾{_DIGITS}十百千萬億兆{''.join(sorted({w[0] for w in CLAIM_WORDS}))}]"
)


def find_mentions(folded: str) -> list[Mention]:
    """Every numeric mention of an already-folded text, in order, non-overlapping (what
    ``_MENTION.finditer`` finds, trying only where a mention can start)."""
    found: list[Mention] = []
    search, match = _FIRST.search, _MENTION.match
    pos = 0
    while (candidate := search(folded, pos)) is not None:
        start = candidate.start()
        m = match(folded, start)  # lookbehinds still see the text before ``start``
        if m is None:
            pos = start + 1
            continue
        pos = m.end()
        token = m.group(0)
        if not m.group("claim") and (_is_idiom(token) or not _has_quantity(token)):
            continue
        found.append(Mention(start, pos, token))
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


# --- a mention's whole value ----------------------------------------------------------------------
# A mention is the digits of a number; the value a fact records is the number as the text writes
# it: with its scale and unit (1.5億元, 1.1個百分點, 13.12倍, 20靈感值), a range's second number
# (60-70%), a date's parts (9月23日, 4月底), the rank's 第 (第30屆), the hedge and change verb
# before it (超過, 跌超, 下降至) and the hedge after it (以上, 左右, +). `factledger suggest` reads
# stubs' values this way.
_SCALE_CHARS = "十百千萬億兆"
_RANGE_SEPARATORS = ("-", "~", "–", "—", "〜", "到")
_DAY_PARTS = ("上旬", "中旬", "下旬", "初", "中", "底", "末")
_RANK_UNITS = "名位屆代家"
# Classifier-like words the quantity parser reads as one unit but a value leaves to the noun
# (60多個國家: the count is 60多個, of countries).
# Degree words a claim word carries (遠高於, 顯著高於, 大幅低於); longest first.
_DEGREES = ("遠遠", "顯著", "明顯", "大幅", "大大", "遠", "略", "稍")
# 超過2.5億元人民幣: 元 is the unit, 人民幣 says it again.
_NOUN_UNITS = {"個國家": "個", "元人民幣": "元"}


@dataclass(frozen=True)
class ValueSpan:
    """A numeric mention read out to its whole value, in offsets of the folded text."""

    start: int  # the value as a fact records it: words, number, unit, hedge after
    end: int
    number: int  # where the number itself starts (after the words before it)
    hedge: str | None = None  # a hedge that qualifies the value from outside it: 約 in 約為180億元,
    #                           or the shared hedge of its 、-enumeration (分別超過1.5億元、2.5億元)
    unit: str | None = None  # the unit its enumeration shares when the value has none (79、239元)
    enumeration: tuple[tuple[int, int], ...] = ()  # the items (numbers) of its 、-enumeration
    is_date: bool = False  # 9月, 4月底, 9月23日, 2024年6月
    is_claim: bool = False  # a claim word with its degree: 顯著高於, 創歷史新高

    def text(self, folded: str) -> str:
        return folded[self.start : self.end]


def _mention_at(mentions: Sequence[Mention], pos: int) -> Mention | None:
    return next((m for m in mentions if m.start == pos), None)


def _is_month(text: str) -> bool:
    return text.isdigit() and 1 <= int(text) <= 12


def _number_end(folded: str, m: Mention, mentions: Sequence[Mention]) -> tuple[int, bool, bool]:
    """Where the number of ``m`` ends with its scale, unit and range; whether it has a unit;
    whether it is a date."""
    from factledger.quantity import unit_word_end

    pos = m.end
    if m.text[0] in "QH":  # a quarter or half label: a period, never a value
        return pos, True, False
    if m.text.startswith("第") or folded[: m.start].endswith("第"):  # 第二名, 第30屆, 第一
        if pos < len(folded) and folded[pos] in _RANK_UNITS:
            pos += 1
        return pos, True, False
    digits = m.text[0].isdigit()
    if digits and len(m.text) == 4 and m.text[:2] in ("19", "20") and folded.startswith("年", pos):
        # a year: 2025年, or the start of a date 2024年6月
        month = _mention_at(mentions, pos + 1)
        if month and _is_month(month.text) and folded.startswith("月", month.end):
            return _date_end(folded, month.end + 1, mentions), True, True
        return pos + 1, True, True
    if digits and _is_month(m.text) and folded.startswith("月", pos):
        return _date_end(folded, pos + 1, mentions), True, True
    if digits:
        while pos < len(folded) and folded[pos] in _SCALE_CHARS:
            pos += 1
    if pos < len(folded) and folded[pos] in "多餘":  # 60多個, 2000多萬
        pos += 1
        while pos < len(folded) and folded[pos] in _SCALE_CHARS:
            pos += 1
    # a Chinese-numeral mention holds its own unit (兩大, 三個, 十餘人); 破億 has none to add
    end = unit_word_end(folded, pos) if digits else pos
    word = folded[pos:end]
    if word in _NOUN_UNITS:
        end = pos + len(_NOUN_UNITS[word])
    has_unit = end > pos or not digits
    pos = end
    for sep in _RANGE_SEPARATORS:  # 60-70%, 1-3年, 150-300億元, 60%-70%
        second = _mention_at(mentions, pos + len(sep)) if folded.startswith(sep, pos) else None
        if second is not None and second.text[0] not in "QH第":
            pos, second_unit, _ = _number_end(folded, second, mentions)
            return pos, has_unit or second_unit, False
    return pos, has_unit, False


def _date_end(folded: str, pos: int, mentions: Sequence[Mention]) -> int:
    """After 月: the day (23日) and the part of the month (底, 上旬) that follow."""
    day = _mention_at(mentions, pos)
    if day and day.text.isdigit() and folded.startswith(("日", "號"), day.end):
        pos = day.end + 1
    for part in _DAY_PARTS:
        if folded.startswith(part, pos):
            return pos + len(part)
    return pos


def _words_before(folded: str, number: int) -> list[tuple[int, int, str]]:
    """The longest run of value words (hedges, verbs, neutral words, currency prefixes) that
    ends right where the number starts."""
    from factledger.quantity import prefix_word_spans

    for start in range(max(0, number - 12), number):
        spans = prefix_word_spans(folded, start)
        if spans and spans[-1][1] == number:
            return spans
    return []


def _item_before(folded: str, at: int, mentions: Sequence[Mention]) -> Mention | None:
    """The number of the enumeration item that ends right before the 、 at ``at``."""
    for m in reversed(mentions):
        if m.end <= at and _number_end(folded, m, mentions)[0] == at:
            return m
        if m.end < at - 12:
            return None
    return None


def _item_start(folded: str, m: Mention) -> int:
    """Where an item's number starts, 第 included."""
    return m.start - 1 if m.text[0].isdigit() and folded[: m.start].endswith("第") else m.start


def _enumeration(
    folded: str, m: Mention, end: int, mentions: Sequence[Mention]
) -> list[tuple[Mention, int]]:
    """The items of the 、-enumeration whose item ``m`` is (each: its mention and number end);
    an item may carry its own words (分別超過1.5億元、超過2.5億元)."""
    from factledger.quantity import prefix_words_end

    items = [(m, end)]
    first = m
    while True:
        words = _words_before(folded, _item_start(folded, first))
        at = (words[0][0] if words else _item_start(folded, first)) - 1
        if at < 0 or folded[at] != "、":
            break
        before = _item_before(folded, at, mentions)
        if before is None:
            break
        items.insert(0, (before, at))
        first = before
    last_end = end
    while last_end < len(folded) and folded[last_end] == "、":
        after = _mention_at(mentions, prefix_words_end(folded, last_end + 1))
        if after is None:
            break
        last_end = _number_end(folded, after, mentions)[0]
        items.append((after, last_end))
    return items if len(items) > 1 else []


def value_span(folded: str, m: Mention, mentions: Sequence[Mention] | None = None) -> ValueSpan:
    """The whole value the mention ``m`` of the folded text belongs to (see :class:`ValueSpan`).

    Words before the number are part of the value when they change what it reads as — a hedge
    right before it (超過1.5億元), a decline (減少3.4%: the sign; 下降至70%: a fall of 30 %), a
    rise before a multiple (增長25倍 is not 25倍) — and left out otherwise (同比增長8% is 8%,
    提升至1000 is 1000). A hedge with other value words between (約為180億元) and an
    enumeration's shared hedge (分別超過1.5億元、2.5億元) qualify the value from outside:
    ``hedge``."""
    from factledger.quantity import suffix_words_end

    if m.text in CLAIM_WORDS:  # 遠高於, 顯著高於, 大幅低於: the degree is part of the claim
        start = m.start - next((len(w) for w in _DEGREES if folded[: m.start].endswith(w)), 0)
        return ValueSpan(start, m.end, m.start, is_claim=True)
    mentions = mentions if mentions is not None else mentions_of(folded)
    number = _item_start(folded, m)
    end, has_unit, is_date = _number_end(folded, m, mentions)
    if not is_date and end < len(folded) and folded[end] not in ",、":
        end = suffix_words_end(folded, end)
    words = [] if is_date else _words_before(folded, number)
    multiple = folded[:end].rstrip("以上左右+").endswith("倍")
    # the words the value holds: after the last neutral word or currency prefix; a leading rise
    # verb only before a multiple or with 至
    last_neutral = max(
        (i for i, w in enumerate(words) if w[2] in ("neutral", "currency")), default=-1
    )
    held = words[last_neutral + 1 :]
    while held and (held[0][2] == "rise-to" or (held[0][2] == "rise" and not multiple)):
        held = held[1:]
    start = held[0][0] if held else number
    hedges = [w for w in words[: last_neutral + 1] if w[2] == "hedge"]
    hedge = folded[hedges[-1][0] : hedges[-1][1]] if hedges else None
    unit = None
    items = _enumeration(folded, m, end, mentions)
    if items:
        first, _ = items[0]
        if first is not m and not any(w[2] == "hedge" for w in held):
            shared = [
                w for w in _words_before(folded, _item_start(folded, first)) if w[2] == "hedge"
            ]
            hedge = folded[shared[-1][0] : shared[-1][1]] if shared else hedge
        if not has_unit:
            last, last_end = items[-1]
            shared_unit = folded[_bare_number_end(folded, last) : last_end]
            unit = shared_unit or None
    return ValueSpan(
        start, end, number, hedge, unit,
        tuple((i.start, e) for i, e in items), is_date,
    )  # fmt: skip


def _bare_number_end(folded: str, m: Mention) -> int:
    """Where the digits and scale of ``m`` end (the unit starts)."""
    pos = m.end
    while pos < len(folded) and folded[pos] in _SCALE_CHARS + "多餘":
        pos += 1
    return pos
