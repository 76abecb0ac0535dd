"""Who is acting. Services take ``actor``: a user, or ``SYSTEM`` for trusted internal
callers (the CLI, the demo seed, background jobs). ``SYSTEM`` is explicit so that a
forgotten argument can never bypass an authorisation check."""

from __future__ import annotations

from typing import Any, Final


class SystemActor:
    is_authenticated = True
    is_superuser = True
    username = "system"
    pk = None

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = SystemActor()

Actor = Any  # a tongban.accounts.models.User, AnonymousUser, or SYSTEM
