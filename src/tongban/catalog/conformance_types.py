"""Plain records of the "五统一" conformance check (see tongban.catalog.conformance): what
the comparison reads of each implementation's version in force, and the matrix it returns."""

from __future__ import annotations

from dataclasses import dataclass

NOT_COMPARABLE = "仅一地实施，无法比对"
NOT_IMPLEMENTED = "尚无地区实施"


# --- plain input --------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialFact:
    name: str
    is_required: bool = True
    copies: int = 1
    acceptance_standard: str = ""


@dataclass(frozen=True)
class StepFact:
    name: str
    role: str
    review_points: str = ""


@dataclass(frozen=True)
class FeeFact:
    name: str
    standard: str


@dataclass(frozen=True)
class VersionFacts:
    """What the comparison needs of one implementation's version in force."""

    region_code: str
    region_name: str
    name: str
    statutory_days: int
    promised_days: int
    task_code: str = ""
    department_name: str = ""
    version: int = 1
    region_full_name: str = ""
    accept_condition: str = ""
    application_methods: str = ""
    acceptance_mode: str = ""
    review_procedure: str = ""
    issuing_method: str = ""
    is_fee: bool = False
    materials: tuple[MaterialFact, ...] = ()
    steps: tuple[StepFact, ...] = ()
    fees: tuple[FeeFact, ...] = ()


# --- output -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionColumn:
    region_code: str
    region_name: str
    region_full_name: str
    task_code: str
    department_name: str
    version: int
    label: str  # region name, plus the department when the region has several columns


@dataclass(frozen=True)
class Cell:
    region_code: str
    task_code: str
    value_display: str
    conforms: bool
    detail: str  # Chinese description of the difference ("" when it conforms)


@dataclass(frozen=True)
class DimensionRow:
    key: str
    label: str
    reference_display: str
    cells: list[Cell]

    @property
    def differences(self) -> int:
        return sum(not c.conforms for c in self.cells)


@dataclass(frozen=True)
class ItemConformance:
    catalog_code: str
    name: str
    item_type: str
    score: float | None  # None when not comparable
    regions: list[RegionColumn]
    dimensions: list[DimensionRow]

    @property
    def comparable(self) -> bool:
        return len(self.regions) >= 2

    @property
    def note(self) -> str:
        if self.comparable:
            return ""
        return NOT_COMPARABLE if self.regions else NOT_IMPLEMENTED

    @property
    def differences(self) -> int:
        return sum(d.differences for d in self.dimensions)

    @property
    def worst_dimension(self) -> DimensionRow | None:
        """The dimension with the most differing regions (first in table order on ties)."""
        worst = max(self.dimensions, key=lambda d: d.differences, default=None)
        return worst if worst is not None and worst.differences else None

    @property
    def region_count(self) -> int:
        return len({r.region_code for r in self.regions})


@dataclass(frozen=True)
class RegionScore:
    region_code: str
    region_name: str
    score: float
    items_compared: int
    differences: int
