"""Chinese labels of the timeline entries the licences app appends to a case (the case
pages merge them into their action labels)."""

from __future__ import annotations

LICENCE_ACTION_LABELS = {
    "licence_exempt": "使用电子证照免提交",
    "licence_issued": "签发电子证照",
}
