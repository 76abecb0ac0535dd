"""Cooperation agreements (合作协议) between regions, with the window rights they grant."""

from __future__ import annotations

from django.db import models

from tongban.catalog.models.items import MODE_FIELDS, BaselineItem, Scope, flags_on


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "草拟"
    ACTIVE = "active", "生效"
    SUSPENDED = "suspended", "暂停"
    TERMINATED = "terminated", "终止"


class WindowRight(models.TextChoices):
    RECEIVE = "receive", "收件受理权"
    NOTIFY = "notify", "一次性告知权"
    VERIFY_ORIGINAL = "verify_original", "原件核验权"
    DELIVER_RESULT = "deliver_result", "审批结果送达权"


# Each window right and the boolean field that grants it.
RIGHT_FIELDS: dict[str, str] = {
    WindowRight.RECEIVE: "right_receive",
    WindowRight.NOTIFY: "right_notify",
    WindowRight.VERIFY_ORIGINAL: "right_verify_original",
    WindowRight.DELIVER_RESULT: "right_deliver_result",
}


class Agreement(models.Model):
    """合作协议: regions agreeing to take in each other's items, with window rights."""

    name = models.CharField("协议名称", max_length=200)
    scope = models.CharField("通办范围", max_length=32, choices=Scope.choices)
    status = models.CharField(
        "状态", max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)  # exclusive
    signed_at = models.DateField("签署日期", null=True, blank=True)
    parties = models.ManyToManyField("regions.Region", related_name="+", verbose_name="协议地区")
    # The window rights each party grants the others' windows.
    right_receive = models.BooleanField("收件受理权", default=True)
    right_notify = models.BooleanField("一次性告知权", default=True)
    right_verify_original = models.BooleanField("原件核验权", default=False)
    right_deliver_result = models.BooleanField("审批结果送达权", default=False)
    mode_fully_online = models.BooleanField("全程网办", default=False)
    mode_proxy_intake = models.BooleanField("异地代收代办", default=True)
    mode_joint = models.BooleanField("多地联办", default=False)
    notes = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "name"]
        verbose_name = "合作协议"
        verbose_name_plural = "合作协议"

    def __str__(self) -> str:
        return self.name

    @property
    def rights(self) -> list[str]:
        return flags_on(self, RIGHT_FIELDS)

    @property
    def modes(self) -> list[str]:
        return flags_on(self, MODE_FIELDS)


class AgreementItem(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="items")
    baseline = models.ForeignKey(BaselineItem, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "协议事项"
        verbose_name_plural = "协议事项"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "baseline"], name="uniq_agreement_item")
        ]
