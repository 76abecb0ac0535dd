"""Typed input for an item version's element set.

Every writer of the catalogue (the API, the Excel importer, the demo seed, the admin
screens) builds a ``VersionElements`` and hands it to ``services.version_create_draft``
or ``services.version_update_draft``; the rules in ``rules.py`` check it once for all.
Field names follow the model fields (see models.ItemVersion).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class MaterialInput:
    name: str
    is_required: bool = True
    material_format: str = "both"
    copies: int = 1
    original_required: bool = False
    acceptance_standard: str = ""
    legal_basis: str = ""
    source: str = "applicant"
    licence_type_code: str = ""
    data_item: str = ""
    fill_explain: str = ""
    deferrable: bool = False


@dataclass
class StepInput:
    name: str
    role: str
    days: int = 0
    counted_in_limit: bool = True
    review_points: str = ""


@dataclass
class SpecialProcedureInput:
    name: str
    days: int = 0
    legal_basis: str = ""
    counted_in_limit: bool = False


@dataclass
class FeeInput:
    name: str
    standard: str
    legal_basis: str = ""
    reducible: bool = False


@dataclass
class VariantInput:
    code: str
    kind: str
    name: str


@dataclass
class FAQInput:
    question: str
    answer: str


@dataclass
class VersionElements:
    """Every element of an item version (see ItemVersion for the meaning of each field;
    dates are ISO strings YYYY-MM-DD)."""

    name: str
    kind: str
    statutory_days: int
    promised_days: int
    aliases: str = ""
    summary: str = ""
    legal_basis: str = ""
    for_person: bool = True
    for_organisation: bool = False
    entrusted_department: str = ""
    joint_departments: str = ""
    accept_condition: str = ""
    application_methods: str = ""
    acceptance_mode: str = ""
    review_procedure: str = ""
    issuing_method: str = ""
    handle_flow: str = ""
    max_visits: int = 1
    visits_reason: str = ""
    online_depth: int = 3
    is_online: bool = False
    is_express: bool = False
    is_pay_online: bool = False
    is_schedule: bool = False
    transact_addr: str = ""
    transact_time: str = ""
    consult_phone: str = ""
    complaint_phone: str = ""
    service_promise: str = ""
    is_fee: bool = False
    fee_basis: str = ""
    result_name: str = ""
    result_type: str = "other"
    result_licence_type: str = ""
    scope: str = "local"
    partner_region_codes: list[str] = field(default_factory=list)
    mode_fully_online: bool = False
    mode_proxy_intake: bool = False
    mode_joint: bool = False
    allows_commitment: bool = False
    allows_deferral: bool = False
    valid_from: str | None = None  # ISO date; None = from publication day
    valid_to: str | None = None  # ISO date, exclusive; None = open-ended
    change_note: str = ""
    materials: list[MaterialInput] = field(default_factory=list)
    steps: list[StepInput] = field(default_factory=list)
    special_procedures: list[SpecialProcedureInput] = field(default_factory=list)
    fees: list[FeeInput] = field(default_factory=list)
    variants: list[VariantInput] = field(default_factory=list)
    faqs: list[FAQInput] = field(default_factory=list)

    # Scalar fields copied onto ItemVersion as they are.
    @classmethod
    def scalar_fields(cls) -> list[str]:
        skip = {
            "partner_region_codes",
            "valid_from",
            "valid_to",
            "materials",
            "steps",
            "special_procedures",
            "fees",
            "variants",
            "faqs",
        }
        return [f for f in cls.__dataclass_fields__ if f not in skip]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VersionElements:
        d = dict(data)
        d["materials"] = [MaterialInput(**m) for m in d.get("materials", [])]
        d["steps"] = [StepInput(**s) for s in d.get("steps", [])]
        d["special_procedures"] = [
            SpecialProcedureInput(**s) for s in d.get("special_procedures", [])
        ]
        d["fees"] = [FeeInput(**f) for f in d.get("fees", [])]
        d["variants"] = [VariantInput(**v) for v in d.get("variants", [])]
        d["faqs"] = [FAQInput(**q) for q in d.get("faqs", [])]
        return cls(**d)
