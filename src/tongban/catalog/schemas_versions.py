"""API schemas for writing the catalogue.

The element-set schema is derived from ``catalog.elements.VersionElements`` (the typed input
every catalogue writer uses), so the API can never disagree with the importer or the seed.
"""

from __future__ import annotations

import typing
from dataclasses import MISSING, fields
from datetime import date, datetime
from typing import Any

from ninja import Field, Schema
from pydantic import create_model

from tongban.catalog.elements import VersionElements


def _schema_from_dataclass(dc: type, name: str) -> type[Schema]:
    hints = typing.get_type_hints(dc)
    spec: dict[str, Any] = {}
    for f in fields(dc):
        if f.default is not MISSING:
            spec[f.name] = (hints[f.name], f.default)
        elif f.default_factory is not MISSING:
            spec[f.name] = (hints[f.name], Field(default_factory=f.default_factory))
        else:
            spec[f.name] = (hints[f.name], ...)
    model: type[Schema] = create_model(name, __base__=Schema, __doc__=dc.__doc__, **spec)
    return model


# Every element of an item version (see ItemVersion for the meaning of each); dates are
# ISO strings (YYYY-MM-DD), checked by the catalogue rules with a coded error.
if typing.TYPE_CHECKING:

    class ElementsIn(Schema):
        """Static stand-in for the generated schema (mypy cannot see generated classes)."""

else:
    ElementsIn = _schema_from_dataclass(VersionElements, "ElementsIn")


class VersionSummary(Schema):
    id: int
    task_code: str
    version: int
    status: str
    name: str
    valid_from: date | None
    valid_to: date | None
    published_at: datetime | None


class BaselineIn(Schema):
    catalog_code: str
    name: str
    item_type: str
    legal_basis: str = ""
    competent_department: str = ""
    use_levels: str = ""
    high_risk: bool = False
    parent_code: str | None = None
    theme_codes: list[str] | None = None


class BaselineOut(Schema):
    catalog_code: str
    name: str
    item_type: str
    high_risk: bool


class ImplementationIn(Schema):
    catalog_code: str
    department_uscc: str
    use_level: str | None = None


class ImplementationOut(Schema):
    task_code: str
    catalog_code: str
    department_name: str
    region_code: str
    use_level: str
