"""What a demo seed run made: the accounts to print and the counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from tongban.accounts.models import Department, ServiceCenter, Window
from tongban.demo.people import DEMO_PASSWORD, SUPERUSER


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    region_code: str
    region_label: str
    display_name: str
    place: str  # department or window the account works at ("" for citizens)


@dataclass
class SeededOrgs:
    departments: dict[tuple[str, str], Department] = field(default_factory=dict)
    centres: dict[str, ServiceCenter] = field(default_factory=dict)
    cross_windows: dict[str, Window] = field(default_factory=dict)


@dataclass
class DemoSummary:
    created: dict[str, int]  # what this run created (all zero on a second run)
    totals: dict[str, int]  # what the database holds now
    accounts: list[DemoAccount]
    seconds: float
    password: str = DEMO_PASSWORD
    superuser: str = SUPERUSER

    @property
    def changed(self) -> bool:
        return any(self.created.values())
