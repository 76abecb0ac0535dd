"""Text normalisation shared by every search path, so SQLite and PostgreSQL compare the
same strings: NFKC (full-width → half-width), lower-case, whitespace removed."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


@lru_cache(maxsize=4096)
def pinyin_initials(text: str) -> str:
    """First letters of the pinyin of each Chinese character (社会保障卡 → shbzk).
    Non-Chinese letters and digits are kept; everything else is dropped."""
    from pypinyin import Style, lazy_pinyin

    out = []
    for syl in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"):
        for ch in syl.lower():
            if ch.isascii() and ch.isalnum():
                out.append(ch)
                break
    return "".join(out)
