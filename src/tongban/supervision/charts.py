"""Server-side SVG bar charts for the monthly report (WeasyPrint runs no JavaScript, so
the report cannot use ECharts). Pure: numbers in, SVG text out; labels are escaped."""

from __future__ import annotations

from html import escape

ROW = 26
LABEL_W = 190
BAR_W = 300
FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"


def _fmt(v: float, unit: str) -> str:
    text = f"{v:.1f}" if isinstance(v, float) and not v.is_integer() else f"{int(v)}"
    return text + unit


def bar_svg(
    rows: list[tuple[str, float]],
    *,
    unit: str = "",
    max_value: float | None = None,
    color: str = "#1f5fbf",
    title: str = "",
) -> str:
    """A horizontal bar chart, one row per (label, value)."""
    top = 24 if title else 4
    height = top + ROW * max(1, len(rows)) + 6
    width = LABEL_W + BAR_W + 70
    peak = max_value if max_value else max((v for _, v in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="12" role="img" '
        f'aria-label="{escape(title)}">'
    ]
    if title:
        parts.append(f'<text x="0" y="15" font-size="13" font-weight="bold">{escape(title)}</text>')
    if not rows:
        parts.append(f'<text x="0" y="{top + 16}" fill="#646a73">（本期无数据）</text>')
    for i, (label, value) in enumerate(rows):
        y = top + i * ROW
        w = 0 if peak <= 0 else max(0.0, min(1.0, value / peak)) * BAR_W
        short = label if len(label) <= 14 else label[:13] + "…"
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + 16}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{LABEL_W}" y="{y + 4}" width="{w:.1f}" height="{ROW - 10}" fill="{color}"/>'
            f'<text x="{LABEL_W + w + 4:.1f}" y="{y + 16}">{escape(_fmt(value, unit))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
