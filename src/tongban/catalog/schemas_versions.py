"""API schemas for writing the catalogue (mirrors catalog.elements.VersionElements)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class MaterialIn(Schema):
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


class StepIn(Schema):
    name: str
    role: str
    days: int = 0
    counted_in_limit: bool = True
    review_points: str = ""


class SpecialProcedureIn(Schema):
    name: str
    days: int = 0
    legal_basis: str = ""
    counted_in_limit: bool = False


class FeeIn(Schema):
    name: str
    standard: str
    legal_basis: str = ""
    reducible: bool = False


class VariantIn(Schema):
    code: str
    kind: str
    name: str


class FAQIn(Schema):
    question: str
    answer: str


class ElementsIn(Schema):
    """Every element of an item version (see ItemVersion for the meaning of each)."""

    name: str
    kind: str = Field(description="immediate 即办件 / promised 承诺件")
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
    partner_region_codes: list[str] = []
    mode_fully_online: bool = False
    mode_proxy_intake: bool = False
    mode_joint: bool = False
    allows_commitment: bool = False
    allows_deferral: bool = False
    valid_from: date | None = None
    valid_to: date | None = None
    change_note: str = ""
    materials: list[MaterialIn] = []
    steps: list[StepIn] = []
    special_procedures: list[SpecialProcedureIn] = []
    fees: list[FeeIn] = []
    variants: list[VariantIn] = []
    faqs: list[FAQIn] = []


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
