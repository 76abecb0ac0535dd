"""Demo e-licences: a licence type for every licence code the demo items name; a 居民身份证
and 居民户口簿 e-licence for each demo applicant (so their 居民身份证 materials are
exempted when they apply online); and one approved 社会保障卡申领 case in 长治 whose
decision issued a 社会保障卡 e-licence. Idempotent; through the services as SYSTEM.

On a federated demo node (``tongban demo --nodes N``) a licence is issued only by the node
serving its issuer's region — 长治's licences live on the 长治 node, and 攀枝花 finds them
there through the signed licence query, as it would in production."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date

from tongban.cases.models import Case
from tongban.cases.services import ApplicantInput, IntakeInput, case_create_draft, case_transition
from tongban.catalog.models import ItemImplementation
from tongban.core.actors import SYSTEM
from tongban.core.ids import make_uscc
from tongban.demo import spec
from tongban.demo.people import CITIZENS
from tongban.licences.issuing import licence_issue_for_case
from tongban.licences.models import Licence, LicenceType
from tongban.licences.services import LicenceInput, licence_issue, licence_type_upsert
from tongban.licences.transitions import LicenceStatus

# code → (name, authority, holder kind, validity years, several valid at once?)
TYPES: dict[str, tuple[str, str, str, int | None, bool]] = {
    spec.LT_ID_CARD: ("居民身份证", "公安部", "111", 20, False),
    spec.LT_HOUSEHOLD: ("居民户口簿", "公安部", "111", None, False),
    spec.LT_DRIVING: ("机动车驾驶证", "公安部", "111", 6, False),
    spec.LT_MARRIAGE: ("结婚证", "民政部", "111", None, True),
    spec.LT_BIRTH: ("出生医学证明", "国家卫生健康委员会", "111", None, False),
    spec.LT_VACCINATION: ("预防接种证", "国家卫生健康委员会", "111", None, False),
    spec.LT_SOCIAL_CARD: ("社会保障卡", "人力资源和社会保障部", "111", 10, False),
    spec.LT_EMPLOYMENT: ("就业创业证", "人力资源和社会保障部", "111", None, False),
    spec.LT_BUSINESS: ("营业执照", "国家市场监督管理总局", "001", None, False),
    spec.LT_FOOD: ("食品经营许可证", "国家市场监督管理总局", "001", 5, True),
    spec.LT_PROPERTY: ("不动产权证书", "自然资源部", "111", None, True),
    spec.LT_PROPERTY_PROOF: ("不动产登记证明", "自然资源部", "111", None, True),
    spec.LT_DISCHARGE: ("排污许可证", "生态环境部", "001", 5, True),
    spec.LT_TEACHER: ("教师资格证书", "教育部", "111", None, True),
    spec.LT_DISABILITY: ("残疾人证", "中国残疾人联合会", "111", 10, False),
}
FIELDS: dict[str, list[dict[str, str]]] = {
    spec.LT_ID_CARD: [{"key": "address", "label": "住址"}],
    spec.LT_HOUSEHOLD: [
        {"key": "address", "label": "住址"},
        {"key": "role", "label": "与户主关系"},
    ],
    spec.LT_SOCIAL_CARD: [
        {"key": "item", "label": "办理事项"},
        {"key": "case_number", "label": "办件编号"},
    ],
}
ADDRESSES = {
    "changzhi": "山西省长治市潞州区英雄南路12号",
    "panzhihua": "四川省攀枝花市东区炳草岗大街8号",
    "huaiyang": "河南省周口市淮阳区羲皇大道21号",
    "shenyang": "辽宁省沈阳市和平区南京北街36号",
}
POLICE = {
    "changzhi": ("140400", "长治市公安局"),
    "panzhihua": ("510400", "攀枝花市公安局"),
    "huaiyang": ("411600", "周口市公安局"),
    "shenyang": ("210100", "沈阳市公安局"),
}
SOCIAL_CARD_ITEM = "111010010000"
SOCIAL_CARD_REGION = "140400"
# The item whose 社会保障卡 material other nodes' applicants satisfy with that licence.
EXEMPTION_ITEM = "051010040000"
EXEMPTION_ITEM_NAME = "失业保险金申领"
CASE_KEY = "demo-licence-social-card-changzhi"


def _police_uscc(region: str) -> str:
    return make_uscc(f"11{region}MB0000009")


def issued_here() -> Callable[[str], bool]:
    """Whether this node issues the licences of a region: every region on a single node,
    the regions the registry says it serves on a federated node."""
    from tongban.federation.identity import this_node_id
    from tongban.federation.registry import node_entry

    me = this_node_id()
    if me is None:
        return lambda region: True
    return node_entry(me).serves


def seed_licences(created: Counter[str], *, today: date) -> None:
    for code, (name, authority, holder, years, several) in TYPES.items():
        if not LicenceType.objects.filter(code=code).exists():
            licence_type_upsert(
                actor=SYSTEM,
                code=code,
                name=name,
                authority_name=authority,
                holder_kind=holder,
                field_schema=FIELDS.get(code, []),
                allows_multiple=several,
                validity_years=years,
            )
            created["licence_types"] += 1
    here = issued_here()
    for key, citizen in CITIZENS.items():
        region, police = POLICE[key]
        if not here(region):
            continue
        for code, issued, fields in (
            (spec.LT_ID_CARD, date(2018, 6, 1), {"address": ADDRESSES[key]}),
            (spec.LT_HOUSEHOLD, date(2012, 9, 1), {"address": ADDRESSES[key], "role": "户主"}),
        ):
            if Licence.objects.filter(
                type__code=code, holder_code=citizen.id_number, status=LicenceStatus.VALID
            ).exists():
                continue
            licence_issue(
                actor=SYSTEM,
                data=LicenceInput(
                    type_code=code,
                    holder_name=citizen.name,
                    holder_code=citizen.id_number,
                    issuer_code=_police_uscc(region),
                    issuer_name=police,
                    issue_date=issued,
                    region_code=region,
                    fields=fields,
                ),
            )
            created["licences"] += 1
    if here(SOCIAL_CARD_REGION):
        _approved_case(created, today=today)


def _approved_case(created: Counter[str], *, today: date) -> None:
    """王建国 applied for 社会保障卡申领 in 长治; approved, it issued his 社会保障卡."""
    if Case.objects.filter(idempotency_key=CASE_KEY).exists():
        return
    impl = (
        ItemImplementation.objects.filter(
            baseline__catalog_code=SOCIAL_CARD_ITEM,
            region__code__startswith=SOCIAL_CARD_REGION[:4],
        )
        .order_by("pk")
        .first()
    )
    if impl is None or impl.current_version is None:
        return
    citizen = CITIZENS["changzhi"]
    case = case_create_draft(
        actor=SYSTEM,
        implementation=impl,
        intake=IntakeInput(
            applicant=ApplicantInput("person", citizen.name, citizen.id_number, citizen.phone),
            channel="pc",
            idempotency_key=CASE_KEY,
        ),
        today=today,
    )
    from tongban.cases.models import MaterialStatus

    # The demo applicant's materials: the 居民身份证 by e-licence, the rest as committed.
    from tongban.licences.exemption import case_materials_exempt

    card = Licence.objects.get(
        type__code=spec.LT_ID_CARD, holder_code=citizen.id_number, status=LicenceStatus.VALID
    )
    id_req = [m.requirement_id for m in case.materials.all() if "居民身份证" in m.name]
    case_materials_exempt(actor=SYSTEM, case=case, consents={r: card.identifier for r in id_req})
    case.materials.filter(status=MaterialStatus.MISSING).update(status=MaterialStatus.PROVIDED)
    for to in ("submitted", "pre_review", "accepted", "under_review", "approved"):
        case = case_transition(actor=SYSTEM, case=case, to=to, today=today)
    licence_issue_for_case(case_id=case.pk)
    created["cases"] += 1
    created["licences"] += 1
