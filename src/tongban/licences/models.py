"""E-licences (电子证照): types, licences, their history, serials and the use log.

A licence's status changes only through ``services.licence_operate`` (or, for renew and
change, ``services.licence_new_version``), which appends a ``LicenceEvent``; events are
never updated or deleted. ``signed_data`` is the exact text whose UTF-8 bytes were signed
(canonical JSON of ``payload``): verification checks the signature over it and compares
the payload it carries with the columns, so a changed column shows up as ``tampered``.
"""

from __future__ import annotations

from django.db import models

from tongban.licences.transitions import LicenceStatus


class HolderCodeType(models.TextChoices):
    ID_NUMBER = "111", "居民身份证号"
    USCC = "001", "统一社会信用代码"


class LicenceType(models.Model):
    """证照类型 (GB/T 36904): code = defining authority's USCC + 3-digit serial."""

    code = models.CharField("证照类型代码", max_length=21, unique=True)
    name = models.CharField("证照类型名称", max_length=128)
    authority_name = models.CharField("定义机构", max_length=128, blank=True)
    holder_kind = models.CharField(
        "持证主体类型", max_length=3, choices=HolderCodeType.choices, default="111"
    )
    # [{"key": "...", "label": "..."}]: the licence's own fields, in display order.
    field_schema = models.JSONField("字段定义", default=list, blank=True)
    allows_multiple = models.BooleanField("允许同一持证主体多个有效证照", default=False)
    # Years of validity from the issue date; null = long-term (长期).
    validity_years = models.PositiveSmallIntegerField("有效期（年）", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "证照类型"
        verbose_name_plural = "证照类型"

    def __str__(self) -> str:
        return self.name


class LicenceSerial(models.Model):
    """The last serial issued per (type, issuer); serials are never reused."""

    type_code = models.CharField(max_length=21)
    issuer_code = models.CharField(max_length=18)
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["type_code", "issuer_code"], name="uniq_lic_serial")
        ]


class Licence(models.Model):
    identifier = models.CharField("电子证照标识", max_length=80, unique=True)
    type = models.ForeignKey(LicenceType, on_delete=models.PROTECT, related_name="licences")
    number = models.CharField("证照编号", max_length=64)
    serial = models.CharField(max_length=20)
    version = models.PositiveSmallIntegerField(default=1)
    issuer_code = models.CharField("颁发机构代码", max_length=18)
    issuer_name = models.CharField("颁发机构", max_length=128)
    region_code = models.CharField("行政区划", max_length=12, blank=True)
    holder_name = models.CharField("持证主体", max_length=128)
    holder_code_type = models.CharField(max_length=3, choices=HolderCodeType.choices)
    holder_code = models.CharField("持证主体代码", max_length=18)
    issue_date = models.DateField("颁证日期")
    valid_from = models.DateField("有效期起")
    valid_to = models.DateField("有效期止", null=True, blank=True)  # inclusive; null = 长期
    fields = models.JSONField("照面信息", default=dict, blank=True)
    status = models.CharField(
        max_length=16, choices=LicenceStatus.choices, default=LicenceStatus.VALID
    )
    status_reason = models.CharField(max_length=300, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    predecessor = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="successor"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="licences"
    )
    # "type|holder type|holder code" while valid and the type allows one instance; the
    # unique index makes the one-valid-instance rule hold under concurrency.
    exclusive_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    # The signature of the issuing node.
    issuer_node = models.CharField("签发节点", max_length=64)
    key_fingerprint = models.CharField(max_length=16)
    signature_alg = models.CharField(max_length=16)
    payload = models.JSONField()
    signed_data = models.TextField(blank=True, default="")  # canonical JSON, as signed
    signature = models.TextField()  # base64

    pdf = models.FileField(upload_to="licences/%Y/%m/", blank=True)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issue_date", "-id"]
        verbose_name = "电子证照"
        verbose_name_plural = "电子证照"
        indexes = [
            models.Index(fields=["holder_code", "type", "status"]),
            models.Index(fields=["status", "valid_to"]),
        ]

    def __str__(self) -> str:
        return f"{self.type.name} {self.number}"


class LicenceEvent(models.Model):
    """One line of a licence's history. Append-only."""

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="events")
    operation = models.CharField(max_length=16)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor_name = models.CharField(max_length=128)
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["licence_id", "at", "id"]


class LicenceUse(models.Model):
    """用证记录: who used which licence (or shared data item), for what, when — shown to
    the holder. Uses by other nodes are logged on the issuing node by the evidence
    answer; ``requester_node`` says which node asked."""

    licence = models.ForeignKey(
        Licence, null=True, blank=True, on_delete=models.PROTECT, related_name="uses"
    )
    licence_identifier = models.CharField(max_length=80, blank=True)
    data_item = models.CharField("数据项", max_length=128, blank=True)
    holder_code = models.CharField(max_length=18, db_index=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case_ref = models.CharField("办件", max_length=64, blank=True)  # number, or remote ref
    department_name = models.CharField("使用部门", max_length=128, blank=True)
    requester_node = models.CharField("使用节点", max_length=64)
    purpose = models.CharField("用途", max_length=200)
    consented = models.BooleanField("持证人已授权", default=False)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["holder_code", "at"])]
