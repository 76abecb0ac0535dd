"""The material requirements of an item version, cached per published version.

A published ``ItemVersion`` is immutable (ADR 0002): its materials never change, so a
process keeps them after the first read instead of querying them at every intake. The
key includes ``published_at`` so that a version row re-created under a recycled id (a
rolled-back test database) is never answered from a stale entry. Drafts are not cached.
"""

from __future__ import annotations

from collections.abc import Sequence

from tongban.cases.models import CaseMode
from tongban.catalog.models import ItemVersion, MaterialRequirement, VersionStatus

_CACHE: dict[tuple[int, object], tuple[MaterialRequirement, ...]] = {}
_CACHE_MAX = 4096


def version_requirements(version: ItemVersion) -> tuple[MaterialRequirement, ...]:
    """The version's material requirements in position order."""
    if version.status != VersionStatus.PUBLISHED or version.published_at is None:
        return tuple(version.materials.all())
    key = (version.pk, version.published_at)
    found = _CACHE.get(key)
    if found is None:
        found = tuple(version.materials.all())
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = found
    return found


def requirements_cache_clear() -> None:
    _CACHE.clear()


def originals_pending(mode: str, requirements: Sequence[MaterialRequirement]) -> bool:
    """Must paper originals be posted to the deciding department for this case?"""
    return mode == CaseMode.PROXY_INTAKE and any(r.original_required for r in requirements)
