"""Read a fact's ``value`` text into an :class:`~factledger.model.Interval` with a unit.

Strings in, an interval out; no files. The interval is every value the written text allows:

* a written number is the closed interval ± half a unit of its last written digit (XBRL
  Calculations 1.1 precision): ``1.5億`` = [1.45億, 1.55億], unless ``rounded_to`` says otherwise;
* a hedge bounds the written value itself: ``超過1.5億元`` = (1.5億, ∞), ``近30%`` = [28.5%, 30%];
* a change verb signs a growth: ``減少3.4%`` = [−3.45%, −3.35%], ``下降至70%`` = −30%;
* the result is clamped to the dimension's domain (share [0, 100], growth [−100, ∞), else ≥ 0).

All arithmetic is in :class:`~decimal.Decimal`, so ``1.45億`` is the float nearest to 1.45e8, not
1.5e8 − 0.05e8 with binary rounding error. ``docs/quantity.md`` tabulates the semantics.

Modules: :mod:`.numerals` (numbers and scales), :mod:`.words` (units, hedges, verbs),
:mod:`.dates` (dates and ranks), :mod:`.grammar` (one value → interval).
"""

from factledger.quantity.grammar import clamp, parse_quantity, parse_readings
from factledger.quantity.numerals import DEFAULT_TOLERANCE, QuantityError
from factledger.quantity.words import (
    HEDGES_AFTER,
    HEDGES_BEFORE,
    prefix_word_spans,
    prefix_words_end,
    suffix_words_end,
    unit_word_end,
)

__all__ = [
    "DEFAULT_TOLERANCE",
    "HEDGES_AFTER",
    "HEDGES_BEFORE",
    "QuantityError",
    "clamp",
    "parse_quantity",
    "parse_readings",
    "prefix_word_spans",
    "prefix_words_end",
    "suffix_words_end",
    "unit_word_end",
]
