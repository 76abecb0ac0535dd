"""API input/output of e-licences."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class LicenceOut(Schema):
    identifier: str
    type_code: str
    type_name: str
    number: str
    holder_name: str
    issuer_name: str
    issuer_node: str
    issue_date: date
    valid_from: date
    valid_to: date | None
    status: str
    status_label: str
    status_reason: str
    version: int
    predecessor: str | None
    pdf_ready: bool


class VerifyOut(Schema):
    outcome: str
    label: str
    reason: str
    identifier: str
    type_name: str | None = None
    holder_name: str | None = None
    issuer_name: str | None = None
    valid_to: str | None = None


class PresentOut(Schema):
    token: str
    url: str
    expires_at: datetime


class OperationIn(Schema):
    operation: str
    reason: str = ""


class TransferInIn(Schema):
    issuer_code: str
    issuer_name: str
    issue_date: date
    reason: str
    region_code: str = ""


class UseOut(Schema):
    licence_identifier: str
    licence_type: str | None
    data_item: str
    case_ref: str
    department_name: str
    requester_node: str
    purpose: str
    consented: bool
    at: datetime


class ConsentIn(Schema):
    requirement_id: int
    licence_id: str


class ExemptIn(Schema):
    case_id: int
    consents: list[ConsentIn]


class ExemptOut(Schema):
    exempted_materials: int


class OfferOut(Schema):
    requirement_id: int
    material: str
    found: bool
    message: str
    licence_id: str | None
    type_name: str | None
