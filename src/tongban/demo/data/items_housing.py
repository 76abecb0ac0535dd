"""Demo items of 住房公积金 and 不动产登记 (codes are demo 基本编码, not the national ones)."""

from __future__ import annotations

from tongban.demo.data.common import IMMEDIATE, ONLINE, SEED, el
from tongban.demo.spec import (
    LT_MARRIAGE,
    LT_PROPERTY,
    LT_PROPERTY_PROOF,
    ItemSpec,
    business_licence,
    faq,
    fee,
    form,
    id_card,
    immediate_steps,
    mat,
    shared,
    special,
    steps,
)

_WORKER_ID = id_card("职工")
_BANK_CARD = mat("本人银行储蓄卡", "本人名下一类银行账户", fmt="electronic")

HPF_TRANSFER = ItemSpec(
    code="111050010000",
    name="住房公积金异地转移接续",
    item_type="public_service",
    dept="hpf",
    competent="住房和城乡建设部",
    legal_basis=(
        "《住房公积金管理条例》；"
        "《国务院办公厅关于加快推进政务服务“跨省通办”的指导意见》（国办发〔2020〕35号）"
    ),
    themes=("housing", "employment"),
    regions=(*SEED, "qijiang", "chuxiong"),
    elements=el(
        ONLINE,
        statutory_days=10,
        promised_days=5,
        aliases="公积金转移,公积金异地转移",
        summary="职工跨城市就业，将原住房公积金账户余额转入新就业地账户，缴存时间合并计算。",
        accept_condition="职工在异地新就业单位已开立住房公积金个人账户，原账户处于封存状态。",
        mode_joint=True,
        joint_departments="转出地住房公积金管理中心",
        issuing_method="转移完成后短信告知；无需领取纸质材料",
        result_name="住房公积金转移接续完成通知",
        materials=[
            _WORKER_ID,
            shared("新就业地住房公积金个人账户信息", "住房公积金个人账户信息"),
            shared("原住房公积金账户封存信息", "住房公积金账户状态"),
        ],
        steps=steps(1, 3, 1, review="核对转出账户封存状态和余额", decide="确认转入"),
        faqs=[
            faq(
                "需要回原单位所在城市办理吗？",
                "不需要。向转入地公积金中心或通过全国住房公积金小程序申请，"
                "两地通过全国住房公积金异地转移接续平台办理。",
            ),
            faq(
                "转移后缴存年限怎么算？",
                "缴存时间合并计算，转移前后连续缴存的视为连续缴存。",
            ),
        ],
    ),
)

HPF_RETIREMENT = ItemSpec(
    code="111050020000",
    name="正常退休提取住房公积金",
    item_type="public_service",
    dept="hpf",
    competent="住房和城乡建设部",
    legal_basis="《住房公积金管理条例》第二十四条",
    themes=("retirement", "housing"),
    regions=SEED,
    elements=el(
        ONLINE,
        IMMEDIATE,
        aliases="退休提取公积金,退休销户提取",
        summary="职工正常退休后提取住房公积金账户全部余额并销户。",
        accept_condition="职工达到法定退休年龄并已办理退休手续。",
        result_name="住房公积金提取到账",
        materials=[
            _WORKER_ID,
            shared("退休信息", "养老保险待遇领取信息（退休审批信息）"),
            _BANK_CARD,
        ],
        steps=immediate_steps("核验退休信息和账户状态；确认提取金额"),
        faqs=[
            faq("退休提取后账户还能用吗？", "正常退休提取后，个人账户余额全部提取并销户。"),
            faq(
                "异地退休可以在当地办理吗？",
                "可以通过跨省通办专窗或全国住房公积金小程序线上申请，资金直接转入本人银行卡。",
            ),
        ],
    ),
)

HPF_PURCHASE = ItemSpec(
    code="111050030000",
    name="购房提取住房公积金",
    item_type="public_service",
    dept="hpf",
    competent="住房和城乡建设部",
    legal_basis="《住房公积金管理条例》第二十四条",
    themes=("housing",),
    regions=("changzhi", "panzhihua", "shenyang"),
    elements=el(
        ONLINE,
        statutory_days=10,
        promised_days=5,
        aliases="买房提取公积金,购房提取",
        summary="职工及其配偶购买自住住房（含异地购房）的，提取住房公积金。",
        accept_condition="职工及其配偶购买自住住房，提取额不超过购房款。",
        result_name="住房公积金提取到账",
        materials=[
            _WORKER_ID,
            mat(
                "购房合同或不动产权证书",
                "合同已网签备案；全款购房的同时提供购房发票",
                original=True,
            ),
            mat(
                "结婚证",
                "提取配偶账户时提供",
                source="licence",
                licence=LT_MARRIAGE,
                required=False,
                fmt="electronic",
            ),
            _BANK_CARD,
        ],
        steps=steps(1, 3, 1, review="核对购房信息和可提取额度", decide="审批提取并转账"),
        faqs=[
            faq(
                "在外地买房能提取吗？",
                "可以。异地购房提取须提供购房合同或不动产权证书，资金转入本人银行卡。",
            ),
            faq("可以多次提取吗？", "同一套住房只能以购房理由提取一次。"),
        ],
    ),
    overrides={
        # Deliberate difference: 沈阳 promises 3 working days, the others 5.
        "shenyang": {
            "promised_days": 3,
            "steps": steps(1, 1, 1, review="核对购房信息和可提取额度", decide="审批提取并转账"),
        },
    },
)

HPF_LOAN_CERTIFICATE = ItemSpec(
    code="111050040000",
    name="出具贷款职工住房公积金缴存使用证明",
    item_type="public_service",
    dept="hpf",
    competent="住房和城乡建设部",
    legal_basis="《住房公积金管理条例》",
    themes=("housing",),
    regions=SEED,
    elements=el(
        ONLINE,
        IMMEDIATE,
        aliases="公积金缴存证明,公积金贷款证明",
        summary="在异地申请住房公积金贷款的职工，开具缴存使用证明。",
        accept_condition="在异地申请住房公积金个人住房贷款的缴存职工。",
        issuing_method="在线生成带电子印章的证明，可自行下载打印",
        result_name="贷款职工住房公积金缴存使用证明",
        result_type="certificate_document",
        materials=[_WORKER_ID],
        steps=immediate_steps("核验缴存和贷款使用情况"),
        faqs=[
            faq("证明有效期多久？", "以贷款地公积金中心要求为准，一般为出具之日起3个月内。"),
            faq(
                "能在网上打印吗？",
                "可以。通过全国住房公积金小程序或网上服务大厅申请，生成带电子印章的证明。",
            ),
        ],
    ),
)

_REGISTRATION_FEE_BASIS = (
    "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"
)

MORTGAGE = ItemSpec(
    code="071100010000",
    name="不动产抵押登记",
    item_type="confirmation",
    dept="land",
    competent="自然资源部",
    legal_basis="《中华人民共和国民法典》第四百零二条；《不动产登记暂行条例》及其实施细则",
    themes=("property", "housing"),
    regions=SEED,
    use_levels="city,county",
    elements=el(
        statutory_days=30,
        promised_days=3,
        for_organisation=True,
        aliases="抵押登记,房屋抵押登记",
        summary="以不动产设定抵押权的，由抵押人和抵押权人共同申请抵押登记。",
        accept_condition="不动产权属清楚、无查封等限制；抵押合同已签订。",
        is_fee=True,
        fee_basis=_REGISTRATION_FEE_BASIS,
        result_name="不动产登记证明",
        result_type="licence",
        result_licence_type=LT_PROPERTY_PROOF,
        materials=[
            id_card("抵押人、抵押权人（自然人）"),
            mat(
                "不动产权证书",
                "权利人与抵押人一致",
                source="licence",
                licence=LT_PROPERTY,
                original=True,
            ),
            mat("主债权合同和抵押合同", "合同双方签字（盖章）齐全", original=True),
            form("不动产登记申请书"),
        ],
        steps=steps(1, 1, 1, review="查验权属状况和抵押合同", decide="记载于不动产登记簿"),
        fees=[
            fee("不动产登记费（住宅类）", "每件80元", _REGISTRATION_FEE_BASIS, reducible=True),
            fee("不动产登记费（非住宅类）", "每件550元", _REGISTRATION_FEE_BASIS, reducible=True),
        ],
        faqs=[
            faq(
                "抵押登记可以在银行直接办吗？",
                "已开通“不动产+金融”服务的银行网点可直接受理抵押登记。",
            ),
            faq(
                "小微企业办理抵押登记收费吗？",
                "小微企业（含个体工商户）申请不动产登记的免收登记费。",
            ),
        ],
    ),
    variants=(("new", "首次抵押登记"), ("change", "抵押变更登记"), ("cancel", "抵押注销登记")),
)

FIRST_REGISTRATION = ItemSpec(
    code="071100020000",
    name="不动产首次登记",
    item_type="confirmation",
    dept="land",
    competent="自然资源部",
    legal_basis="《不动产登记暂行条例》；《不动产登记暂行条例实施细则》第十七条",
    themes=("property",),
    regions=("changzhi", "panzhihua", "shenyang"),
    elements=el(
        statutory_days=30,
        promised_days=10,
        for_person=False,
        for_organisation=True,
        aliases="房屋首次登记,大产权登记",
        summary="国有建设用地使用权及房屋所有权首次登记。",
        accept_condition="房屋已竣工验收，土地权属来源合法，符合规划。",
        is_fee=True,
        fee_basis=_REGISTRATION_FEE_BASIS,
        result_name="不动产权证书",
        result_type="licence",
        result_licence_type=LT_PROPERTY,
        materials=[
            form("不动产登记申请书"),
            business_licence(),
            mat("土地权属来源材料", "国有建设用地使用权出让合同及价款缴清证明", original=True),
            mat("建设工程符合规划的材料", "规划核实意见"),
            mat("房屋已经竣工的材料", "竣工验收备案材料"),
            mat("房地产调查或者测绘报告", "具备资质的测绘单位出具"),
        ],
        steps=steps(1, 7, 2, review="实地查看；审核权籍调查成果", decide="登簿并缮证"),
        special_procedures=[
            special("首次登记公告", 15, "《不动产登记暂行条例实施细则》第十七条"),
        ],
        fees=[
            fee("不动产登记费（非住宅类）", "每件550元", _REGISTRATION_FEE_BASIS),
            fee("不动产权属证书工本费", "第一本免收，每增加一本10元", _REGISTRATION_FEE_BASIS),
        ],
        faqs=[
            faq(
                "首次登记为什么要公告？",
                "按规定需在登记前公告15个工作日，公告期内无异议的予以登记；公告期不计入办理时限。",
            ),
            faq(
                "首次登记后购房人怎么办证？",
                "首次登记完成后，购房人可申请转移登记，已开通“交房即交证”的可同步办理。",
            ),
        ],
    ),
    variants=(("new", "国有建设用地使用权及房屋所有权首次登记"),),
)

ITEMS = [
    HPF_TRANSFER,
    HPF_RETIREMENT,
    HPF_PURCHASE,
    HPF_LOAN_CERTIFICATE,
    MORTGAGE,
    FIRST_REGISTRATION,
]
