"""Routes for the catalogue. (Search and item routes are filled in by the catalogue work.)"""

from __future__ import annotations

from ninja import Router

router = Router(tags=["catalog"])
