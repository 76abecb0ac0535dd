"""Cell types of the catalogue workbook: each one parses a cell on import and formats
a value on export, so both directions share one definition.

``parse`` turns a raw openpyxl cell value into the domain value (an enum's code, a
bool, an int, a ``date`` …) or returns ``None`` for a blank cell; a bad value raises
``ValidationFailed`` with the code the error report shows. ``format`` is its inverse.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tongban.core.errors import ValidationFailed

_LIST_SEP = re.compile(r"[,，、;；\s]+")


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def _text_of(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


class CellType(ABC):
    """Base: ``parse`` a cell, ``format`` a value, ``describe`` for the 说明 sheet."""

    # Excel number format of the column: "@" keeps typed codes as text (leading zeros).
    number_format = "General"

    @abstractmethod
    def parse(self, raw: object) -> Any: ...

    @abstractmethod
    def format(self, value: Any) -> object: ...

    @abstractmethod
    def describe(self) -> str: ...

    def choices(self) -> list[str]:
        """Labels for a drop-down list in Excel; empty for free input."""
        return []

    def to_json(self, value: Any) -> Any:
        return value


@dataclass(frozen=True)
class Text(CellType):
    """Free text, kept exactly (newlines, commas, surrounding spaces)."""

    def parse(self, raw: object) -> str | None:
        if raw is None:
            return None
        return _text_of(raw)

    def format(self, value: Any) -> object:
        return value or ""

    def describe(self) -> str:
        return "文本"


@dataclass(frozen=True)
class Code(CellType):
    """An identifier: trimmed and upper-cased; validated by the importer."""

    number_format = "@"

    def parse(self, raw: object) -> str | None:
        if is_blank(raw):
            return None
        return _text_of(raw).strip().upper()

    def format(self, value: Any) -> object:
        return value or ""

    def describe(self) -> str:
        return "编码（文本格式）"


@dataclass(frozen=True)
class Integer(CellType):
    minimum: int = 0

    def parse(self, raw: object) -> int | None:
        if is_blank(raw):
            return None
        value: int | None = None
        if isinstance(raw, bool):
            value = None
        elif isinstance(raw, int):
            value = raw
        elif isinstance(raw, float) and raw.is_integer():
            value = int(raw)
        elif isinstance(raw, str) and re.fullmatch(r"\s*-?\d+\s*", raw):
            value = int(raw.strip())
        if value is None:
            raise ValidationFailed("import_bad_value", f"应为整数，实际为“{raw}”")
        if value < self.minimum:
            raise ValidationFailed("import_bad_value", f"应为不小于 {self.minimum} 的整数")
        return value

    def format(self, value: Any) -> object:
        return value

    def describe(self) -> str:
        return f"整数（≥{self.minimum}）"


YES, NO = "是", "否"


@dataclass(frozen=True)
class Boolean(CellType):
    def parse(self, raw: object) -> bool | None:
        if is_blank(raw):
            return None
        if isinstance(raw, bool):
            return raw
        text = _text_of(raw).strip().upper()
        if text in {YES, "Y", "TRUE", "1"}:
            return True
        if text in {NO, "N", "FALSE", "0"}:
            return False
        raise ValidationFailed("import_bad_value", f"应填“是”或“否”，实际为“{raw}”")

    def format(self, value: Any) -> object:
        return YES if value else NO

    def describe(self) -> str:
        return "是 / 否"

    def choices(self) -> list[str]:
        return [YES, NO]


@dataclass(frozen=True)
class Choice(CellType):
    """An enumeration written as its Chinese label; the code is accepted too."""

    options: tuple[tuple[str, str], ...]  # (code, label)
    integer: bool = False

    def parse(self, raw: object) -> str | int | None:
        if is_blank(raw):
            return None
        text = _text_of(raw).strip()
        for code, label in self.options:
            if text in (label, code):
                return int(code) if self.integer else code
        allowed = "、".join(label for _, label in self.options)
        raise ValidationFailed("import_bad_value", f"“{text}”不是允许的取值（{allowed}）")

    def format(self, value: Any) -> object:
        for code, label in self.options:
            if code == str(value):
                return label
        return "" if value is None else str(value)

    def describe(self) -> str:
        return "、".join(label for _, label in self.options)

    def choices(self) -> list[str]:
        return [label for _, label in self.options]


def choice(choices: Any, *, only: frozenset[str] | None = None) -> Choice:
    """A ``Choice`` from a Django ``TextChoices``/``IntegerChoices`` class."""
    options = tuple(
        (str(value), str(label))
        for value, label in choices.choices
        if only is None or value in only
    )
    return Choice(options=options, integer=isinstance(choices.values[0], int))


@dataclass(frozen=True)
class IsoDate(CellType):
    number_format = "@"

    def parse(self, raw: object) -> date | None:
        if is_blank(raw):
            return None
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(_text_of(raw).strip())
        except ValueError as exc:
            raise ValidationFailed("import_bad_value", "日期格式应为 YYYY-MM-DD") from exc

    def format(self, value: Any) -> object:
        return value.isoformat() if value else ""

    def describe(self) -> str:
        return "日期 YYYY-MM-DD"

    def to_json(self, value: Any) -> Any:
        return value.isoformat() if value else None


@dataclass(frozen=True)
class CodeList(CellType):
    """Several codes in one cell, separated by commas (full-width commas and 、 too)."""

    number_format = "@"

    def parse(self, raw: object) -> list[str] | None:
        if is_blank(raw):
            return None
        return [p.upper() for p in _LIST_SEP.split(_text_of(raw).strip()) if p]

    def format(self, value: Any) -> object:
        return ",".join(value or [])

    def describe(self) -> str:
        return "6位行政区划代码，多个用逗号分隔"

    def to_json(self, value: Any) -> Any:
        return list(value or [])


@dataclass(frozen=True)
class ChoiceList(CellType):
    """Several enum labels in one cell, stored as comma-separated codes."""

    inner: Choice

    def parse(self, raw: object) -> str | None:
        if is_blank(raw):
            return None
        parts = [p for p in _LIST_SEP.split(_text_of(raw).strip()) if p]
        return ",".join(str(self.inner.parse(p)) for p in parts)

    def format(self, value: Any) -> object:
        return ",".join(str(self.inner.format(v)) for v in (value or "").split(",") if v)

    def describe(self) -> str:
        return f"多个用逗号分隔：{self.inner.describe()}"
