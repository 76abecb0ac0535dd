"""The eleven dimensions of the "五统一" conformance check (see tongban.catalog.conformance):
text normalisation, and for each dimension how to get its comparable value, how to show
it, and how to describe a difference from the reference in Chinese. Pure: no database."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from tongban.accounts.models import Role
from tongban.catalog.conformance_types import MaterialFact, VersionFacts
from tongban.core.text import normalise

EMPTY = "（未填写）"
ROLE_LABELS: dict[str, str] = dict(Role.choices)
_LIST_SEPARATORS = re.compile(r"[,，、;；/|\n]+")


# --- normalisation and small helpers --------------------------------------------------------


def norm(text: str) -> str:
    """Normalised text with every punctuation character dropped."""
    return "".join(ch for ch in normalise(text) if not unicodedata.category(ch).startswith("P"))


def split_list(text: str) -> frozenset[str]:
    """A list-like element ("窗口办理、网上办理") as a set of normalised entries."""
    return frozenset(filter(None, (norm(p) for p in _LIST_SEPARATORS.split(text or ""))))


def _set_detail(local: dict[str, str], reference: dict[str, str]) -> list[str]:
    """'多：…' and '缺：…' parts for keyed entries (key → original display)."""
    parts = []
    extra = [local[k] for k in local if k not in reference]
    missing = [reference[k] for k in reference if k not in local]
    if extra:
        parts.append("多：" + "、".join(extra))
    if missing:
        parts.append("缺：" + "、".join(missing))
    return parts


def _or_empty(text: str) -> str:
    return text.strip() or EMPTY


# --- the dimensions -----------------------------------------------------------------------


def _materials_key(f: VersionFacts) -> Hashable:
    return frozenset((norm(m.name), m.is_required, m.copies) for m in f.materials)


def _material_terms(m: MaterialFact) -> str:
    return f"{'必要' if m.is_required else '非必要'}{m.copies}份"


def _material_display(m: MaterialFact) -> str:
    return f"{m.name}（{_material_terms(m)}）"


def _materials_detail(local: VersionFacts, ref: VersionFacts) -> str:
    mine = {norm(m.name): m for m in local.materials}
    theirs = {norm(m.name): m for m in ref.materials}
    parts = _set_detail(
        {k: m.name for k, m in mine.items()}, {k: m.name for k, m in theirs.items()}
    )
    for k, m in mine.items():
        r = theirs.get(k)
        if r is not None and _material_terms(m) != _material_terms(r):
            parts.append(f"{m.name}：基准{_material_terms(r)}，本地{_material_terms(m)}")
    return "；".join(parts)


def _review_points(f: VersionFacts) -> dict[str, tuple[str, str]]:
    """norm(label) → (label, points) for every non-empty acceptance standard / review point."""
    out: dict[str, tuple[str, str]] = {}
    for m in f.materials:
        if norm(m.acceptance_standard):
            out[norm("材料" + m.name)] = (m.name, m.acceptance_standard.strip())
    for s in f.steps:
        if norm(s.review_points):
            out[norm("环节" + s.name)] = (f"{s.name}环节", s.review_points.strip())
    return out


def _review_points_key(f: VersionFacts) -> Hashable:
    return frozenset((k, norm(points)) for k, (_, points) in _review_points(f).items())


def _review_points_display(f: VersionFacts) -> str:
    return "；".join(f"{label}：{points}" for label, points in _review_points(f).values()) or EMPTY


def _review_points_detail(local: VersionFacts, ref: VersionFacts) -> str:
    mine, theirs = _review_points(local), _review_points(ref)
    parts = _set_detail({k: v[0] for k, v in mine.items()}, {k: v[0] for k, v in theirs.items()})
    changed = [
        label for k, (label, pts) in mine.items() if k in theirs and norm(pts) != norm(theirs[k][1])
    ]
    if changed:
        parts.append("标准不同：" + "、".join(changed))
    return "；".join(parts)


def _steps_key(f: VersionFacts) -> Hashable:
    return tuple((norm(s.name), s.role) for s in f.steps)


def _steps_display(f: VersionFacts) -> str:
    return "→".join(f"{s.name}（{ROLE_LABELS.get(s.role, s.role)}）" for s in f.steps) or EMPTY


def _steps_detail(local: VersionFacts, ref: VersionFacts) -> str:
    mine = {norm(s.name): s for s in local.steps}
    theirs = {norm(s.name): s for s in ref.steps}
    parts = _set_detail(
        {k: s.name for k, s in mine.items()}, {k: s.name for k, s in theirs.items()}
    )
    for k, s in mine.items():
        r = theirs.get(k)
        if r is not None and r.role != s.role:
            parts.append(
                f"{s.name}：基准由{ROLE_LABELS.get(r.role, r.role)}办理，"
                f"本地由{ROLE_LABELS.get(s.role, s.role)}办理"
            )
    common_mine = [k for k in mine if k in theirs]
    common_ref = [k for k in theirs if k in mine]
    if common_mine != common_ref:
        parts.append("环节顺序不同")
    return "；".join(parts)


def _time_display(f: VersionFacts) -> str:
    return f"法定{f.statutory_days}个工作日，承诺{f.promised_days}个工作日"


def _time_detail(local: VersionFacts, ref: VersionFacts) -> str:
    parts = []
    for label, attr in (("法定时限", "statutory_days"), ("承诺时限", "promised_days")):
        mine, theirs = getattr(local, attr), getattr(ref, attr)
        if mine != theirs:
            parts.append(f"{label}：基准{theirs}个工作日，本地{mine}个工作日")
    return "；".join(parts)


def _fees_key(f: VersionFacts) -> Hashable:
    return (f.is_fee, frozenset((norm(x.name), norm(x.standard)) for x in f.fees))


def _fees_display(f: VersionFacts) -> str:
    if not f.is_fee and not f.fees:
        return "不收费"
    items = "；".join(f"{x.name} {x.standard}" for x in f.fees)
    return ("收费：" + items) if f.is_fee else "不收费（另列：" + items + "）"


def _charging(is_fee: bool) -> str:
    return "收费" if is_fee else "不收费"


def _fees_detail(local: VersionFacts, ref: VersionFacts) -> str:
    parts = []
    if local.is_fee != ref.is_fee:
        parts.append(f"基准{_charging(ref.is_fee)}，本地{_charging(local.is_fee)}")
    mine = {norm(x.name): x for x in local.fees}
    theirs = {norm(x.name): x for x in ref.fees}
    parts += _set_detail(
        {k: x.name for k, x in mine.items()}, {k: x.name for k, x in theirs.items()}
    )
    for k, x in mine.items():
        r = theirs.get(k)
        if r is not None and norm(r.standard) != norm(x.standard):
            parts.append(f"{x.name}：基准{r.standard}，本地{x.standard}")
    return "；".join(parts)


def _text_detail(attr: str) -> Callable[[VersionFacts, VersionFacts], str]:
    def detail(local: VersionFacts, ref: VersionFacts) -> str:
        if not norm(getattr(local, attr)):
            return "本地未填写"
        if not norm(getattr(ref, attr)):
            return "基准未填写，本地有规定"
        return "表述与基准不同"

    return detail


def _list_detail(attr: str) -> Callable[[VersionFacts, VersionFacts], str]:
    def detail(local: VersionFacts, ref: VersionFacts) -> str:
        def keyed(f: VersionFacts) -> dict[str, str]:
            parts = _LIST_SEPARATORS.split(getattr(f, attr) or "")
            return {norm(p): p.strip() for p in parts if norm(p)}

        return "；".join(_set_detail(keyed(local), keyed(ref)))

    return detail


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    value: Callable[[VersionFacts], Hashable]  # the comparable (normalised) value
    display: Callable[[VersionFacts], str]
    detail: Callable[[VersionFacts, VersionFacts], str]  # (local, reference) → Chinese


def _text(key: str, label: str) -> Dimension:
    return Dimension(
        key,
        label,
        lambda f: norm(getattr(f, key)),
        lambda f: _or_empty(getattr(f, key)),
        _text_detail(key),
    )


def _listed(key: str, label: str) -> Dimension:
    return Dimension(
        key,
        label,
        lambda f: split_list(getattr(f, key)),
        lambda f: _or_empty(getattr(f, key)),
        _list_detail(key),
    )


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "name",
        "事项名称",
        lambda f: norm(f.name),
        lambda f: f.name,
        lambda local, ref: f"本地名称“{local.name}”，基准名称“{ref.name}”",
    ),
    Dimension(
        "materials",
        "申请材料",
        _materials_key,
        lambda f: "；".join(map(_material_display, f.materials)) or EMPTY,
        _materials_detail,
    ),
    Dimension(
        "review_points",
        "审查要点（受理标准）",
        _review_points_key,
        _review_points_display,
        _review_points_detail,
    ),
    Dimension("steps", "办理流程", _steps_key, _steps_display, _steps_detail),
    Dimension(
        "time_limits",
        "办理时限",
        lambda f: (f.statutory_days, f.promised_days),
        _time_display,
        _time_detail,
    ),
    Dimension("fees", "收费标准", _fees_key, _fees_display, _fees_detail),
    _text("accept_condition", "申请条件"),
    _listed("application_methods", "申报方式"),
    _listed("acceptance_mode", "受理模式"),
    _text("review_procedure", "审核程序"),
    _listed("issuing_method", "发证方式"),
)
DIMENSION_LABELS: dict[str, str] = {d.key: d.label for d in DIMENSIONS}
