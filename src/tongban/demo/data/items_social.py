"""Demo items of 人力资源和社会保障 (codes are demo 基本编码, not the national ones)."""

from __future__ import annotations

from tongban.catalog.elements import StepInput as _Step
from tongban.demo.data.common import IMMEDIATE, ONLINE, SEED, el
from tongban.demo.spec import (
    LT_EMPLOYMENT,
    LT_SOCIAL_CARD,
    ItemSpec,
    faq,
    form,
    id_card,
    immediate_steps,
    mat,
    shared,
    steps,
)

_PHOTO = mat(
    "近期免冠彩色证件照片",
    "白底彩色电子照片，358×441像素，JPG格式，不大于60KB；可调用身份证照片",
    fmt="electronic",
)

SOCIAL_CARD = ItemSpec(
    code="111010010000",
    name="社会保障卡申领",
    item_type="public_service",
    dept="hrss",
    competent="人力资源和社会保障部",
    legal_basis=(
        "《中华人民共和国社会保险法》第五十八条；《社会保障卡管理办法》（人社部发〔2011〕47号）"
    ),
    themes=("social_security", "employment"),
    regions=(*SEED, "qijiang", "chuxiong", "liangshan", "yongren"),
    elements=el(
        ONLINE,
        statutory_days=20,
        promised_days=5,
        aliases="社保卡申领,社保卡办理,第三代社保卡申领",
        summary="参保人员首次申领或补领、换领社会保障卡，电子社保卡同步签发。",
        accept_condition="已参加社会保险或已登记为参保人员；未持有有效的社会保障卡（补换领除外）。",
        issuing_method="发卡网点领取或免费邮寄送达；电子社保卡同步签发",
        result_name="社会保障卡",
        result_type="licence",
        result_licence_type=LT_SOCIAL_CARD,
        materials=[id_card(), _PHOTO, shared("社会保险参保信息", "社会保险参保登记信息")],
        steps=steps(
            1,
            3,
            1,
            review="核对参保信息与身份信息是否一致；核验照片是否符合制卡标准",
            decide="确认制卡并下发发卡银行",
        ),
        faqs=[
            faq(
                "第三代社保卡和第二代有什么区别？需要换吗？",
                "第三代社会保障卡增加了非接触式读写等功能。二代卡在有效期内可继续使用，"
                "无需专门换领。",
            ),
            faq(
                "不在参保地能申领社保卡吗？",
                "可以。通过跨省通办专窗或全国社会保险公共服务平台提交申请，"
                "制卡后可选择免费邮寄到家。",
            ),
            faq(
                "社保卡丢了怎么办？",
                "请先通过电子社保卡、12333或服务网点办理挂失，再申请补领；挂失后原卡立即停用。",
            ),
        ],
    ),
    variants=(("new", "首次申领"), ("change", "补领换领")),
    overrides={
        # Deliberate difference: 攀枝花 still asks for a paper application form.
        "panzhihua": {"extra_materials": [form("社会保障卡申领登记表")]},
    },
)

PENSION_TRANSFER = ItemSpec(
    code="111010020000",
    name="企业职工基本养老保险关系转移接续",
    item_type="public_service",
    dept="hrss",
    competent="人力资源和社会保障部",
    legal_basis=(
        "《中华人民共和国社会保险法》第十九条；"
        "《城镇企业职工基本养老保险关系转移接续暂行办法》（国办发〔2009〕66号）"
    ),
    themes=("social_security", "employment"),
    regions=(*SEED, "qijiang", "chuxiong", "liangshan"),
    elements=el(
        ONLINE,
        statutory_days=30,
        promised_days=15,
        aliases="养老保险转移,社保转移,养老关系转移",
        summary="参保人员跨省流动就业，将基本养老保险关系和个人账户转入新参保地。",
        accept_condition=(
            "参加企业职工基本养老保险的人员跨省、跨统筹地区流动就业，已在新就业地参保缴费。"
        ),
        mode_joint=True,
        joint_departments="转出地社会保险经办机构",
        issuing_method="转移完成后通过短信、电子社保卡告知；联系函电子送达",
        result_name="基本养老保险关系转移接续联系函",
        result_type="certificate_document",
        materials=[
            id_card(),
            form("基本养老保险关系转移接续申请表"),
            shared(
                "参保缴费凭证",
                "基本养老保险参保缴费信息",
                "转出地社会保险经办机构通过全国社会保险信息系统出具，无需申请人提交",
            ),
        ],
        steps=steps(
            2,
            10,
            3,
            review="核对参保缴费年限和个人账户储存额；审核是否符合转移条件",
            decide="确认接续，向转出地发出联系函",
        ),
        faqs=[
            faq(
                "个人账户和统筹基金怎么转？",
                "个人账户储存额全部转移；统筹基金按1998年1月1日后各年度实际缴费工资的12%转移。",
            ),
            faq(
                "需要回原参保地办理吗？",
                "不需要。向新参保地社保经办机构或通过国家社会保险公共服务平台申请，"
                "由转入地与转出地线上联办。",
            ),
            faq(
                "转移期间会影响领取养老金吗？",
                "缴费年限累计计算，不影响待遇；转移期间请保持联系方式畅通。",
            ),
        ],
    ),
)

UNEMPLOYMENT_REGISTRATION = ItemSpec(
    code="111010030000",
    name="失业登记",
    item_type="public_service",
    dept="hrss",
    competent="人力资源和社会保障部",
    legal_basis=(
        "《中华人民共和国就业促进法》；《就业服务与就业管理规定》（劳动和社会保障部令第28号）"
    ),
    themes=("employment",),
    regions=(*SEED, "chuxiong", "liangshan", "yongren"),
    elements=el(
        ONLINE,
        IMMEDIATE,
        aliases="失业人员登记,办理失业",
        summary="城乡劳动者在常住地公共就业服务机构进行失业登记，享受公共就业服务。",
        accept_condition=("法定劳动年龄内、有劳动能力和就业要求、处于无业状态的城乡劳动者。"),
        allows_commitment=True,
        result_name="失业登记信息（记载于《就业创业证》）",
        materials=[
            id_card(),
            mat("失业登记承诺书", "本人签字确认处于无业状态并承诺信息真实"),
            shared("就业登记和参保信息", "就业失业登记信息；企业职工养老保险参保状态"),
        ],
        steps=immediate_steps("核验就业失业状态；确认未在职参保或已中断缴费"),
        faqs=[
            faq(
                "失业登记一定要回户籍地办吗？",
                "不需要。常住地公共就业服务机构均可办理，也可网上办理。",
            ),
            faq(
                "办理失业登记后能享受哪些服务？",
                "可免费享受职业指导、职业介绍、职业培训等公共就业服务；"
                "符合条件的可申领失业保险金。",
            ),
        ],
    ),
    overrides={
        # Deliberate difference: 长治 inserts a separate 审核 step before 办结.
        "changzhi": {
            "steps": [
                _Step("受理", "clerk", 0, review_points="核验申请人身份；审查材料是否齐全"),
                _Step("审核", "reviewer", 0, review_points="核验就业失业状态"),
                _Step("办结", "approver", 0, review_points="确认失业登记并记载"),
            ]
        },
    },
)

UNEMPLOYMENT_BENEFIT = ItemSpec(
    code="051010040000",
    name="失业保险金申领",
    item_type="benefit",
    dept="hrss",
    competent="人力资源和社会保障部",
    legal_basis="《中华人民共和国社会保险法》第四十五条；《失业保险条例》第十四条",
    themes=("employment", "social_security"),
    regions=("changzhi", "panzhihua", "shenyang"),
    elements=el(
        ONLINE,
        statutory_days=10,
        promised_days=5,
        aliases="领失业金,失业金申领",
        summary="符合条件的失业人员申领失业保险金，同时享受代缴基本医疗保险费等待遇。",
        accept_condition=(
            "失业前用人单位和本人已经缴纳失业保险费满一年；非因本人意愿中断就业；"
            "已经进行失业登记并有求职要求。"
        ),
        result_name="失业保险金核定结果",
        materials=[
            id_card(),
            shared("解除或终止劳动关系信息", "用人单位申报的解除（终止）劳动关系信息"),
            shared("失业保险参保缴费信息", "失业保险缴费记录"),
            mat(
                "本人社会保障卡",
                "须为本人有效的社会保障卡（金融账户用于发放失业保险金）；"
                "通过电子证照库调取的无需提交",
                source="licence",
                licence=LT_SOCIAL_CARD,
                fmt="electronic",
            ),
        ],
        steps=steps(1, 3, 1, review="核定缴费年限和领取期限", decide="核定待遇并按月发放"),
        faqs=[
            faq(
                "失业保险金能领多久？",
                "累计缴费满1年不足5年的最长12个月；满5年不足10年的最长18个月；"
                "10年以上的最长24个月。",
            ),
            faq(
                "在外地失业能领取吗？",
                "可在参保地申领，也可通过跨省通办专窗或国家社会保险公共服务平台线上申领。",
            ),
        ],
    ),
)

EMPLOYMENT_CARD = ItemSpec(
    code="111010050000",
    name="就业创业证申领",
    item_type="public_service",
    dept="hrss",
    competent="人力资源和社会保障部",
    legal_basis="《就业服务与就业管理规定》（劳动和社会保障部令第28号）",
    themes=("employment",),
    regions=("changzhi", "panzhihua", "huaiyang", "chuxiong"),
    elements=el(
        ONLINE,
        IMMEDIATE,
        aliases="就业失业登记证,就业创业证办理",
        summary="城乡劳动者申领《就业创业证》，记载就业失业登记和享受扶持政策情况。",
        accept_condition="在法定劳动年龄内的城乡劳动者办理就业登记或失业登记时可申领。",
        result_name="就业创业证",
        result_type="licence",
        result_licence_type=LT_EMPLOYMENT,
        materials=[id_card(), mat("近期免冠照片", "白底彩色电子照片", required=False)],
        steps=immediate_steps("核验就业失业登记信息"),
        faqs=[
            faq(
                "《就业创业证》有什么用？",
                "记载就业失业登记、享受就业扶持政策等信息，是享受政策的凭证；已推行电子证。",
            ),
            faq(
                "可以办理电子《就业创业证》吗？",
                "可以。通过国家政务服务平台或人社网上服务平台申领，与纸质证具有同等效力。",
            ),
        ],
    ),
    variants=(("new", "首次申领"), ("change", "补领")),
    overrides={
        "panzhihua": {
            "scope": "regional",
            "partner_region_codes": ["532300", "513400", "532327"],
        },
    },
)

PENSION_CERTIFICATION = ItemSpec(
    code="111010060000",
    name="领取养老保险待遇资格认证",
    item_type="public_service",
    dept="hrss",
    competent="人力资源和社会保障部",
    legal_basis="《中华人民共和国社会保险法》；《领取社会保险待遇资格确认经办规程（暂行）》",
    themes=("retirement", "social_security"),
    regions=("changzhi", "panzhihua", "shenyang"),
    elements=el(
        ONLINE,
        IMMEDIATE,
        aliases="养老金认证,生存认证,待遇资格认证",
        summary="按月领取养老保险待遇人员的资格确认，可静默认证或自助认证。",
        accept_condition="按月领取基本养老保险待遇的人员。",
        result_name="资格认证结果",
        materials=[id_card(), shared("养老保险待遇领取信息", "待遇领取状态")],
        steps=immediate_steps("比对待遇领取资格"),
        faqs=[
            faq(
                "每年必须到现场认证吗？",
                "不需要。人社部门通过数据比对静默认证；未能比对的可用手机人脸识别自助认证。",
            ),
            faq(
                "长期居住在外省怎么认证？",
                "可在居住地社保经办机构或通过国家社会保险公共服务平台、电子社保卡完成认证。",
            ),
        ],
    ),
)

PERSONNEL_FILE = ItemSpec(
    code="111010070000",
    name="流动人员人事档案转递",
    item_type="public_service",
    dept="hrss",
    competent="人力资源和社会保障部",
    legal_basis="《流动人员人事档案管理暂行规定》",
    themes=("employment",),
    regions=("changzhi", "panzhihua", "shenyang"),
    elements=el(
        statutory_days=10,
        promised_days=5,
        max_visits=0,
        aliases="档案转出,调档",
        summary="流动人员人事档案在公共就业和人才服务机构之间转递。",
        accept_condition="档案存放在本地公共就业和人才服务机构、需转往其他地区的流动人员。",
        issuing_method="机要通信转递；转递结果短信告知",
        result_name="档案转递通知单",
        result_type="certificate_document",
        materials=[
            id_card(),
            mat("调档函或接收证明", "接收单位出具，注明接收机构名称和地址"),
            form("流动人员人事档案转递申请表"),
        ],
        steps=steps(1, 3, 1, review="核对档案材料完整性和接收机构", decide="确认转递"),
        faqs=[
            faq("档案可以自己带走吗？", "不可以。人事档案须通过机要通信或专人送取方式转递。"),
            faq(
                "怎么查询档案转到哪里了？",
                "可通过全国流动人员人事档案信息查询服务查询转递进度。",
            ),
        ],
    ),
)

ITEMS = [
    SOCIAL_CARD,
    PENSION_TRANSFER,
    UNEMPLOYMENT_REGISTRATION,
    UNEMPLOYMENT_BENEFIT,
    EMPLOYMENT_CARD,
    PENSION_CERTIFICATION,
    PERSONNEL_FILE,
]
