"""The mention finder, pinned on examples of what is and is not a numeric mention."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factledger import mentions
from factledger.mentions import find_mentions
from factledger.text import fold


def texts(s: str) -> list[str]:
    return [m.text for m in find_mentions(fold(s))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("可靈收入分別超過1.5億元、2.5億元", ["1.5", "2.5"]),
        ("電商GMV為3,850億元", ["3,850"]),
        ("月活1,012.31萬名", ["1,012.31"]),
        ("快手2025Q3財報", ["2025", "Q3"]),
        ("今年Q1、Q2", ["Q1", "Q2"]),
        ("9月23日發佈", ["9", "23"]),
        ("增長１７００％", ["1700"]),  # full-width digits fold to ASCII
        ("提升兩倍", ["兩倍"]),
        ("十餘人團隊", ["十餘人"]),
        ("付費比例很高,一大半是海外使用者", ["一大半"]),
        ("成本動輒數十萬元", ["數十萬元"]),
        ("位居第二名", ["第二"]),
        ("只覆蓋兩到三個客戶", ["兩到三個"]),
        ("分列榜單二、三名", ["二", "三名"]),
        ("2200萬人", ["2200"]),  # a scale word after digits is part of that mention
        ("單月收入破億", ["億"]),
        ("流水超千萬元", ["千萬元"]),
        ("兩個月前", ["兩個月"]),
        ("三家AI工作室", ["三家"]),
        ("前三季度", ["三季度"]),
    ],
)
def test_mentions(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "一個",
        "一種",
        "一方面",
        "程一笑表示",
        "三足鼎立",
        "一舉超過",
        "統一多模態",
        "萬聖節",
        "一台電腦",
    ],
)
def test_idioms_are_not_mentions(text: str) -> None:
    assert texts(text) == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_mentions_are_ordered_spans_of_the_text(text: str) -> None:
    folded = fold(text)
    found = find_mentions(folded)
    for m in found:
        assert folded[m.start : m.end] == m.text
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet="0123456789.,QHAa第數幾一二兩三十百千萬億餘多到至、破超過倍個月人名大半年"
        "創歷史新高低於越不及下",
        max_size=40,
    )
)
def test_the_scan_finds_what_the_pattern_finds_everywhere(text: str) -> None:
    """find_mentions tries the pattern only where a mention can start: the same mentions as
    trying it at every position (claim words included)."""
    expected = [
        (m.start(), m.end(), m.group(0))
        for m in mentions._MENTION.finditer(text)
        if m.group("claim")
        or (not mentions._is_idiom(m.group(0)) and mentions._has_quantity(m.group(0)))
    ]
    assert [(m.start, m.end, m.text) for m in mentions.find_mentions(text)] == expected


def test_every_claim_word_is_a_mention() -> None:
    for word in mentions.CLAIM_WORDS:
        assert [m.text for m in mentions.find_mentions(f"它{word}對手")] == [word]
