"""Units, hedges and change verbs: the words around a number, and what each means."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from factledger.model import DIMENSION_UNITS
from factledger.quantity.numerals import (
    _ONE,
    _alternation,
    _fold,
    _Local,
    _words,
)

# --- units --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """A written unit: what kind it is and how it converts to the dimension's canonical unit."""

    kind: str  # currency, percent, times, points, credits, duration, classifier
    code: str = ""  # currency code (CNY/USD/HKD)
    factor: Decimal = _ONE  # written unit → canonical (年 → minutes, 成 → %, 元/年 → per month)
    per: str = ""  # a currency rate's period: "month" or "day"
    text: str = field(default="", compare=False)


_CURRENCIES = {
    "元": "CNY",
    "人民幣": "CNY",
    "元人民幣": "CNY",
    "美元": "USD",
    "美金": "USD",
    "港元": "HKD",
    "港幣": "HKD",
}
# Rates: per month is price-per-period's unit, per day money-per-day's;
# 元/年 is a twelfth per month.
_RATE_PERIODS = {
    "月": ("month", _ONE),
    "年": ("month", _ONE / 12),
    "季": ("month", _ONE / 3),
    "季度": ("month", _ONE / 3),
    "天": ("day", _ONE),
    "日": ("day", _ONE),
}
# Minutes per written time unit. A year is the Julian 365.25 days (the mean of a leap cycle), a
# month a twelfth of it (30.4375 days), a quarter three months.
_MINUTES_PER_DAY = Decimal(1440)
_DURATIONS = {
    "秒": _ONE / 60,
    "秒鐘": _ONE / 60,
    "分鐘": _ONE,
    "小時": Decimal(60),
    "個小時": Decimal(60),
    "天": _MINUTES_PER_DAY,
    "日": _MINUTES_PER_DAY,
    "周": 7 * _MINUTES_PER_DAY,
    "週": 7 * _MINUTES_PER_DAY,
    "星期": 7 * _MINUTES_PER_DAY,
    "個星期": 7 * _MINUTES_PER_DAY,
    "個月": Decimal("365.25") * _MINUTES_PER_DAY / 12,
    "月": Decimal("365.25") * _MINUTES_PER_DAY / 12,  # 數月: a duration only in this dimension
    "季度": Decimal("365.25") * _MINUTES_PER_DAY / 4,
    "個季度": Decimal("365.25") * _MINUTES_PER_DAY / 4,
    "年": Decimal("365.25") * _MINUTES_PER_DAY,
}
# Counting words stripped from a count (2200萬人, 1,012.31萬名, 超1萬家).
_CLASSIFIERS = _words(
    "人 名 家 個 部 條 張 次 人次 位 款 項 種 戶 筆 單 台 臺 件 篇"
    " 首 支 隻 所 座 套 份 國 個國家 幅 大 塊 重 方面 檔 維度 輪"
)


def _unit_table() -> dict[str, _Unit]:
    units: dict[str, _Unit] = {}
    for word, code in _CURRENCIES.items():
        units[word] = _Unit("currency", code, text=word)
        for period, (per, factor) in _RATE_PERIODS.items():
            units[f"{word}/{period}"] = _Unit("currency", code, factor, per, f"{word}/{period}")
    units["%"] = _Unit("percent", "%", text="%")
    units["成"] = _Unit("percent", "%", Decimal(10), text="成")  # 三成 = 30%
    for word in ("倍", "x", "X"):
        units[word] = _Unit("times", "x", text=word)
    units["分"] = _Unit("points", "points", text="分")  # 分鐘 is longer, so never read as 分
    for word in ("個百分點", "百分點", "pp", "ppt"):  # longer than 分: never read as points
        units[word] = _Unit("pp", "pp", text=word)
    units["靈感值"] = _Unit("credits", "credits", text="靈感值")
    for word, minutes in _DURATIONS.items():
        units[word] = _Unit("duration", "minutes", minutes, text=word)
    for word in _CLASSIFIERS:
        units.setdefault(word, _Unit("classifier", "count", text=word))
    return units


_UNITS = _unit_table()
_UNIT_RE = re.compile(_alternation(_UNITS))

# What each dimension accepts, for error messages.
_EXPECTS = {
    "money": "元, 人民幣, 美元, 港元 or a bare number",
    "count": "a classifier (人, 名, 家, 個, ...) or a bare number",
    "share": "% or 成",
    "growth": "% or 倍",
    "ratio": "倍 or a bare number",
    "score": "分 or a bare number",
    "credits": "靈感值 or a bare number",
    "duration": "分鐘, 小時, 天, 周, 個月 or 年",
    "price-per-period": "元/月 (元/年, 美元/月, ...) or a bare number",
    "money-per-day": "元, 元/天 (美元, 港元) or a bare number",
    "rank": "第N, 第N名 or a bare number",
    "share-change": "個百分點, 百分點, pp or ppt",
    "date": "a date such as 9月23日",
}


def _resolve_unit(dimension: str, unit: _Unit | None) -> tuple[str, Decimal, bool]:
    """Canonical unit, factor from the written unit, and whether it is a growth multiple (N倍)."""
    kind = unit.kind if unit else None
    if dimension == "money":
        if unit is None:
            return "CNY", _ONE, False
        if kind == "currency" and not unit.per:
            return unit.code, _ONE, False
    elif dimension in ("price-per-period", "money-per-day"):
        per = "month" if dimension == "price-per-period" else "day"
        if unit is None:
            return f"CNY/{per}", _ONE, False
        if kind == "currency" and unit.per in ("", per):
            return f"{unit.code}/{per}", unit.factor, False
    elif dimension == "count":
        if kind in (None, "classifier"):
            return "count", _ONE, False
    elif dimension == "share":
        if kind == "percent":
            return "%", unit.factor, False  # type: ignore[union-attr]
    elif dimension == "growth":
        if kind == "percent":
            return "%", unit.factor, False  # type: ignore[union-attr]
        if kind == "times":
            return "%", _ONE, True
    elif dimension in ("ratio", "score", "credits"):
        wanted = {"ratio": "times", "score": "points", "credits": "credits"}[dimension]
        if kind in (None, wanted):
            return DIMENSION_UNITS[dimension], _ONE, False
    elif dimension == "duration" and kind == "duration":
        return "minutes", unit.factor, False  # type: ignore[union-attr]
    elif dimension == "share-change" and kind == "pp":
        return "pp", _ONE, False
    written = f"unit {unit.text!r}" if unit else "no unit"
    raise _Local(f"{written} does not fit dimension {dimension} (expects {_EXPECTS[dimension]})")


# --- words around the number --------------------------------------------------------------------

# Hedge kinds: how a hedge bounds the written value v (a..b for a range).
_GT, _GE, _LT, _LE, _NEAR, _ABOUT = "gt", "ge", "lt", "le", "near", "about"
_PREFIX_HEDGES = {
    **dict.fromkeys(("超過", "超", "逾", "破", "突破", "大於", "高於", "多於"), _GT),
    **dict.fromkeys(("至少", "不少於", "不低於"), _GE),
    **dict.fromkeys(("不足", "不到", "低於", "少於", "未滿", "未達"), _LT),
    **dict.fromkeys(("不超過", "最多"), _LE),
    **dict.fromkeys(("近", "將近", "接近", "近乎"), _NEAR),
    **dict.fromkeys(("約", "大約", "約合", "大概"), _ABOUT),
}
_SUFFIX_HEDGES = {
    **dict.fromkeys(("以上", "+", "甚至更高", "甚至更多"), _GE),
    **dict.fromkeys(("以下", "以內"), _LE),
    **dict.fromkeys(("左右", "上下"), _ABOUT),
}
# The hedge vocabulary, for checks that look for a hedge beside a value (provenance, suggest);
# longest first, so 不超過 is found before 超過 and 超過 before 超. 多/餘 after a number are
# approximate forms (60多), hedges too for that purpose.
HEDGES_BEFORE: tuple[str, ...] = tuple(sorted(_PREFIX_HEDGES, key=len, reverse=True))
HEDGES_AFTER: tuple[str, ...] = tuple(sorted([*_SUFFIX_HEDGES, "多", "餘"], key=len, reverse=True))
# Words that state the value without bounding it differently (達到1.43億 is 1.43億).
_NEUTRAL = _words(
    "達 達到 高達 多達 僅 僅為 僅有 只 只有 為 至 攀升至 沖高至"
    " 已 已經 分別 共 合計 累計 總計 同比 環比 較去年同期"
)
# Change verbs: growth is signed by them. A verb followed by 至/到 states the new level instead.
_RISE = _words("增長 成長 上漲 漲 漲價 提升 上升 升 增加 增 提高 大增 年增 季增 月增 翻 上調 擴大")
_DECLINE = _words("下跌 跌 下降 減少 減 降低 降 降價 便宜 下滑 回落 下調 縮減 縮水 年減 季減")
_CURRENCY_PREFIXES = {"人民幣": "CNY", "RMB": "CNY", "¥": "CNY", "US$": "USD", "HK$": "HKD"}

_PREFIX_ROLES: dict[str, tuple[str, str]] = {
    **{w: ("hedge", k) for w, k in _PREFIX_HEDGES.items()},
    **{w: ("neutral", "") for w in _NEUTRAL},
    **{w: ("rise", "") for w in _RISE},
    **{w: ("decline", "") for w in _DECLINE},
    **{w: ("currency", c) for w, c in _CURRENCY_PREFIXES.items()},
}
_PREFIX_RE = re.compile(_alternation(_PREFIX_ROLES))
# 甚至更多 may follow a comma (60%-70%,甚至更多); the comma is not part of the hedge.
_SUFFIX_RE = re.compile(rf"[,、]?(?P<w>甚至更高|甚至更多)|(?P<v>{_alternation(_SUFFIX_HEDGES)})")


@dataclass(frozen=True)
class _Word:
    text: str
    role: str  # hedge, neutral, rise, decline, currency
    kind: str = ""  # the hedge kind, or the currency code
    to: bool = False  # a verb followed by 至/到: the new level, not the change


def _read_prefix(text: str, pos: int) -> Iterator[tuple[_Word, int, int]]:
    """Each word before a number read from ``pos``, with where it starts and ends."""
    while m := _PREFIX_RE.match(text, pos):
        role, kind = _PREFIX_ROLES[m.group(0)]
        start, pos = pos, m.end()
        if text.startswith("了", pos):  # 下跌了3.26%, 翻了3倍
            pos += 1
        to = False
        # 降低至少20% is a hedge (至少), not a level (至)
        verb = role in ("rise", "decline")
        if verb and text.startswith(("至", "到"), pos) and not text.startswith("至少", pos):
            to, pos = True, pos + 1
        yield _Word(m.group(0), role, kind, to), start, pos


def _prefix_words(text: str, pos: int) -> tuple[list[_Word], int]:
    words: list[_Word] = []
    for word, _, end in _read_prefix(text, pos):
        words.append(word)
        pos = end
    return words, pos


def _suffix_words(text: str, pos: int) -> tuple[list[_Word], int]:
    words: list[_Word] = []
    while m := _SUFFIX_RE.match(text, pos):
        word = m["w"] or m["v"]
        words.append(_Word(word, "hedge", _SUFFIX_HEDGES[word]))
        pos = m.end()
    return words, pos


def prefix_words_end(text: str, pos: int) -> int:
    """Where the words a value may carry before its number — hedges, change verbs, neutral words,
    currency prefixes (約為, 約合人民幣, 分別超過, 突破了) — read from ``pos`` in folded ``text``
    end; ``pos`` when there are none."""
    return _prefix_words(text, pos)[1]


def prefix_word_spans(text: str, pos: int) -> list[tuple[int, int, str]]:
    """The words :func:`prefix_words_end` reads from ``pos``, each as (start, end, role): role
    ``hedge``, ``neutral``, ``rise``, ``decline`` or ``currency``, and ``rise-to`` /
    ``decline-to`` for a verb followed by 至/到 (下降至70%: the new level, not the change). A
    word's end includes the 了 and 至 read with it."""
    return [
        (start, end, word.role + ("-to" if word.to else ""))
        for word, start, end in _read_prefix(text, pos)
    ]


def unit_word_end(text: str, pos: int) -> int:
    """Where the unit word the quantity parser reads at ``pos`` in folded ``text`` ends (元, 美元,
    %, 倍, 個百分點, 分鐘, 元/月, 人, 家, ...); ``pos`` when there is none."""
    m = _UNIT_RE.match(text, pos)
    return m.end() if m else pos


def suffix_words_end(text: str, pos: int) -> int:
    """Where the hedges a value may carry after its number (以上, 左右, ,甚至更多) read from
    ``pos`` in folded ``text`` end; ``pos`` when there are none."""
    return _suffix_words(text, pos)[1]


def _hedge_param_words(hedge: str) -> list[_Word]:
    """``hedge=``: a hedge (or change verb) an enumeration shares, before or after its values."""
    text = _fold(hedge)
    for reader in (_prefix_words, _suffix_words):
        words, pos = reader(text, 0)
        if words and pos == len(text):
            return words
    raise _Local(f"hedge {hedge!r} is not a hedge word (超過, 約, 近, 以上, ...)")


@dataclass(frozen=True)
class _Meaning:
    """What the words around a number say: one hedge, one change verb, a currency."""

    hedge: _Word | None
    verb: _Word | None
    currency: str | None


# Hedges that may be said twice (超過1萬家以上): the stricter reading wins.
_SAME_DIRECTION = ({_GT, _GE}, {_LT, _LE}, {_NEAR}, {_ABOUT})


def _meaning(words: list[_Word]) -> _Meaning:
    hedges = [w for w in words if w.role == "hedge"]
    kinds = {w.kind for w in hedges}
    if not any(kinds <= group for group in _SAME_DIRECTION):
        said = ", ".join(w.text for w in hedges)
        raise _Local(f"conflicting hedges {said}")
    hedge = None
    if hedges:
        strict = [w for w in hedges if w.kind in (_GT, _LT)]
        hedge = strict[0] if strict else hedges[0]
    verbs = [w for w in words if w.role in ("rise", "decline")]
    if len(verbs) > 1:
        raise _Local(f"two change verbs {verbs[0].text} and {verbs[1].text}")
    currencies = {w.kind for w in words if w.role == "currency"}
    if len(currencies) > 1:
        raise _Local("two currencies")
    return _Meaning(hedge, verbs[0] if verbs else None, currencies.pop() if currencies else None)
