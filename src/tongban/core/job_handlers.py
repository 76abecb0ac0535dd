"""Background job handlers of the core app, and the schedule of periodic jobs.

The worker imports every app's ``job_handlers`` module; handlers import the services
they call inside the function so that loading this module stays cheap.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tongban.core.jobs import Daily, Every, Periodic, job_handler

# Periodic jobs: (handler, when). Each due run is queued once per period.
PERIODIC: list[Periodic] = [
    Periodic("catalog.refresh_current", Daily(0, 5, "Asia/Shanghai")),
    Periodic("core.prune_jobs", Daily(3, 30, "Asia/Shanghai")),
    Periodic("licences.expire_due", Daily(0, 10, "Asia/Shanghai")),
    Periodic("supervision.scan", Daily(6, 30, "Asia/Shanghai")),
    Periodic("supervision.monthly_report", Daily(1, 15, "Asia/Shanghai")),
    Periodic("federation.sweep", Every(30)),
    Periodic("federation.prune_log", Daily(3, 45, "Asia/Shanghai")),
]

# Finished jobs are kept this long for inspection in the admin.
DONE_JOBS_KEPT = timedelta(days=30)


@job_handler("catalog.refresh_current")
def catalog_refresh_current(payload: dict[str, Any]) -> None:
    """Versions whose validity starts or ends today take effect (daily at 00:05)."""
    from tongban.catalog.services import catalog_refresh_all

    catalog_refresh_all()


@job_handler("core.prune_jobs")
def prune_jobs(payload: dict[str, Any]) -> None:
    from tongban.core.jobs import jobs_prune

    jobs_prune(older_than=DONE_JOBS_KEPT)
