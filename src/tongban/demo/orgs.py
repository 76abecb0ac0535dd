"""Demo regions: the four seed regions and their partners, with departments, one service
centre each (with a 跨省通办专窗) and the people who work there.

Addresses are plausible, not surveyed; telephone numbers are demo numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from tongban.demo.spec import department_uscc


@dataclass(frozen=True)
class DeptSpec:
    key: str
    name: str
    category: str  # "11" 机关, "12" 事业单位, "13" 群团组织
    serial: int  # fixes the demo USCC; never renumber

    def uscc(self, region_code: str) -> str:
        return department_uscc(self.category, region_code, self.serial)


@dataclass(frozen=True)
class WindowSpec:
    number: str
    name: str
    is_cross_region: bool = False


@dataclass(frozen=True)
class CentreSpec:
    name: str
    address: str
    hours: str
    windows: tuple[WindowSpec, ...]


@dataclass(frozen=True)
class RegionSpec:
    key: str  # username prefix and key in item specs
    code: str  # GB/T 2260
    label: str  # short name for print-outs
    level: str  # city / county: 行使层级 of its departments
    area: str  # telephone area code
    seed: bool  # seed regions get every role; partners get a clerk
    departments: tuple[DeptSpec, ...]
    centre: CentreSpec
    gov_dept: str  # key of the 政务服务管理 department (supervisor, catalogue admin)
    # An item's department key → the key of the department that implements it here
    # (e.g. Shanxi's 行政审批服务管理局 registers companies instead of 市场监管局).
    dept_for: tuple[tuple[str, str], ...] = ()

    def dept_key(self, item_dept: str) -> str:
        return dict(self.dept_for).get(item_dept, item_dept)

    def phone(self, n: int) -> str:
        return f"{self.area}-{12300 + n}（演示号码）"

    @property
    def hotline(self) -> str:
        return f"{self.area}-12345（12345政务服务便民热线，演示号码）"


_SEED_WINDOWS = (
    WindowSpec("A01", "综合受理窗口（个人事项）"),
    WindowSpec("A02", "综合受理窗口（个人事项）"),
    WindowSpec("B01", "综合受理窗口（企业事项）"),
    WindowSpec("C01", "跨省通办专窗", is_cross_region=True),
    WindowSpec("D01", "综合出件窗口"),
)
_PARTNER_WINDOWS = (
    WindowSpec("A01", "综合受理窗口"),
    WindowSpec("T01", "跨省通办专窗", is_cross_region=True),
)
_WEEKDAYS = "周一至周五（法定节假日除外）"


def _standard(prefix: str, names: dict[str, str] | None = None) -> tuple[DeptSpec, ...]:
    """The departments every seed region has, named ``prefix`` + office unless renamed."""
    n = names or {}
    rows = [
        ("hrss", "人力资源和社会保障局", "11"),
        ("psb", "公安局", "11"),
        ("traffic", "公安局交通警察支队", "11"),
        ("medical", "医疗保障局", "11"),
        ("hpf", "住房公积金管理中心", "12"),
        ("samr", "市场监督管理局", "11"),
        ("civil", "民政局", "11"),
        ("health", "卫生健康委员会", "11"),
        ("eco", "生态环境局", "11"),
        ("land", "不动产登记中心", "12"),
        ("edu", "教育局", "11"),
        ("disabled", "残疾人联合会", "13"),
    ]
    return tuple(
        DeptSpec(key, n.get(key, prefix + office), cat, i)
        for i, (key, office, cat) in enumerate(rows, start=1)
    )


CHANGZHI = RegionSpec(
    key="changzhi",
    code="140400",
    label="长治市",
    level="city",
    area="0355",
    seed=True,
    departments=(
        *_standard("长治市", {"hpf": "长治住房公积金管理中心"}),
        DeptSpec("gov", "长治市行政审批服务管理局", "11", 20),
    ),
    centre=CentreSpec(
        "长治市政务服务中心",
        "山西省长治市潞州区英雄南路 长治市政务服务中心",
        f"{_WEEKDAYS} 上午9:00-12:00，下午14:30-17:30（冬季14:00-17:00）",
        _SEED_WINDOWS,
    ),
    gov_dept="gov",
    # 山西 相对集中行政许可权改革: the 审批局 registers and licenses businesses.
    dept_for=(("samr", "gov"),),
)

PANZHIHUA = RegionSpec(
    key="panzhihua",
    code="510400",
    label="攀枝花市",
    level="city",
    area="0812",
    seed=True,
    departments=(
        *_standard("攀枝花市", {"edu": "攀枝花市教育和体育局"}),
        DeptSpec("gov", "攀枝花市政务服务和公共资源交易服务中心", "12", 20),
    ),
    centre=CentreSpec(
        "攀枝花市政务服务中心",
        "四川省攀枝花市东区机场路 攀枝花市政务服务中心",
        f"{_WEEKDAYS} 上午9:00-12:00，下午14:30-18:00",
        _SEED_WINDOWS,
    ),
    gov_dept="gov",
)

HUAIYANG = RegionSpec(
    key="huaiyang",
    code="411603",
    label="周口市淮阳区",
    level="county",
    area="0394",
    seed=True,
    departments=(
        *_standard(
            "周口市淮阳区",
            {
                "psb": "周口市公安局淮阳分局",
                "traffic": "周口市公安局交通警察支队淮阳大队",
                "hpf": "周口市住房公积金管理中心淮阳区管理部",
                "eco": "周口市生态环境局淮阳分局",
            },
        ),
        DeptSpec("gov", "周口市淮阳区政务服务和大数据管理局", "11", 20),
    ),
    centre=CentreSpec(
        "周口市淮阳区政务服务中心",
        "河南省周口市淮阳区羲皇大道 淮阳区政务服务中心",
        f"{_WEEKDAYS} 上午8:30-12:00，下午14:30-17:30；周六上午延时服务",
        _SEED_WINDOWS,
    ),
    gov_dept="gov",
)

SHENYANG = RegionSpec(
    key="shenyang",
    code="210100",
    label="沈阳市",
    level="city",
    area="024",
    seed=True,
    departments=(
        *_standard(
            "沈阳市",
            {"traffic": "沈阳市公安局交通警察局", "hpf": "沈阳住房公积金管理中心"},
        ),
        DeptSpec("gov", "沈阳市营商环境建设局", "11", 20),
    ),
    centre=CentreSpec(
        "沈阳市政务服务中心",
        "辽宁省沈阳市浑南区创新路 沈阳市政务服务中心",
        f"{_WEEKDAYS} 上午8:30-11:30，下午13:00-16:30",
        _SEED_WINDOWS,
    ),
    gov_dept="gov",
)

QIJIANG = RegionSpec(
    key="qijiang",
    code="500110",
    label="重庆市綦江区",
    level="county",
    area="023",
    seed=False,
    departments=(
        DeptSpec("hrss", "重庆市綦江区人力资源和社会保障局", "11", 1),
        DeptSpec("psb", "重庆市公安局綦江区分局", "11", 2),
        DeptSpec("medical", "重庆市綦江区医疗保障局", "11", 4),
        DeptSpec("hpf", "重庆市住房公积金管理中心綦江区分中心", "12", 5),
        DeptSpec("samr", "重庆市綦江区市场监督管理局", "11", 6),
        DeptSpec("gov", "重庆市綦江区政务服务管理办公室", "11", 20),
    ),
    centre=CentreSpec(
        "綦江区政务服务中心",
        "重庆市綦江区文龙街道 綦江区政务服务中心",
        f"{_WEEKDAYS} 上午9:00-12:00，下午14:00-17:30",
        _PARTNER_WINDOWS,
    ),
    gov_dept="gov",
)

CHUXIONG = RegionSpec(
    key="chuxiong",
    code="532300",
    label="楚雄州",
    level="city",
    area="0878",
    seed=False,
    departments=(
        DeptSpec("hrss", "楚雄彝族自治州人力资源和社会保障局", "11", 1),
        DeptSpec("psb", "楚雄彝族自治州公安局", "11", 2),
        DeptSpec("medical", "楚雄彝族自治州医疗保障局", "11", 4),
        DeptSpec("hpf", "楚雄州住房公积金管理中心", "12", 5),
        DeptSpec("samr", "楚雄彝族自治州市场监督管理局", "11", 6),
        DeptSpec("gov", "楚雄彝族自治州政务服务管理局", "11", 20),
    ),
    centre=CentreSpec(
        "楚雄州政务服务中心",
        "云南省楚雄彝族自治州楚雄市鹿城南路 楚雄州政务服务中心",
        f"{_WEEKDAYS} 上午9:00-12:00，下午14:30-17:30",
        _PARTNER_WINDOWS,
    ),
    gov_dept="gov",
)

LIANGSHAN = RegionSpec(
    key="liangshan",
    code="513400",
    label="凉山州",
    level="city",
    area="0834",
    seed=False,
    departments=(
        DeptSpec("hrss", "凉山彝族自治州人力资源和社会保障局", "11", 1),
        DeptSpec("psb", "凉山彝族自治州公安局", "11", 2),
        DeptSpec("medical", "凉山彝族自治州医疗保障局", "11", 4),
        DeptSpec("disabled", "凉山彝族自治州残疾人联合会", "13", 12),
        DeptSpec("gov", "凉山彝族自治州政务服务和公共资源交易服务中心", "12", 20),
    ),
    centre=CentreSpec(
        "凉山州政务服务中心",
        "四川省凉山彝族自治州西昌市航天大道 凉山州政务服务中心",
        f"{_WEEKDAYS} 上午9:00-12:00，下午14:30-18:00",
        _PARTNER_WINDOWS,
    ),
    gov_dept="gov",
)

YONGREN = RegionSpec(
    key="yongren",
    code="532327",
    label="永仁县",
    level="county",
    area="0878",
    seed=False,
    departments=(
        DeptSpec("hrss", "永仁县人力资源和社会保障局", "11", 1),
        DeptSpec("medical", "永仁县医疗保障局", "11", 4),
        DeptSpec("gov", "永仁县政务服务管理局", "11", 20),
    ),
    centre=CentreSpec(
        "永仁县政务服务中心",
        "云南省楚雄彝族自治州永仁县永定镇 永仁县政务服务中心",
        f"{_WEEKDAYS} 上午8:30-12:00，下午14:30-17:30",
        _PARTNER_WINDOWS,
    ),
    gov_dept="gov",
)

REGIONS: tuple[RegionSpec, ...] = (
    CHANGZHI,
    PANZHIHUA,
    HUAIYANG,
    SHENYANG,
    QIJIANG,
    CHUXIONG,
    LIANGSHAN,
    YONGREN,
)
SEED_REGIONS = tuple(r for r in REGIONS if r.seed)
PARTNER_REGIONS = tuple(r for r in REGIONS if not r.seed)
BY_KEY = {r.key: r for r in REGIONS}
