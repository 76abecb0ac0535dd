"""Public guide pages: search results, item guide, one-time notice, browse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tongban.accounts.services import service_center_create, window_create
from tongban.catalog.agreements import agreement_create
from tongban.catalog.elements import (
    FAQInput,
    FeeInput,
    MaterialInput,
    SpecialProcedureInput,
    StepInput,
)
from tongban.catalog.models import ItemImplementation, Synonym, Theme
from tongban.catalog.services import baseline_upsert, version_create_draft, version_publish
from tongban.core.actors import SYSTEM
from tongban.testing import elements, make_baseline, make_department, make_implementation

pytestmark = pytest.mark.django_db


@dataclass
class GuideData:
    ssc_changzhi: ItemImplementation  # 社会保障卡申领, 长治市, versions 1 (old) and 2 (current)
    ssc_pzh: ItemImplementation  # 社会保障卡申领, 攀枝花市
    hukou: ItemImplementation  # 户口迁移, 淮阳区, immediate, zero visits
    licence: ItemImplementation  # 企业设立登记 (营业执照), 沈阳市


def _synonyms() -> None:
    try:
        from tongban.catalog.synonyms import synonyms_load_defaults
    except ImportError:
        for term in ("社保卡", "社会保障卡"):
            Synonym.objects.get_or_create(term=term, defaults={"canonical": "社会保障卡"})
        return
    synonyms_load_defaults()


def build_guide_data() -> GuideData:
    """A small catalogue: two regions implementing 社保卡, one 户口 item, one 营业执照 item,
    service centres and windows, and an agreement letting 攀枝花 take in 长治's item."""
    Theme.objects.create(code="social-security", name="社会保障", audience="person", position=1)
    Theme.objects.create(code="household", name="户籍办理", audience="person", position=2)
    Theme.objects.create(code="company-start", name="企业开办", audience="organisation")
    _synonyms()

    ssc = make_baseline()
    baseline_upsert(
        actor=SYSTEM,
        catalog_code=ssc.catalog_code,
        name=ssc.name,
        item_type=ssc.item_type,
        legal_basis="《社会保险法》第五十八条",
        theme_codes=["social-security"],
    )
    changzhi = make_implementation(
        ssc, make_department("140400", "长治市人力资源和社会保障局", "city")
    )
    v1 = version_create_draft(
        actor=SYSTEM,
        implementation=changzhi,
        elements=elements(valid_from="2026-01-05", promised_days=10, change_note="首次发布"),
    )
    version_publish(actor=SYSTEM, version=v1, today=date(2026, 1, 5))
    el = elements(
        change_note="压缩承诺时限",
        transact_addr="长治市政务服务中心一楼",
        transact_time="周一至周五 9:00-17:00",
        consult_phone="0355-12345678",
        complaint_phone="0355-12345",
        service_promise="材料齐全当场受理，5个工作日内制卡。",
        handle_flow="申请→受理→审核→制卡→领卡",
        is_express=True,
        is_fee=True,
        fee_basis="补换卡工本费依据省物价文件",
        fees=[FeeInput(name="补换卡工本费", standard="每张20元", reducible=True)],
        special_procedures=[
            SpecialProcedureInput(
                name="制卡", days=3, legal_basis="《社会保障卡管理办法》", counted_in_limit=False
            )
        ],
        faqs=[FAQInput(question="异地可以领卡吗？", answer="可以选择邮寄到家。")],
    )
    el.materials = [
        *el.materials,
        MaterialInput(
            name="户口簿", source="data_sharing", data_item="户籍信息", material_format="paper"
        ),
        MaterialInput(name="参保证明", source="internal"),
    ]
    el.steps = [StepInput(name="受理", role="clerk", days=1, review_points="核对身份")]
    v2 = version_create_draft(actor=SYSTEM, implementation=changzhi, elements=el)
    version_publish(actor=SYSTEM, version=v2)

    pzh = make_implementation(ssc, make_department("510400", "攀枝花市人力资源和社会保障局"))
    version_publish(
        actor=SYSTEM,
        version=version_create_draft(actor=SYSTEM, implementation=pzh, elements=elements()),
    )

    hukou_base = baseline_upsert(
        actor=SYSTEM,
        catalog_code="000104001000",
        name="户口迁移",
        item_type="confirmation",
        theme_codes=["household"],
    )
    hukou = make_implementation(
        hukou_base, make_department("411603", "周口市公安局淮阳分局", "county")
    )
    version_publish(
        actor=SYSTEM,
        version=version_create_draft(
            actor=SYSTEM,
            implementation=hukou,
            elements=elements(
                name="户口迁移",
                aliases="户籍迁移,迁户口",
                summary="办理户口跨地区迁移",
                accept_condition="已取得迁入地准予迁入证明",
                kind="immediate",
                statutory_days=0,
                promised_days=0,
                max_visits=0,
                scope="cross_province",
                mode_proxy_intake=False,
                materials=[MaterialInput(name="准予迁入证明")],
            ),
        ),
    )

    licence_base = baseline_upsert(
        actor=SYSTEM,
        catalog_code="000201001000",
        name="企业设立登记",
        item_type="licensing",
        theme_codes=["company-start"],
    )
    licence = make_implementation(
        licence_base, make_department("210100", "沈阳市市场监督管理局", "city")
    )
    version_publish(
        actor=SYSTEM,
        version=version_create_draft(
            actor=SYSTEM,
            implementation=licence,
            elements=elements(
                name="企业设立登记",
                aliases="营业执照办理,开公司",
                summary="申领营业执照",
                accept_condition="依法设立的企业",
                for_organisation=True,
                for_person=False,
                scope="local",
                mode_fully_online=False,
                mode_proxy_intake=False,
                allows_commitment=True,
            ),
        ),
    )

    centre = service_center_create(
        name="长治市政务服务中心",
        region_code="140403",
        address="长治市潞州区太行东街",
        hours="工作日 9:00-17:00",
        phone="0355-2020202",
    )
    window_create(center=centre, name="社保综合窗口", number="12")
    pzh_centre = service_center_create(name="攀枝花市政务服务中心", region_code="510402")
    window_create(center=pzh_centre, name="跨省通办专窗", number="18", is_cross_region=True)
    window_create(center=pzh_centre, name="综合窗口", number="3")
    agreement_create(
        actor=SYSTEM,
        name="长治—攀枝花跨省通办合作协议",
        scope="cross_province",
        party_codes=["140400", "510400"],
        catalog_codes=[ssc.catalog_code],
        valid_from="2026-01-01",
    )
    for impl in (changzhi, pzh, hukou, licence):
        impl.refresh_from_db()
    return GuideData(changzhi, pzh, hukou, licence)


@pytest.fixture
def data() -> GuideData:
    return build_guide_data()


def _get(url: str, **headers: str) -> tuple[int, str]:
    resp = Client().get(url, headers=headers)
    return resp.status_code, resp.content.decode()


def test_guide_shows_every_section(data: GuideData) -> None:
    status, html = _get(f"/items/{data.ssc_changzhi.task_code}/")
    assert status == 200
    for heading in (
        "基本信息",
        "办理地点/时间",
        "申请条件",
        "申请材料",
        "特殊环节",
        "办理流程",
        "收费标准",
        "设定依据",
        "常见问题",
        "服务承诺",
        "到现场次数",
        "咨询方式",
        "监督投诉方式",
    ):
        assert f">{heading}" in html, heading
    for anchor in ("#basic", "#where", "#materials", "#special", "#faq", "#complaint"):
        assert f'href="{anchor}"' in html
    assert "非现行版本" not in html
    assert "法定 20 个工作日 / 承诺 5 个工作日" in html
    assert "跨省通办" in html and "全程网办" in html and "异地代收代办" in html
    assert "最多跑一次" in html
    # Special procedure with time, legal basis and whether it counts.
    assert "《社会保障卡管理办法》" in html and "不计入" in html
    assert "每张20元" in html and "《社会保险法》第五十八条" in html
    assert "0355-12345678" in html and "0355-12345" in html
    assert "异地可以领卡吗？" in html
    assert "第 2 版" in html and f"/items/{data.ssc_changzhi.task_code}/notice/" in html


def test_guide_materials_mark_exempt_sources(data: GuideData) -> None:
    _, html = _get(f"/items/{data.ssc_changzhi.task_code}/")
    for column in ("名称", "必要性", "形式", "份数", "原件核验", "受理标准", "来源"):
        assert f">{column}</th>" in html
    assert html.count('<span class="badge ok">免提交</span>') == 4  # 3 rows + summary
    assert "11100000000013338W001" in html  # the licence type of 居民身份证
    assert "户籍信息" in html  # the shared data item of 户口簿
    assert "部门自行核查" in html
    assert "白底彩色，358×441像素" in html


def test_guide_lists_where_to_apply(data: GuideData) -> None:
    _, html = _get(f"/items/{data.ssc_changzhi.task_code}/")
    assert "网上办理" in html
    assert "长治市政务服务中心" in html and "12 号 社保综合窗口" in html
    assert "太行东街" in html and "工作日 9:00-17:00" in html
    # 攀枝花 takes it in by agreement, at its cross-region window only.
    assert "异地代收代办" in html and "四川省攀枝花市" in html
    assert "18 号 跨省通办专窗" in html and "3 号 综合窗口" not in html
    # The other region's implementation of the same baseline is linked.
    assert f'href="/items/{data.ssc_pzh.task_code}/"' in html


def test_immediate_zero_visit_item(data: GuideData) -> None:
    status, html = _get(f"/items/{data.hukou.task_code.lower()}/")
    assert status == 200
    assert "即办件" in html and "零跑动" in html
    assert "异地办理" not in html  # no proxy intake mode


def test_commitment_badge(data: GuideData) -> None:
    _, html = _get(f"/items/{data.licence.task_code}/")
    head = html.split('id="basic"')[0]
    assert '<span class="badge warn">告知承诺</span>' in head
    assert '<span class="badge scope">' not in head  # a local item has no scope badge


def test_non_current_version(data: GuideData) -> None:
    code = data.ssc_changzhi.task_code
    status, html = _get(f"/items/{code}/?version=1")
    assert status == 200
    assert "非现行版本" in html and "第 1 版" in html
    assert "承诺 10 个工作日" in html
    assert f'href="/items/{code}/"' in html  # link back to the version in force
    status, html = _get(f"/items/{code}/?version=2")
    assert status == 200 and "非现行版本" not in html


def test_unknown_item_and_versions_are_404_in_chinese(data: GuideData) -> None:
    code = data.ssc_changzhi.task_code
    for url in (
        "/items/NOPE/",
        f"/items/{code}/?version=9",
        f"/items/{code}/?version=abc",
        "/items/NOPE/notice/",
    ):
        status, html = _get(url)
        assert status == 404, url
        assert "页面未找到" in html


def test_draft_version_is_not_public(data: GuideData) -> None:
    impl = data.ssc_pzh
    version_create_draft(actor=SYSTEM, implementation=impl, elements=elements(name="草稿名称"))
    assert _get(f"/items/{impl.task_code}/?version=2")[0] == 404
    assert "草稿名称" not in _get(f"/items/{impl.task_code}/")[1]


def test_item_not_yet_in_force_shows_the_upcoming_version(data: GuideData) -> None:
    impl = make_implementation(
        data.hukou.baseline, make_department("500110", "重庆市綦江区公安局", "county")
    )
    el = elements(name="户口迁移", valid_from="2099-01-04")
    version_publish(
        actor=SYSTEM, version=version_create_draft(actor=SYSTEM, implementation=impl, elements=el)
    )
    status, html = _get(f"/items/{impl.task_code}/")
    assert status == 200
    assert "非现行版本</strong>（尚未施行）" in html and "2099-01-04" in html


def test_notice_page(data: GuideData) -> None:
    status, html = _get(f"/items/{data.ssc_changzhi.task_code}/notice/")
    assert status == 200
    assert "一次性告知清单" in html and "window.print()" in html
    bring = html.split("需要携带的材料")[1].split("无需提交")[0]
    assert "近期免冠照片" in bring and "居民身份证" not in bring
    assert "需核验原件" not in bring  # the photo needs no original
    exempt = html.split("无需提交（两个免提交）")[1]
    assert "户口簿" in exempt and "户籍信息" in exempt and "居民身份证" in exempt
    assert "每张20元" in html and "0355-12345678" in html
    assert "周一至周五 9:00-17:00" in html and "长治市政务服务中心" in html
    assert "四川省攀枝花市" in html
    status, html = _get(f"/items/{data.ssc_changzhi.task_code}/notice/?version=1")
    assert status == 200 and "非现行版本" in html


def test_guide_query_count_is_bounded(data: GuideData) -> None:
    client = Client()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/items/{data.ssc_changzhi.task_code}/").status_code == 200
    assert len(ctx.captured_queries) <= 25


def test_browse_regions(data: GuideData) -> None:
    status, html = _get("/browse/")
    assert status == 200
    assert "山西省" in html and "四川省" in html
    assert "社会保障" in html and "企业开办" in html  # themes for persons and companies
    status, html = _get("/browse/?region=140000")
    assert status == 200
    assert 'href="/browse/?region=140400"' in html
    assert '长治市</span><span class="count">1 项' in html
    status, html = _get("/browse/?region=140400")
    assert "长治市人力资源和社会保障局" in html
    assert f"/items/?region=140400&amp;department={data.ssc_changzhi.department_id}" in html
    assert _get("/browse/?region=999999")[0] == 404
    assert _get("/browse/?region=abc")[0] == 404


def test_browse_counts_use_aggregates(data: GuideData) -> None:
    client = Client()
    with CaptureQueriesContext(connection) as ctx:
        client.get("/browse/")
    assert len(ctx.captured_queries) <= 8


def test_browse_theme(data: GuideData) -> None:
    status, html = _get("/browse/?theme=social-security")
    assert status == 200
    assert "社会保障卡申领" in html and "2 个实施机关可办" in html
    assert _get("/browse/?theme=nope")[0] == 404


def test_home_lists_themes(data: GuideData) -> None:
    _, html = _get("/")
    assert 'href="/browse/?theme=household"' in html
    assert 'href="/items/?scope=cross_province"' in html


def test_search_results(data: GuideData) -> None:
    status, html = _get("/items/?q=社保卡")
    assert status == 200
    assert f'href="/items/{data.ssc_changzhi.task_code}/"' in html
    assert "承诺时限 5 个工作日" in html
    assert "已为您同时搜索" in html and "社会保障卡" in html
    assert "筛选条件" in html


def test_search_partial_for_htmx(data: GuideData) -> None:
    status, html = _get("/items/?q=户口", **{"HX-Request": "true"})
    assert status == 200
    assert "<html" not in html and "户口迁移" in html and "即办件" in html


def test_search_filters_and_empty_state(data: GuideData) -> None:
    _, html = _get("/items/?q=社保卡&region=510400")
    assert data.ssc_pzh.task_code in html and data.ssc_changzhi.task_code not in html
    assert "地区：四川省攀枝花市" in html
    _, html = _get("/items/?q=不存在的事项xyz")
    assert "没有找到" in html and "按地区、部门、主题浏览" in html
    # Unknown filter values are ignored rather than failing.
    status, _ = _get("/items/?scope=bogus&mode=x&region=12&page=abc&department=-1")
    assert status == 200


def test_search_page_past_the_end_shows_the_last_page(data: GuideData) -> None:
    status, html = _get("/items/?page=5")
    assert status == 200 and "没有找到" not in html
    assert data.hukou.task_code in html
