"""Demo cooperation agreements between the seed regions and their partners.

An agreement covers the baseline items that at least two of its parties implement, so
every window it opens has something to take in.
"""

from __future__ import annotations

from dataclasses import dataclass

from tongban.demo.data import ITEMS
from tongban.demo.orgs import BY_KEY

ALL_RIGHTS = frozenset({"receive", "notify", "verify_original", "deliver_result"})


@dataclass(frozen=True)
class AgreementSpec:
    name: str
    scope: str
    parties: tuple[str, ...]  # region keys
    rights: frozenset[str]
    modes: frozenset[str]
    valid_from: str
    valid_to: str | None
    signed_at: str
    notes: str = ""
    # Limit to these item codes (still only those two parties implement); None = all.
    only: frozenset[str] | None = None

    @property
    def party_codes(self) -> list[str]:
        return [BY_KEY[k].code for k in self.parties]

    @property
    def catalog_codes(self) -> list[str]:
        return [
            i.code
            for i in ITEMS
            if sum(k in i.regions for k in self.parties) >= 2
            and (self.only is None or i.code in self.only)
        ]


AGREEMENTS: tuple[AgreementSpec, ...] = (
    AgreementSpec(
        name="长治市—攀枝花市政务服务“跨省通办”合作协议",
        scope="cross_province",
        parties=("changzhi", "panzhihua"),
        rights=ALL_RIGHTS,
        modes=frozenset({"proxy_intake", "fully_online"}),
        valid_from="2026-01-01",
        valid_to="2029-01-01",
        signed_at="2025-12-18",
        notes="双方跨省通办专窗互设，互授收件受理、一次性告知、原件核验和结果送达权。（演示）",
    ),
    AgreementSpec(
        name="川滇四地（攀枝花·凉山·楚雄·永仁）区域合作“跨省通办”协议",
        scope="cross_province",
        parties=("panzhihua", "liangshan", "chuxiong", "yongren"),
        rights=frozenset({"receive", "notify", "verify_original"}),
        modes=frozenset({"proxy_intake", "joint"}),
        valid_from="2026-03-01",
        valid_to=None,
        signed_at="2026-02-10",
        notes="攀西—滇中毗邻地区高频事项异地代收代办、多地联办。（演示）",
    ),
    AgreementSpec(
        name="周口市淮阳区—长治市“跨省通办”合作协议",
        scope="cross_province",
        parties=("huaiyang", "changzhi"),
        rights=frozenset({"receive", "notify"}),
        modes=frozenset({"proxy_intake"}),
        valid_from="2026-04-01",
        valid_to="2028-04-01",
        signed_at="2026-03-20",
        notes="以社保、医保、公积金和户籍类个人事项为主。（演示）",
        only=frozenset(
            {
                "111010010000",
                "111010020000",
                "111010030000",
                "111020010000",
                "111020020000",
                "111050010000",
                "111050020000",
                "111050040000",
                "011030010000",
                "071030020000",
                "111080010000",
            }
        ),
    ),
    AgreementSpec(
        name="沈阳市—重庆市綦江区“跨省通办”合作协议",
        scope="cross_province",
        parties=("shenyang", "qijiang"),
        rights=frozenset({"receive", "notify", "deliver_result"}),
        modes=frozenset({"proxy_intake", "fully_online"}),
        valid_from="2026-06-01",
        valid_to="2028-06-01",
        signed_at="2026-05-15",
        notes="服务两地务工人员社保、医保、公积金和企业开办事项。（演示）",
    ),
    AgreementSpec(
        name="攀枝花市—凉山彝族自治州政务服务“省内通办”协议",
        scope="in_province",
        parties=("panzhihua", "liangshan"),
        rights=ALL_RIGHTS,
        modes=frozenset({"proxy_intake"}),
        valid_from="2026-01-01",
        valid_to=None,
        signed_at="2025-12-26",
        notes="四川省内攀西地区高频事项省内通办。（演示）",
    ),
)
