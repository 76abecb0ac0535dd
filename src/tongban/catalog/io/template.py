"""The catalogue workbook: one table per sheet of (Chinese header, field, cell type,
required). The importer and the exporter both read these tables, so they cannot
disagree about a header, a label or a format.

Sheets: 事项 (one row per implementation version) is required; 材料 and 环节 are
required too; 特殊环节, 收费, 业务办理项, 常见问题 are optional (absent = none).
Child rows point at their version by 实施编码 + 版本号.
"""

from __future__ import annotations

from dataclasses import dataclass

from tongban.accounts.models import Role
from tongban.catalog.io.cells import (
    Boolean,
    CellType,
    ChoiceList,
    Code,
    CodeList,
    Integer,
    IsoDate,
    Text,
    choice,
)
from tongban.catalog.models import (
    ItemKind,
    ItemType,
    MaterialFormat,
    MaterialSource,
    OnlineDepth,
    ResultType,
    Scope,
    VariantKind,
    VersionStatus,
)
from tongban.catalog.rules import STEP_ROLES
from tongban.regions.models import RegionLevel

TEXT = Text()
CODE = Code()
BOOL = Boolean()
INT = Integer()
DATE = IsoDate()
LEVEL = choice(RegionLevel)


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    type: CellType
    required: bool = False
    note: str = ""
    width: int = 14


@dataclass(frozen=True)
class Sheet:
    name: str
    # Where the rows go in VersionElements ("" for the 事项 sheet itself).
    collection: str
    columns: tuple[Column, ...]
    required: bool
    note: str = ""

    def column(self, field: str) -> Column | None:
        for c in self.columns:
            if c.field == field:
                return c
        return None

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


def _key_columns(*, position: bool = True) -> tuple[Column, ...]:
    cols: tuple[Column, ...] = (
        Column("实施编码", "task_code", CODE, True, "所属事项的31位实施编码", 34),
        Column("版本号", "version", Integer(minimum=1), False, "所属事项行的版本号，空为1", 8),
    )
    if position:
        cols += (Column("序号", "position", Integer(minimum=1), True, "排列顺序", 6),)
    return cols


ITEMS = Sheet(
    name="事项",
    collection="",
    required=True,
    note="每行一个实施清单事项的一个版本",
    columns=(
        Column("基本编码", "catalog_code", CODE, True, "12位数字或大写字母", 16),
        Column("基本目录名称", "baseline_name", TEXT, True, width=24),
        Column("事项类型", "item_type", choice(ItemType), True),
        Column("主管部门", "competent_department", TEXT, width=18),
        Column("高风险", "high_risk", BOOL, note="高风险事项不适用告知承诺制", width=8),
        Column("上级基本编码", "parent_code", CODE, note="子项填写主项的基本编码", width=16),
        Column("可行使层级", "use_levels", ChoiceList(LEVEL), width=16),
        Column("基本目录设定依据", "baseline_legal_basis", TEXT, width=24),
        Column(
            "实施编码",
            "task_code",
            CODE,
            note="可不填；填写时须等于 统一社会信用代码+行使层级代码+基本编码",
            width=34,
        ),
        Column("实施机关", "dept_name", TEXT, True, width=24),
        Column("实施机关统一社会信用代码", "dept_uscc", CODE, True, "18位，含校验位", 22),
        Column("实施机关区划代码", "region_code", CODE, True, "6位行政区划代码", 12),
        Column("行使层级", "use_level", LEVEL, True, width=10),
        Column("版本号", "version", Integer(minimum=1), note="同一事项多个版本时按此排序；空为1"),
        Column(
            "状态",
            "status",
            choice(VersionStatus),
            note="勾选“导入后直接发布”时，空或“已发布”的行发布，“草稿”行仍为草稿",
            width=8,
        ),
        Column("生效日期", "valid_from", DATE, note="空为发布当日"),
        Column("失效日期", "valid_to", DATE, note="不含当日；空为长期有效"),
        Column("变更说明", "change_note", TEXT, width=20),
        Column("事项名称", "name", TEXT, True, width=24),
        Column("别名", "aliases", TEXT, note="多个用逗号分隔", width=18),
        Column("事项说明", "summary", TEXT, width=24),
        Column("设定依据", "legal_basis", TEXT, width=24),
        Column("办件类型", "kind", choice(ItemKind), True, width=10),
        Column("服务对象：自然人", "for_person", BOOL, width=10),
        Column("服务对象：法人", "for_organisation", BOOL, width=10),
        Column("受委托部门", "entrusted_department", TEXT),
        Column("联办机构", "joint_departments", TEXT),
        Column("申请条件", "accept_condition", TEXT, width=24),
        Column("申报方式", "application_methods", TEXT),
        Column("受理模式", "acceptance_mode", TEXT),
        Column("审核程序", "review_procedure", TEXT, width=20),
        Column("发证方式", "issuing_method", TEXT),
        Column("法定时限（工作日）", "statutory_days", INT, True, width=10),
        Column("承诺时限（工作日）", "promised_days", INT, True, "即办件为0", 10),
        Column("办理流程说明", "handle_flow", TEXT, width=20),
        Column("到办事现场次数", "max_visits", INT, note="最多跑一次=1，零跑动=0", width=10),
        Column("必须现场办理原因", "visits_reason", TEXT),
        Column("网办深度", "online_depth", choice(OnlineDepth), width=16),
        Column("支持网上办理", "is_online", BOOL, width=8),
        Column("支持物流快递", "is_express", BOOL, width=8),
        Column("支持网上支付", "is_pay_online", BOOL, width=8),
        Column("支持预约办理", "is_schedule", BOOL, width=8),
        Column("办理地点", "transact_addr", TEXT, width=20),
        Column("办理时间", "transact_time", TEXT, width=20),
        Column("咨询方式", "consult_phone", TEXT),
        Column("监督投诉方式", "complaint_phone", TEXT),
        Column("服务承诺", "service_promise", TEXT, width=20),
        Column("是否收费", "is_fee", BOOL, width=8),
        Column("收费依据", "fee_basis", TEXT),
        Column("审批结果名称", "result_name", TEXT, width=18),
        Column("审批结果类型", "result_type", choice(ResultType), width=10),
        Column("结果证照类型代码", "result_licence_type", TEXT, width=24),
        Column("通办范围", "scope", choice(Scope), width=10),
        Column("通办合作地区", "partner_region_codes", CodeList(), note="区域通办必填", width=18),
        Column("全程网办", "mode_fully_online", BOOL, width=8),
        Column("异地代收代办", "mode_proxy_intake", BOOL, width=8),
        Column("多地联办", "mode_joint", BOOL, width=8),
        Column("允许告知承诺", "allows_commitment", BOOL, width=8),
        Column("允许容缺受理", "allows_deferral", BOOL, width=8),
    ),
)

MATERIALS = Sheet(
    name="材料",
    collection="materials",
    required=True,
    note="申请材料，每行一项；同一事项版本内材料名称不得重复",
    columns=(
        *_key_columns(),
        Column("材料名称", "name", TEXT, True, width=24),
        Column("是否必要", "is_required", BOOL, width=8),
        Column("材料形式", "material_format", choice(MaterialFormat), width=10),
        Column("份数", "copies", INT, width=6),
        Column("需核验原件", "original_required", BOOL, width=8),
        Column("受理标准", "acceptance_standard", TEXT, width=24),
        Column("设定依据", "legal_basis", TEXT, width=20),
        Column("材料来源", "source", choice(MaterialSource), width=12),
        Column(
            "电子证照类型代码", "licence_type_code", TEXT, note="材料来源为电子证照时必填", width=24
        ),
        Column("共享数据项", "data_item", TEXT),
        Column("填报须知", "fill_explain", TEXT, width=20),
        Column("可容缺", "deferrable", BOOL, note="事项须允许容缺受理", width=8),
    ),
)

STEPS = Sheet(
    name="环节",
    collection="steps",
    required=True,
    note="办理环节，按序号排列",
    columns=(
        *_key_columns(),
        Column("环节名称", "name", TEXT, True),
        Column("办理角色", "role", choice(Role, only=STEP_ROLES), True, width=12),
        Column("环节时限（工作日）", "days", INT, width=10),
        Column("计入办理时限", "counted_in_limit", BOOL, width=8),
        Column("审查要点", "review_points", TEXT, width=30),
    ),
)

SPECIAL_PROCEDURES = Sheet(
    name="特殊环节",
    collection="special_procedures",
    required=False,
    note="听证、检验检测、专家评审等；不计入办理时限的特殊环节暂停计时",
    columns=(
        *_key_columns(),
        Column("特殊环节名称", "name", TEXT, True),
        Column("时限（工作日）", "days", INT, width=10),
        Column("设定依据", "legal_basis", TEXT, width=24),
        Column("计入办理时限", "counted_in_limit", BOOL, width=8),
    ),
)

FEES = Sheet(
    name="收费",
    collection="fees",
    required=False,
    note="收费项目",
    columns=(
        *_key_columns(),
        Column("收费项目", "name", TEXT, True, width=18),
        Column("收费标准", "standard", TEXT, True, width=20),
        Column("收费依据", "legal_basis", TEXT, width=24),
        Column("可减免", "reducible", BOOL, width=8),
    ),
)

VARIANTS = Sheet(
    name="业务办理项",
    collection="variants",
    required=False,
    note="新办、变更、延续、注销等；编码为实施编码后加2位数字",
    columns=(
        *_key_columns(position=False),
        Column("业务办理项编码", "code", CODE, True, "33位", 36),
        Column("类别", "kind", choice(VariantKind), True, width=8),
        Column("名称", "name", TEXT, True, width=24),
    ),
)

FAQS = Sheet(
    name="常见问题",
    collection="faqs",
    required=False,
    note="办事指南中的常见问题",
    columns=(
        *_key_columns(),
        Column("问题", "question", TEXT, True, width=30),
        Column("解答", "answer", TEXT, True, width=40),
    ),
)

SHEETS: tuple[Sheet, ...] = (ITEMS, MATERIALS, STEPS, SPECIAL_PROCEDURES, FEES, VARIANTS, FAQS)
CHILD_SHEETS: tuple[Sheet, ...] = SHEETS[1:]
HELP_SHEET = "说明"

# Fields of the 事项 sheet that describe the baseline item, the department and the
# row itself rather than the version's elements.
BASELINE_FIELDS = (
    "baseline_name",
    "item_type",
    "competent_department",
    "high_risk",
    "parent_code",
    "use_levels",
    "baseline_legal_basis",
)
ROW_FIELDS = frozenset(
    {
        "catalog_code",
        *BASELINE_FIELDS,
        "task_code",
        "dept_name",
        "dept_uscc",
        "region_code",
        "use_level",
        "version",
        "status",
    }
)
# Child-sheet columns that locate the row rather than describe the child.
CHILD_KEY_FIELDS = frozenset({"task_code", "version", "position"})

GENERAL_NOTES = (
    "本模板用于导入、导出政务服务事项实施清单。",
    "“事项”“材料”“环节”为必需工作表；“特殊环节”“收费”“业务办理项”“常见问题”可删除（视为没有）。",
    "第1行为表头，请勿修改；从第2行起每行一条数据。“必填”列不能为空。",
    "材料、环节等工作表通过“实施编码”和“版本号”关联到“事项”工作表中的行。",
    "导入先校验全部数据：只要有一处错误，就不会导入任何数据，并逐行列出错误。",
    "每导入一行即为该事项新增一个版本（草稿，或勾选后直接发布）；已发布的版本不会被修改。"
    "导出“全部版本”后导入到没有这些事项的目录，可完整还原。",
    "实施编码 = 实施机关统一社会信用代码(18位) + 行使层级代码(1位) + 基本编码(12位)；"
    "行使层级代码：国家级1、省级2、市级3、县级4、乡级5、村级6。",
)
