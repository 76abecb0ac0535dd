"""Element defaults shared by the demo items (the seven 跨省通办 elements are worded the
same everywhere unless an item says otherwise)."""

from __future__ import annotations

from typing import Any

SEED = ("changzhi", "panzhihua", "huaiyang", "shenyang")

DEFAULTS: dict[str, Any] = dict(
    kind="promised",
    application_methods=("窗口办理；网上办理（全国一体化政务服务平台、省级政务服务网及移动端）"),
    acceptance_mode="无差别受理：综合受理窗口、跨省通办专窗均可收件",
    review_procedure="受理—审核—决定",
    issuing_method="窗口领取或免费邮寄送达；电子证照同步推送至持证人",
    service_promise=(
        "一次性告知所需材料；材料齐全、符合法定形式的当场受理；在承诺时限内办结；全程免费邮寄。"
    ),
    online_depth=3,
    is_online=True,
    is_express=True,
    is_schedule=True,
    max_visits=1,
    scope="cross_province",
    mode_proxy_intake=True,
)

ONLINE: dict[str, Any] = dict(
    online_depth=4,
    mode_fully_online=True,
    max_visits=0,
    application_methods=("网上办理（全国一体化政务服务平台、省级政务服务网及移动端）；窗口办理"),
)

IMMEDIATE: dict[str, Any] = dict(
    kind="immediate",
    statutory_days=0,
    promised_days=0,
    review_procedure="窗口受理，即收即办",
)


def el(*parts: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """Defaults, then each preset in ``parts``, then ``fields``."""
    out = dict(DEFAULTS)
    for p in parts:
        out.update(p)
    out.update(fields)
    return out
