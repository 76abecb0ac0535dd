"""People, roles, departments, service centres and windows."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from tongban.regions.models import RegionLevel


class Role(models.TextChoices):
    APPLICANT = "applicant", "申请人"
    CLERK = "clerk", "窗口人员"
    REVIEWER = "reviewer", "审查人员"
    APPROVER = "approver", "审批人员"
    SUPERVISOR = "supervisor", "监察人员"
    CATALOG_ADMIN = "catalog_admin", "事项管理员"
    NODE_ADMIN = "node_admin", "节点管理员"


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=64, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    # Real-name identity of an applicant (GB 11643), validated by the service layer.
    id_number = models.CharField("公民身份号码", max_length=18, blank=True, db_index=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


class Department(models.Model):
    """An authority that implements items (实施机关), identified by its 统一社会信用代码."""

    name = models.CharField("名称", max_length=128)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    level = models.CharField("行使层级", max_length=16, choices=RegionLevel.choices)
    phone = models.CharField("咨询电话", max_length=64, blank=True)

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = "部门"
        verbose_name_plural = "部门"

    def __str__(self) -> str:
        return self.name


class ServiceCenter(models.Model):
    name = models.CharField("名称", max_length=128)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("地址", max_length=256, blank=True)
    hours = models.CharField("办公时间", max_length=256, blank=True)
    phone = models.CharField("咨询电话", max_length=64, blank=True)

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = "政务服务中心"
        verbose_name_plural = "政务服务中心"

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    center = models.ForeignKey(ServiceCenter, on_delete=models.PROTECT, related_name="windows")
    name = models.CharField("名称", max_length=128)
    number = models.CharField("窗口号", max_length=16, blank=True)
    is_cross_region = models.BooleanField("通办专窗", default=False)

    class Meta:
        ordering = ["center_id", "number"]
        verbose_name = "窗口"
        verbose_name_plural = "窗口"

    def __str__(self) -> str:
        return f"{self.center.name} {self.number} {self.name}".strip()

    @property
    def region_id(self) -> str:
        return self.center.region_id


class RoleGrant(models.Model):
    """A role held by a user within a region (and everything inside it).

    Staff roles may also be tied to a department or a window; a catalogue
    administrator of 长治市 (140400) may edit items of 长治 and its counties only.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region", "department", "window"], name="uniq_role_grant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()} @ {self.region_id}"
