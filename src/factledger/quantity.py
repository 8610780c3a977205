"""Read a fact's ``value`` text into an :class:`~factledger.model.Interval` with a unit.

Strings in, an interval out; no files. The interval is every value the written text allows:

* a written number is the closed interval ± half a unit of its last written digit (XBRL
  Calculations 1.1 precision): ``1.5億`` = [1.45億, 1.55億], unless ``rounded_to`` says otherwise;
* a hedge bounds the written value itself: ``超過1.5億元`` = (1.5億, ∞), ``近30%`` = [28.5%, 30%];
* a change verb signs a growth: ``減少3.4%`` = [−3.45%, −3.35%], ``下降至70%`` = −30%;
* the result is clamped to the dimension's domain (share [0, 100], growth [−100, ∞), else ≥ 0).

All arithmetic is in :class:`~decimal.Decimal`, so ``1.45億`` is the float nearest to 1.45e8, not
1.5e8 − 0.05e8 with binary rounding error. ``docs/quantity.md`` tabulates the semantics.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext

import cn2an

from factledger.model import Interval

__all__ = [
    "DEFAULT_TOLERANCE",
    "DIMENSION_UNITS",
    "QuantityError",
    "clamp",
    "format_quantity",
    "parse_quantity",
]

# t for 約/近. Hedged figures in the press are almost always given to two significant figures
# (約50億元, 近30%), and rounding to two significant figures moves a value by at most 5% of
# itself (0.5 / 10). So "about v" is read as v ± 5%, "nearly v" as [95% v, v]. A coarser number
# (約6億美元, whose last digit alone means ±8%) keeps its wider precision interval: a hedge never
# makes a value more precise than writing it plainly.
DEFAULT_TOLERANCE: float = 0.05

# Canonical unit per dimension. money, price-per-period and money-per-day keep the written
# currency (USD, HKD, USD/month, ...); CNY is the unit of a bare number.
DIMENSION_UNITS: dict[str, str] = {
    "money": "CNY",
    "count": "count",
    "share": "%",
    "growth": "%",
    "ratio": "x",
    "rank": "rank",
    "score": "points",
    "credits": "credits",
    "duration": "minutes",
    "date": "date",
    "price-per-period": "CNY/month",
    "money-per-day": "CNY/day",
}

# Domain per dimension; every other dimension is [0, ∞).
_DOMAINS: dict[str, tuple[float, float]] = {
    "share": (0.0, 100.0),
    "growth": (-100.0, math.inf),
}


class QuantityError(ValueError):
    """A value that cannot be read; the message names the text and says what is wrong."""


class _Local(Exception):
    """A problem found below parse_quantity; re-raised as QuantityError naming the inputs."""


# --- numbers, scales ----------------------------------------------------------------------------

_INF = Decimal("Infinity")
_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_MAX_DIGITS = 30  # longer numbers are typos, and would outgrow the Decimal precision below
_PRECISION = 60  # significant digits for all arithmetic: exact for every accepted number

# Scale words after a number (1.5億, 3千萬, 數十萬). Longest first wins in the regex.
_SCALES: dict[str, Decimal] = {
    "十": Decimal(10),
    "百": Decimal(10) ** 2,
    "千": Decimal(10) ** 3,
    "萬": Decimal(10) ** 4,
    "十萬": Decimal(10) ** 5,
    "百萬": Decimal(10) ** 6,
    "千萬": Decimal(10) ** 7,
    "億": Decimal(10) ** 8,
    "十億": Decimal(10) ** 9,
    "百億": Decimal(10) ** 10,
    "千億": Decimal(10) ** 11,
    "萬億": Decimal(10) ** 12,
    "兆": Decimal(10) ** 12,
}


def _words(text: str) -> tuple[str, ...]:
    """A word table written as one space-separated string."""
    return tuple(text.split())


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first (so 超過 beats 超, 個月 beats 個)."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_SCALE_RE = re.compile(_alternation(_SCALES))
# Thousands separators must group by three (3,850 but not 38,50).
_ARABIC = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_CN_DIGITS = "零〇一二兩三四五六七八九"
_CN = f"[{_CN_DIGITS}十百千萬億兆]+"
_NUMBER_RE = re.compile(rf"(?P<ar>{_ARABIC})|(?P<cn>{_CN})")
# Simplified forms that NFKC leaves alone; numerals only, so folding them is safe.
_FOLD = str.maketrans({"万": "萬", "亿": "億", "两": "兩"})
_WS = re.compile(r"\s+")


def _fold(text: str) -> str:
    """NFKC (full-width digits, ，→ ,), no whitespace, simplified numerals as traditional."""
    return _WS.sub("", unicodedata.normalize("NFKC", text)).translate(_FOLD)


@dataclass(frozen=True)
class _Number:
    """A written number before its scale: value, half a unit of the last written digit, and the
    place value of its last nonzero digit (what 多/餘 add: 60多 = [60, 70))."""

    value: Decimal
    half: Decimal
    place: Decimal

    def scaled(self, k: Decimal) -> _Number:
        return _Number(self.value * k, self.half * k, self.place * k)


def _arabic(text: str) -> _Number:
    digits = text.replace(",", "")
    if len(digits) > _MAX_DIGITS:
        raise _Local(f"{text!r} has more than {_MAX_DIGITS} digits")
    value = Decimal(digits)
    unit = Decimal(1).scaleb(value.as_tuple().exponent)  # type: ignore[arg-type]
    # 2000 → place 1000 (2000多 = [2000, 3000)); 0 has no nonzero digit: use the unit.
    place = Decimal(1).scaleb(value.normalize().as_tuple().exponent) if value else unit  # type: ignore[arg-type]
    return _Number(value, unit / 2, place)


# Place markers that can trail the last digit of a Chinese numeral: 二十 → the 二 is in the tens.
_CN_PLACES = {"十": 10, "百": 100, "千": 1000, "萬": 10**4, "億": 10**8}


def _chinese(text: str) -> _Number:
    """A Chinese numeral (兩, 十二, 二十, 三千萬, 億). Chinese writes no trailing zeros, so the
    last written digit is the last numeral character: 二十 = 20 ± 5, 十二 = 12 ± 0.5,
    三千萬 = 3000萬 ± 500萬, and a bare scale word is one of it: 千萬 = 1000萬 ± 500萬."""
    if len(text) > _MAX_DIGITS:
        raise _Local(f"{text!r} is too long for a Chinese numeral")
    norm = text.replace("兩", "二").replace("〇", "零")
    trillions = norm.endswith("兆")  # cn2an does not read 兆; it only ever ends a numeral here
    if trillions:
        norm = norm[:-1]
    if "兆" in norm:
        raise _Local(f"{text!r} is not a Chinese numeral")
    if not norm or norm[0] in _CN_PLACES:
        norm = "一" + norm  # 十二, 千萬, 億: the leading 一 is implied
    try:
        # strict mode rejects colloquial forms (兩千五 = 2500), whose precision we could not read
        value = cn2an.cn2an(norm, "strict")
    except Exception as exc:  # cn2an raises assorted errors for non-numerals
        raise _Local(f"{text!r} is not a Chinese numeral") from exc
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Local(f"{text!r} is not a whole Chinese numeral")
    place = 1
    for ch in reversed(norm):
        if ch not in _CN_PLACES:
            break
        place *= _CN_PLACES[ch]
    scale = Decimal(10) ** 12 if trillions else _ONE
    return _Number(Decimal(value) * scale, Decimal(place) * scale / 2, Decimal(place) * scale)


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


def _prefix_words(text: str, pos: int) -> tuple[list[_Word], int]:
    words: list[_Word] = []
    while m := _PREFIX_RE.match(text, pos):
        role, kind = _PREFIX_ROLES[m.group(0)]
        pos = m.end()
        if text.startswith("了", pos):  # 下跌了3.26%, 翻了3倍
            pos += 1
        to = False
        # 降低至少20% is a hedge (至少), not a level (至)
        verb = role in ("rise", "decline")
        if verb and text.startswith(("至", "到"), pos) and not text.startswith("至少", pos):
            to, pos = True, pos + 1
        words.append(_Word(m.group(0), role, kind, to))
    return words, pos


def _suffix_words(text: str, pos: int) -> tuple[list[_Word], int]:
    words: list[_Word] = []
    while m := _SUFFIX_RE.match(text, pos):
        word = m["w"] or m["v"]
        words.append(_Word(word, "hedge", _SUFFIX_HEDGES[word]))
        pos = m.end()
    return words, pos


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


# --- the number itself --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    """An interval of Decimals, the working form of an Interval."""

    lo: Decimal
    hi: Decimal
    lo_open: bool = False
    hi_open: bool = False

    def scaled(self, k: Decimal) -> _Span:  # k > 0
        return _Span(self.lo * k, self.hi * k, self.lo_open, self.hi_open)

    def negated(self) -> _Span:
        return _Span(-self.hi, -self.lo, self.hi_open, self.lo_open)

    def shifted(self, c: Decimal) -> _Span:
        return _Span(self.lo + c, self.hi + c, self.lo_open, self.hi_open)


@dataclass(frozen=True)
class _Amount:
    """One number as written: digits, an optional scale, 多/餘, a unit."""

    number: _Number  # unscaled
    scale: Decimal | None
    approx: str | None  # 多 or 餘
    unit: _Unit | None


@dataclass(frozen=True)
class _Core:
    """The number part of a value, in its written unit with scales applied.

    ``a``/``b`` are the written value(s) that hedges bound (a = b for one number); ``span`` is the
    precision interval (or the span of an approximate form: 60多, 十餘, 數十萬, 一大半).
    """

    form: str  # point, range, approx
    a: Decimal
    b: Decimal
    span: _Span
    unit: _Unit | None
    scaled: bool
    word: str | None = None  # 多, 餘, 數, 幾, 一大半: the word that shaped an approximate form

    def times(self, k: Decimal) -> _Core:
        return _Core(
            self.form, self.a * k, self.b * k, self.span.scaled(k), self.unit, True, self.word
        )


_MOST_RE = re.compile(r"一?大半")  # 一大半: more than half
_SEVERAL_RE = re.compile(rf"(?P<w>[數幾])(?P<s>{_SCALE_RE.pattern})?")  # 數十萬, 幾十個, 數周
_RANGE_SEP_RE = re.compile(r"[-~–—〜]|到|至(?!少)")


def _amount(text: str, pos: int) -> tuple[_Amount, int]:
    m = _NUMBER_RE.match(text, pos)
    if not m:
        rest = text[pos:]
        raise _Local(f"no number at {rest!r}" if rest else "no number")
    number = _arabic(m["ar"]) if m["ar"] else _chinese(m["cn"])
    pos = m.end()
    scale = None
    if m["ar"] and (s := _SCALE_RE.match(text, pos)):  # a Chinese numeral holds its own scale
        scale, pos = _SCALES[s.group(0)], s.end()
    approx = None
    if text.startswith(("多", "餘"), pos):
        approx, pos = text[pos], pos + 1
        if scale is None and (s := _SCALE_RE.match(text, pos)):  # 2000多萬, 十餘萬
            scale, pos = _SCALES[s.group(0)], s.end()
    unit = None
    if u := _UNIT_RE.match(text, pos):
        unit, pos = _UNITS[u.group(0)], u.end()
    return _Amount(number, scale, approx, unit), pos


def _core(text: str, pos: int) -> tuple[_Core, int]:
    if m := _MOST_RE.match(text, pos):
        span = _Span(Decimal(50), _HUNDRED, lo_open=True)
        return _Core("approx", span.lo, span.hi, span, _UNITS["%"], True, "一大半"), m.end()
    if m := _SEVERAL_RE.match(text, pos):
        # 數 = "several": two to nine of the scale word (數十萬 = [20萬, 100萬)).
        u = _SCALES[m["s"]] if m["s"] else _ONE
        end = m.end()
        unit = None
        if um := _UNIT_RE.match(text, end):
            unit, end = _UNITS[um.group(0)], um.end()
        span = _Span(2 * u, 10 * u, hi_open=True)
        return _Core("approx", span.lo, span.hi, span, unit, bool(m["s"]), m["w"]), end
    first, pos = _amount(text, pos)
    if sep := _RANGE_SEP_RE.match(text, pos):
        second, pos = _amount(text, sep.end())
        return _range(first, second), pos
    return _single(first), pos


def _single(amount: _Amount) -> _Core:
    num = amount.number.scaled(amount.scale or _ONE)
    if amount.approx and not num.value:
        raise _Local(f"0{amount.approx} is not a number")
    if amount.approx == "多":  # 60多 = [60, 70): from N up to the next step of its last digit
        span = _Span(num.value, num.value + num.place, hi_open=True)
    elif amount.approx == "餘":  # 十餘 = (10, 20): strictly more than N, less than the next step
        span = _Span(num.value, num.value + num.place, True, True)
    else:
        span = _Span(num.value - num.half, num.value + num.half)
        return _Core("point", num.value, num.value, span, amount.unit, amount.scale is not None)
    return _Core(
        "approx", span.lo, span.hi, span, amount.unit, amount.scale is not None, amount.approx
    )


def _range(first: _Amount, second: _Amount) -> _Core:
    """60-70%, 150-300億元, 兩到三個: [lo, hi] with the precision of each end."""
    if first.approx or second.approx:
        raise _Local("多/餘 inside a range")
    if first.scale is not None and second.scale is None:
        raise _Local("a range whose first end has a scale and whose second has none")
    if first.unit and second.unit and first.unit != second.unit:
        raise _Local(f"a range from {first.unit.text} to {second.unit.text}")
    lo = first.number.scaled(first.scale or second.scale or _ONE)  # 150-300億: 150 is 億 too
    hi = second.number.scaled(second.scale or _ONE)
    if lo.value > hi.value:
        raise _Local("a range whose ends are reversed")
    span = _Span(lo.value - lo.half, hi.value + hi.half)
    return _Core(
        "range", lo.value, hi.value, span, second.unit or first.unit, second.scale is not None
    )


def _with_unit_param(core: _Core, unit: str) -> _Core:
    """``unit=``: a scale and/or unit an enumeration shares (79元、239元 → 239 + 元)."""
    text = _fold(unit)
    pos, scale, written = 0, None, None
    if s := _SCALE_RE.match(text, pos):
        scale, pos = _SCALES[s.group(0)], s.end()
    if u := _UNIT_RE.match(text, pos):
        written, pos = _UNITS[u.group(0)], u.end()
    if pos != len(text) or pos == 0:
        raise _Local(f"unit {unit!r} is not a unit")
    if scale is not None:
        if core.scaled:
            raise _Local(f"the value has its own scale and unit {unit!r} gives another")
        core = core.times(scale)
    if written is not None:
        if core.unit is not None and core.unit != written:
            raise _Local(f"the value's unit {core.unit.text!r} differs from unit {unit!r}")
        core = _Core(core.form, core.a, core.b, core.span, written, core.scaled, core.word)
    return core


def _rounding(rounded_to: str, core: _Core) -> Decimal:
    """``rounded_to``: the step the text visibly rounds to (100億); in the value's written unit."""
    text = _fold(rounded_to)
    amount, pos = _amount(text, 0)
    if pos != len(text) or amount.approx:
        raise _Local(f"rounded_to {rounded_to!r} is not a number with a scale")
    if amount.unit and core.unit and amount.unit != core.unit:
        raise _Local(f"rounded_to {rounded_to!r} is in another unit than the value")
    step = amount.number.value * (amount.scale or _ONE)
    if step <= 0:
        raise _Local(f"rounded_to {rounded_to!r} is not positive")
    if core.form == "approx":
        raise _Local(f"rounded_to does not apply to the approximate form {core.word}")
    return step


# --- semantics ----------------------------------------------------------------------------------


def _precision(core: _Core, step: Decimal | None) -> _Span:
    """The precision interval; ``rounded_to`` replaces the last written digit's half unit."""
    if step is None:
        return core.span
    return _Span(core.a - step / 2, core.b + step / 2)


def _multiple(core: _Core, span: _Span, step: Decimal | None) -> tuple[Decimal, Decimal, _Span]:
    """增長N倍 / 翻了N倍 / 提升N倍: Chinese uses it both for new = N× old (growth (N−1)·100%) and
    new = (N+1)× old (growth N·100%), so the growth spans both readings. The written N is taken
    as is: the 100-point ambiguity dwarfs its last digit. rounded_to, or an approximate form
    (十多倍), widens N first."""
    n = _Span(core.a, core.b) if core.form != "approx" and step is None else span
    readings = _Span((n.lo - 1) * _HUNDRED, n.hi * _HUNDRED, n.lo_open, n.hi_open)
    return (core.a - 1) * _HUNDRED, core.b * _HUNDRED, readings


def _apply_hedge(kind: str | None, a: Decimal, b: Decimal, span: _Span, t: Decimal) -> _Span:
    """Hedges bound the written value(s) a..b, not their precision interval. 約/近 keep at least
    the precision interval: a hedge never makes a number more precise than writing it plainly."""
    if kind is None:
        return span
    if kind == _GT:
        return _Span(a, _INF, True, True)
    if kind == _GE:
        return _Span(a, _INF, False, True)
    if kind == _LT:
        return _Span(-_INF, b, True, True)
    if kind == _LE:
        return _Span(-_INF, b, True, False)
    lo = min(a * (1 - t), span.lo)
    if kind == _NEAR:
        return _Span(lo, b)
    return _Span(lo, max(b * (1 + t), span.hi))  # _ABOUT


def _apply_change(span: _Span, verb: _Word | None, dimension: str, multiple: bool) -> _Span:
    """Decline verbs make a growth negative; 下降至70% (down TO 70% of the old) is −30%."""
    if verb is None:
        return span
    if dimension != "growth":
        if verb.to:  # 降至9%, 提升至超70%: the new level, which is what a level metric holds
            return span
        raise _Local(f"{verb.text} states a change, not a {dimension} level")
    if verb.role == "rise":
        if verb.to:
            raise _Local(
                f"{verb.text}至 is ambiguous in a growth (the rate itself, or the new level as "
                "% of the old); quote the number without the verb"
            )
        return span
    if multiple:
        raise _Local(f"{verb.text}…倍 (a decline by a multiple) has no single reading")
    if verb.to:
        return span.shifted(-_HUNDRED)
    return span.negated()


def _to_interval(span: _Span, unit: str, hedge: str | None) -> Interval:
    ends = []
    for d in (span.lo, span.hi):
        f = float(d) + 0.0  # + 0.0: −0 (a negated 0) reads as 0
        if d.is_finite() and not math.isfinite(f):
            raise _Local("the number is too large")
        ends.append(f)
    return Interval(ends[0], ends[1], span.lo_open, span.hi_open, unit, hedge)


def clamp(interval: Interval, dimension: str) -> Interval:
    """Cut an interval to its dimension's domain: share [0, 100], growth [−100, ∞), others
    [0, ∞). The result may be empty (share 超過100%); parse_quantity rejects that."""
    _check_dimension(dimension)
    dlo, dhi = _DOMAINS.get(dimension, (0.0, math.inf))
    lo, lo_open = interval.lo, interval.lo_open
    if lo < dlo:
        lo, lo_open = dlo, False
    hi, hi_open = interval.hi, interval.hi_open
    if hi > dhi:
        hi, hi_open = dhi, False
    return Interval(lo, hi, lo_open, hi_open, interval.unit, interval.hedge)


def _check_dimension(dimension: str) -> None:
    if dimension not in DIMENSION_UNITS:
        raise QuantityError(
            f"unknown dimension {dimension!r} (one of {', '.join(DIMENSION_UNITS)})"
        )


# Values that are words, not numbers: [lo, hi) and the unit word they imply.
_WHOLE_WORDS: dict[str, tuple[Decimal, Decimal, str | None]] = {
    "個位數": (Decimal(1), Decimal(10), None),  # a single digit: 1..9
    "幾毛": (Decimal("0.2"), Decimal(1), "元"),  # several tenths of a yuan
    "幾毛錢": (Decimal("0.2"), Decimal(1), "元"),
    # 雙位數 growth: double digits. 中高雙位數 reads as mid-to-high teens or as 40-99 %
    # depending on the writer; both readings lie in 10..100, so that is the interval.
    "雙位數": (Decimal(10), Decimal(100), None),
    "低雙位數": (Decimal(10), Decimal(100), None),
    "中雙位數": (Decimal(10), Decimal(100), None),
    "高雙位數": (Decimal(10), Decimal(100), None),
    "中高雙位數": (Decimal(10), Decimal(100), None),
}
_MAGNITUDE_RE = re.compile(r"(?P<s>十萬|百萬|千萬|十億|百億|千億|萬|億|千|百|十)級(?P<u>元|人)?")


# --- dates and ranks: their own small grammars ---------------------------------------------------

_DATE_RE = re.compile(
    r"(?:(?P<y>[0-9]{4})年)?(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})[日號]"
    r"|(?P<iy>[0-9]{4})-(?P<im>[0-9]{1,2})-(?P<id>[0-9]{1,2})"
)


_COARSE_DATE_RE = re.compile(
    r"(?:(?P<y>[0-9]{4})年?)?(?:(?P<m>[0-9]{1,2})月(?P<part>初|上旬|中旬|下旬|底|末)?"
    r"|(?P<half>上半年|下半年)|(?<=年))"
)
_MONTH_PARTS = {None: (1, 31), "初": (1, 10), "上旬": (1, 10), "中旬": (11, 20),
                "下旬": (21, 31), "底": (21, 31), "末": (21, 31)}  # fmt: skip


def _coarse_date(text: str, year: int | None) -> Interval | None:
    """4月, 2024年6月, 4月底, 2025年, 2024下半年 → the days they allow, as ordinals."""
    m = _COARSE_DATE_RE.fullmatch(text)
    if not m or not (m["y"] or m["m"] or m["half"]):
        return None
    y = int(m["y"]) if m["y"] else year
    if y is None or isinstance(y, bool) or not isinstance(y, int):
        raise _Local("a date without a year needs year=")
    try:
        if m["m"]:
            month = int(m["m"])
            last = calendar.monthrange(y, month)[1]
            lo_day, hi_day = _MONTH_PARTS[m["part"]]
            start, end = date(y, month, lo_day), date(y, month, min(hi_day, last))
        elif m["half"]:
            start, end = (
                (date(y, 1, 1), date(y, 6, 30))
                if m["half"] == "上半年"
                else (date(y, 7, 1), date(y, 12, 31))
            )
        else:
            start, end = date(y, 1, 1), date(y, 12, 31)
    except (ValueError, OverflowError) as exc:
        raise _Local(f"not a calendar date ({exc})") from exc
    return Interval(float(start.toordinal()), float(end.toordinal()), unit="date")


def _parse_date(text: str, year: int | None) -> Interval:
    """9月23日 (+ year), 2025年4月15日, 2025-04-15 → the day's ordinal, lo = hi; a month, half
    or year (4月, 4月底, 2024下半年, 2025年) → the range of its days."""
    m = _DATE_RE.fullmatch(text)
    if not m:
        coarse = _coarse_date(text, year)
        if coarse is not None:
            return coarse
        raise _Local("not a date (expected e.g. 9月23日, 2025年4月15日, 4月, 2025年)")
    y = m["y"] or m["iy"]
    if y is None:
        if year is None:
            raise _Local("a date without a year needs year=")
        if isinstance(year, bool) or not isinstance(year, int):
            raise _Local(f"year {year!r} is not an integer")
    try:
        day = date(int(y) if y else year, int(m["m"] or m["im"]), int(m["d"] or m["id"]))  # type: ignore[arg-type]
    except (ValueError, OverflowError) as exc:
        raise _Local(f"not a calendar date ({exc})") from exc
    n = float(day.toordinal())
    return Interval(n, n, unit="date")


_RANK_SCOPES = _words("全球 全國 國內 海外 世界 行業 業內 榜單 排名 位居 位列 名列 分列")
_INT = rf"[0-9]+|[{_CN_DIGITS}十百千]+"
_RANK_RE = re.compile(
    rf"(?:{_alternation(_RANK_SCOPES)})*"
    rf"(?:第(?P<nth>{_INT})|前(?P<top>{_INT})|(?P<bare>{_INT}))(?:名|位|家|代|屆|級|個)?"
)


def _parse_rank(text: str) -> Interval:
    """第二名, 全球第一, 三名 (二、三名 as two facts) → that rank; 前三名 → [1, 3]."""
    m = _RANK_RE.fullmatch(text)
    if not m:
        raise _Local("not a rank (expected e.g. 第一, 第二名, 三名, 全球第一)")
    digits = m["nth"] or m["top"] or m["bare"]
    number = _arabic(digits) if digits[0].isdigit() else _chinese(digits)
    n = number.value
    if n < 1 or n != n.to_integral_value():
        raise _Local("a rank is a whole number from 1")
    if m["top"]:
        return Interval(1.0, float(n), unit="rank", hedge="前")
    return Interval(float(n), float(n), unit="rank")


# --- the public functions -----------------------------------------------------------------------


def parse_quantity(
    value: str,
    *,
    dimension: str,
    hedge: str | None = None,
    unit: str | None = None,
    rounded_to: str | None = None,
    year: int | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Interval:
    """The interval of values ``value`` allows, in ``DIMENSION_UNITS[dimension]`` (or the written
    currency), clamped to the dimension's domain. ``hedge``/``unit`` are an enumeration's shared
    hedge and unit; ``rounded_to`` replaces the last digit's precision; ``year`` completes a date
    without one. Raises QuantityError naming the text for anything it cannot read."""
    _check_dimension(dimension)
    try:
        for name, text in (
            ("value", value),
            ("hedge", hedge),
            ("unit", unit),
            ("rounded_to", rounded_to),
        ):
            if text is not None and not isinstance(text, str):
                raise _Local(f"{name} must be text, not {type(text).__name__}")
        t = _tolerance(tolerance)
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            return _parse(value, dimension, hedge, unit, rounded_to, year, t)
    except (_Local, InvalidOperation, OverflowError) as exc:
        raise QuantityError(
            f"{_describe(value, dimension, hedge, unit, rounded_to)}: {exc}"
        ) from None


def _describe(value: object, dimension: str, hedge: object, unit: object, rounded: object) -> str:
    """Name every text the message is about."""
    extras = [
        f"{k} {v!r}"
        for k, v in (("hedge", hedge), ("unit", unit), ("rounded_to", rounded))
        if v is not None
    ]
    more = f" with {', '.join(extras)}" if extras else ""
    return f"value {value!r}{more} ({dimension})"


def _tolerance(tolerance: float) -> Decimal:
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float):
        raise _Local(f"tolerance {tolerance!r} is not a number")
    if not (math.isfinite(tolerance) and 0 <= tolerance < 1):
        raise _Local(f"tolerance {tolerance!r} is not in [0, 1)")
    return Decimal(repr(float(tolerance)))


def _parse(
    value: str,
    dimension: str,
    hedge: str | None,
    unit: str | None,
    rounded_to: str | None,
    year: int | None,
    t: Decimal,
) -> Interval:
    text = _fold(value)
    if not text:
        raise _Local("empty value")
    if "乃至" in text:  # 數十萬乃至數百萬: from the first to the second
        first, _, second = text.partition("乃至")
        a = _parse(first, dimension, hedge, unit, rounded_to, year, t)
        b = _parse(second, dimension, hedge, unit, rounded_to, year, t)
        if a.unit != b.unit:
            raise _Local(f"the two ends of {text!r} have different units")
        return Interval(
            min(a.lo, b.lo),
            max(a.hi, b.hi),
            a.lo_open if a.lo <= b.lo else b.lo_open,
            b.hi_open if b.hi >= a.hi else a.hi_open,
            a.unit,
            "乃至",
        )
    if (word := _WHOLE_WORDS.get(text)) is not None:
        lo, hi, word_unit = word
        if word_unit is None and dimension in ("share", "growth"):
            word_unit = "%"  # 佔比個位數: a single-digit percentage
        canonical, factor, _ = _resolve_unit(
            dimension, _UNITS.get(word_unit) if word_unit else None
        )
        lo, hi = lo * factor, hi * factor
        return clamp(
            Interval(float(lo), float(hi), hi_open=True, unit=canonical, hedge=text), dimension
        )
    if m := _MAGNITUDE_RE.fullmatch(text):  # 百萬級: of the order of a million
        s_ = _SCALES[m["s"]]
        canonical, factor, _ = _resolve_unit(dimension, _UNITS.get(m["u"]) if m["u"] else None)
        return clamp(
            Interval(
                float(s_ * factor),
                float(10 * s_ * factor),
                hi_open=True,
                unit=canonical,
                hedge="級",
            ),
            dimension,
        )
    if dimension in ("date", "rank"):
        if hedge is not None or rounded_to is not None:
            raise _Local(f"a {dimension} takes no hedge or rounded_to")
        if dimension == "date":
            if unit is not None:
                raise _Local("a date takes no unit")
            return _parse_date(text, year)
        if unit is not None:
            if _fold(unit) not in ("名", "位"):
                raise _Local(f"unit {unit!r} does not fit a rank (名 or 位)")
            if not text.endswith(("名", "位")):
                text += _fold(unit)
        return _parse_rank(text)

    words, pos = _prefix_words(text, 0)
    core, pos = _core(text, pos)
    suffix, pos = _suffix_words(text, pos)
    if pos != len(text):
        raise _Local(f"cannot read {text[pos:]!r}")
    words = (_hedge_param_words(hedge) if hedge is not None else []) + words + suffix
    if unit is not None:
        core = _with_unit_param(core, unit)
    meaning = _meaning(words)
    written = core.unit
    if meaning.currency:
        if written is None:
            written = _Unit("currency", meaning.currency, text=meaning.currency)
        elif written.kind != "currency" or written.code != meaning.currency:
            raise _Local(f"currency {meaning.currency} and unit {written.text!r} disagree")
    if core.word == "一大半" and dimension != "share":
        raise _Local("一大半 is a share")
    canonical, factor, multiple = _resolve_unit(dimension, written)

    step = _rounding(rounded_to, core) if rounded_to is not None else None
    span = _precision(core, step)
    a, b = core.a, core.b
    if multiple:
        a, b, span = _multiple(core, span, step)
    a, b, span = a * factor, b * factor, span.scaled(factor)
    span = _apply_hedge(meaning.hedge.kind if meaning.hedge else None, a, b, span, t)
    span = _apply_change(span, meaning.verb, dimension, multiple)
    said = meaning.hedge.text if meaning.hedge else core.word
    result = clamp(_to_interval(span, canonical, said), dimension)
    if result.is_empty:
        raise _Local(f"no value of {dimension} is {_to_interval(span, canonical, said)}")
    return result


# The unit format_quantity writes per dimension (parse_quantity reads it back).
_FORMAT_UNITS = {
    "money": "元",
    "count": "",
    "share": "%",
    "growth": "%",
    "ratio": "倍",
    "score": "分",
    "credits": "靈感值",
    "duration": "分鐘",
    "price-per-period": "元/月",
    "money-per-day": "元",
}


def format_quantity(x: float, decimals: int, *, dimension: str, scale: str = "") -> str:
    """Write ``x`` (in the dimension's canonical unit) the way the press would, rounded half-even
    to ``decimals`` places of ``scale`` (萬, 億, ...): format_quantity(1.5e8, 1, dimension="money",
    scale="億") == "1.5億元". A negative growth is written 下降….%. parse_quantity reads the text
    back to the interval of width 10^-decimals·scale around the written number, which holds x."""
    _check_dimension(dimension)
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        raise QuantityError(f"cannot format {x!r}: not a finite number")
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 20:
        raise QuantityError(f"cannot format {x!r}: decimals {decimals!r} is not in 0..20")
    if scale and scale not in _SCALES:
        raise QuantityError(f"cannot format {x!r}: unknown scale {scale!r}")
    if dimension in ("date", "rank"):
        if decimals or scale or x != int(x) or x < 1:
            raise QuantityError(f"cannot format {x!r} as a {dimension}: a whole number from 1")
        if dimension == "rank":
            return f"第{int(x)}"
        try:
            day = date.fromordinal(int(x))
        except (ValueError, OverflowError) as exc:
            raise QuantityError(f"cannot format {x!r} as a date: {exc}") from None
        return f"{day.year}年{day.month}月{day.day}日"
    if x < 0 and dimension != "growth":
        raise QuantityError(f"cannot format {x!r}: {dimension} is not negative")
    try:
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            q = (abs(Decimal(x)) / (_SCALES[scale] if scale else _ONE)).quantize(
                Decimal(1).scaleb(-decimals), ROUND_HALF_EVEN
            )
    except InvalidOperation:
        raise QuantityError(f"cannot format {x!r}: too large") from None
    text = f"{q:f}{scale}{_FORMAT_UNITS[dimension]}"
    return f"下降{text}" if x < 0 else text
