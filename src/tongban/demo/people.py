"""Demo people: one account per role in every seed region, a clerk at every partner's
跨省通办专窗, and the Django-admin superuser. All share DEMO_PASSWORD."""

from __future__ import annotations

from dataclasses import dataclass

from tongban.accounts.models import Role
from tongban.core.ids import make_id_number

DEMO_PASSWORD = "demo1234"
SUPERUSER = "admin"

ROLE_ORDER: tuple[str, ...] = (
    Role.APPLICANT,
    Role.CLERK,
    Role.REVIEWER,
    Role.APPROVER,
    Role.SUPERVISOR,
    Role.CATALOG_ADMIN,
    Role.NODE_ADMIN,
)

# Staff names in ROLE_ORDER[1:] order.
STAFF: dict[str, tuple[str, ...]] = {
    "changzhi": ("赵敏", "孙立军", "周振华", "吴建平", "郑丽", "冯涛"),
    "panzhihua": ("陈静", "杨帆", "黄志强", "何琳", "罗斌", "邓超"),
    "huaiyang": ("马丽娟", "胡志刚", "朱红梅", "郭强", "林晓燕", "高鹏"),
    "shenyang": ("韩雪", "曹宇", "许文博", "傅颖", "沈浩", "彭亮"),
}
PARTNER_CLERKS: dict[str, str] = {
    "qijiang": "谢婷",
    "chuxiong": "普丽华",
    "liangshan": "吉克阿依",
    "yongren": "李春燕",
}


@dataclass(frozen=True)
class Citizen:
    name: str
    id_number: str
    phone: str


def _citizen(name: str, birthplace: str, born: str, serial: str, phone: str) -> Citizen:
    return Citizen(name, make_id_number(birthplace + born + serial), phone)


# Applicants; the 17th digit is odd for men. 张卫东 was born in 淮阳县 (412726), which
# became 周口市淮阳区 (411603) in 2019 — old ID numbers keep the old code.
CITIZENS: dict[str, Citizen] = {
    "changzhi": _citizen("王建国", "140403", "19780315", "031", "13900000001"),
    "panzhihua": _citizen("李秀英", "510402", "19850922", "024", "13900000002"),
    "huaiyang": _citizen("张卫东", "412726", "19900607", "057", "13900000003"),
    "shenyang": _citizen("刘洋", "210102", "19921108", "068", "13900000004"),
}


def username(region_key: str, role: str) -> str:
    return f"{region_key}.{role}"
