"""Where the ECharts build comes from: the ``instaui-echarts`` wheel (a pinned dependency)
bundles Apache ECharts as ``static/echarts.esm.min.js``. We use only that file, served by
staticfiles under ``echarts/``; the package itself is never imported (it would pull in its
UI framework). No CDN, and no copy of ECharts in this repository."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ECHARTS_STATIC = "echarts/echarts.esm.min.js"


def echarts_static_dir() -> str:
    spec = importlib.util.find_spec("instaui_echarts")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("instaui-echarts is not installed (pip install -e .)")
    return str(Path(next(iter(spec.submodule_search_locations))) / "static")
