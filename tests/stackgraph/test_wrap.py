"""Text tables that fit a width: cells wrap at spaces and after arrows, and are never cut."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stackgraph._wrap import fit_widths, layout, wrap_cell

CHAIN = "gb200-nvl72 → gb200-compute-tray → gb200-superchip → b200 → cowos-l"


def test_a_chain_breaks_after_its_arrows_only() -> None:
    lines = wrap_cell(CHAIN, 24)
    assert lines == ["gb200-nvl72 →", "gb200-compute-tray →", "gb200-superchip → b200 →", "cowos-l"]
    assert " ".join(lines) == CHAIN


def test_a_url_breaks_after_its_separators() -> None:
    url = "https://www.trendforce.com/news/2025/12/08/news-tsmcs-cowos-l"
    lines = wrap_cell(url, 20)
    assert "".join(lines) == url
    assert all(len(line) <= 20 for line in lines)
    assert all(line[-1] in "/.-" for line in lines[:-1])


def test_a_word_with_no_separator_is_cut_only_when_it_must() -> None:
    assert wrap_cell("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert wrap_cell("x" * 9 + " → y", 10) == ["x" * 9, "→ y"]  # the arrow, not the word


def test_columns_narrow_in_proportion_and_not_below_their_words() -> None:
    header = ["id", "name", "chain"]
    body = [["b200", "NVIDIA GB200 Grace Blackwell Superchip", CHAIN]]
    wide = fit_widths(header, body, None)
    assert wide == [4, 38, len(CHAIN)]
    narrow = fit_widths(header, body, 80)
    assert sum(narrow) + 2 * 2 == 80
    assert narrow[0] == 4 and narrow[2] > narrow[1] >= len("Blackwell")
    assert fit_widths(header, body, 10) == [4, len("Superchip"), len("gb200-compute-tray →")]


def test_a_row_takes_as_many_lines_as_its_tallest_cell() -> None:
    lines = layout(["id", "chain"], [["b200", CHAIN], ["b300", "b300"]], 30)
    assert lines[0].split() == ["id", "chain"]
    assert [line[:4] for line in lines[2:]] == ["b200", "    ", "    ", "    ", "b300"]
    assert all(len(line) <= 30 for line in lines)


words = st.text(alphabet="abcdefgh-./", min_size=1, max_size=12)


@given(st.lists(words, min_size=1, max_size=12), st.integers(min_value=14, max_value=60))
def test_wrapping_keeps_every_word_and_the_width(parts: list[str], width: int) -> None:
    text = " → ".join(parts)
    lines = wrap_cell(text, width)
    assert all(len(line) <= width for line in lines)
    assert " ".join(lines) == text  # no word is cut: every word fits the width
    assert not any(line.startswith("→") for line in lines)
