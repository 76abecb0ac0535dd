"""Demo items for companies: registration, licences, environment (demo 基本编码)."""

from __future__ import annotations

from tongban.demo.data.common import IMMEDIATE, ONLINE, el
from tongban.demo.spec import (
    LT_BUSINESS,
    LT_DISCHARGE,
    LT_FOOD,
    ItemSpec,
    business_licence,
    faq,
    form,
    id_card,
    immediate_steps,
    mat,
    shared,
    special,
    steps,
)

_REGISTRATION_BASIS = "《中华人民共和国市场主体登记管理条例》；《中华人民共和国公司法》"
_COMPANY = dict(for_person=False, for_organisation=True)
_REG_REVIEW = "审查名称、住所、经营范围、出资等登记事项是否符合规定"

COMPANY_SETUP = ItemSpec(
    code="011060010000",
    name="内资企业及分支机构设立登记",
    item_type="licensing",
    dept="samr",
    competent="国家市场监督管理总局",
    legal_basis=_REGISTRATION_BASIS,
    themes=("startup",),
    regions=("changzhi", "panzhihua", "huaiyang", "shenyang", "chuxiong", "qijiang"),
    elements=el(
        ONLINE,
        _COMPANY,
        statutory_days=3,
        promised_days=1,
        allows_commitment=True,
        aliases="公司注册,企业开办,营业执照办理,分公司设立",
        summary="设立有限责任公司、股份有限公司、非公司企业法人及其分支机构，领取营业执照。",
        accept_condition="具备《中华人民共和国公司法》等法律法规规定的设立条件，名称已自主申报。",
        issuing_method="纸质营业执照窗口领取或免费邮寄；电子营业执照同步发放",
        result_name="营业执照",
        result_type="licence",
        result_licence_type=LT_BUSINESS,
        materials=[
            form("公司登记（备案）申请书"),
            mat("公司章程", "全体股东签署"),
            id_card("法定代表人、股东（自然人）"),
            mat("住所使用证明或住所（经营场所）承诺书", "可选择提交承诺书"),
            shared("股东主体资格信息", "市场主体登记信息；自然人身份核验"),
        ],
        steps=steps(0, 1, 0, review=_REG_REVIEW, decide="核准登记，生成营业执照"),
        faqs=[
            faq(
                "异地设立公司需要到登记机关现场吗？",
                "不需要。通过全程网办或跨省通办专窗代收，电子营业执照即时生成。",
            ),
            faq(
                "注册资本要一次缴足吗？",
                "有限责任公司股东认缴的出资额应按照公司章程规定自公司成立之日起五年内缴足。",
            ),
            faq("可以用住宅作为住所吗？", "按当地住所登记规定执行，部分地区实行住所承诺制。"),
        ],
    ),
    variants=(("new", "有限责任公司设立登记"), ("new", "分公司设立登记")),
    overrides={
        # Deliberate difference: 沈阳 issues the electronic licence only by default.
        "shenyang": {
            "issuing_method": "默认发放电子营业执照；需要纸质执照的免费邮寄",
        },
    },
)

COMPANY_CHANGE = ItemSpec(
    code="011060020000",
    name="内资企业变更登记",
    item_type="licensing",
    dept="samr",
    competent="国家市场监督管理总局",
    legal_basis=_REGISTRATION_BASIS,
    themes=("change",),
    regions=("changzhi", "panzhihua", "shenyang"),
    elements=el(
        ONLINE,
        _COMPANY,
        statutory_days=3,
        promised_days=1,
        allows_deferral=True,
        aliases="公司变更,营业执照变更,法人变更",
        summary="企业名称、住所、法定代表人、注册资本、经营范围等登记事项变更。",
        accept_condition="企业已依法作出变更决议或决定。",
        result_name="营业执照",
        result_type="licence",
        result_licence_type=LT_BUSINESS,
        materials=[
            form("公司变更登记申请书"),
            mat("股东会决议或决定", "依照公司章程作出"),
            business_licence(),
            mat(
                "变更事项相关证明文件",
                "按变更事项提供；非关键材料可容缺，5个工作日内补齐",
                deferrable=True,
            ),
        ],
        steps=steps(0, 1, 0, review=_REG_REVIEW, decide="核准变更，换发营业执照"),
        faqs=[
            faq(
                "变更法定代表人需要原法定代表人签字吗？",
                "由公司依法作出决议即可申请，提交新任法定代表人签署的文件。",
            ),
            faq(
                "变更后营业执照要换吗？",
                "涉及营业执照记载事项变更的换发营业执照，电子营业执照同步更新。",
            ),
        ],
    ),
    variants=(("change", "名称变更"), ("change", "住所变更"), ("change", "法定代表人变更")),
)

COMPANY_CLOSURE = ItemSpec(
    code="011060030000",
    name="企业注销登记",
    item_type="licensing",
    dept="samr",
    competent="国家市场监督管理总局",
    legal_basis=_REGISTRATION_BASIS,
    themes=("closure",),
    regions=("changzhi", "panzhihua", "huaiyang", "shenyang"),
    elements=el(
        ONLINE,
        _COMPANY,
        statutory_days=3,
        promised_days=1,
        aliases="公司注销,简易注销,企业注销",
        summary="企业解散、破产等终止经营的，申请注销登记；符合条件的可适用简易注销。",
        accept_condition="已依法清算完毕（普通注销），或未发生债权债务、已清偿完毕（简易注销）。",
        result_name="准予注销登记通知书",
        result_type="certificate_document",
        materials=[
            form("注销登记申请书"),
            mat("清算报告或全体投资人承诺书", "普通注销提交清算报告；简易注销提交承诺书"),
            business_licence(),
            shared("清税信息", "税务部门清税信息"),
        ],
        steps=steps(0, 1, 0, review="审查清算和清税情况", decide="准予注销"),
        special_procedures=[
            special("简易注销公示", 20, "《中华人民共和国市场主体登记管理条例》第三十三条"),
        ],
        faqs=[
            faq(
                "简易注销需要多长时间？",
                "公示期20日届满无异议的，登记机关在3个工作日内办结；公示期不计入办理时限。",
            ),
            faq(
                "营业执照丢了还能注销吗？",
                "可以，在国家企业信用信息公示系统发布作废声明后申请。",
            ),
        ],
    ),
    variants=(("cancel", "普通注销"), ("cancel", "简易注销")),
)

SOLE_TRADER = ItemSpec(
    code="011060040000",
    name="个体工商户设立登记",
    item_type="licensing",
    dept="samr",
    competent="国家市场监督管理总局",
    legal_basis="《促进个体工商户发展条例》；《中华人民共和国市场主体登记管理条例》",
    themes=("startup",),
    regions=("changzhi", "huaiyang", "shenyang"),
    elements=el(
        ONLINE,
        IMMEDIATE,
        allows_commitment=True,
        aliases="个体户注册,个体执照,个体工商户营业执照",
        summary="有经营能力的自然人申请登记为个体工商户，当场核准发照。",
        accept_condition="有经营能力的自然人；经营场所符合规定。",
        result_name="营业执照",
        result_type="licence",
        result_licence_type=LT_BUSINESS,
        materials=[
            id_card("经营者"),
            form("个体工商户登记（备案）申请书"),
            mat("经营场所使用证明或承诺书", "可选择提交承诺书"),
        ],
        steps=immediate_steps("审查登记事项，核准登记并发照"),
        faqs=[
            faq("个体工商户可以网上注册吗？", "可以，全程网办，当场核准发照。"),
            faq("个体户可以转为企业吗？", "可以申请“个转企”，保留原字号和有关行政许可。"),
        ],
    ),
    variants=(("new", "个体工商户设立登记"),),
    overrides={"shenyang": {"scope": "in_province"}},
)

FOOD_LICENCE = ItemSpec(
    code="011060050000",
    name="食品经营许可",
    item_type="licensing",
    dept="samr",
    competent="国家市场监督管理总局",
    legal_basis=(
        "《中华人民共和国食品安全法》第三十五条；"
        "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）"
    ),
    themes=("licensing",),
    regions=("changzhi", "panzhihua", "shenyang"),
    high_risk=True,
    elements=el(
        statutory_days=10,
        promised_days=7,
        for_organisation=True,
        aliases="食品经营许可证,餐饮许可证,食品许可证",
        summary="从事食品销售和餐饮服务的，取得食品经营许可证。",
        accept_condition="具有与经营的食品品种、数量相适应的场所、设备、人员和管理制度。",
        result_name="食品经营许可证",
        result_type="licence",
        result_licence_type=LT_FOOD,
        materials=[
            form("食品经营许可申请书"),
            business_licence(),
            mat("主要设备设施布局和操作流程文件", "与经营项目相符"),
            mat("食品安全管理制度目录", "制度齐全"),
        ],
        steps=steps(1, 4, 2, review="审查材料并组织现场核查", decide="作出许可决定"),
        special_procedures=[
            special(
                "现场核查",
                3,
                "《食品经营许可和备案管理办法》",
                counted=True,
            )
        ],
        faqs=[
            faq("许可证有效期多久？", "食品经营许可证有效期为5年。"),
            faq(
                "仅销售预包装食品需要办许可吗？",
                "仅销售预包装食品的实行备案管理，无需办理许可。",
            ),
        ],
    ),
    variants=(("new", "新办"), ("change", "变更"), ("renew", "延续"), ("cancel", "注销")),
)

_DISCHARGE_BASIS = "《排污许可管理条例》第十五条"

DISCHARGE_PERMIT = ItemSpec(
    code="011090010000",
    name="排污许可证核发",
    item_type="licensing",
    dept="eco",
    competent="生态环境部",
    legal_basis="《中华人民共和国环境保护法》第四十五条；《排污许可管理条例》",
    themes=("environment", "licensing"),
    regions=("changzhi", "panzhihua", "shenyang"),
    high_risk=True,
    elements=el(
        _COMPANY,
        statutory_days=20,
        promised_days=15,
        aliases="排污许可,排污证,排污许可证申请",
        summary="实行排污许可管理的企业事业单位和其他生产经营者申请取得排污许可证。",
        accept_condition="依法取得建设项目环境影响评价文件审批意见或备案；污染物排放符合标准。",
        result_name="排污许可证",
        result_type="licence",
        result_licence_type=LT_DISCHARGE,
        materials=[
            mat(
                "排污许可证申请表",
                "通过全国排污许可证管理信息平台填报，法定代表人签字",
                fmt="electronic",
            ),
            business_licence(),
            mat("自行监测方案", "符合自行监测技术指南"),
            mat("环境影响评价文件审批意见或备案材料", "与申请内容一致"),
            mat("污染物排放口位置和数量、排放方式等说明", "附平面布置图"),
        ],
        steps=steps(2, 10, 3, review="技术审查；必要时组织现场核查", decide="作出许可决定"),
        special_procedures=[special("现场核查", 10, _DISCHARGE_BASIS)],
        faqs=[
            faq("排污许可证有效期是多久？", "排污许可证有效期为5年。"),
            faq(
                "重点管理和简化管理有什么区别？",
                "依据《固定污染源排污许可分类管理名录》，污染物排放量或对环境影响较大的实行"
                "重点管理，其余实行简化管理。",
            ),
        ],
    ),
    variants=(("new", "首次申请"), ("change", "变更"), ("renew", "延续"), ("cancel", "注销")),
    overrides={
        # Deliberate difference: 攀枝花 promises 10 working days, the others 15.
        "panzhihua": {
            "promised_days": 10,
            "steps": steps(1, 7, 2, review="技术审查；必要时组织现场核查", decide="作出许可决定"),
        },
    },
)

ITEMS = [
    COMPANY_SETUP,
    COMPANY_CHANGE,
    COMPANY_CLOSURE,
    SOLE_TRADER,
    FOOD_LICENCE,
    DISCHARGE_PERMIT,
]
