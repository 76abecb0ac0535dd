"""The text ``tongban demo`` prints: where to open the site and the demo accounts
(Chinese and English, aligned for terminals where CJK characters are two columns)."""

from __future__ import annotations

import unicodedata
from itertools import groupby

from tongban.accounts.models import Role
from tongban.demo.results import DemoSummary

RULE = "=" * 78


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def base_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def render(
    summary: DemoSummary, *, url: str, database: str, reference: list[str], serving: bool
) -> str:
    t, c = summary.totals, summary.created
    new = sum(c.values())
    lines = [
        RULE,
        " tongban 通办 · 演示环境 / demo environment（演示数据，不具法律效力 / demo data only）",
        RULE,
        f" 演示数据 / Demo data: 本次新建 {new} 条记录 / {new} rows created"
        f"（用时 / took {summary.seconds:.1f} s）",
        f"   {t['baselines']} 项事项 items · {t['implementations']} 项实施清单 implementations"
        f" · {t['agreements']} 份合作协议 agreements",
        f"   {t['versions_published']} 个已发布版本 published versions"
        f" · {t['drafts']} 个草稿 drafts · {t['departments']} 个部门 departments"
        f" · {t['windows']} 个窗口 windows",
        " 参考数据 / Reference data: " + " · ".join(reference),
        f" 数据库 / Database: {database}",
        "",
        f" 打开 / Open:       {url}",
        f" 管理后台 / Admin:  {url}admin/   用户名 {summary.superuser} / 密码 {summary.password}",
        f" 所有演示账号的密码 / Password of every demo account: {summary.password}",
        "",
        "   "
        + pad("用户名 username", 25)
        + pad("角色 role", 12)
        + pad("姓名", 10)
        + "单位/窗口 place",
    ]
    for (code, label), accounts in groupby(
        summary.accounts, key=lambda a: (a.region_code, a.region_label)
    ):
        lines.append(f" {label}（{code}）")
        for a in accounts:
            lines.append(
                "   "
                + pad(a.username, 25)
                + pad(Role(a.role).label, 12)
                + pad(a.display_name, 10)
                + (a.place or "—（居民 citizen）")
            )
    lines.append(RULE)
    if serving:
        lines.append(" 正在启动服务，按 Ctrl+C 停止 / Starting the server; press Ctrl+C to stop.")
    else:
        lines.append(" 未启动服务 / Not serving (--no-serve). 启动 / start: tongban demo")
    return "\n".join(lines) + "\n"
