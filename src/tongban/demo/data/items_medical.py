"""Demo items of 医疗保障 (codes are demo 基本编码, not the national ones)."""

from __future__ import annotations

from tongban.demo.data.common import IMMEDIATE, ONLINE, SEED, el
from tongban.demo.spec import (
    ItemSpec,
    faq,
    form,
    id_card,
    immediate_steps,
    mat,
    shared,
    special,
    steps,
)

_MEDICAL_ID = id_card("参保人")
_RESIDENCE_PROMISE = mat(
    "个人承诺书",
    "承诺在就医地长期居住并如实填报备案信息",
    fmt="electronic",
    explain="异地长期居住人员可凭承诺书备案",
)
_INSURED = shared("医保参保信息", "基本医疗保险参保状态")

REMOTE_MEDICAL = ItemSpec(
    code="111020010000",
    name="异地就医登记备案",
    item_type="public_service",
    dept="medical",
    competent="国家医疗保障局",
    legal_basis=(
        "《中华人民共和国社会保险法》第二十九条；《国家医保局 财政部关于进一步做好基本医疗保险"
        "跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）"
    ),
    themes=("medical",),
    regions=(*SEED, "qijiang", "chuxiong", "liangshan", "yongren"),
    elements=el(
        ONLINE,
        IMMEDIATE,
        aliases="异地就医备案,跨省就医备案,医保异地备案",
        summary="参保人员异地长期居住或临时外出就医前办理备案，就医时直接结算。",
        accept_condition=(
            "参加基本医疗保险、需要在参保地以外就医的异地长期居住人员和临时外出就医人员。"
        ),
        allows_commitment=True,
        result_name="异地就医备案信息",
        materials=[_MEDICAL_ID, _RESIDENCE_PROMISE, _INSURED],
        steps=immediate_steps("核验参保状态；确认备案类型、就医地和备案有效期"),
        faqs=[
            faq(
                "备案后可以直接结算吗？",
                "可以。在就医地开通跨省联网结算的定点医药机构就医，可直接刷医保电子凭证结算。",
            ),
            faq(
                "临时外出就医的备案有效期多久？",
                "有效期内可在就医地多次就诊，一般不少于6个月，以参保地规定为准。",
            ),
            faq(
                "忘记备案就医了怎么办？",
                "可在出院结算前补办备案，或回参保地按规定手工报销。",
            ),
        ],
    ),
    overrides={
        # Deliberate difference: 沈阳 asks for proof of residence instead of a promise.
        "shenyang": {
            "allows_commitment": False,
            "materials": [
                _MEDICAL_ID,
                mat(
                    "异地居住证明",
                    "居住证或居住地社区（村）出具的居住证明，须加盖公章",
                    original=True,
                ),
                _INSURED,
            ],
        },
    },
)

RESIDENT_MEDICAL = ItemSpec(
    code="111020020000",
    name="城乡居民基本医疗保险参保登记",
    item_type="public_service",
    dept="medical",
    competent="国家医疗保障局",
    legal_basis="《中华人民共和国社会保险法》第二十三条、第二十五条",
    themes=("medical", "birth"),
    regions=SEED,
    elements=el(
        ONLINE,
        IMMEDIATE,
        aliases="居民医保参保,城乡居民医保登记",
        summary="未参加职工医保的城乡居民办理居民医保参保登记。",
        accept_condition="未参加职工基本医疗保险的城乡居民，含新生儿、在校学生、灵活就业人员等。",
        result_name="参保登记信息",
        materials=[
            _MEDICAL_ID,
            shared("户籍或居住证信息", "户籍信息；居住证信息"),
        ],
        steps=immediate_steps("核验是否重复参保"),
        faqs=[
            faq(
                "新生儿什么时候参保？",
                "出生后即可办理；出生90日内参保缴费的，自出生之日起享受待遇。",
            ),
            faq(
                "外地户籍可以在居住地参保吗？",
                "持有居住证的人员可在常住地参加城乡居民医保，不得重复参保。",
            ),
        ],
    ),
)

MEDICAL_TRANSFER = ItemSpec(
    code="111020030000",
    name="基本医疗保险关系转移接续",
    item_type="public_service",
    dept="medical",
    competent="国家医疗保障局",
    legal_basis="《中华人民共和国社会保险法》第三十二条；《基本医疗保险关系转移接续暂行办法》",
    themes=("medical", "employment"),
    regions=("changzhi", "panzhihua", "shenyang", "qijiang"),
    elements=el(
        ONLINE,
        statutory_days=15,
        promised_days=10,
        aliases="医保转移,医保关系转移",
        summary="参保人员跨统筹地区流动就业，转移基本医疗保险关系和个人账户。",
        accept_condition="参保人员跨统筹地区流动，已在转入地参保。",
        mode_joint=True,
        joint_departments="转出地医疗保障经办机构",
        result_name="参保缴费凭证",
        result_type="certificate_document",
        materials=[
            _MEDICAL_ID,
            form("基本医疗保险关系转移接续申请表"),
            shared("参保缴费凭证", "基本医疗保险参保缴费信息"),
        ],
        steps=steps(1, 7, 2, review="核对缴费年限和个人账户余额", decide="确认转移接续"),
        faqs=[
            faq("转移后个人账户余额怎么办？", "个人账户余额随同转移，在转入地继续使用。"),
            faq("转移期间能看病报销吗？", "转移接续期间待遇不中断，按规定享受待遇。"),
        ],
    ),
)

CHRONIC_DISEASE = ItemSpec(
    code="071020040000",
    name="门诊慢特病待遇认定",
    item_type="confirmation",
    dept="medical",
    competent="国家医疗保障局",
    legal_basis="《国家医疗保障局 财政部关于建立医疗保障待遇清单制度的意见》",
    themes=("medical",),
    regions=("changzhi", "panzhihua", "huaiyang"),
    elements=el(
        statutory_days=20,
        promised_days=10,
        aliases="慢特病认定,门诊特殊疾病认定",
        summary="患有门诊慢特病病种目录内疾病的参保人员申请待遇认定。",
        accept_condition="参加基本医疗保险并患有本地区门诊慢特病病种目录内疾病的参保人员。",
        result_name="门诊慢特病待遇认定结果",
        materials=[
            _MEDICAL_ID,
            mat(
                "诊断证明及相关检查报告",
                "二级及以上医疗机构近一年内出具，病种须与申请一致",
                original=True,
            ),
        ],
        steps=steps(1, 7, 2, review="对照病种认定标准审核病历资料", decide="作出认定结论"),
        special_procedures=[special("专家鉴定", 5, "门诊慢特病认定标准")],
        faqs=[
            faq(
                "异地备案人员能办门诊慢特病吗？",
                "已备案的可在就医地开通慢特病直接结算的定点医疗机构结算，认定仍由参保地负责。",
            ),
            faq("认定后多久可以享受待遇？", "认定通过后次日起即可享受门诊慢特病待遇。"),
        ],
    ),
)

ITEMS = [REMOTE_MEDICAL, RESIDENT_MEDICAL, MEDICAL_TRANSFER, CHRONIC_DISEASE]
