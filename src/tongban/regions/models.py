"""GB/T 2260 administrative divisions."""

from __future__ import annotations

from django.db import models


class RegionLevel(models.TextChoices):
    """行政层级; also the 行使层级 of an item. ``digit`` is the 1-character code used
    inside a 31-character 实施编码."""

    NATIONAL = "national", "国家级"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡级"
    VILLAGE = "village", "村级"

    @property
    def digit(self) -> str:
        return LEVEL_DIGITS[self.value]

    @classmethod
    def from_digit(cls, digit: str) -> RegionLevel:
        for value, d in LEVEL_DIGITS.items():
            if d == digit:
                return cls(value)
        raise ValueError(digit)


LEVEL_DIGITS = {
    "national": "1",
    "province": "2",
    "city": "3",
    "county": "4",
    "township": "5",
    "village": "6",
}


class Region(models.Model):
    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=64)
    full_name = models.CharField("全称", max_length=128, db_index=True)
    level = models.CharField("层级", max_length=16, choices=RegionLevel.choices)
    kind = models.CharField("类型", max_length=16, blank=True)  # 地级市, 自治州, 市辖区, 县 ...
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    province_code = models.CharField(max_length=12, db_index=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return self.full_name
