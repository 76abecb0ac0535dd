"""Cooperation agreements (合作协议) and the one question the case engine asks of them:
may window W take in item X decided in region B, and with which rights?"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q, QuerySet

from tongban.accounts.models import Role, Window
from tongban.accounts.services import require_role
from tongban.catalog.models import (
    MODE_FIELDS,
    RIGHT_FIELDS,
    Agreement,
    AgreementItem,
    AgreementStatus,
    BaselineItem,
    ItemImplementation,
    Scope,
    WindowRight,
)
from tongban.catalog.rules import parse_date
from tongban.core.actors import Actor, SystemActor
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.regions.codes import covers, province_of
from tongban.regions.models import Region

# Allowed status moves of an agreement: from → allowed targets.
AGREEMENT_MOVES: dict[str, set[str]] = {
    AgreementStatus.DRAFT: {AgreementStatus.ACTIVE, AgreementStatus.TERMINATED},
    AgreementStatus.ACTIVE: {AgreementStatus.SUSPENDED, AgreementStatus.TERMINATED},
    AgreementStatus.SUSPENDED: {AgreementStatus.ACTIVE, AgreementStatus.TERMINATED},
    AgreementStatus.TERMINATED: set(),
}


def _require_party_admin(actor: Actor, party_codes: list[str]) -> None:
    """The actor must be a catalogue administrator of (a region covering) one party."""
    if isinstance(actor, SystemActor):
        return
    last: PermissionDenied | None = None
    for code in party_codes:
        try:
            require_role(actor, Role.CATALOG_ADMIN, region_code=code)
            return
        except PermissionDenied as exc:
            last = exc
    raise last or PermissionDenied("region_scope")


def _check_scope(scope: str, regions: list[Region]) -> None:
    provinces = {province_of(r.code) for r in regions}
    if scope == Scope.CROSS_PROVINCE and len(provinces) < 2:
        raise ValidationFailed("agreement_scope_mismatch", field="scope")
    if scope == Scope.IN_PROVINCE and len(provinces) != 1:
        raise ValidationFailed("agreement_scope_mismatch", field="scope")
    if scope == Scope.LOCAL:
        raise ValidationFailed("agreement_scope_mismatch", field="scope")


def agreement_create(
    *,
    actor: Actor,
    name: str,
    scope: str,
    party_codes: list[str],
    catalog_codes: list[str],
    valid_from: date | str,
    valid_to: date | str | None = None,
    rights: set[str] | None = None,
    modes: set[str] | None = None,
    status: str = AgreementStatus.ACTIVE,
    signed_at: date | str | None = None,
    notes: str = "",
) -> Agreement:
    """Record an agreement between two or more regions covering baseline items."""
    rights = {WindowRight.RECEIVE, WindowRight.NOTIFY} if rights is None else set(rights)
    modes = {"proxy_intake"} if modes is None else set(modes)
    if not name.strip():
        raise ValidationFailed("import_required", "协议名称不能为空", field="name")
    if scope not in Scope.values:
        raise ValidationFailed("import_bad_value", field="scope")
    if status not in (AgreementStatus.DRAFT, AgreementStatus.ACTIVE):
        raise ValidationFailed("agreement_status_move", field="status")
    codes = sorted(set(party_codes))
    if len(codes) < 2:
        raise ValidationFailed("agreement_party_count", field="party_codes")
    regions = list(Region.objects.filter(code__in=codes))
    if len(regions) != len(codes):
        unknown = sorted(set(codes) - {r.code for r in regions})
        raise ValidationFailed(
            "region_unknown", f"行政区划不存在：{'、'.join(unknown)}", field="party_codes"
        )
    _require_party_admin(actor, codes)
    _check_scope(scope, regions)
    if not catalog_codes:
        raise ValidationFailed("agreement_no_items", field="catalog_codes")
    baselines = list(BaselineItem.objects.filter(catalog_code__in=set(catalog_codes)))
    if len(baselines) != len(set(catalog_codes)):
        unknown = sorted(set(catalog_codes) - {b.catalog_code for b in baselines})
        raise ValidationFailed(
            "not_found", f"事项基本编码不存在：{'、'.join(unknown)}", field="catalog_codes"
        )
    if not rights:
        raise ValidationFailed("agreement_no_rights", field="rights")
    if rights - set(RIGHT_FIELDS) or modes - set(MODE_FIELDS):
        raise ValidationFailed("import_bad_value", field="rights")
    start = parse_date(valid_from, field="valid_from")
    end = parse_date(valid_to, field="valid_to")
    if start is None:
        raise ValidationFailed("import_required", "生效日期不能为空", field="valid_from")
    if end is not None and end <= start:
        raise ValidationFailed("version_invalid_period", field="valid_to")
    with transaction.atomic():
        agreement = Agreement.objects.create(
            name=name.strip(),
            scope=scope,
            status=status,
            valid_from=start,
            valid_to=end,
            signed_at=parse_date(signed_at, field="signed_at"),
            notes=notes,
            created_by=actor if getattr(actor, "pk", None) else None,
            **{f: (r in rights) for r, f in RIGHT_FIELDS.items()},
            **{f: (m in modes) for m, f in MODE_FIELDS.items()},
        )
        agreement.parties.set(regions)
        AgreementItem.objects.bulk_create(
            AgreementItem(agreement=agreement, baseline=b) for b in baselines
        )
    return agreement


def agreement_set_status(*, actor: Actor, agreement: Agreement, status: str) -> Agreement:
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        _require_party_admin(actor, list(locked.parties.values_list("code", flat=True)))
        if status not in AGREEMENT_MOVES.get(locked.status, set()):
            raise ValidationFailed("agreement_status_move", field="status")
        locked.status = status
        locked.save(update_fields=["status"])
    return locked


# ---- reads -------------------------------------------------------------------------


def agreements_in_force(*, on: date, catalog_code: str | None = None) -> QuerySet[Agreement]:
    qs = Agreement.objects.filter(status=AgreementStatus.ACTIVE, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)
    )
    if catalog_code:
        qs = qs.filter(items__baseline__catalog_code=catalog_code)
    return qs.prefetch_related("parties").distinct()


@dataclass(frozen=True)
class WindowRights:
    """The answer to "may this window take in this item?"."""

    allowed: bool
    local: bool
    rights: frozenset[str]
    modes: frozenset[str]
    agreement_ids: tuple[int, ...]
    reason: str | None  # error code when not allowed


def _bridges(agreement: Agreement, a: str, b: str) -> bool:
    """True when one party covers region ``a`` and a different party covers ``b``."""
    parties = [p.code for p in agreement.parties.all()]
    return any(covers(pa, a) and covers(pb, b) for pa in parties for pb in parties if pa != pb)


_LOCAL = WindowRights(True, True, frozenset(WindowRight.values), frozenset(), (), None)


def _remote_rights(
    implementation: ItemImplementation, window_region: str, agreements: Iterable[Agreement]
) -> WindowRights:
    """The rule for a window outside the deciding region, given the agreements in force
    that cover the item's baseline (parties prefetched)."""
    matched = [a for a in agreements if _bridges(a, window_region, implementation.region_id)]
    rights = frozenset(r for a in matched for r in a.rights)
    modes = frozenset(m for a in matched for m in a.modes)
    ids = tuple(sorted(a.pk for a in matched))
    if WindowRight.RECEIVE not in rights:
        return WindowRights(False, False, rights, modes, ids, "no_agreement_right")
    version = implementation.current_version
    if version is None or not version.mode_proxy_intake:
        return WindowRights(False, False, rights, modes, ids, "item_no_proxy_mode")
    return WindowRights(True, False, rights, modes, ids, None)


def window_rights(*, window: Window, implementation: ItemImplementation, on: date) -> WindowRights:
    """What ``window`` may do for ``implementation`` (decided in its own region) on ``on``.

    A window inside the deciding region is local and holds every right. Elsewhere the
    rights are the union of those granted by agreements in force that cover the item's
    baseline and bridge the window's region and the deciding region; taking in also
    needs the item's version in force to offer 异地代收代办.
    """
    window_region = window.center.region_id
    if covers(implementation.region_id, window_region):
        return _LOCAL
    agreements = agreements_in_force(on=on, catalog_code=implementation.baseline.catalog_code)
    return _remote_rights(implementation, window_region, agreements)


def window_rights_many(
    *, window: Window, implementations: Iterable[ItemImplementation], on: date
) -> dict[int, WindowRights]:
    """``window_rights`` for each implementation, by implementation id, in at most three
    queries (agreements in force for all the baselines, their parties, the baselines
    each covers) however many items a batch names."""
    window_region = window.center.region_id
    out: dict[int, WindowRights] = {}
    remote: dict[int, ItemImplementation] = {}
    for impl in implementations:
        if covers(impl.region_id, window_region):
            out[impl.pk] = _LOCAL
        else:
            remote[impl.pk] = impl
    if len(remote) <= 1:  # none, or one item: window_rights' two queries
        for impl in remote.values():
            out[impl.pk] = window_rights(window=window, implementation=impl, on=on)
        return out
    codes = sorted({impl.baseline.catalog_code for impl in remote.values()})
    agreements = list(agreements_in_force(on=on).filter(items__baseline__catalog_code__in=codes))
    covered: dict[int, set[str]] = {a.pk: set() for a in agreements}
    for agreement_id, code in AgreementItem.objects.filter(
        agreement_id__in=list(covered), baseline__catalog_code__in=codes
    ).values_list("agreement_id", "baseline__catalog_code"):
        covered[agreement_id].add(code)
    for pk, impl in remote.items():
        code = impl.baseline.catalog_code
        mine = [a for a in agreements if code in covered[a.pk]]
        out[pk] = _remote_rights(impl, window_region, mine)
    return out


def intake_regions(*, implementation: ItemImplementation, on: date) -> list[Region]:
    """Regions whose windows may take in this item by agreement (for the public guide)."""
    own = implementation.region_id
    out: dict[str, Region] = {}
    for a in agreements_in_force(on=on, catalog_code=implementation.baseline.catalog_code):
        if not a.right_receive:
            continue
        parties = list(a.parties.all())
        if any(covers(p.code, own) for p in parties):
            for p in parties:
                if not covers(p.code, own) and not covers(own, p.code):
                    out[p.code] = p
    return [out[k] for k in sorted(out)]


def agreement_list(
    *, region_code: str | None = None, catalog_code: str | None = None
) -> list[Agreement]:
    qs = Agreement.objects.prefetch_related("parties", "items__baseline").order_by("-valid_from")
    if catalog_code:
        qs = qs.filter(items__baseline__catalog_code=catalog_code)
    rows = list(qs.distinct())
    if region_code:
        rows = [
            a
            for a in rows
            if any(
                covers(p.code, region_code) or covers(region_code, p.code) for p in a.parties.all()
            )
        ]
    return rows


def agreement_get(agreement_id: int) -> Agreement:
    try:
        return Agreement.objects.prefetch_related("parties", "items__baseline").get(pk=agreement_id)
    except Agreement.DoesNotExist as exc:
        raise NotFound("合作协议") from exc


def window_rights_query(*, window_id: int, task_code: str, on: date) -> WindowRights:
    """window_rights by identifiers (for the API)."""
    try:
        window = Window.objects.select_related("center").get(pk=window_id)
    except Window.DoesNotExist as exc:
        raise NotFound("窗口", field="window") from exc
    try:
        impl = ItemImplementation.objects.select_related("baseline", "current_version").get(
            task_code=task_code
        )
    except ItemImplementation.DoesNotExist as exc:
        raise NotFound("事项", field="task_code") from exc
    return window_rights(window=window, implementation=impl, on=on)
