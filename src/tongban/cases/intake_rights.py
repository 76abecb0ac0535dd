"""Window rights for every item of a batch with three queries instead of two per item.

``catalog.agreements.window_rights`` answers for one implementation (two queries: the
agreements in force for its baseline, and their parties). A batch at a cross-province
window may name dozens of items; ``window_rights_many`` loads the agreements in force
for all their baselines at once (agreements, parties, covered baselines) and applies
the same rule per item (it reuses the catalogue's ``_bridges`` test); for a single
remote item it simply calls ``window_rights``. ``test_intake_rights`` checks that both always agree.
Candidate for catalog.agreements as a public ``window_rights_many``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from tongban.accounts.models import Window
from tongban.catalog.agreements import (
    WindowRights,
    _bridges,
    agreements_in_force,
    window_rights,
)
from tongban.catalog.models import AgreementItem, ItemImplementation, WindowRight
from tongban.regions.codes import covers


def window_rights_many(
    *, window: Window, implementations: Iterable[ItemImplementation], on: date
) -> dict[int, WindowRights]:
    """``window_rights`` for each implementation, by implementation id."""
    window_region = window.center.region_id
    all_rights = frozenset(WindowRight.values)
    out: dict[int, WindowRights] = {}
    remote: list[ItemImplementation] = []
    for impl in implementations:
        if impl.pk in out:
            continue
        if covers(impl.region_id, window_region):
            out[impl.pk] = WindowRights(True, True, all_rights, frozenset(), (), None)
        else:
            remote.append(impl)
    if len({impl.pk for impl in remote}) == 1:
        out[remote[0].pk] = window_rights(window=window, implementation=remote[0], on=on)
        return out
    if not remote:
        return out
    codes = sorted({impl.baseline.catalog_code for impl in remote})
    agreements = list(agreements_in_force(on=on).filter(items__baseline__catalog_code__in=codes))
    covered: dict[int, set[str]] = {a.pk: set() for a in agreements}
    for agreement_id, code in AgreementItem.objects.filter(
        agreement_id__in=list(covered), baseline__catalog_code__in=codes
    ).values_list("agreement_id", "baseline__catalog_code"):
        covered[agreement_id].add(code)
    for impl in remote:
        if impl.pk in out:
            continue
        code = impl.baseline.catalog_code
        matched = [
            a
            for a in agreements
            if code in covered[a.pk] and _bridges(a, window_region, impl.region_id)
        ]
        rights = frozenset(r for a in matched for r in a.rights)
        modes = frozenset(m for a in matched for m in a.modes)
        ids = tuple(sorted(a.pk for a in matched))
        version = impl.current_version
        if WindowRight.RECEIVE not in rights:
            out[impl.pk] = WindowRights(False, False, rights, modes, ids, "no_agreement_right")
        elif version is None or not version.mode_proxy_intake:
            out[impl.pk] = WindowRights(False, False, rights, modes, ids, "item_no_proxy_mode")
        else:
            out[impl.pk] = WindowRights(True, False, rights, modes, ids, None)
    return out
