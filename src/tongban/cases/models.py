"""Cases (办件): one application and everything that follows.

A case points at the immutable ``ItemVersion`` it was opened under (its snapshot of
materials, steps and limits) and copies the few figures queried all the time (limits,
kind) onto itself. Its status changes only through ``services.case_transition``, which
appends a ``CaseEvent``; events are never updated or deleted.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Case as DbCase
from django.db.models import F, Q, Value, When
from django.db.models.functions import Coalesce

from tongban.cases.transitions import OPEN, PAUSED, CaseStatus


def inbox_paused_rank() -> DbCase:
    """0 while the clock runs, 1 while paused. Sorted lists keep the SQL identical from
    process to process (frozenset order depends on the hash seed), so the database
    recognises the inbox index's expression."""
    return DbCase(When(status__in=sorted(s.value for s in PAUSED), then=Value(1)), default=Value(0))


def inbox_due() -> Coalesce:
    """The deadline running now: 承诺办结时间 once accepted, 受理期限 before."""
    return Coalesce("promised_deadline", "acceptance_deadline")


class Channel(models.TextChoices):
    PC = "pc", "PC 端"
    MOBILE = "mobile", "移动端"
    WINDOW = "window", "窗口"
    KIOSK = "kiosk", "自助终端"
    HOTLINE = "hotline", "热线"


class CaseMode(models.TextChoices):
    LOCAL = "local", "本地办理"
    FULLY_ONLINE = "fully_online", "全程网办"
    PROXY_INTAKE = "proxy_intake", "异地代收代办"
    JOINT = "joint", "多地联办"


class ApplicantKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANISATION = "organisation", "法人"


class Delivery(models.TextChoices):
    POST = "post", "邮寄"
    PICKUP = "pickup", "窗口自取"
    ELECTRONIC = "electronic", "电子送达"


class CaseNumberSequence(models.Model):
    """The last serial issued per implementation per day; serials are never reused."""

    task_code = models.CharField(max_length=31)
    day = models.DateField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task_code", "day"], name="uniq_case_seq_day")
        ]


class Case(models.Model):
    case_number = models.CharField("办件编号", max_length=43, unique=True, null=True, blank=True)
    idempotency_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    implementation = models.ForeignKey(
        "catalog.ItemImplementation", on_delete=models.PROTECT, related_name="cases"
    )
    version = models.ForeignKey("catalog.ItemVersion", on_delete=models.PROTECT, related_name="+")
    item_name = models.CharField("事项名称", max_length=200)
    item_kind = models.CharField(max_length=16)  # ItemKind snapshot
    statutory_days = models.PositiveSmallIntegerField()
    promised_days = models.PositiveSmallIntegerField()

    # Applicant and agent.
    applicant_kind = models.CharField(max_length=16, choices=ApplicantKind.choices)
    applicant_name = models.CharField("申请人", max_length=128)
    applicant_code = models.CharField("证件号码", max_length=18, db_index=True)
    applicant_phone = models.CharField("联系电话", max_length=20, blank=True)
    applicant_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    agent_name = models.CharField("代理人", max_length=64, blank=True)
    agent_id_number = models.CharField("代理人身份证号", max_length=18, blank=True)

    # Where it came in and who decides.
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    mode = models.CharField("通办模式", max_length=16, choices=CaseMode.choices)
    intake_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    intake_window = models.ForeignKey(
        "accounts.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    intake_clerk = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handling_department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="cases"
    )
    handling_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+"
    )
    form_data = models.JSONField("表单数据", default=dict, blank=True)
    delivery = models.CharField(
        "送达方式", max_length=16, choices=Delivery.choices, default=Delivery.ELECTRONIC
    )
    delivery_address = models.CharField("送达地址", max_length=300, blank=True)

    # Status and its timestamps.
    status = models.CharField(max_length=24, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    paused_from = models.CharField(max_length=24, blank=True)  # status a pause returns to
    revision = models.PositiveIntegerField(default=0)  # bumped on every change (conflicts)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    result_issued_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # Deadlines, computed when set and stored (never recomputed on read).
    accepted_on = models.DateField("受理日期", null=True, blank=True)  # counting starts after it
    acceptance_deadline = models.DateField("受理期限", null=True, blank=True)
    promised_deadline = models.DateField("承诺办结时间", null=True, blank=True)
    statutory_deadline = models.DateField("法定办结时间", null=True, blank=True)
    paused_working_days = models.PositiveSmallIntegerField(default=0)
    # Set when a deadline would fall in a year the working-day calendar does not know.
    deadline_unknown = models.BooleanField("期限无法计算", default=False)

    # Result.
    result_name = models.CharField("结果名称", max_length=200, blank=True)
    result_number = models.CharField("证照/文书编号", max_length=128, blank=True)
    result_note = models.TextField("结果说明", blank=True)
    exempted_materials = models.PositiveSmallIntegerField("免提交材料数", default=0)
    # A proxy case whose paper originals must still be posted to the deciding department:
    # set at intake when a material's original is required, cleared by the originals
    # shipment (services_materials.shipment_send). Serves the clerk's 待寄送原件 queue
    # without joining every material of the window's cases.
    originals_pending = models.BooleanField("待寄送原件", default=False)

    # Across nodes (docs/adr/0010-cases-across-nodes.md). A record this node decides for
    # an application taken in on another node names that node in ``handled_for_node``
    # (it is never counted here); both sides name their counterpart in ``remote_node`` +
    # ``remote_case_number``. Blank on a classic single node.
    handled_for_node = models.CharField("代办节点", max_length=64, blank=True)
    remote_node = models.CharField("对端节点", max_length=64, blank=True)
    remote_case_number = models.CharField("对端办件编号", max_length=43, blank=True)
    # 多地联办: a part (sub-case) points at the application it belongs to.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="parts"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "办件"
        verbose_name_plural = "办件"
        indexes = [
            models.Index(fields=["handling_department", "status", "promised_deadline"]),
            models.Index(fields=["intake_window", "status", "id"]),
            models.Index(fields=["applicant_user", "created_at"]),
            models.Index(fields=["status", "promised_deadline"]),
            models.Index(fields=["handling_region", "status"]),
            models.Index(fields=["handling_department", "promised_deadline", "id"]),
            # Deadline lists across departments (supervisors, the API) in cursor order:
            # read in order, a page stops after its rows instead of sorting a month.
            models.Index(fields=["promised_deadline", "id"], name="case_deadline_id_idx"),
            models.Index(fields=["intake_window", "created_at"]),
            models.Index(fields=["intake_window", "promised_deadline", "id"]),
            models.Index(fields=["remote_node", "remote_case_number"]),
            models.Index(
                F("handling_department"),
                inbox_paused_rank(),
                inbox_due(),
                F("id"),
                condition=Q(status__in=sorted(s.value for s in OPEN)),
                name="case_inbox_idx",
            ),
            # The clerk's 待寄送原件 and 待交付结果 queues (selectors.clerk_queues): small
            # partial indexes in the order each queue is read.
            models.Index(
                fields=["intake_window", "id"],
                condition=Q(originals_pending=True, status__in=sorted(s.value for s in OPEN)),
                name="case_originals_pending_idx",
            ),
            models.Index(
                fields=["intake_window", "result_issued_at", "id"],
                condition=Q(status=CaseStatus.RESULT_ISSUED),
                name="case_results_to_hand_over_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.case_number or f"草稿 #{self.pk}"


class MaterialStatus(models.TextChoices):
    MISSING = "missing", "未提交"
    PROVIDED = "provided", "已提交"
    DEFECTIVE = "defective", "需补正"
    DEFERRED = "deferred", "容缺后补"
    COMMITMENT = "commitment", "告知承诺"
    EXEMPTED = "exempted", "免提交"


class CaseMaterial(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    requirement = models.ForeignKey(
        "catalog.MaterialRequirement", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    is_required = models.BooleanField(default=True)
    status = models.CharField(
        max_length=16, choices=MaterialStatus.choices, default=MaterialStatus.MISSING
    )
    # Where an exempted material came from (licence id, data item) — filled by e-licences.
    reference = models.CharField(max_length=200, blank=True)
    defect_note = models.CharField("补正说明", max_length=300, blank=True)
    original_checked = models.BooleanField("原件已核验", default=False)

    class Meta:
        ordering = ["case_id", "requirement__position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "requirement"], name="uniq_case_material")
        ]


class CaseFile(models.Model):
    material = models.ForeignKey(CaseMaterial, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="cases/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)  # detected from the bytes
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)


class CaseEvent(models.Model):
    """One line of the case timeline. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=32, blank=True)
    actor_name = models.CharField(max_length=128, blank=True)
    at = models.DateTimeField()
    opinion = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="uniq_case_event")]


class CasePause(models.Model):
    """A span during which the clock stood still (补正, 特别程序)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(max_length=24)  # the paused status
    reason = models.TextField(blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["case_id", "started_on"]


class Shipment(models.Model):
    """Originals or results moving by post (物料流转)."""

    class Kind(models.TextChoices):
        ORIGINALS = "originals", "原件寄递"
        RESULT = "result", "结果寄递"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shipments")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    carrier = models.CharField("承运商", max_length=64)
    tracking_number = models.CharField("运单号", max_length=64)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["carrier", "tracking_number"], name="uniq_tracking")
        ]
