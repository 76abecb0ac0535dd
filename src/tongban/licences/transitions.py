"""The licence life cycle as a table: operation → Move(from statuses, to status, reason?).

``services.licence_operate`` is the only code that changes a licence's status; it looks
the operation up here and rejects everything else with ``licence_illegal_operation``.
Status and operation names follow GB/T 36901–36905 practice (shared/STANDARDS.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class LicenceStatus(models.TextChoices):
    VALID = "valid", "有效"
    SUSPENDED = "suspended", "暂扣"
    REVOKED = "revoked", "撤销"
    CANCELLED = "cancelled", "注销"
    EXPIRED = "expired", "失效"
    # 吊销: withdrawn as an administrative penalty (行政处罚), unlike 撤销 (the licence
    # should never have been issued, e.g. false materials).
    PENALTY_REVOKED = "penalty_revoked", "吊销"
    # 转出: moved to another issuer (e.g. a business moving its registration); the
    # receiving issuer's licence (转入) points back to it.
    TRANSFERRED_OUT = "transferred_out", "转出"


class LicenceOperation(models.TextChoices):
    ISSUE = "issue", "新发"
    RENEW = "renew", "延续"
    CHANGE = "change", "变更"
    SUSPEND = "suspend", "暂扣"
    RESTORE = "restore", "暂扣发还"
    REVOKE = "revoke", "撤销"
    CANCEL = "cancel", "注销"
    EXPIRE = "expire", "过期失效"
    PENALTY_REVOKE = "penalty_revoke", "吊销"
    TRANSFER_OUT = "transfer_out", "转出"
    TRANSFER_IN = "transfer_in", "转入"
    IMPORT = "import", "存量导入"


ST = LicenceStatus
OP = LicenceOperation


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    to: str
    reason_required: bool = False


# Renew and change replace the licence by a new version; the old one stops being valid.
TRANSITIONS: dict[str, Move] = {
    OP.SUSPEND: Move(frozenset({ST.VALID}), ST.SUSPENDED, True),
    OP.RESTORE: Move(frozenset({ST.SUSPENDED}), ST.VALID),
    OP.REVOKE: Move(frozenset({ST.VALID, ST.SUSPENDED}), ST.REVOKED, True),
    OP.CANCEL: Move(frozenset({ST.VALID, ST.SUSPENDED}), ST.CANCELLED, True),
    OP.EXPIRE: Move(frozenset({ST.VALID, ST.SUSPENDED}), ST.EXPIRED),
    OP.PENALTY_REVOKE: Move(frozenset({ST.VALID, ST.SUSPENDED}), ST.PENALTY_REVOKED, True),
    OP.TRANSFER_OUT: Move(frozenset({ST.VALID}), ST.TRANSFERRED_OUT, True),
    OP.RENEW: Move(frozenset({ST.VALID}), ST.EXPIRED),
    OP.CHANGE: Move(frozenset({ST.VALID}), ST.EXPIRED),
}

# Operations a department may ask for directly (expire is the scheduled job's; renew and
# change go through licence_new_version. 转出 by hand is for a receiving issuer on another
# node; licence_transfer_in, at a receiving issuer of this node, does 转出 and 转入 in
# one transaction).
MANUAL = frozenset(
    {OP.SUSPEND, OP.RESTORE, OP.REVOKE, OP.CANCEL, OP.PENALTY_REVOKE, OP.TRANSFER_OUT}
)


def move_for(status: str, operation: str) -> Move | None:
    move = TRANSITIONS.get(operation)
    if move is None or status not in move.sources:
        return None
    return move
