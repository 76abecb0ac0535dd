"""两个免提交 at application time: offer the applicant's valid licences for the materials
whose source is an e-licence (or a data-sharing check naming a licence type), and, with
the applicant's consent, attach one as a trusted material (trust level A).

A material is exempted only through ``case_materials_exempt``: the licence must be the
applicant's own, of the material's type, and verify as valid; the use is logged on the
issuing node, the case timeline records the consent and provenance, and the case counts
its exempted materials.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest

from tongban.cases.access import case_roles
from tongban.cases.models import Case, CaseMaterial, MaterialStatus
from tongban.cases.services import _event, _lock
from tongban.cases.transitions import APPLICANT, CLERK, SYSTEM, CaseStatus
from tongban.catalog.models import ItemVersion, MaterialRequirement, MaterialSource
from tongban.core.actors import Actor
from tongban.core.errors import NotFound, TongbanError, ValidationFailed
from tongban.core.ids import LICENCE_ID_PREFIX, validate_licence_id
from tongban.licences.evidence import FoundLicence, UseContext
from tongban.licences.keys import node_id
from tongban.licences.remote_uses import EXEMPT_ACTION, draft_ref
from tongban.licences.sources import SourceUnreachable, licence_sources, node_display_name

TRUST_LEVEL_A = "A"
LICENCE_SOURCES = frozenset({MaterialSource.LICENCE, MaterialSource.DATA_SHARING})


def exemptible(r: MaterialRequirement) -> bool:
    return r.source in LICENCE_SOURCES and bool(r.licence_type_code)


@dataclass(frozen=True)
class Offer:
    requirement_id: int
    licence: FoundLicence | None
    message: str
    # Names of the nodes that could not be asked (down or unreachable): the applicant
    # uploads now or tries again later.
    unreachable: tuple[str, ...] = ()


def _find(holder_code: str, type_code: str) -> tuple[FoundLicence | None, list[str]]:
    """The first valid licence any source holds, and the nodes that could not be asked."""
    unreachable: list[str] = []
    for source in licence_sources():
        try:
            found = source.find(holder_code=holder_code, type_code=type_code)
        except SourceUnreachable as exc:
            unreachable.append(exc.node_name)
            continue
        except TongbanError:
            continue
        if found is not None:
            return found, unreachable
    return None, unreachable


def _offer_message(found: FoundLicence | None, unreachable: list[str]) -> str:
    if found is not None:
        remote = found.issuer_node != node_id()
        where = f"，{node_display_name(found.issuer_node)}" if remote else ""
        return (
            f"可使用您的电子证照“{found.type_name}”（{found.number}，{found.issuer_name}{where}），"
            "经您同意后免于提交"
        )
    if unreachable:
        return (
            f"暂时无法连接{'、'.join(unreachable)}查询您的电子证照，请上传材料；"
            "也可先保存草稿，稍后再打开草稿重试"
        )
    return "未查询到您名下有效的该类电子证照，请上传材料"


def licence_offers(*, version: ItemVersion, holder_code: str) -> dict[int, Offer]:
    """requirement id → what would be used (or why nothing can be), for the form."""
    offers: dict[int, Offer] = {}
    if not holder_code:
        return offers
    for r in version.materials.all():
        if not exemptible(r):
            continue
        found, unreachable = _find(holder_code, r.licence_type_code)
        offers[r.pk] = Offer(
            r.pk,
            found,
            _offer_message(found, unreachable),
            () if found is not None else tuple(unreachable),
        )
    return offers


def _use(case: Case, material: CaseMaterial, identifier: str) -> FoundLicence:
    context = UseContext(
        purpose=f"办理“{case.item_name}”，免提交“{material.name}”",
        case_ref=case.case_number or draft_ref(case),
        department_name=case.handling_department.name,
        requester_node=node_id(),
    )
    last: TongbanError | None = None
    for source in licence_sources():
        try:
            return source.use(
                identifier=identifier,
                holder_code=case.applicant_code,
                type_code=material.requirement.licence_type_code,
                context=context,
                case=case,
            )
        except NotFound as exc:  # not this source's licence: ask the next one
            last = last or exc
        except SourceUnreachable as exc:  # maybe the licence is another node's: go on
            last = exc
    raise last or NotFound("电子证照", field="licence_id")


def _issued_where(found: FoundLicence) -> str:
    return "本节点签发" if found.issuer_node == node_id() else node_display_name(found.issuer_node)


def case_materials_exempt(*, actor: Actor, case: Case, consents: dict[int, str]) -> int:
    """For each requirement id → licence identifier the applicant consented to, attach the
    licence as the material (trust level A). Returns the case's exempted-material count."""
    with transaction.atomic():
        locked = _lock(case, None)
        roles = case_roles(actor, locked)
        if not roles & {APPLICANT, CLERK, SYSTEM}:
            raise NotFound("办件")
        if locked.status != CaseStatus.DRAFT:
            raise ValidationFailed("illegal_transition", "只能在提交前选择免提交", field="material")
        by_req = {m.requirement_id: m for m in locked.materials.select_related("requirement").all()}
        for rid, raw_identifier in consents.items():
            material = by_req.get(rid)
            if material is None:
                raise NotFound("材料", field="material")
            if not exemptible(material.requirement):
                raise ValidationFailed("licence_material_not_exemptible", field=f"file_{rid}")
            identifier = validate_licence_id(raw_identifier, field=f"file_{rid}")
            if material.status == MaterialStatus.EXEMPTED and material.reference == identifier:
                continue
            found = _use(locked, material, identifier)
            material.status = MaterialStatus.EXEMPTED
            material.reference = identifier
            material.save(update_fields=["status", "reference"])
            _event(
                locked,
                action=EXEMPT_ACTION,
                actor=actor,
                role=APPLICANT if APPLICANT in roles else sorted(roles)[0],
                opinion=(
                    f"申请人同意使用电子证照“{found.type_name}”（{found.issuer_name}，"
                    f"{_issued_where(found)}，可信等级 A）免提交“{material.name}”"
                ),
                data={
                    "material": material.name,
                    "licence_id": identifier,
                    "licence_type": found.type_name,
                    "issuer": found.issuer_name,
                    "issuer_node": found.issuer_node,
                    "trust_level": TRUST_LEVEL_A,
                    "consent": True,
                },
            )
        locked.exempted_materials = locked.materials.filter(status=MaterialStatus.EXEMPTED).count()
        locked.revision += 1
        locked.save(update_fields=["exempted_materials", "revision"])
    return locked.exempted_materials


# --- the online form -----------------------------------------------------------------


def licence_rows(
    actor: Actor, version: ItemVersion, case: Case | None
) -> tuple[dict[int, Offer], dict[int, str]]:
    """For the application form: offers for materials not yet exempted, and the licence
    identifiers already used by the draft (requirement id → identifier)."""
    used: dict[int, str] = {}
    if case is not None:
        used = {
            m.requirement_id: m.reference
            for m in case.materials.filter(status=MaterialStatus.EXEMPTED)
            if m.reference.startswith(LICENCE_ID_PREFIX)
        }
    holder = case.applicant_code if case is not None else getattr(actor, "id_number", "") or ""
    offers = {
        rid: o
        for rid, o in licence_offers(version=version, holder_code=holder).items()
        if rid not in used
    }
    return offers, used


def licence_consents_from(request: HttpRequest, requirement_ids: list[int]) -> dict[int, str]:
    """``licence_<requirement id>`` = identifier: the boxes the applicant ticked."""
    out: dict[int, str] = {}
    for rid in requirement_ids:
        value = (request.POST.get(f"licence_{rid}") or "").strip()
        if value:
            out[rid] = value
    return out
