"""Demo accounts: every role in every seed region, partner clerks, the superuser."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.hashers import make_password

from tongban.accounts.models import Department, Role, User, Window
from tongban.accounts.services import user_create
from tongban.demo.data import ITEMS
from tongban.demo.orgs import PARTNER_REGIONS, SEED_REGIONS, RegionSpec
from tongban.demo.people import (
    CITIZENS,
    DEMO_PASSWORD,
    PARTNER_CLERKS,
    ROLE_ORDER,
    STAFF,
    SUPERUSER,
    username,
)
from tongban.demo.results import DemoAccount, SeededOrgs
from tongban.demo.services import superuser_ensure
from tongban.regions.models import Region

Grant = tuple[str, Region | str, Department | None, Window | None]


def implementing_departments(region: RegionSpec, orgs: SeededOrgs) -> list[Department]:
    """The region's departments that implement at least one demo item, in spec order."""
    keys = {region.dept_key(i.dept) for i in ITEMS if region.key in i.regions}
    return [orgs.departments[(region.key, d.key)] for d in region.departments if d.key in keys]


def _plan(region: RegionSpec, orgs: SeededOrgs) -> list[tuple[str, str, list[Grant], str]]:
    """(role, display name, grants, place) for every role in a seed region."""
    code = region.code
    gov = orgs.departments[(region.key, region.gov_dept)]
    window = orgs.cross_windows[region.key]
    centre = orgs.centres[region.key]
    deciders = implementing_departments(region, orgs)
    decider_place = f"{region.label}全部{len(deciders)}个实施部门"
    names = dict(zip(ROLE_ORDER[1:], STAFF[region.key], strict=True))
    plan: list[tuple[str, str, list[Grant], str]] = []
    for role in ROLE_ORDER:
        if role == Role.APPLICANT:
            plan.append((role, CITIZENS[region.key].name, [(role, code, None, None)], ""))
        elif role == Role.CLERK:
            place = f"{centre.name} {window.number} {window.name}"
            plan.append((role, names[role], [(role, code, None, window)], place))
        elif role in (Role.REVIEWER, Role.APPROVER):
            grants: list[Grant] = [(role, code, d, None) for d in deciders]
            plan.append((role, names[role], grants, decider_place))
        elif role in (Role.SUPERVISOR, Role.CATALOG_ADMIN):
            plan.append((role, names[role], [(role, code, gov, None)], gov.name))
        else:
            plan.append((role, names[role], [(role, code, None, None)], f"{region.label}节点"))
    return plan


def seed_accounts(orgs: SeededOrgs, created: Counter[str]) -> list[DemoAccount]:
    existing = set(User.objects.values_list("username", flat=True))
    accounts: list[DemoAccount] = []
    # Hash the shared demo password once, not once per account (each hash takes ~0.3 s).
    password_hash = make_password(DEMO_PASSWORD)

    def ensure(region: RegionSpec, role: str, name: str, grants: list[Grant], place: str) -> None:
        uname = username(region.key, role)
        if uname not in existing:
            citizen = CITIZENS[region.key] if role == Role.APPLICANT else None
            user_create(
                username=uname,
                password=DEMO_PASSWORD,
                password_hash=password_hash,
                display_name=name,
                id_number=citizen.id_number if citizen else "",
                phone=citizen.phone if citizen else "",
                grants=list(grants),
            )
            created["users"] += 1
        accounts.append(DemoAccount(uname, role, region.code, region.label, name, place))

    for region in SEED_REGIONS:
        for role, name, grants, place in _plan(region, orgs):
            ensure(region, role, name, grants, place)
    for region in PARTNER_REGIONS:
        window = orgs.cross_windows[region.key]
        centre = orgs.centres[region.key]
        ensure(
            region,
            Role.CLERK,
            PARTNER_CLERKS[region.key],
            [(Role.CLERK, region.code, None, window)],
            f"{centre.name} {window.number} {window.name}",
        )
    if superuser_ensure(username=SUPERUSER, password=DEMO_PASSWORD, display_name="系统管理员"):
        created["users"] += 1
    return accounts
