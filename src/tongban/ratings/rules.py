"""Pure rules for a rating: the indicators of each channel (GB/T 39734/39735), levels,
comment length, and which targets and stages a case can be rated for."""

from __future__ import annotations

from tongban.core.errors import ValidationFailed
from tongban.ratings.models import Level, RatingChannel, Stage, Target

OVERALL = "overall"
ONLINE_INDICATORS: dict[str, str] = {
    OVERALL: "整体满意度",
    "efficiency": "办事效率",
    "guide_accuracy": "办事指南精确度",
    "convenience": "办事便捷度",
    "usability": "平台操作性",
}
OFFLINE_INDICATORS: dict[str, str] = {
    OVERALL: "整体满意度",
    "service_efficiency": "服务效率",
    "service_level": "服务水平",
    "service_attitude": "服务态度",
}
COMMENT_MAX = 500
LEVEL_LABELS = dict(Level.choices)


def indicators_for(channel: str) -> dict[str, str]:
    return ONLINE_INDICATORS if channel == RatingChannel.ONLINE else OFFLINE_INDICATORS


def check_level(value: object, field: str) -> int:
    # bool is an int in Python; True must not pass as 1.
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValidationFailed("rating_level_invalid", field=field)
    return value


def clean_scores(channel: str, scores: dict[str, object]) -> dict[str, int]:
    """Every indicator of the channel, each a level 1-5; 整体满意度 is required, the others
    are optional; unknown indicators are refused."""
    known = indicators_for(channel)
    for key in scores:
        if key not in known:
            raise ValidationFailed("rating_indicator_unknown", field=f"scores.{key}")
    if scores.get(OVERALL) is None:
        raise ValidationFailed("rating_level_invalid", field=f"scores.{OVERALL}")
    return {
        key: check_level(value, f"scores.{key}")
        for key, value in scores.items()
        if value is not None
    }


def clean_comment(comment: str) -> str:
    """Stored as typed: pages escape it on output and never mark it safe."""
    text = (comment or "").strip()
    if len(text) > COMMENT_MAX:
        raise ValidationFailed("rating_comment_too_long", field="comment")
    return text


def is_shared(*, intake_window_region: str | None, handling_region: str) -> bool:
    """Two regions share a case when its intake window lies outside the deciding region."""
    return intake_window_region is not None and intake_window_region != handling_region


def targets_for(*, shared: bool) -> list[str]:
    return [Target.WINDOW, Target.DEPARTMENT] if shared else [Target.DEPARTMENT]


def stage_reached(
    stage: str, *, status: str, accepted: bool, result_issued: bool, refused: bool
) -> bool:
    """受理 can be rated once acceptance was decided (accepted or refused); 办结 once the
    result was issued or the case closed."""
    if stage == Stage.ACCEPTANCE:
        return accepted or refused
    if stage == Stage.CLOSURE:
        return result_issued or status == "closed"
    return False
