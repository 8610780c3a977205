"""Offline, dated reference rates from the bundled ECB history."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from factledger import fx, intervals
from factledger.model import Interval


def mid(interval: Interval) -> float:
    return (interval.lo + interval.hi) / 2


def test_usd_cny_in_november_2025_is_about_7_1() -> None:
    rate = fx.rate("USD", "CNY", date(2025, 11, 19))
    assert 7.0 < mid(rate) < 7.2
    assert rate.unit == "CNY/USD"
    # widened by FX_TOLERANCE on each side
    assert rate.hi / rate.lo == pytest.approx((1 + fx.FX_TOLERANCE) / (1 - fx.FX_TOLERANCE))


def test_convert_scales_an_interval_and_keeps_open_ends() -> None:
    above = Interval(1.4e8, math.inf, True, True, "USD")
    cny = fx.convert(above, "USD", "CNY", date(2025, 11, 19))
    assert cny.unit == "CNY"
    assert cny.hi == math.inf
    assert 9.5e8 < cny.lo < 1.0e9


def test_weekend_falls_back_to_friday() -> None:
    saturday, sunday, friday = date(2025, 11, 22), date(2025, 11, 23), date(2025, 11, 21)
    assert fx.rate("USD", "CNY", saturday) == fx.rate("USD", "CNY", friday)
    assert fx.rate("USD", "CNY", sunday) == fx.rate("USD", "CNY", friday)
    assert fx.rate("USD", "CNY", saturday) != fx.rate("USD", "CNY", date(2025, 11, 24))


def test_before_the_bundled_data_raises_with_date_and_range() -> None:
    with pytest.raises(fx.FxError) as exc:
        fx.rate("USD", "CNY", date(2001, 1, 2))  # CNY rates start in 2005
    message = str(exc.value)
    first, last = fx.bundled_range("USD", "CNY")
    assert "2001-01-02" in message and str(first) in message and str(last) in message


def test_after_the_bundled_data_raises_beyond_the_grace() -> None:
    _, last = fx.bundled_range("USD", "CNY")
    within = last + timedelta(days=fx.FX_GRACE_DAYS)
    assert fx.rate("USD", "CNY", within) == fx.rate("USD", "CNY", last)
    beyond = last + timedelta(days=fx.FX_GRACE_DAYS + 1)
    with pytest.raises(fx.FxError, match=str(beyond)):
        fx.rate("USD", "CNY", beyond)


def test_identity_is_exact_whatever_the_date() -> None:
    value = Interval(0.1, 0.30000000000000004, True, False, "CNY")
    assert fx.convert(value, "CNY", "CNY", date(1900, 1, 1)) == value
    assert fx.rate("HKD", "HKD", date(2025, 1, 1)) == intervals.point(1.0)


def test_unknown_currency_and_wrong_amount_unit_raise() -> None:
    with pytest.raises(fx.FxError, match="XYZ"):
        fx.rate("XYZ", "CNY", date(2025, 1, 2))
    with pytest.raises(fx.FxError, match="expects an amount in USD"):
        fx.convert(intervals.point(1, "HKD"), "USD", "CNY", date(2025, 1, 2))


def test_several_dates_take_the_hull_of_their_rates() -> None:
    days = {date(2025, 1, 2), date(2025, 11, 19)}
    hull = fx.rate_over("USD", "CNY", days)
    for day in days:
        assert intervals.is_subset(fx.rate("USD", "CNY", day), intervals.with_unit(hull, "CNY/USD"))


def test_hkd_cny_cross_rate_is_plausible() -> None:
    assert 0.85 < mid(fx.rate("HKD", "CNY", date(2025, 11, 27))) < 0.95


def test_converter_is_built_once() -> None:
    assert fx.converter() is fx.converter()
