"""Background side of e-licences (loaded by the worker): issue on a case's approval,
render certificates, and the daily 过期失效 (scheduled in ``core.job_handlers.PERIODIC``)."""

from __future__ import annotations

from typing import Any

from tongban.core.jobs import job_handler


@job_handler("licences.issue_for_case")
def issue_for_case(payload: dict[str, Any]) -> None:
    from tongban.licences.issuing import licence_issue_for_case

    licence_issue_for_case(case_id=int(payload["case_id"]))


@job_handler("licences.render_pdf")
def render_pdf(payload: dict[str, Any]) -> None:
    from tongban.licences.issuing import licence_render_pdf

    licence_render_pdf(licence_id=int(payload["licence_id"]))


@job_handler("licences.expire_due")
def expire_due(payload: dict[str, Any]) -> None:
    from tongban.licences.services import licences_expire_due

    licences_expire_due()
