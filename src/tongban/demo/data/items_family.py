"""Demo items of 户籍, 婚姻 and 生育 (codes are demo 基本编码, not the national ones)."""

from __future__ import annotations

from tongban.demo.data.common import IMMEDIATE, ONLINE, SEED, el
from tongban.demo.spec import (
    LT_BIRTH,
    LT_HOUSEHOLD,
    LT_ID_CARD,
    LT_MARRIAGE,
    LT_VACCINATION,
    ItemSpec,
    faq,
    fee,
    form,
    household_book,
    id_card,
    immediate_steps,
    internal,
    mat,
    shared,
    special,
    steps,
)

HOUSEHOLD_MIGRATION = ItemSpec(
    code="011030010000",
    name="户口迁移",
    item_type="licensing",
    dept="psb",
    competent="公安部",
    legal_basis=(
        "《中华人民共和国户口登记条例》第十条、第十三条；"
        "《国务院办公厅关于加快推进政务服务“跨省通办”的指导意见》（国办发〔2020〕35号）"
    ),
    themes=("household",),
    regions=SEED,
    elements=el(
        statutory_days=20,
        promised_days=10,
        aliases="户口迁入,迁户口,落户,户籍迁移",
        summary="符合迁入地落户条件的人员在迁入地申请户口迁移，实行“跨省一站式”办理。",
        accept_condition=("符合迁入地落户政策（投靠、就业、购房、学生、引进人才等）的人员。"),
        mode_joint=True,
        joint_departments="迁出地公安机关",
        issuing_method="迁入地派出所办理落户，迁出地通过电子迁移同步迁出；无需申请人往返",
        result_name="准予迁入证明（电子迁移）",
        result_type="certificate_document",
        materials=[
            id_card("迁移人"),
            household_book(),
            mat(
                "落户条件证明材料",
                "按落户类别提供：结婚证、不动产权证书、劳动合同、毕业证书等",
                original=True,
            ),
            form("户口迁移申请表"),
        ],
        steps=steps(
            1,
            7,
            2,
            review="审查是否符合迁入地落户条件；核对迁出地户籍信息",
            decide="作出准予迁入决定，签发电子迁移证明并通知迁出地",
        ),
        special_procedures=[special("迁出地户籍核验", 3, "《中华人民共和国户口登记条例》")],
        faqs=[
            faq(
                "还需要回原籍开迁移证吗？",
                "不需要。“跨省一站式”迁移只需在迁入地办理，迁出地通过电子迁移证完成迁出。",
            ),
            faq("户口迁移需要多长时间？", "迁入地审批不超过10个工作日，迁出地核验时间另计。"),
        ],
    ),
    overrides={
        # Deliberate difference: 淮阳 charges for the household register booklet.
        "huaiyang": {
            "is_fee": True,
            "fee_basis": "省级价格主管部门、财政部门核定的收费标准（演示）",
            "fees": [fee("居民户口簿工本费", "每本8元", "省级价格主管部门核定（演示）")],
        },
    },
)

NEWBORN_HOUSEHOLD = ItemSpec(
    code="071030020000",
    name="新生儿户口登记",
    item_type="confirmation",
    dept="psb",
    competent="公安部",
    legal_basis="《中华人民共和国户口登记条例》第七条",
    themes=("birth", "household"),
    regions=SEED,
    elements=el(
        ONLINE,
        IMMEDIATE,
        aliases="出生登记,新生儿落户,报户口",
        summary="婴儿出生后，在父亲或母亲户口所在地申报出生登记。可与出生医学证明、医保参保联办。",
        accept_condition="婴儿出生后一个月以内，由户主、亲属、抚养人申报出生登记。",
        result_name="居民户口簿（新生儿页）",
        result_type="licence",
        result_licence_type=LT_HOUSEHOLD,
        materials=[
            mat(
                "出生医学证明",
                "信息完整、无涂改",
                source="licence",
                licence=LT_BIRTH,
                original=True,
                fmt="electronic",
            ),
            id_card("父母双方"),
            household_book(),
            mat(
                "父母结婚证",
                "非婚生子女可不提供",
                source="licence",
                licence=LT_MARRIAGE,
                required=False,
                fmt="electronic",
            ),
        ],
        steps=immediate_steps("核对出生医学证明与父母户籍信息"),
        faqs=[
            faq(
                "新生儿出生多久内要报户口？",
                "婴儿出生后一个月以内，向婴儿常住地户口登记机关申报出生登记。",
            ),
            faq("父母户籍不在一地，随谁落户？", "可随父或随母落户，由父母协商确定。"),
            faq(
                "可以网上办理吗？",
                "可以。通过“出生一件事”联办，出生医学证明、户口登记、医保参保一次申请。",
            ),
        ],
    ),
)

ID_CARD_RENEWAL = ItemSpec(
    code="071030030000",
    name="居民身份证异地换领补领",
    item_type="confirmation",
    dept="psb",
    competent="公安部",
    legal_basis="《中华人民共和国居民身份证法》",
    themes=("household",),
    regions=("changzhi", "panzhihua", "shenyang"),
    elements=el(
        statutory_days=60,
        promised_days=20,
        is_fee=True,
        fee_basis="《中华人民共和国居民身份证法》第二十条；国家价格主管部门、财政部门核定标准",
        visits_reason="需现场采集人像和指纹信息",
        aliases="身份证换领,身份证补办,异地办身份证",
        summary="户籍地以外居住的公民，在居住地申请换领、补领居民身份证。",
        accept_condition="年满十六周岁的中国公民，身份证有效期满、损坏或遗失。",
        result_name="居民身份证",
        result_type="licence",
        result_licence_type=LT_ID_CARD,
        materials=[
            household_book(),
            mat("近期免冠照片", "现场采集或使用具备资质的照相馆电子照片", fmt="electronic"),
        ],
        steps=steps(1, 15, 4, review="核对户籍信息和人像比对", decide="签发并制证"),
        fees=[fee("居民身份证工本费", "每证20元", "国家价格主管部门、财政部门核定")],
        faqs=[
            faq("异地办身份证需要居住证吗？", "不需要。全国范围内均可异地换领、补领。"),
            faq("可以邮寄吗？", "可以选择到受理地领取或免费邮寄送达。"),
        ],
    ),
    variants=(("renew", "有效期满换领"), ("change", "损坏换领"), ("new", "遗失补领")),
)

MARRIAGE = ItemSpec(
    code="071070010000",
    name="婚姻登记（内地居民结婚登记）",
    item_type="confirmation",
    dept="civil",
    competent="民政部",
    legal_basis="《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》",
    themes=("family",),
    regions=SEED,
    elements=el(
        IMMEDIATE,
        mode_proxy_intake=False,
        is_express=False,
        max_visits=1,
        visits_reason="男女双方须亲自到婚姻登记机关共同申请",
        application_methods="窗口办理（可网上预约）",
        acceptance_mode="全国通办：内地居民可在任一婚姻登记机关办理",
        issuing_method="当场颁发结婚证；电子结婚证同步生成",
        aliases="结婚登记,领结婚证,结婚证办理",
        summary="内地居民结婚，男女双方共同到婚姻登记机关申请结婚登记。",
        accept_condition="男女双方完全自愿；达到法定婚龄；双方均无配偶；无禁止结婚的亲属关系。",
        result_name="结婚证",
        result_type="licence",
        result_licence_type=LT_MARRIAGE,
        fee_basis="不收费",
        materials=[
            id_card("男女双方"),
            mat(
                "双方无配偶以及无禁止结婚亲属关系的签字声明",
                "当事人在婚姻登记员面前亲自签署",
                fmt="paper",
            ),
            mat("双方近期半身免冠合影照片", "2寸，2张", copies=2, fmt="paper"),
        ],
        steps=immediate_steps("审查身份证件和声明；询问相关情况，确认双方自愿"),
        faqs=[
            faq(
                "必须回户籍地办理结婚登记吗？",
                "不需要。自2025年5月10日起，内地居民可在全国任一婚姻登记机关办理结婚登记。",
            ),
            faq("还需要户口簿吗？", "不需要，凭本人有效居民身份证即可办理。"),
        ],
    ),
    variants=(("new", "结婚登记"), ("change", "补领结婚证")),
)

BIRTH_REGISTRATION = ItemSpec(
    code="111080010000",
    name="生育登记",
    item_type="public_service",
    dept="health",
    competent="国家卫生健康委员会",
    legal_basis="《中华人民共和国人口与计划生育法》",
    themes=("family", "birth"),
    regions=SEED,
    elements=el(
        ONLINE,
        IMMEDIATE,
        allows_commitment=True,
        aliases="生育服务证,准生证,生育登记服务",
        summary="生育子女的夫妻办理生育登记，享受孕产期保健等服务。",
        accept_condition="生育子女的夫妻，可在一方户籍地或现居住地办理。",
        result_name="生育登记服务单",
        result_type="certificate_document",
        materials=[
            id_card("夫妻双方"),
            shared("婚姻登记信息", "结婚登记信息"),
            mat("生育登记承诺书", "承诺所填信息真实", fmt="electronic"),
        ],
        steps=immediate_steps("核验夫妻身份和婚姻信息"),
        faqs=[
            faq("生育登记还需要单位或社区盖章吗？", "不需要。实行承诺制，网上即可办理。"),
            faq("二孩、三孩也需要登记吗？", "需要，生育登记不限孩次。"),
        ],
    ),
    overrides={
        # Deliberate difference: 淮阳 publishes the item under another name.
        "huaiyang": {"name": "生育服务登记"},
    },
)

BIRTH_CERTIFICATE = ItemSpec(
    code="111080020000",
    name="出生医学证明办理",
    item_type="public_service",
    dept="health",
    competent="国家卫生健康委员会",
    legal_basis="《中华人民共和国母婴保健法》第二十三条；《中华人民共和国母婴保健法实施办法》",
    themes=("birth",),
    regions=SEED,
    elements=el(
        IMMEDIATE,
        aliases="出生证明,出生医学证明补发,出生证换发",
        summary="首次签发在出生的助产机构办理；换发、补发向签发机构所在地卫生健康部门申请。",
        accept_condition="在本辖区助产机构出生的新生儿，或需换发、补发出生医学证明的。",
        result_name="出生医学证明",
        result_type="licence",
        result_licence_type=LT_BIRTH,
        materials=[
            id_card("新生儿父母"),
            mat("《出生医学证明》签发登记表", "由助产机构提供，父母签字确认"),
            internal("新生儿出生信息", "助产机构出生登记记录"),
        ],
        steps=immediate_steps("核对出生登记记录与父母身份"),
        faqs=[
            faq(
                "出生医学证明丢了能补吗？",
                "可以。向签发机构所在地卫生健康部门申请补发，可通过跨省通办专窗代收。",
            ),
            faq("新生儿姓名填错了怎么办？", "可申请换发，提供相关证明材料。"),
        ],
    ),
    variants=(("new", "首次签发"), ("change", "换发补发")),
)

VACCINATION = ItemSpec(
    code="111080030000",
    name="预防接种证办理",
    item_type="public_service",
    dept="health",
    competent="国家卫生健康委员会",
    legal_basis="《中华人民共和国疫苗管理法》第四十七条",
    themes=("birth", "school"),
    regions=("changzhi", "panzhihua", "huaiyang"),
    elements=el(
        IMMEDIATE,
        aliases="接种证,疫苗本,预防接种证补办",
        summary="儿童出生后一个月内建立预防接种证；遗失的可补办。",
        accept_condition="儿童监护人在儿童居住地接种单位或出生医院办理。",
        result_name="预防接种证",
        result_type="licence",
        result_licence_type=LT_VACCINATION,
        materials=[
            id_card("监护人"),
            mat(
                "出生医学证明",
                "信息完整、无涂改",
                source="licence",
                licence=LT_BIRTH,
                fmt="electronic",
            ),
        ],
        steps=immediate_steps("核对儿童身份信息和既往接种记录"),
        faqs=[
            faq(
                "外地出生的孩子能在居住地建证吗？",
                "可以，在居住地接种单位办理，接种记录全国联网查询。",
            ),
            faq(
                "入学为什么要查验接种证？",
                "入托、入学时查验预防接种证，未按规定接种的将在学校指导下补种。",
            ),
        ],
    ),
    variants=(("new", "首次建证"), ("change", "补办")),
)

ITEMS = [
    HOUSEHOLD_MIGRATION,
    NEWBORN_HOUSEHOLD,
    ID_CARD_RENEWAL,
    MARRIAGE,
    BIRTH_REGISTRATION,
    BIRTH_CERTIFICATE,
    VACCINATION,
]
