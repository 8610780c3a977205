"""The grammar of one value: hedge, number (or range, or word), unit, change verb → interval."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext

from factledger.model import DIMENSION_DOMAINS, DIMENSION_UNITS, Interval
from factledger.quantity.dates import (
    _parse_date,
    _parse_rank,
)
from factledger.quantity.numerals import (
    _HUNDRED,
    _INF,
    _NUMBER_RE,
    _ONE,
    _PRECISION,
    _SCALE_RE,
    _SCALES,
    DEFAULT_TOLERANCE,
    QuantityError,
    _arabic,
    _chinese,
    _fold,
    _Local,
    _Number,
)
from factledger.quantity.words import (
    _GE,
    _GT,
    _LE,
    _LT,
    _NEAR,
    _UNIT_RE,
    _UNITS,
    _hedge_param_words,
    _meaning,
    _prefix_words,
    _resolve_unit,
    _suffix_words,
    _Unit,
    _Word,
)

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
        # the values that round half up to what is written: 12.4 is [12.35, 12.45), so 12.4
        # and 12.5 (from another outlet) touch and do not overlap
        span = _Span(num.value - num.half, num.value + num.half, hi_open=True)
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
    span = _Span(lo.value - lo.half, hi.value + hi.half, hi_open=True)
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
    """The precision interval; ``rounded_to`` replaces the last written digit's half unit. Like
    the written digits, a rounding step means rounding half up: [v − s/2, v + s/2)."""
    if step is None:
        return core.span
    return _Span(core.a - step / 2, core.b + step / 2, hi_open=True)


def _multiple(core: _Core, span: _Span, step: Decimal | None) -> tuple[Decimal, Decimal, _Span]:
    """增長N倍 / 翻了N倍 / 提升N倍: Chinese uses it both for new = N× old (growth (N−1)·100%) and
    new = (N+1)× old (growth N·100%), so the growth spans both readings. The written N is taken
    as is: the 100-point ambiguity dwarfs its last digit. rounded_to, or an approximate form
    (十多倍), widens N first. For N = 1 only one reading makes sense (a growth "to 1×" is no
    growth): 增長一倍 is +100% to the precision of the written 一, [50%, 150%), and 增長超過一倍 /
    一倍以上 bound +100% itself."""
    if core.form == "point" and core.a == 1 and step is None:
        return _HUNDRED, _HUNDRED, span.scaled(_HUNDRED)
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
    """Decline verbs make a growth or a change in points negative; 下降至70% (down TO 70% of
    the old) is −30%."""
    if verb is None:
        return span
    if dimension == "share-change":
        if verb.to:
            raise _Local(f"{verb.text}至 states a level, not a change in points")
        return span if verb.role == "rise" else span.negated()
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
    dlo, dhi = DIMENSION_DOMAINS.get(dimension, (0.0, math.inf))
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
_MAGNITUDE_RE = re.compile(
    r"(?P<s>十萬|百萬|千萬|十億|百億|千億|萬億|萬|億|千|百|十|兆)級(?P<u>元|人)?"
)
_ORDER_RE = re.compile(r"(?P<s>萬億|千億|百億)的")  # 千億的市場: of the order of 千億
# 翻倍, 翻番, 翻了一番, 翻兩番 (翻了3倍 is a multiple, read by _multiple)
_DOUBLINGS_RE = re.compile(r"(?:同比|環比)?翻了?(?:倍|(?P<n>[一二兩三四五六七八九十])?番)")


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
    """The interval of values ``value`` allows (the sound reading), in
    ``DIMENSION_UNITS[dimension]`` (or the written currency), clamped to the dimension's domain.
    ``hedge``/``unit`` are an enumeration's shared hedge and unit; ``rounded_to`` replaces the last
    digit's precision; ``year`` completes a date without one. Raises QuantityError naming the text
    for anything it cannot read."""
    return parse_readings(
        value, dimension=dimension, hedge=hedge, unit=unit, rounded_to=rounded_to, year=year,
        tolerance=tolerance,
    )[0]  # fmt: skip


def parse_readings(
    value: str,
    *,
    dimension: str,
    hedge: str | None = None,
    unit: str | None = None,
    rounded_to: str | None = None,
    year: int | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> tuple[Interval, Interval]:
    """Two readings of ``value``: the **sound** interval (every value the words allow at all —
    the gate's ground) and the **typical** one (what a writer most likely meant: 超過1.5億 is a
    little over 1.5億, not any amount above it). The typical interval always lies inside the
    sound one. docs/quantity.md ("Two readings") tabulates them."""
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
            sound, typical = _parse(value, dimension, hedge, unit, rounded_to, year, t)
            return sound, _inside(typical, sound)
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


def _inside(typical: Interval, sound: Interval) -> Interval:
    """The typical reading cut to the sound one (it is defined inside it; rounding of the
    Decimal ends must not let it stray)."""
    got = typical.intersect(sound)
    return Interval(got.lo, got.hi, got.lo_open, got.hi_open, sound.unit, sound.hedge)


def _midspan(iv: Interval) -> Interval:
    """The middle half of a bounded interval (an approximate form's most likely values)."""
    if math.isinf(iv.lo) or math.isinf(iv.hi):
        return iv
    quarter = (iv.hi - iv.lo) / 4
    return Interval(iv.lo + quarter, iv.hi - quarter, unit=iv.unit, hedge=iv.hedge)


def _parse(
    value: str,
    dimension: str,
    hedge: str | None,
    unit: str | None,
    rounded_to: str | None,
    year: int | None,
    t: Decimal,
) -> tuple[Interval, Interval]:
    text = _fold(value)
    if not text:
        raise _Local("empty value")
    if "乃至" in text:  # 數十萬乃至數百萬: from the first to the second
        first, _, second = text.partition("乃至")
        a, a_typical = _parse(first, dimension, hedge, unit, rounded_to, year, t)
        b, b_typical = _parse(second, dimension, hedge, unit, rounded_to, year, t)
        if a.unit != b.unit:
            raise _Local(f"the two ends of {text!r} have different units")
        whole = Interval(
            min(a.lo, b.lo),
            max(a.hi, b.hi),
            a.lo_open if a.lo <= b.lo else b.lo_open,
            b.hi_open if b.hi >= a.hi else a.hi_open,
            a.unit,
            "乃至",
        )
        # from (typically) the first to (typically) the second
        typical = Interval(a_typical.lo, b_typical.hi, a_typical.lo_open, b_typical.hi_open,
                           a.unit, "乃至")  # fmt: skip
        return whole, typical
    if (word := _WHOLE_WORDS.get(text)) is not None:
        lo, hi, word_unit = word
        if word_unit is None and dimension in ("share", "growth"):
            word_unit = "%"  # 佔比個位數: a single-digit percentage
        canonical, factor, _ = _resolve_unit(
            dimension, _UNITS.get(word_unit) if word_unit else None
        )
        lo, hi = lo * factor, hi * factor
        word_iv = clamp(
            Interval(float(lo), float(hi), hi_open=True, unit=canonical, hedge=text), dimension
        )
        return word_iv, _midspan(word_iv)
    if m := _MAGNITUDE_RE.fullmatch(text):  # 百萬級: of the order of a million
        s_ = _SCALES[m["s"]]
        canonical, factor, _ = _resolve_unit(dimension, _UNITS.get(m["u"]) if m["u"] else None)
        level = clamp(
            Interval(
                float(s_ * factor),
                float(10 * s_ * factor),
                hi_open=True,
                unit=canonical,
                hedge="級",
            ),
            dimension,
        )
        return level, level
    if (m := _DOUBLINGS_RE.fullmatch(text)) and dimension == "growth":
        # 翻倍 / 翻番 / 翻一番: ×2; 翻N番: N doublings, ×2^N. The factor is a whole number written
        # to its last digit, [f − ½, f + ½); the growth is (factor − 1) · 100 %.
        n = _chinese(m["n"]).value if m["n"] else _ONE
        if not (1 <= n <= 10):
            raise _Local(f"{text}: {n} doublings")
        factor = Decimal(2) ** int(n)
        lo, hi = (factor - Decimal("0.5") - 1) * _HUNDRED, (factor + Decimal("0.5") - 1) * _HUNDRED
        doubled = Interval(float(lo), float(hi), hi_open=True, unit="%", hedge=m.group(0))
        return doubled, doubled
    if text in ("兆", "兆的") or (m := _ORDER_RE.fullmatch(text)):
        # 兆的GMV: "on the trillion scale", an order of magnitude, [1, 10) of the unit
        unit_scale = _SCALES["兆"] if text.startswith("兆") and not m else _SCALES[m["s"]]
        canonical, factor, _ = _resolve_unit(dimension, None)
        lo = unit_scale * factor
        order = clamp(
            Interval(float(lo), float(10 * lo), hi_open=True, unit=canonical, hedge=text),
            dimension,
        )
        return order, order
    if dimension in ("date", "rank"):
        if hedge is not None or rounded_to is not None:
            raise _Local(f"a {dimension} takes no hedge or rounded_to")
        if dimension == "date":
            if unit is not None:
                raise _Local("a date takes no unit")
            day = _parse_date(text, year)
            return day, day
        if unit is not None:
            if _fold(unit) not in ("名", "位"):
                raise _Local(f"unit {unit!r} does not fit a rank (名 or 位)")
            if not text.endswith(("名", "位")):
                text += _fold(unit)
        rank = _parse_rank(text)
        return rank, rank

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
    kind = meaning.hedge.kind if meaning.hedge else None
    typical = _typical(core, kind, a, b, span, t, multiple, factor, step)
    span = _apply_hedge(kind, a, b, span, t)
    span = _apply_change(span, meaning.verb, dimension, multiple)
    typical = _apply_change(typical, meaning.verb, dimension, multiple)
    said = meaning.hedge.text if meaning.hedge else core.word
    result = clamp(_to_interval(span, canonical, said), dimension)
    if result.is_empty:
        raise _Local(f"no value of {dimension} is {_to_interval(span, canonical, said)}")
    return result, clamp(_to_interval(typical, canonical, said), dimension)


def _typical(
    core: _Core,
    kind: str | None,
    a: Decimal,
    b: Decimal,
    span: _Span,
    t: Decimal,
    multiple: bool,
    factor: Decimal,
    step: Decimal | None,
) -> _Span:
    """What a writer most likely meant (docs/quantity.md, "Two readings"):

    * a plain number: its precision interval, as the sound reading;
    * 超過/逾/突破/破 X, X以上, X+, 至少 X: a little over X — up to X·(1+t) or the next step of X's
      last written digit, whichever is larger (超過1.5億 → (1.5億, 1.6億]; 超過70% → (70%, 73.5%]);
    * 近/將近/接近 X: [X·(1−t), X]; 約/左右 X: [X·(1−t/2), X·(1+t/2)]; 不足/不到 X: [X·(1−t), X);
      不超過/最多 X: [X·(1−t), X];
    * 增長N倍 (N ≥ 2): the strict reading +N·100 %;
    * an approximate form (60多, 十餘, 數十萬, 一大半) or a range (60-70%): the middle half of its
      span, [lo + w/4, hi − w/4].
    """
    if multiple and core.form == "point" and core.a != 1 and step is None:
        a = b = core.b * _HUNDRED * factor  # the strict reading of N倍: new = (N+1)× old
        span = _Span(a, b)
    if kind is None:
        if core.form in ("approx", "range") and span.hi.is_finite() and span.lo.is_finite():
            quarter = (span.hi - span.lo) / 4
            return _Span(span.lo + quarter, span.hi - quarter)
        return span
    digit = (core.span.hi - core.span.lo) * factor if core.form == "point" else Decimal(0)
    if kind in (_GT, _GE):
        return _Span(a, max(a * (1 + t), a + digit), kind == _GT, False)
    if kind == _LT:
        return _Span(b * (1 - t), b, False, True)
    if kind in (_LE, _NEAR):
        return _Span(b * (1 - t), b)
    return _Span(a * (1 - t / 2), b * (1 + t / 2))  # _ABOUT
