"""Routes (see module name); registered in tongban.api."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["catalog"])
