"""Building blocks of the demo data: code makers, licence types and element helpers.

All identifiers made here are DEMO codes. They pass the national check-character rules
(GB 32100, GB 11714) but are not the codes of the real organs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tongban.catalog.elements import (
    FAQInput,
    FeeInput,
    MaterialInput,
    SpecialProcedureInput,
    StepInput,
)
from tongban.core.ids import make_uscc

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code(body8: str) -> str:
    """组织机构代码 (GB 11714): 8 characters + check character (0-9 or X)."""
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body8 + ("X" if check == 10 else "0" if check == 11 else str(check))


def organ_uscc(category: str, region_code: str, body8: str) -> str:
    """统一社会信用代码 of a public organ registered by 机构编制 (登记管理部门 1).

    ``category``: "11" 机关, "12" 事业单位, "13" 群团组织.
    """
    return make_uscc(category + region_code[:6] + org_code(body8))


def department_uscc(category: str, region_code: str, serial: int) -> str:
    """Deterministic and unique per (region, serial): the organisation code body is the
    region code plus a 2-digit serial."""
    return organ_uscc(category, region_code, f"{region_code[:6]}{serial:02d}")


# Defining authorities of licence types (证照类型代码 = their USCC + 3 digits).
# 公安部's code is the one tongban.testing uses; the others are demo codes.
MPS = "11100000000013338W"  # 公安部
MCA = organ_uscc("11", "100000", "00001391")  # 民政部
NHC = organ_uscc("11", "100000", "00001455")  # 国家卫生健康委员会
MOHRSS = organ_uscc("11", "100000", "00001312")  # 人力资源和社会保障部
SAMR = organ_uscc("11", "100000", "00001556")  # 国家市场监督管理总局
MNR = organ_uscc("11", "100000", "00001473")  # 自然资源部
MEE = organ_uscc("11", "100000", "00001421")  # 生态环境部
MOE = organ_uscc("11", "100000", "00001208")  # 教育部
CDPF = organ_uscc("13", "100000", "00001377")  # 中国残疾人联合会


def licence_type(authority: str, serial: int) -> str:
    return f"{authority}{serial:03d}"


LT_ID_CARD = licence_type(MPS, 1)  # 居民身份证
LT_HOUSEHOLD = licence_type(MPS, 2)  # 居民户口簿
LT_DRIVING = licence_type(MPS, 3)  # 机动车驾驶证
LT_MARRIAGE = licence_type(MCA, 1)  # 结婚证
LT_BIRTH = licence_type(NHC, 1)  # 出生医学证明
LT_VACCINATION = licence_type(NHC, 2)  # 预防接种证
LT_SOCIAL_CARD = licence_type(MOHRSS, 1)  # 社会保障卡
LT_EMPLOYMENT = licence_type(MOHRSS, 2)  # 就业创业证
LT_BUSINESS = licence_type(SAMR, 1)  # 营业执照
LT_FOOD = licence_type(SAMR, 2)  # 食品经营许可证
LT_PROPERTY = licence_type(MNR, 1)  # 不动产权证书
LT_PROPERTY_PROOF = licence_type(MNR, 2)  # 不动产登记证明
LT_DISCHARGE = licence_type(MEE, 1)  # 排污许可证
LT_TEACHER = licence_type(MOE, 1)  # 教师资格证书
LT_DISABILITY = licence_type(CDPF, 1)  # 残疾人证


# ---- element helpers ---------------------------------------------------------------


def mat(
    name: str,
    standard: str = "",
    *,
    source: str = "applicant",
    licence: str = "",
    data: str = "",
    original: bool = False,
    required: bool = True,
    fmt: str = "both",
    copies: int = 1,
    deferrable: bool = False,
    basis: str = "",
    explain: str = "",
) -> MaterialInput:
    return MaterialInput(
        name=name,
        is_required=required,
        material_format=fmt,
        copies=copies,
        original_required=original,
        acceptance_standard=standard,
        legal_basis=basis,
        source=source,
        licence_type_code=licence,
        data_item=data,
        fill_explain=explain,
        deferrable=deferrable,
    )


def id_card(who: str = "申请人") -> MaterialInput:
    return mat(
        f"{who}居民身份证",
        "有效期内的居民身份证；通过电子证照库调取的无需提交纸质件",
        source="licence",
        licence=LT_ID_CARD,
        original=True,
        fmt="electronic",
    )


def household_book() -> MaterialInput:
    return mat(
        "居民户口簿",
        "户主页及本人页；信息与身份证一致",
        source="licence",
        licence=LT_HOUSEHOLD,
        original=True,
        fmt="electronic",
    )


def business_licence() -> MaterialInput:
    return mat(
        "营业执照",
        "有效期内的营业执照；通过电子证照库调取",
        source="licence",
        licence=LT_BUSINESS,
        fmt="electronic",
    )


def shared(name: str, data_item: str, standard: str = "") -> MaterialInput:
    """A material satisfied by 数据共享核验 (never asked of the applicant)."""
    return mat(
        name,
        standard or "由受理部门通过数据共享平台核验",
        source="data_sharing",
        data=data_item,
        fmt="electronic",
    )


def internal(name: str, standard: str = "") -> MaterialInput:
    return mat(name, standard or "由办理部门自行核查", source="internal", fmt="electronic")


def form(name: str, standard: str = "内容填写完整、签字（盖章）齐全") -> MaterialInput:
    return mat(name, standard, fmt="both", explain="可在窗口领取或网上下载，也可在线填报")


def steps(
    clerk: int,
    reviewer: int,
    approver: int,
    *,
    review: str = "",
    decide: str = "",
) -> list[StepInput]:
    """受理 (clerk) → 审核 (reviewer) → 决定 (approver), days in working days."""
    return [
        StepInput(
            "受理",
            "clerk",
            clerk,
            review_points="核验申请人身份；审查材料是否齐全、是否符合法定形式",
        ),
        StepInput("审核", "reviewer", reviewer, review_points=review),
        StepInput("决定", "approver", approver, review_points=decide),
    ]


def immediate_steps(review: str) -> list[StepInput]:
    """即办件: taken in and decided at the window on the spot."""
    return [
        StepInput("受理", "clerk", 0, review_points="核验申请人身份；审查材料是否齐全"),
        StepInput("审核办结", "approver", 0, review_points=review),
    ]


def faq(question: str, answer: str) -> FAQInput:
    return FAQInput(question, answer)


def fee(name: str, standard: str, basis: str, *, reducible: bool = False) -> FeeInput:
    return FeeInput(name, standard, basis, reducible)


def special(
    name: str, days: int, basis: str = "", *, counted: bool = False
) -> SpecialProcedureInput:
    return SpecialProcedureInput(name, days, basis, counted)


@dataclass
class ItemSpec:
    """One baseline item and how the demo regions implement it.

    ``elements`` are VersionElements keyword arguments shared by every region;
    ``overrides`` maps a region key to fields that region sets differently (scope,
    partners, and the deliberate differences listed in tongban.demo.data). The special
    key ``extra_materials`` appends materials instead of replacing the list.
    """

    code: str
    name: str
    item_type: str
    dept: str
    competent: str
    legal_basis: str
    themes: tuple[str, ...]
    regions: tuple[str, ...]
    elements: dict[str, Any]
    high_risk: bool = False
    use_levels: str = "city,county"
    variants: tuple[tuple[str, str], ...] = ()
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
