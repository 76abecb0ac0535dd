"""Versioned payload schemas of message types.

A domain declares the payload of each message type it sends or consumes::

    message_schema("cn.tongban.case.handed-off", version=1,
                   fields={"case_number": str, "regions": list})

The sender writes the highest declared version into the envelope and checks its payload
against it; the receiver refuses a type it does not know (``type_unknown``), a version it
does not know (``schema_version_unsupported``) or a payload missing a field or with a
wrong type (``schema_invalid``). Extra fields are allowed: a newer sender may add fields
without a version bump; removing or retyping one needs a new version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FieldTypes = dict[str, type]


@dataclass(frozen=True)
class Schema:
    name: str
    version: int
    fields: FieldTypes


_SCHEMAS: dict[str, dict[int, Schema]] = {}


def message_schema(type: str, *, version: int = 1, fields: dict[str, type]) -> Schema:
    if version < 1:
        raise ValueError("schema versions start at 1")
    schema = Schema(type, version, dict(fields))
    _SCHEMAS.setdefault(type, {})[version] = schema
    return schema


def latest_version(type: str) -> int | None:
    versions = _SCHEMAS.get(type)
    return max(versions) if versions else None


def known(type: str) -> bool:
    return type in _SCHEMAS


def schema_problem(type: str, version: int, payload: Any) -> str | None:
    """None when ``payload`` fits; otherwise a reason code."""
    versions = _SCHEMAS.get(type)
    if versions is None:
        return "type_unknown"
    schema = versions.get(version)
    if schema is None:
        return "schema_version_unsupported"
    if not isinstance(payload, dict):
        return "schema_invalid"
    for name, kind in schema.fields.items():
        value = payload.get(name)
        if (
            value is None
            or not isinstance(value, kind)
            or isinstance(value, bool) != (kind is bool)
        ):
            return "schema_invalid"
    return None
