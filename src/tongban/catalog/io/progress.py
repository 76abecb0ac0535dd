"""A tiny text progress bar for the command line (no dependency)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable


class ProgressBar:
    """``bar(done, total)`` redraws one line through ``write`` when the percentage
    changes. Drawn only when ``total`` reaches ``threshold``: small files finish at once.
    """

    def __init__(
        self,
        write: Callable[[str], object],
        *,
        label: str = "",
        width: int = 30,
        threshold: int = 100,
    ) -> None:
        self.write = write
        self.label = label
        self.width = width
        self.threshold = threshold
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        if total < self.threshold or total <= 0:
            return
        pct = min(100, done * 100 // total)
        if pct == self._last:
            return
        self._last = pct
        filled = self.width * pct // 100
        bar = "#" * filled + "-" * (self.width - filled)
        self.write(f"\r{self.label}[{bar}] {pct:3d}% {done}/{total}")
        if pct == 100:
            self.write("\n")


def display_width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain-text table with columns aligned for CJK text."""
    cells = [[c.replace("\n", " ") for c in r] for r in rows]
    widths = [
        max([display_width(h)] + [display_width(r[i]) for r in cells])
        for i, h in enumerate(headers)
    ]
    lines = ["  ".join(pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)
