"""The service-item catalogue (GB/T 39554.1-2020 and the national platform's C0109 elements).

Identity and content are separate tables:

- ``BaselineItem``: the national/provincial standard item (12-character 基本编码).
- ``ItemImplementation``: one department's implementation in one region (31-character
  实施编码). Its identity never changes.
- ``ItemVersion``: the element set of an implementation, draft → published. A published
  version is immutable (the only later write is ``valid_to`` when a successor supersedes
  it); validity periods of one implementation never overlap. Cases snapshot a version.

Child tables (materials, steps, fees, …) hang off a version, so publishing a new version
never rewrites what an earlier case was decided under.
"""

from __future__ import annotations

from django.db import models

from tongban.regions.models import RegionLevel


class ItemType(models.TextChoices):
    """The national list of item types (权力事项类型 + 公共服务)."""

    LICENSING = "licensing", "行政许可"
    PENALTY = "penalty", "行政处罚"
    ENFORCEMENT = "enforcement", "行政强制"
    LEVY = "levy", "行政征收"
    BENEFIT = "benefit", "行政给付"
    INSPECTION = "inspection", "行政检查"
    CONFIRMATION = "confirmation", "行政确认"
    REWARD = "reward", "行政奖励"
    ADJUDICATION = "adjudication", "行政裁决"
    OTHER_POWER = "other_power", "其他行政权力"
    PUBLIC_SERVICE = "public_service", "公共服务"


# 依申请 types: only these can be applied for (and so be 通办 items).
APPLICATION_DRIVEN_TYPES = frozenset(
    {
        ItemType.LICENSING,
        ItemType.BENEFIT,
        ItemType.CONFIRMATION,
        ItemType.ADJUDICATION,
        ItemType.REWARD,
        ItemType.OTHER_POWER,
        ItemType.PUBLIC_SERVICE,
    }
)


class ItemKind(models.TextChoices):
    IMMEDIATE = "immediate", "即办件"
    PROMISED = "promised", "承诺件"


class Scope(models.TextChoices):
    LOCAL = "local", "本地办理"
    CROSS_PROVINCE = "cross_province", "跨省通办"
    IN_PROVINCE = "in_province", "省内通办"
    REGIONAL = "regional", "区域通办"


class Mode(models.TextChoices):
    FULLY_ONLINE = "fully_online", "全程网办"
    PROXY_INTAKE = "proxy_intake", "异地代收代办"
    JOINT = "joint", "多地联办"


class MaterialSource(models.TextChoices):
    """How a material is satisfied (两个免提交: the last three are never asked of the applicant)."""

    APPLICANT = "applicant", "申请人提供"
    LICENCE = "licence", "电子证照"
    DATA_SHARING = "data_sharing", "数据共享核验"
    INTERNAL = "internal", "部门自行核查"


class MaterialFormat(models.TextChoices):
    PAPER = "paper", "纸质"
    ELECTRONIC = "electronic", "电子"
    BOTH = "both", "纸质和电子"


class ResultType(models.TextChoices):
    LICENCE = "licence", "证照"
    APPROVAL_DOCUMENT = "approval_document", "批文"
    CERTIFICATE_DOCUMENT = "certificate_document", "证明文件"
    OTHER = "other", "其他"


class OnlineDepth(models.IntegerChoices):
    INFORMATION = 1, "一级：信息公开"
    DOWNLOAD = 2, "二级：表格下载"
    PRE_REVIEW = 3, "三级：在线预审"
    FULLY_ONLINE = 4, "四级：全程网办"


# Each 通办 mode and the boolean field that switches it on (versions and agreements).
MODE_FIELDS: dict[str, str] = {
    Mode.FULLY_ONLINE: "mode_fully_online",
    Mode.PROXY_INTAKE: "mode_proxy_intake",
    Mode.JOINT: "mode_joint",
}


def flags_on(obj: object, fields: dict[str, str]) -> list[str]:
    """The keys of ``fields`` whose boolean field is set on ``obj``, in mapping order."""
    return [str(key) for key, name in fields.items() if getattr(obj, name)]


class VariantKind(models.TextChoices):
    NEW = "new", "新办"
    CHANGE = "change", "变更"
    RENEW = "renew", "延续"
    CANCEL = "cancel", "注销"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class ThemeAudience(models.TextChoices):
    PERSON = "person", "个人"
    ORGANISATION = "organisation", "法人"


class Theme(models.Model):
    """A browse theme: personal life events (出生, 就业, 退休 …) or company life cycle."""

    code = models.SlugField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    audience = models.CharField("服务对象", max_length=16, choices=ThemeAudience.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["audience", "position", "code"]
        verbose_name = "主题"
        verbose_name_plural = "主题"

    def __str__(self) -> str:
        return self.name


class BaselineItem(models.Model):
    """基本目录事项: the standard item every region implements the same way."""

    catalog_code = models.CharField("基本编码", max_length=12, unique=True)
    name = models.CharField("事项名称", max_length=200)
    item_type = models.CharField("事项类型", max_length=32, choices=ItemType.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    legal_basis = models.TextField("设定依据", blank=True)
    competent_department = models.CharField("主管部门", max_length=128, blank=True)
    # Comma-separated RegionLevel values at which the item may be implemented.
    use_levels = models.CharField("行使层级", max_length=128, blank=True)
    # High-risk matters are excluded from 告知承诺制 (国办发〔2020〕42号).
    high_risk = models.BooleanField("高风险事项", default=False)
    themes = models.ManyToManyField(Theme, blank=True, related_name="items")

    class Meta:
        ordering = ["catalog_code"]
        verbose_name = "基本目录事项"
        verbose_name_plural = "基本目录事项"

    def __str__(self) -> str:
        return f"{self.catalog_code} {self.name}"


class ItemImplementation(models.Model):
    """实施清单事项: one department's implementation of a baseline item in one region."""

    task_code = models.CharField("实施编码", max_length=31, unique=True)
    baseline = models.ForeignKey(
        BaselineItem, on_delete=models.PROTECT, related_name="implementations"
    )
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="implementations"
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    use_level = models.CharField("行使层级", max_length=16, choices=RegionLevel.choices)
    # The published version in force today; maintained by the publish service and the
    # daily refresh job (a version may be published with a future valid_from).
    current_version = models.ForeignKey(
        "ItemVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task_code"]
        verbose_name = "实施清单事项"
        verbose_name_plural = "实施清单事项"
        constraints = [
            models.UniqueConstraint(
                fields=["baseline", "department"], name="uniq_impl_per_department"
            )
        ]

    def __str__(self) -> str:
        return self.task_code


class ItemVersion(models.Model):
    """The full element set of one implementation at one time."""

    implementation = models.ForeignKey(
        ItemImplementation, on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveIntegerField("版本号")
    status = models.CharField(
        "状态", max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("失效日期", null=True, blank=True)  # exclusive
    change_note = models.TextField("变更说明", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # 基本信息
    name = models.CharField("事项名称", max_length=200)
    aliases = models.CharField("别名", max_length=300, blank=True)  # comma-separated
    summary = models.TextField("事项说明", blank=True)
    legal_basis = models.TextField("设定依据", blank=True)
    kind = models.CharField("办件类型", max_length=16, choices=ItemKind.choices)
    for_person = models.BooleanField("服务对象：自然人", default=True)
    for_organisation = models.BooleanField("服务对象：法人", default=False)
    entrusted_department = models.CharField("受委托部门", max_length=128, blank=True)
    joint_departments = models.CharField("联办机构", max_length=300, blank=True)

    # The seven elements unified for 跨省通办 (with time limits and fees below).
    accept_condition = models.TextField("申请条件", blank=True)
    application_methods = models.CharField("申报方式", max_length=300, blank=True)
    acceptance_mode = models.CharField("受理模式", max_length=300, blank=True)
    review_procedure = models.TextField("审核程序", blank=True)
    issuing_method = models.CharField("发证方式", max_length=300, blank=True)

    # Time limits, in working days.
    statutory_days = models.PositiveSmallIntegerField("法定时限（工作日）")
    promised_days = models.PositiveSmallIntegerField("承诺时限（工作日）")
    handle_flow = models.TextField("办理流程说明", blank=True)

    # Visits and online service.
    max_visits = models.PositiveSmallIntegerField("到办事现场次数", default=1)
    visits_reason = models.CharField("必须现场办理原因", max_length=300, blank=True)
    online_depth = models.PositiveSmallIntegerField(
        "网办深度", choices=OnlineDepth.choices, default=OnlineDepth.PRE_REVIEW
    )
    is_online = models.BooleanField("支持网上办理", default=False)
    is_express = models.BooleanField("支持物流快递", default=False)
    is_pay_online = models.BooleanField("支持网上支付", default=False)
    is_schedule = models.BooleanField("支持预约办理", default=False)

    # Place, hours, contact.
    transact_addr = models.CharField("办理地点", max_length=300, blank=True)
    transact_time = models.CharField("办理时间", max_length=300, blank=True)
    consult_phone = models.CharField("咨询方式", max_length=200, blank=True)
    complaint_phone = models.CharField("监督投诉方式", max_length=200, blank=True)
    service_promise = models.TextField("服务承诺", blank=True)

    # Fees.
    is_fee = models.BooleanField("是否收费", default=False)
    fee_basis = models.TextField("收费依据", blank=True)

    # Result.
    result_name = models.CharField("审批结果名称", max_length=200, blank=True)
    result_type = models.CharField(
        "审批结果类型", max_length=32, choices=ResultType.choices, default=ResultType.OTHER
    )
    # GB/T 36904 licence type code (21 chars) when the result is an e-licence.
    result_licence_type = models.CharField("结果证照类型代码", max_length=32, blank=True)

    # 通办 scope and modes.
    scope = models.CharField("通办范围", max_length=32, choices=Scope.choices, default=Scope.LOCAL)
    partner_regions = models.ManyToManyField(
        "regions.Region", blank=True, related_name="+", verbose_name="通办合作地区"
    )
    mode_fully_online = models.BooleanField("全程网办", default=False)
    mode_proxy_intake = models.BooleanField("异地代收代办", default=False)
    mode_joint = models.BooleanField("多地联办", default=False)

    # 告知承诺制 / 容缺受理.
    allows_commitment = models.BooleanField("允许告知承诺", default=False)
    allows_deferral = models.BooleanField("允许容缺受理", default=False)

    class Meta:
        ordering = ["implementation_id", "version"]
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"
        constraints = [
            models.UniqueConstraint(fields=["implementation", "version"], name="uniq_item_version"),
            models.CheckConstraint(
                condition=models.Q(promised_days__lte=models.F("statutory_days")),
                name="promised_within_statutory",
            ),
        ]
        indexes = [models.Index(fields=["implementation", "status", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def modes(self) -> list[str]:
        return flags_on(self, MODE_FIELDS)


class MaterialRequirement(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("材料名称", max_length=200)
    is_required = models.BooleanField("必要性", default=True)
    material_format = models.CharField(
        "材料形式", max_length=16, choices=MaterialFormat.choices, default=MaterialFormat.BOTH
    )
    copies = models.PositiveSmallIntegerField("份数", default=1)
    original_required = models.BooleanField("需核验原件", default=False)
    acceptance_standard = models.TextField("受理标准", blank=True)
    legal_basis = models.TextField("设定依据", blank=True)
    source = models.CharField(
        "材料来源", max_length=16, choices=MaterialSource.choices, default=MaterialSource.APPLICANT
    )
    licence_type_code = models.CharField("电子证照类型代码", max_length=32, blank=True)
    data_item = models.CharField("共享数据项", max_length=128, blank=True)
    fill_explain = models.TextField("填报须知", blank=True)
    deferrable = models.BooleanField("可容缺", default=False)
    blank_form = models.FileField("空白表格", upload_to="catalog/forms/", blank=True)
    sample = models.FileField("示例样表", upload_to="catalog/samples/", blank=True)

    class Meta:
        ordering = ["version_id", "position"]
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="uniq_material_pos"),
            models.UniqueConstraint(fields=["version", "name"], name="uniq_material_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("环节名称", max_length=100)
    role = models.CharField("办理角色", max_length=32)  # accounts.Role value
    days = models.PositiveSmallIntegerField("环节时限（工作日）", default=0)
    counted_in_limit = models.BooleanField("计入办理时限", default=True)
    review_points = models.TextField("审查要点", blank=True)

    class Meta:
        ordering = ["version_id", "position"]
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="uniq_step_pos"),
        ]

    def __str__(self) -> str:
        return self.name


class SpecialProcedure(models.Model):
    """特殊环节 (听证, 检验检测, 专家评审 …): the case clock pauses unless counted."""

    version = models.ForeignKey(
        ItemVersion, on_delete=models.CASCADE, related_name="special_procedures"
    )
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("特殊环节名称", max_length=100)
    days = models.PositiveSmallIntegerField("时限（工作日）", default=0)
    legal_basis = models.TextField("设定依据", blank=True)
    counted_in_limit = models.BooleanField("计入办理时限", default=False)

    class Meta:
        ordering = ["version_id", "position"]
        verbose_name = "特殊环节"
        verbose_name_plural = "特殊环节"


class FeeItem(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("收费项目", max_length=200)
    standard = models.CharField("收费标准", max_length=300)
    legal_basis = models.TextField("收费依据", blank=True)
    reducible = models.BooleanField("可减免", default=False)

    class Meta:
        ordering = ["version_id", "position"]
        verbose_name = "收费项目"
        verbose_name_plural = "收费项目"


class HandlingVariant(models.Model):
    """业务办理项: new / change / renew / cancel variants (code = 实施编码 + 2 digits)."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="variants")
    code = models.CharField("业务办理项编码", max_length=33)
    kind = models.CharField("类别", max_length=16, choices=VariantKind.choices)
    name = models.CharField("名称", max_length=200)

    class Meta:
        ordering = ["version_id", "code"]
        verbose_name = "业务办理项"
        verbose_name_plural = "业务办理项"
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_variant")]


class FAQ(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="faqs")
    position = models.PositiveSmallIntegerField("序号")
    question = models.CharField("问题", max_length=300)
    answer = models.TextField("解答")

    class Meta:
        ordering = ["version_id", "position"]
        verbose_name = "常见问题"
        verbose_name_plural = "常见问题"
