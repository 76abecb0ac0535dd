"""API output of the "五统一" conformance report (see tongban.catalog.conformance)."""

from __future__ import annotations

from ninja import Schema

from tongban.catalog.conformance import ITEM_TYPE_LABELS
from tongban.catalog.conformance_types import ItemConformance, RegionColumn, RegionScore


class RegionColumnOut(Schema):
    region_code: str
    region_name: str
    region_full_name: str
    task_code: str
    department_name: str
    version: int
    label: str

    @staticmethod
    def of(c: RegionColumn) -> RegionColumnOut:
        return RegionColumnOut(
            region_code=c.region_code,
            region_name=c.region_name,
            region_full_name=c.region_full_name,
            task_code=c.task_code,
            department_name=c.department_name,
            version=c.version,
            label=c.label,
        )


class CellOut(Schema):
    region_code: str
    task_code: str
    value_display: str
    conforms: bool
    detail: str


class DimensionOut(Schema):
    key: str
    label: str
    reference_display: str
    differences: int
    cells: list[CellOut]


class ItemSummaryOut(Schema):
    catalog_code: str
    name: str
    item_type: str
    item_type_label: str
    score: float | None
    comparable: bool
    note: str
    region_count: int
    implementation_count: int
    differences: int
    worst_dimension: str | None
    worst_dimension_label: str | None

    @staticmethod
    def of(i: ItemConformance) -> ItemSummaryOut:
        worst = i.worst_dimension
        return ItemSummaryOut(
            catalog_code=i.catalog_code,
            name=i.name,
            item_type=i.item_type,
            item_type_label=ITEM_TYPE_LABELS.get(i.item_type, i.item_type),
            score=i.score,
            comparable=i.comparable,
            note=i.note,
            region_count=i.region_count,
            implementation_count=len(i.regions),
            differences=i.differences,
            worst_dimension=worst.key if worst else None,
            worst_dimension_label=worst.label if worst else None,
        )


class ItemConformanceOut(ItemSummaryOut):
    regions: list[RegionColumnOut]
    dimensions: list[DimensionOut]

    @staticmethod
    def of(i: ItemConformance) -> ItemConformanceOut:
        summary = ItemSummaryOut.of(i)
        return ItemConformanceOut(
            **summary.dict(),
            regions=[RegionColumnOut.of(c) for c in i.regions],
            dimensions=[
                DimensionOut(
                    key=d.key,
                    label=d.label,
                    reference_display=d.reference_display,
                    differences=d.differences,
                    cells=[
                        CellOut(
                            region_code=c.region_code,
                            task_code=c.task_code,
                            value_display=c.value_display,
                            conforms=c.conforms,
                            detail=c.detail,
                        )
                        for c in d.cells
                    ],
                )
                for d in i.dimensions
            ],
        )


class RegionScoreOut(Schema):
    region_code: str
    region_name: str
    score: float
    items_compared: int
    differences: int

    @staticmethod
    def of(s: RegionScore) -> RegionScoreOut:
        return RegionScoreOut(
            region_code=s.region_code,
            region_name=s.region_name,
            score=s.score,
            items_compared=s.items_compared,
            differences=s.differences,
        )
