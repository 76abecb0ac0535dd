"""Demo items of 交通管理, 教育 and 残联 (codes are demo 基本编码, not the national ones)."""

from __future__ import annotations

from tongban.catalog.elements import MaterialInput
from tongban.demo.data.common import IMMEDIATE, ONLINE, SEED, el
from tongban.demo.spec import (
    LT_DISABILITY,
    LT_DRIVING,
    LT_TEACHER,
    ItemSpec,
    faq,
    fee,
    form,
    household_book,
    id_card,
    immediate_steps,
    mat,
    shared,
    special,
    steps,
)

_DRIVER_ID = id_card("驾驶人")
_DRIVER_PHOTO = mat("近期免冠彩色照片", "白底彩色，可调用身份证照片", fmt="electronic")
_FEE_BASIS = "国家发展改革委、财政部核定的行政事业性收费标准"
_DRIVING_FEE = fee("机动车驾驶证工本费", "每证10元", _FEE_BASIS)
_HEALTH_STANDARD = (
    "二级以上医院或具有健康体检资质的医疗机构出具，6个月内有效；已通过交管12123提交电子证明的免交"
)


def _health_proof(standard: str = _HEALTH_STANDARD) -> MaterialInput:
    return mat("机动车驾驶人身体条件证明", standard, fmt="electronic")


DRIVING_RENEWAL = ItemSpec(
    code="011040010000",
    name="机动车驾驶证有效期满换证",
    item_type="licensing",
    dept="traffic",
    competent="公安部",
    legal_basis=(
        "《中华人民共和国道路交通安全法》第十九条；"
        "《机动车驾驶证申领和使用规定》（公安部令第162号）"
    ),
    themes=("driving",),
    regions=SEED,
    elements=el(
        ONLINE,
        IMMEDIATE,
        is_pay_online=True,
        is_fee=True,
        fee_basis=_FEE_BASIS,
        aliases="驾照换证,驾驶证到期换证,驾照到期",
        summary="驾驶证有效期满前90日内申请换证，全国通办，新证可邮寄。",
        accept_condition="机动车驾驶证有效期满前90日内；身体条件符合规定。",
        result_name="机动车驾驶证",
        result_type="licence",
        result_licence_type=LT_DRIVING,
        materials=[_DRIVER_ID, _health_proof(), _DRIVER_PHOTO],
        steps=immediate_steps("核对驾驶人信息、记分和身体条件"),
        fees=[_DRIVING_FEE],
        faqs=[
            faq("驾驶证到期前多久可以换证？", "有效期满前90日内申请换证。"),
            faq(
                "在外地可以换证吗？",
                "可以。全国任一车管所或通过交管12123办理，新证邮寄到家。",
            ),
        ],
    ),
    variants=(("renew", "有效期满换证"), ("change", "达到规定年龄换证")),
    overrides={
        # Deliberate difference: 淮阳's acceptance standard for the health certificate.
        "huaiyang": {
            "materials": [
                _DRIVER_ID,
                _health_proof("县级以上医疗机构出具，3个月内有效"),
                _DRIVER_PHOTO,
            ]
        },
    },
)

DRIVING_REPLACEMENT = ItemSpec(
    code="011040020000",
    name="机动车驾驶证遗失补证",
    item_type="licensing",
    dept="traffic",
    competent="公安部",
    legal_basis="《机动车驾驶证申领和使用规定》（公安部令第162号）",
    themes=("driving",),
    regions=("changzhi", "panzhihua", "shenyang"),
    elements=el(
        ONLINE,
        IMMEDIATE,
        is_pay_online=True,
        is_fee=True,
        fee_basis=_FEE_BASIS,
        aliases="驾照补办,驾驶证补领,驾照丢了",
        summary="机动车驾驶证遗失的，申请补领，全国通办。",
        accept_condition="机动车驾驶证遗失，且驾驶证未被扣押、注销。",
        result_name="机动车驾驶证",
        result_type="licence",
        result_licence_type=LT_DRIVING,
        materials=[_DRIVER_ID, _DRIVER_PHOTO],
        steps=immediate_steps("核对驾驶证状态"),
        fees=[_DRIVING_FEE],
        faqs=[
            faq(
                "驾驶证遗失后要先登报声明吗？",
                "不需要。直接申请补领，原驾驶证自补证之日起作废。",
            ),
            faq("补证需要回驾驶证核发地吗？", "不需要，全国通办。"),
        ],
    ),
    variants=(("new", "遗失补领"), ("change", "损毁换领")),
)

DRIVER_HEALTH = ItemSpec(
    code="111040030000",
    name="机动车驾驶人提交身体条件证明",
    item_type="public_service",
    dept="traffic",
    competent="公安部",
    legal_basis="《机动车驾驶证申领和使用规定》（公安部令第162号）",
    themes=("driving",),
    regions=SEED,
    elements=el(
        ONLINE,
        IMMEDIATE,
        aliases="驾驶人体检,提交体检证明,驾照审验体检",
        summary="70周岁以上驾驶人和大中型客货车驾驶人每年提交身体条件证明。",
        accept_condition="年龄在70周岁以上，或持有大型客车、重型牵引挂车等准驾车型的驾驶人。",
        result_name="身体条件证明审核结果",
        materials=[_DRIVER_ID, _health_proof()],
        steps=immediate_steps("核对体检结论"),
        faqs=[
            faq(
                "可以在外地医院体检吗？",
                "可以，全国范围内具有资质的医疗机构出具的电子证明均可通过交管12123提交。",
            ),
            faq("逾期不提交会怎样？", "超过规定期限一年以上未提交的，驾驶证将被依法注销。"),
        ],
    ),
)

DISABILITY_CARD = ItemSpec(
    code="111120010000",
    name="残疾人证新办",
    item_type="public_service",
    dept="disabled",
    competent="中国残疾人联合会",
    legal_basis="《中华人民共和国残疾人保障法》；《中华人民共和国残疾人证管理办法》",
    themes=("medical",),
    regions=("changzhi", "panzhihua", "huaiyang", "liangshan"),
    elements=el(
        statutory_days=20,
        promised_days=15,
        aliases="办残疾证,残疾证申请",
        summary="符合残疾标准的公民申领第三代智能化残疾人证。",
        accept_condition="符合残疾标准的中国公民，向户籍地县级残联申请；居住地可代收。",
        result_name="中华人民共和国残疾人证",
        result_type="licence",
        result_licence_type=LT_DISABILITY,
        materials=[
            id_card(),
            household_book(),
            mat("近期免冠照片", "2寸白底彩色照片", copies=2),
            form("残疾人证申请表"),
        ],
        steps=steps(1, 10, 4, review="审核残疾评定结论", decide="核发残疾人证"),
        special_procedures=[special("残疾评定", 10, "《中华人民共和国残疾人证管理办法》")],
        faqs=[
            faq(
                "残疾评定去哪里做？",
                "到残联指定的评定机构评定，评定时间不计入办理时限。",
            ),
            faq(
                "可以在居住地申请吗？",
                "可以。居住地残联代收申请材料，由户籍地残联审核发证。",
            ),
        ],
    ),
    variants=(("new", "新办"), ("change", "换领"), ("cancel", "注销")),
    overrides={"panzhihua": {"scope": "in_province"}},
)

TEACHER_QUALIFICATION = ItemSpec(
    code="011110010000",
    name="教师资格认定",
    item_type="licensing",
    dept="edu",
    competent="教育部",
    legal_basis="《中华人民共和国教师法》第十三条；《教师资格条例》",
    themes=("employment", "school"),
    regions=("changzhi", "panzhihua", "shenyang"),
    elements=el(
        statutory_days=30,
        promised_days=20,
        aliases="教资认定,教师资格证申请",
        summary="通过中小学教师资格考试或符合免试条件的人员申请认定教师资格。",
        accept_condition=(
            "具备《中华人民共和国教师法》规定的学历条件；通过教师资格考试或免试认定；"
            "思想品德和身体条件合格。"
        ),
        result_name="教师资格证书",
        result_type="licence",
        result_licence_type=LT_TEACHER,
        materials=[
            id_card(),
            shared("学历信息", "全国高等教育学历信息"),
            mat("普通话水平测试等级证书", "二级乙等及以上（语文教师二级甲等及以上）"),
            mat("体检合格证明", "认定机构指定的县级以上医院出具"),
            mat("个人承诺书", "思想品德承诺"),
        ],
        steps=steps(2, 15, 3, review="审查学历、考试合格证明和体检结论", decide="作出认定决定"),
        special_procedures=[special("体检", 5, "《教师资格条例实施办法》")],
        faqs=[
            faq(
                "可以在居住地认定吗？",
                "可在户籍所在地、居住地（持居住证）或就读学校所在地申请认定。",
            ),
            faq("认定时间一般在什么时候？", "每年春季、秋季集中受理，以当地公告为准。"),
        ],
    ),
    variants=(("new", "教师资格认定"), ("change", "证书补发换发")),
)

ITEMS = [
    DRIVING_RENEWAL,
    DRIVING_REPLACEMENT,
    DRIVER_HEALTH,
    DISABILITY_CARD,
    TEACHER_QUALIFICATION,
]
