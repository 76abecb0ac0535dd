"""Labels and small fragments for the public guide templates."""

from __future__ import annotations

from typing import Any

from django import template

from tongban.accounts.models import Role
from tongban.catalog import selectors_browse
from tongban.catalog.models import ItemKind, ItemType, Mode, Scope

register = template.Library()

_SCOPE = dict(Scope.choices)
_MODE = dict(Mode.choices)
_TYPE = dict(ItemType.choices)
_ROLE = dict(Role.choices)
_KIND = dict(ItemKind.choices)


@register.filter
def scope_label(value: str) -> str:
    return _SCOPE.get(value, value)


@register.filter
def mode_label(value: str) -> str:
    return _MODE.get(value, value)


@register.filter
def item_type_label(value: str) -> str:
    return _TYPE.get(value, value)


@register.filter
def role_label(value: str) -> str:
    return _ROLE.get(value, value)


@register.filter
def kind_label(value: str) -> str:
    return _KIND.get(value, value)


@register.filter
def visits_label(value: int | None) -> str:
    """到办事现场次数 as the public slogans say it."""
    if value is None:
        return ""
    if value == 0:
        return "零跑动"
    if value == 1:
        return "最多跑一次"
    return f"到现场 {value} 次"


@register.inclusion_tag("catalog/_home_themes.html")
def home_themes() -> dict[str, Any]:
    """Themes (个人 / 法人) and 通办 shortcuts shown under the home page search box."""
    return {"groups": selectors_browse.themes_with_counts()}
