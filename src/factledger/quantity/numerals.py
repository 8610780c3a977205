"""Numbers as the press writes them: Arabic and Chinese numerals, 萬/億 scales, errors."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

# t for 約/近. Hedged figures in the press are almost always given to two significant figures
# (約50億元, 近30%), and rounding to two significant figures moves a value by at most 5% of
# itself (0.5 / 10). So "about v" is read as v ± 5%, "nearly v" as [95% v, v]. A coarser number
# (約6億美元, whose last digit alone means ±8%) keeps its wider precision interval: a hedge never
# makes a value more precise than writing it plainly.
DEFAULT_TOLERANCE: float = 0.05


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
    import cn2an  # ~0.15 s to import: only a Chinese numeral pays for it

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
