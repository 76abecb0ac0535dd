"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tongban.config import CONFIG


def site(request: HttpRequest) -> dict[str, Any]:
    roles: set[str] = set()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from tongban.accounts.services import user_roles

        roles = user_roles(user)
    out: dict[str, Any] = {"demo_mode": CONFIG.demo_mode, "user_roles": roles}
    if "node_admin" in roles:
        # The node administrator sees waiting dead letters on every page (one indexed
        # count), not only in the alert they were sent.
        from tongban.federation.selectors import dead_letter_count

        out["dead_letters"] = dead_letter_count()
    return out
