"""API schemas for agreements."""

from __future__ import annotations

from datetime import date

from ninja import Field, Schema


class AgreementIn(Schema):
    name: str
    scope: str = Field(description="cross_province / in_province / regional")
    party_codes: list[str] = Field(description="6-digit region codes of the parties (≥ 2)")
    catalog_codes: list[str] = Field(description="12-character 基本编码 of the items covered")
    valid_from: date
    valid_to: date | None = None
    rights: list[str] = Field(default=["receive", "notify"], description="WindowRight values")
    modes: list[str] = Field(default=["proxy_intake"], description="Mode values")
    status: str = "active"
    signed_at: date | None = None
    notes: str = ""


class AgreementOut(Schema):
    id: int
    name: str
    scope: str
    status: str
    valid_from: date
    valid_to: date | None
    party_codes: list[str]
    catalog_codes: list[str]
    rights: list[str]
    modes: list[str]


class StatusIn(Schema):
    status: str


class WindowRightsOut(Schema):
    allowed: bool
    local: bool
    rights: list[str]
    modes: list[str]
    agreement_ids: list[int]
    reason: str | None
