"""Writes for accounts, and the one authorisation check every service uses."""

from __future__ import annotations

from django.db import transaction

from tongban.accounts.models import Department, Role, RoleGrant, ServiceCenter, User, Window
from tongban.core.actors import Actor, SystemActor
from tongban.core.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from tongban.core.ids import validate_id_number, validate_uscc
from tongban.regions.codes import covers
from tongban.regions.models import Region, RegionLevel
from tongban.regions.selectors import region_get


def user_roles(user: User | None) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    cached: set[str] | None = getattr(user, "_tongban_roles", None)
    if cached is None:
        cached = set(user.grants.values_list("role", flat=True))
        user._tongban_roles = cached  # type: ignore[attr-defined]
    return cached


def user_region_codes(user: User | None, role: str) -> list[str]:
    """The region codes in which ``user`` holds ``role``."""
    if user is None or not user.is_authenticated:
        return []
    return list(user.grants.filter(role=role).values_list("region_id", flat=True))


def require_role(user: Actor, role: str | Role, *, region_code: str | None = None) -> None:
    """Raise unless ``user`` holds ``role`` in a region covering ``region_code``.

    Superusers pass everywhere (Django admin only). Raises NotAuthenticated for
    anonymous users, PermissionDenied(``permission_denied``) without the role and
    PermissionDenied(``region_scope``) when the role is held only elsewhere.
    """
    if isinstance(user, SystemActor):
        return
    if user is None or not user.is_authenticated:
        raise NotAuthenticated()
    if user.is_superuser:
        return
    regions = user_region_codes(user, str(role))
    if not regions:
        raise PermissionDenied("permission_denied")
    if region_code is not None and not any(covers(r, region_code) for r in regions):
        raise PermissionDenied("region_scope")


def department_create(
    *, name: str, uscc: str, region_code: str, level: str, phone: str = ""
) -> Department:
    uscc = validate_uscc(uscc, field="uscc")
    region = region_get(region_code)
    if level not in RegionLevel.values:
        raise ValidationFailed("invalid_input", "行使层级不正确", field="level")
    if Department.objects.filter(uscc=uscc).exists():
        raise ValidationFailed("duplicate_code", field="uscc")
    return Department.objects.create(
        name=name.strip(), uscc=uscc, region=region, level=level, phone=phone
    )


def service_center_create(
    *, name: str, region_code: str, address: str = "", hours: str = "", phone: str = ""
) -> ServiceCenter:
    return ServiceCenter.objects.create(
        name=name, region=region_get(region_code), address=address, hours=hours, phone=phone
    )


def window_create(
    *, center: ServiceCenter, name: str, number: str = "", is_cross_region: bool = False
) -> Window:
    return Window.objects.create(
        center=center, name=name, number=number, is_cross_region=is_cross_region
    )


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    display_name: str = "",
    id_number: str = "",
    phone: str = "",
    grants: list[tuple[str, Region | str, Department | None, Window | None]] = (),  # type: ignore[assignment]
    password_hash: str | None = None,
) -> User:
    """Create a user with role grants: (role, region or code, department, window).

    ``password_hash`` (from django.contrib.auth.hashers.make_password) may replace
    ``password`` when many accounts share one (the demo): hashing is deliberately slow.
    """
    if id_number:
        id_number = validate_id_number(id_number)
    user = User.objects.create_user(
        username=username,
        password=None if password_hash else password,
        display_name=display_name,
        id_number=id_number,
        phone=phone,
    )
    if password_hash:
        user.password = password_hash
        user.save(update_fields=["password"])
    for role, region, dept, window in grants:
        if role not in Role.values:
            raise ValidationFailed("invalid_input", f"未知角色 {role}", field="role")
        reg = region if isinstance(region, Region) else region_get(region)
        RoleGrant.objects.create(user=user, role=role, region=reg, department=dept, window=window)
    return user
