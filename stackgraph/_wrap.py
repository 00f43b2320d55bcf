"""Plain-text tables that fit a width: cells wrapped at spaces and after arrows, never cut.

A chain such as ``gb200-nvl72 → b200 → cowos-l`` breaks after an arrow; a word longer than its
column (a source URL) breaks after a ``/``, ``?``, ``&``, ``=``, ``.``, ``-`` or ``_`` where it
can, and is cut only where it has none of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["fit_widths", "layout", "wrap_cell"]

_GAP = "  "
_NBSP = "\u00a0"  # glues an arrow to the word before it, so a line never starts with one
_BREAKS = re.compile(r"(?<=[/?&=._-])")
_NARROWEST = 20
"""A column is not made narrower than this (or its header, or its longest word if shorter)."""


def _pieces(word: str, width: int) -> list[str]:
    """`word` in pieces of at most `width`, broken after URL and id separators where it can."""
    out: list[str] = []
    current = ""
    for part in (p for p in _BREAKS.split(word) if p):
        while len(part) > width:  # no separator in reach: cut
            if current:
                out.append(current)
                current = ""
            out.append(part[:width])
            part = part[width:]
        if len(current) + len(part) > width:
            out.append(current)
            current = part
        else:
            current += part
    if current:
        out.append(current)
    return out


def wrap_cell(text: str, width: int) -> list[str]:
    """The lines of a cell `width` characters wide.

    >>> wrap_cell("gb200-nvl72 → gb200-compute-tray → b200 → cowos-l", 24)
    ['gb200-nvl72 →', 'gb200-compute-tray →', 'b200 → cowos-l']
    >>> wrap_cell("https://udn.com/news/story/7240/9055937", 16)
    ['https://udn.com/', 'news/story/7240/', '9055937']
    """
    if len(text) <= width:
        return [text]
    words: list[str] = []
    for glued in text.replace(" → ", _NBSP + "→ ").split(" "):
        word = glued.replace(_NBSP, " ")
        # a word that fits only without its arrow gives it up to the next line
        words += [word[:-2], "→"] if len(word) > width >= len(word) - 2 else [word]
    lines: list[str] = []
    line = ""
    for word in (w for w in words if w):
        joined = f"{line} {word}" if line else word
        if len(joined) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        if len(word) <= width:
            line = word
        else:
            *whole, line = _pieces(word, width)
            lines += whole
    lines.append(line)
    return lines


def _longest_word(cells: Sequence[str]) -> int:
    return max(
        (len(w) for c in cells for w in c.replace(" → ", _NBSP + "→ ").split(" ")), default=0
    )


def fit_widths(
    header: Sequence[str], body: Sequence[Sequence[str]], width: int | None
) -> list[int]:
    """Column widths: each as wide as its widest cell; when the table is wider than `width`,
    each column narrowed in proportion to what it can spare (down to its header, its longest
    word, or 20 characters when that word is longer)."""
    columns = [[row[i] for row in body] for i in range(len(header))]
    widths = [max([len(h)] + [len(c) for c in col]) for h, col in zip(header, columns, strict=True)]
    if width is None:
        return widths
    floors = [
        max(len(h), min(_longest_word(col), _NARROWEST))
        for h, col in zip(header, columns, strict=True)
    ]
    excess = sum(widths) + len(_GAP) * (len(widths) - 1) - width
    slack = [w - f for w, f in zip(widths, floors, strict=True)]
    if excess <= 0 or not sum(slack):
        return widths
    if excess >= sum(slack):  # as narrow as it goes: the terminal wraps the rest
        return floors
    # each column gives up width in proportion to what it can spare; rounding, the widest more
    cuts = [excess * s // sum(slack) for s in slack]
    for _ in range(excess - sum(cuts)):
        i = max(
            (i for i in range(len(widths)) if cuts[i] < slack[i]), key=lambda i: widths[i] - cuts[i]
        )
        cuts[i] += 1
    return [w - c for w, c in zip(widths, cuts, strict=True)]
    return widths


def layout(header: Sequence[str], body: Sequence[Sequence[str]], width: int | None) -> list[str]:
    """The lines of a table: header, rule and rows, each row as many lines as its tallest cell.

    >>> print("\\n".join(layout(["id", "chain"], [["b200", "b200 → cowos-l"]], 14)))
    id    chain
    ----  --------
    b200  b200 →
          cowos-l
    """
    widths = fit_widths(header, body, width)

    def lines(cells: Sequence[str]) -> list[str]:
        wrapped = [wrap_cell(c, w) for c, w in zip(cells, widths, strict=True)]
        height = max(len(w) for w in wrapped)
        return [
            _GAP.join(
                (w[k] if k < len(w) else "").ljust(n) for w, n in zip(wrapped, widths, strict=True)
            ).rstrip()
            for k in range(height)
        ]

    out = [*lines(header), _GAP.join("-" * w for w in widths)]
    for row in body:
        out += lines(row)
    return out
