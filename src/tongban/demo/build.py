"""Turn an ItemSpec into the VersionElements one region publishes."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from tongban.catalog.elements import VariantInput, VersionElements
from tongban.demo.orgs import RegionSpec
from tongban.demo.spec import ItemSpec


def build_elements(
    spec: ItemSpec,
    region: RegionSpec,
    *,
    department_name: str,
    department_phone: str,
    task_code: str,
    valid_from: date | None,
    changes: dict[str, Any] | None = None,
) -> VersionElements:
    """The shared elements, then the region's overrides, then its place and contacts,
    then ``changes`` (a later version's edits: ``extra_faqs`` appends FAQs)."""
    data: dict[str, Any] = copy.deepcopy(spec.elements)
    overrides = copy.deepcopy(spec.overrides.get(region.key, {}))
    extra_materials = overrides.pop("extra_materials", [])
    data.update(overrides)
    data["materials"] = [*data.get("materials", []), *extra_materials]
    data.setdefault("name", spec.name)
    data.setdefault("legal_basis", spec.legal_basis)
    centre = region.centre
    data.update(
        transact_addr=f"{centre.address}（综合受理窗口、跨省通办专窗）",
        transact_time=centre.hours,
        consult_phone=f"{department_name} {department_phone}",
        complaint_phone=region.hotline,
        valid_from=valid_from.isoformat() if valid_from else None,
        variants=[
            VariantInput(f"{task_code}{i:02d}", kind, name)
            for i, (kind, name) in enumerate(spec.variants, start=1)
        ],
    )
    if changes:
        later = copy.deepcopy(changes)
        data["faqs"] = [*data.get("faqs", []), *later.pop("extra_faqs", [])]
        data.update(later)
    return VersionElements(**data)
