"""Writes the demo needs that no domain service offers yet: browse themes (reference
data) and the Django-admin superuser. Both are idempotent and never overwrite rows an
administrator may have edited."""

from __future__ import annotations

from django.db import transaction

from tongban.accounts.models import User
from tongban.catalog.models import Theme, ThemeAudience

# (code, name, audience): personal life events, then a company's life cycle.
THEMES: tuple[tuple[str, str, str], ...] = (
    ("birth", "出生", ThemeAudience.PERSON),
    ("school", "上学", ThemeAudience.PERSON),
    ("employment", "就业", ThemeAudience.PERSON),
    ("family", "婚育", ThemeAudience.PERSON),
    ("housing", "住房", ThemeAudience.PERSON),
    ("medical", "医疗", ThemeAudience.PERSON),
    ("social_security", "社保", ThemeAudience.PERSON),
    ("household", "户籍", ThemeAudience.PERSON),
    ("driving", "出行驾驶", ThemeAudience.PERSON),
    ("retirement", "退休", ThemeAudience.PERSON),
    ("startup", "开办企业", ThemeAudience.ORGANISATION),
    ("licensing", "经营许可", ThemeAudience.ORGANISATION),
    ("change", "变更", ThemeAudience.ORGANISATION),
    ("closure", "注销", ThemeAudience.ORGANISATION),
    ("property", "不动产", ThemeAudience.ORGANISATION),
    ("environment", "环保", ThemeAudience.ORGANISATION),
)


@transaction.atomic
def themes_ensure() -> int:
    """Create the missing themes; returns how many were created."""
    existing = set(Theme.objects.values_list("code", flat=True))
    new = [
        Theme(code=code, name=name, audience=audience, position=i)
        for i, (code, name, audience) in enumerate(THEMES, start=1)
        if code not in existing
    ]
    Theme.objects.bulk_create(new)
    return len(new)


def superuser_ensure(*, username: str, password: str, display_name: str) -> bool:
    """Create a Django-admin superuser unless the username exists; True if created."""
    if User.objects.filter(username=username).exists():
        return False
    User.objects.create_superuser(
        username=username, password=password, email="", display_name=display_name
    )
    return True
