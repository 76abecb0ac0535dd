"""The demo catalogue: 35 baseline items implemented in the four seed regions (长治市,
攀枝花市, 周口市淮阳区, 沈阳市) and some partner regions.

The 基本编码 here are DEMO codes (type 2 digits + domain 3 + item 3 + "0000"), not the
national ones.

Deliberate differences, for the conformance report. Every other item is implemented the
same way (name, materials, acceptance standards, review points, steps, time limits, fees
and the seven elements) in every region that offers it:

1. 社会保障卡申领 (111010010000): 攀枝花 asks for an extra material, 社会保障卡申领登记表.
2. 失业登记 (111010030000): 长治 has three steps (受理 → 审核 → 办结); the others two.
3. 异地就医登记备案 (111020010000): 沈阳 asks for 异地居住证明 (original) instead of a
   个人承诺书, and does not allow 告知承诺.
4. 户口迁移 (011030010000): 淮阳 charges 居民户口簿工本费 8元; the others charge nothing.
5. 购房提取住房公积金 (111050030000): 沈阳 promises 3 working days; the others 5.
6. 内资企业及分支机构设立登记 (011060010000): 沈阳's 发证方式 differs (electronic licence
   by default).
7. 生育登记 (111080010000): 淮阳 publishes it as 生育服务登记.
8. 排污许可证核发 (011090010000): 攀枝花 promises 10 working days; the others 15.
9. 机动车驾驶证有效期满换证 (011040010000): 淮阳's acceptance standard for 身体条件证明
   differs (县级以上医疗机构, 3 months instead of 二级以上医院, 6 months).

Scope differences (not conformance elements): 攀枝花 offers 就业创业证申领 as 区域通办
with 楚雄州/凉山州/永仁县 and 残疾人证新办 as 省内通办; 沈阳 offers 个体工商户设立登记 as
省内通办.
"""

from __future__ import annotations

from typing import Any

from tongban.demo.data import (
    items_business,
    items_family,
    items_housing,
    items_medical,
    items_services,
    items_social,
)
from tongban.demo.spec import ItemSpec, faq, steps

ITEMS: list[ItemSpec] = [
    *items_social.ITEMS,
    *items_medical.ITEMS,
    *items_housing.ITEMS,
    *items_family.ITEMS,
    *items_services.ITEMS,
    *items_business.ITEMS,
]
BY_CODE = {i.code: i for i in ITEMS}

# (catalog_code, region key, element that differs) — the list above, for tests and docs.
DIFFERENCES: list[tuple[str, str, str]] = [
    ("111010010000", "panzhihua", "materials"),
    ("111010030000", "changzhi", "steps"),
    ("111020010000", "shenyang", "materials"),
    ("011030010000", "huaiyang", "fees"),
    ("111050030000", "shenyang", "promised_days"),
    ("011060010000", "shenyang", "issuing_method"),
    ("111080010000", "huaiyang", "name"),
    ("011090010000", "panzhihua", "promised_days"),
    ("011040010000", "huaiyang", "acceptance_standard"),
]

# Second versions published on the day the seed runs, superseding v1 (so the version
# history shows two versions). Only fields the conformance report does not compare.
SECOND_VERSIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("111010010000", "changzhi"): {
        "change_note": "新增常见问题；发卡网点开通午间不间断服务",
        "extra_faqs": [
            faq(
                "电子社保卡怎么申领？",
                "通过国家政务服务平台、掌上12333或各地人社APP实名认证后即可申领电子社保卡。",
            )
        ],
        "service_promise": "午间不间断服务；一次性告知；材料齐全当场受理；全程免费邮寄。",
    },
    ("111020010000", "panzhihua"): {
        "change_note": "开通周末线上备案人工审核",
        "service_promise": "线上备案7×24小时受理，周末安排人工审核；即时办结。",
    },
    ("011060010000", "shenyang"): {
        "change_note": "新增常见问题：电子营业执照的使用",
        "extra_faqs": [
            faq(
                "电子营业执照和纸质执照有同等效力吗？",
                "有。电子营业执照与纸质营业执照具有同等法律效力，可通过微信、支付宝小程序亮照。",
            )
        ],
    },
}

# Drafts left unpublished for the catalogue manager's screen.
DRAFTS: dict[tuple[str, str], dict[str, Any]] = {
    ("111010030000", "huaiyang"): {
        "change_note": "拟开通周六上午延时服务",
        "service_promise": "周六上午延时服务；即收即办。",
    },
    ("011090010000", "shenyang"): {
        "change_note": "拟将承诺时限压缩为12个工作日",
        "promised_days": 12,
        "steps": steps(2, 8, 2, review="技术审查；必要时组织现场核查", decide="作出许可决定"),
    },
}
