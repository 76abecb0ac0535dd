"""API schemas for reading the public catalogue: search results and an item in force."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from tongban.catalog.models import ItemVersion
from tongban.catalog.search import SearchHit, SearchPage


class ItemHitOut(Schema):
    name: str
    task_code: str = Field(description="实施编码 (31 位)")
    catalog_code: str = Field(description="基本编码 (12 位)")
    region_code: str
    region_name: str = Field(description="行政区划全称")
    department_name: str
    scope: str = Field(description="通办范围: local / cross_province / in_province / regional")
    modes: list[str] = Field(description="通办模式: fully_online / proxy_intake / joint")
    kind: str = Field(description="immediate 即办件 / promised 承诺件")
    promised_days: int = Field(description="承诺时限（工作日）")
    url: str = Field(description="办事指南页面")

    @classmethod
    def of(cls, hit: SearchHit) -> ItemHitOut:
        return cls(
            name=hit.name,
            task_code=hit.task_code,
            catalog_code=hit.catalog_code,
            region_code=hit.region_code,
            region_name=hit.region_name,
            department_name=hit.department_name,
            scope=hit.scope,
            modes=list(hit.modes),
            kind=hit.kind,
            promised_days=hit.promised_days,
            url=f"/items/{hit.task_code}/",
        )


class ItemSearchOut(Schema):
    items: list[ItemHitOut]
    total: int = Field(description="符合条件的事项总数")
    q: str
    expanded_terms: list[str] = Field(description="查询词及其同义词展开")
    limit: int
    offset: int

    @classmethod
    def of(cls, page: SearchPage, *, limit: int, offset: int) -> ItemSearchOut:
        return cls(
            items=[ItemHitOut.of(h) for h in page.hits],
            total=page.total,
            q=page.query,
            expanded_terms=page.expanded_terms,
            limit=limit,
            offset=offset,
        )


class MaterialOut(Schema):
    position: int
    name: str
    is_required: bool
    material_format: str
    copies: int
    original_required: bool
    acceptance_standard: str
    legal_basis: str
    source: str
    licence_type_code: str
    data_item: str
    fill_explain: str
    deferrable: bool
    blank_form: str = Field(description="空白表格的地址，没有时为空")
    sample: str = Field(description="示例样表的地址，没有时为空")


class StepOut(Schema):
    position: int
    name: str
    role: str
    days: int
    counted_in_limit: bool
    review_points: str


class SpecialProcedureOut(Schema):
    position: int
    name: str
    days: int
    legal_basis: str
    counted_in_limit: bool


class FeeOut(Schema):
    position: int
    name: str
    standard: str
    legal_basis: str
    reducible: bool


class VariantOut(Schema):
    code: str
    kind: str
    name: str


class FAQOut(Schema):
    position: int
    question: str
    answer: str


class RegionRefOut(Schema):
    code: str
    name: str
    full_name: str


class ItemDetailOut(Schema):
    """The version in force of one item with every element (see ItemVersion)."""

    task_code: str
    catalog_code: str
    item_type: str
    region_code: str
    region_name: str
    department_name: str
    department_uscc: str
    use_level: str
    modes: list[str]
    version: int
    status: str
    valid_from: date | None
    valid_to: date | None
    published_at: datetime | None
    change_note: str
    name: str
    aliases: str
    summary: str
    legal_basis: str
    kind: str
    for_person: bool
    for_organisation: bool
    entrusted_department: str
    joint_departments: str
    accept_condition: str
    application_methods: str
    acceptance_mode: str
    review_procedure: str
    issuing_method: str
    statutory_days: int
    promised_days: int
    handle_flow: str
    max_visits: int
    visits_reason: str
    online_depth: int
    is_online: bool
    is_express: bool
    is_pay_online: bool
    is_schedule: bool
    transact_addr: str
    transact_time: str
    consult_phone: str
    complaint_phone: str
    service_promise: str
    is_fee: bool
    fee_basis: str
    result_name: str
    result_type: str
    result_licence_type: str
    scope: str
    mode_fully_online: bool
    mode_proxy_intake: bool
    mode_joint: bool
    allows_commitment: bool
    allows_deferral: bool
    materials: list[MaterialOut]
    steps: list[StepOut]
    special_procedures: list[SpecialProcedureOut]
    fees: list[FeeOut]
    variants: list[VariantOut]
    faqs: list[FAQOut]
    partner_regions: list[RegionRefOut]

    @classmethod
    def of(cls, v: ItemVersion) -> ItemDetailOut:
        impl = v.implementation
        return cls(
            task_code=impl.task_code,
            catalog_code=impl.baseline.catalog_code,
            item_type=impl.baseline.item_type,
            region_code=impl.region_id,
            region_name=impl.region.full_name,
            department_name=impl.department.name,
            department_uscc=impl.department.uscc,
            use_level=impl.use_level,
            modes=list(v.modes),
            **{f: getattr(v, f) for f in VERSION_FIELDS},
            materials=[
                MaterialOut(
                    position=m.position,
                    name=m.name,
                    is_required=m.is_required,
                    material_format=m.material_format,
                    copies=m.copies,
                    original_required=m.original_required,
                    acceptance_standard=m.acceptance_standard,
                    legal_basis=m.legal_basis,
                    source=m.source,
                    licence_type_code=m.licence_type_code,
                    data_item=m.data_item,
                    fill_explain=m.fill_explain,
                    deferrable=m.deferrable,
                    blank_form=m.blank_form.url if m.blank_form else "",
                    sample=m.sample.url if m.sample else "",
                )
                for m in v.materials.all()
            ],
            steps=[
                StepOut(
                    position=s.position,
                    name=s.name,
                    role=s.role,
                    days=s.days,
                    counted_in_limit=s.counted_in_limit,
                    review_points=s.review_points,
                )
                for s in v.steps.all()
            ],
            special_procedures=[
                SpecialProcedureOut(
                    position=p.position,
                    name=p.name,
                    days=p.days,
                    legal_basis=p.legal_basis,
                    counted_in_limit=p.counted_in_limit,
                )
                for p in v.special_procedures.all()
            ],
            fees=[
                FeeOut(
                    position=f.position,
                    name=f.name,
                    standard=f.standard,
                    legal_basis=f.legal_basis,
                    reducible=f.reducible,
                )
                for f in v.fees.all()
            ],
            variants=[VariantOut(code=x.code, kind=x.kind, name=x.name) for x in v.variants.all()],
            faqs=[
                FAQOut(position=q.position, question=q.question, answer=q.answer)
                for q in v.faqs.all()
            ],
            partner_regions=[
                RegionRefOut(code=r.code, name=r.name, full_name=r.full_name)
                for r in v.partner_regions.all()
            ],
        )


# The ItemDetailOut fields that are ItemVersion columns, copied as they are.
VERSION_FIELDS = [
    name
    for name in ItemDetailOut.model_fields
    if name in {f.name for f in ItemVersion._meta.concrete_fields}
]
