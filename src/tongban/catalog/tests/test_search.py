"""Catalogue search: expansion and ranking rules, and search_items on a fixed catalogue.

The service tests run unchanged on SQLite and on PostgreSQL (DATABASE_URL) and assert
exact ordered results, so both databases must return the same rows in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.core.management import call_command

from tongban.catalog.elements import MaterialInput
from tongban.catalog.models import Synonym, Theme
from tongban.catalog.search import SearchPage, search_entries_rebuild, search_items
from tongban.catalog.search_text import (
    BREAK_TOKEN,
    expand_query,
    filter_tokens,
    fts_tokens,
    meta_tokens,
    synonym_groups,
    term_plan,
)
from tongban.catalog.services import baseline_upsert, version_create_draft, version_publish
from tongban.catalog.synonyms import default_synonyms, synonyms_load_defaults
from tongban.core.actors import SYSTEM
from tongban.core.errors import TongbanError
from tongban.testing import elements, make_department, make_implementation

# ---- rules (no database) ------------------------------------------------------------

GROUPS = synonym_groups(
    [
        ("社保", "社会保险"),
        ("社保卡", "社会保障卡"),
        ("医保卡", "社会保障卡"),
        ("驾照", "驾驶证"),
        ("机动车驾驶证", "驾驶证"),
    ]
)


def test_groups_join_every_word_of_a_canonical() -> None:
    assert GROUPS["社保卡"] == ("医保卡", "社保卡", "社会保障卡")
    assert GROUPS["社会保障卡"] is GROUPS["医保卡"]
    assert GROUPS["驾照"] == ("驾照", "驾驶证", "机动车驾驶证")
    # A word that is the canonical of one row and the term of another joins both groups.
    chained = synonym_groups([("a", "b"), ("b", "c")])
    assert chained["a"] == chained["c"] == ("a", "b", "c")


def test_expansion_replaces_the_longest_word_both_ways() -> None:
    assert expand_query("社保卡补办", GROUPS) == ["社保卡补办", "医保卡补办", "社会保障卡补办"]
    assert expand_query("社会保障卡", GROUPS) == ["社会保障卡", "医保卡", "社保卡"]
    assert expand_query("社保", GROUPS) == ["社保", "社会保险"]
    assert expand_query("驾照换证", GROUPS) == ["驾照换证", "驾驶证换证", "机动车驾驶证换证"]
    assert expand_query("护照", GROUPS) == ["护照"]
    assert expand_query("", GROUPS) == []


def test_expansion_combines_words_and_stops_at_eight_terms() -> None:
    terms = expand_query("社保驾照", GROUPS)
    assert terms[0] == "社保驾照" and "社会保险驾驶证" in terms and len(terms) == 6
    assert len(expand_query("社保卡驾照社保", GROUPS)) == 8


def test_term_plans() -> None:
    short = term_plan("户口")
    assert short.grams == ("户口",) and short.grams_exact and short.phrase_exact
    three = term_plan("社保卡")
    assert three.grams == ("社保卡",) and three.grams_exact
    long = term_plan("社会保障卡")
    assert long.grams == ("社会保", "会保障", "保障卡") and not long.grams_exact
    assert long.phrase_exact
    # Pinyin letters are exact (initials apply); digits could hide inside initials.
    assert term_plan("hk").grams_exact and not term_plan("a1").grams_exact
    punct = term_plan("证(新办)")
    assert punct.runs == ("证", "新办") and not punct.phrase_exact
    assert term_plan("()").runs == ()


def test_fts_tokens_break_at_every_unindexed_character() -> None:
    assert fts_tokens(["社保卡 申领"]) == f"社 保 卡 {BREAK_TOKEN} 申 领 {BREAK_TOKEN}"
    assert fts_tokens(["残疾人证(新办)"]).split()[:6] == ["残", "疾", "人", "证", BREAK_TOKEN, "新"]
    assert fts_tokens(["ab12"]) == f"a b 1 2 {BREAK_TOKEN}"


def test_filter_tokens_are_a_subset_of_the_entry_tokens() -> None:
    tokens = meta_tokens("140403", 7, "cross_province", ["fully_online", "proxy_intake"])
    assert tokens == [
        "r14",
        "r1404",
        "r140403",
        "dep7",
        "scrossprovince",
        "mfullyonline",
        "mproxyintake",
    ]
    assert set(filter_tokens("1404", 7, "cross_province", "proxy_intake")) <= set(tokens)
    assert all(len(t) >= 3 for t in tokens)


def test_shipped_synonyms_cover_the_common_abbreviations() -> None:
    pairs = dict(default_synonyms())
    assert len(pairs) >= 40
    for term, canonical in [
        ("社保卡", "社会保障卡"),
        ("驾照", "驾驶证"),
        ("公积金", "住房公积金"),
        ("身份证", "居民身份证"),
        ("户口", "户籍"),
        ("准生证", "生育登记"),
        ("出生证", "出生医学证明"),
    ]:
        assert pairs[term] == canonical


# ---- search_items on a fixed catalogue (SQLite and PostgreSQL) -----------------------


@dataclass
class Catalogue:
    items: dict[str, str]  # name → task code
    departments: dict[str, int]


# (catalog code, name, department key, aliases, summary, materials, scope, modes, type)
ITEMS = [
    (
        "000105001000",
        "社会保障卡申领",
        "rs",
        "社保卡申领",
        "申领第三代社会保障卡",
        "居民身份证 近期免冠照片",
        "cross_province",
        "fo pi",
        "public_service",
    ),
    (
        "000105002000",
        "社会保障卡补领",
        "rs",
        "",
        "参加社会保险的人员补领社会保障卡",
        "居民身份证",
        "in_province",
        "fo",
        "public_service",
    ),
    (
        "000105003000",
        "社会保险关系转移",
        "rs",
        "",
        "办理社会保险关系跨省转移接续",
        "居民身份证 参保凭证",
        "cross_province",
        "jo",
        "public_service",
    ),
    (
        "000100000003",
        "户口迁移",
        "ga",
        "",
        "办理户口跨省迁移",
        "居民户口簿 准迁证",
        "cross_province",
        "pi",
        "confirmation",
    ),
    (
        "000100000010",
        "户口登记",
        "ga",
        "",
        "新生儿落户登记",
        "出生医学证明",
        "local",
        "",
        "confirmation",
    ),
    (
        "000100000020",
        "户籍证明开具",
        "pzh",
        "",
        "开具户籍证明",
        "居民身份证",
        "local",
        "",
        "confirmation",
    ),
    (
        "000100000030",
        "居民身份证换领",
        "lz",
        "",
        "有效期满换领",
        "居民户口簿 近期免冠照片",
        "cross_province",
        "pi",
        "licensing",
    ),
    (
        "000100000040",
        "机动车驾驶证换证",
        "sy",
        "",
        "驾驶证有效期满换证",
        "机动车驾驶证 身体条件证明",
        "cross_province",
        "fo",
        "licensing",
    ),
    (
        "000100000050",
        "住房公积金提取",
        "gjj",
        "",
        "提取本人住房公积金，咨询电话12345",
        "居民身份证 银行卡",
        "in_province",
        "fo",
        "public_service",
    ),
    (
        "000100000060",
        "结婚登记",
        "mz",
        "",
        "内地居民办理结婚登记",
        "居民户口簿 居民身份证",
        "local",
        "",
        "confirmation",
    ),
    (
        "000100000070",
        "残疾人证（新办）",
        "mz",
        "",
        "首次申领残疾人证",
        "残疾评定表",
        "local",
        "",
        "confirmation",
    ),
]
DEPARTMENTS = {
    "rs": ("140400", "长治市人力资源和社会保障局", "city"),
    "ga": ("140400", "长治市公安局", "city"),
    "lz": ("140403", "长治市公安局潞州分局", "county"),
    "gjj": ("140400", "长治市住房公积金管理中心", "city"),
    "pzh": ("510400", "攀枝花市公安局", "city"),
    "sy": ("210100", "沈阳市公安局", "city"),
    "mz": ("411603", "淮阳区民政局", "county"),
}
MODES = {"fo": "mode_fully_online", "pi": "mode_proxy_intake", "jo": "mode_joint"}


@pytest.fixture
def catalogue(db: None) -> Catalogue:
    synonyms_load_defaults()
    depts = {k: make_department(r, name, level) for k, (r, name, level) in DEPARTMENTS.items()}
    theme = Theme.objects.create(code="hukou", name="户籍办理", audience="person")
    items = {}
    for code, name, dept, aliases, summary, materials, scope, modes, item_type in ITEMS:
        baseline = baseline_upsert(
            actor=SYSTEM,
            catalog_code=code,
            name=name,
            item_type=item_type,
            theme_codes=[theme.code] if "户" in name else [],
        )
        impl = make_implementation(baseline, depts[dept])
        el = elements(
            name=name,
            aliases=aliases,
            summary=summary,
            accept_condition="",
            scope=scope,
            mode_fully_online=False,
            mode_proxy_intake=False,
            materials=[MaterialInput(name=m) for m in materials.split()],
        )
        for m in modes.split():
            setattr(el, MODES[m], True)
        version = version_create_draft(actor=SYSTEM, implementation=impl, elements=el)
        version_publish(actor=SYSTEM, version=version, today=date(2026, 3, 1))
        items[name] = impl.task_code
    return Catalogue(items, {k: d.pk for k, d in depts.items()})


def names(page: SearchPage) -> list[str]:
    return [h.name for h in page.hits]


def test_two_char_hukou_ranks_names_first_then_body(catalogue: Catalogue) -> None:
    page = search_items(q="户口")
    assert page.expanded_terms == ["户口", "户籍"]
    # Rank 1 (name starts with 户口/户籍) ordered by name length, then task code
    # (户口迁移 has the smaller 基本编码), then the body matches (居民户口簿).
    assert names(page) == ["户口迁移", "户口登记", "户籍证明开具", "结婚登记", "居民身份证换领"]
    assert [h.rank for h in page.hits] == [1, 1, 1, 5, 5]
    assert page.total == 5


def test_two_char_shebao_expands_to_shehui_baoxian(catalogue: Catalogue) -> None:
    page = search_items(q="社保")
    assert page.expanded_terms == ["社保", "社会保险"]
    assert names(page) == ["社会保险关系转移", "社会保障卡申领", "社会保障卡补领"]
    assert [h.rank for h in page.hits] == [1, 3, 5]


def test_one_char_query(catalogue: Catalogue) -> None:
    page = search_items(q="卡")
    assert names(page) == ["社会保障卡申领", "社会保障卡补领", "住房公积金提取"]
    assert [h.rank for h in page.hits] == [2, 2, 5]  # 银行卡 is a material
    assert search_items(q="婚").total == 1


def test_abbreviation_shebaoka_finds_shehui_baozhangka(catalogue: Catalogue) -> None:
    page = search_items(q="社保卡")
    assert "社会保障卡" in page.expanded_terms
    # 社会保障卡补领 has no alias: only the synonym finds it.
    assert names(page) == ["社会保障卡申领", "社会保障卡补领"]
    assert page.hits[0].task_code == catalogue.items["社会保障卡申领"]


def test_jiazhao_finds_jiashizheng_items(catalogue: Catalogue) -> None:
    page = search_items(q="驾照")
    assert names(page) == ["机动车驾驶证换证"]
    hit = page.hits[0]
    assert (hit.region_code, hit.region_name) == ("210100", "辽宁省沈阳市")
    assert (hit.department_name, hit.scope, hit.modes) == (
        "沈阳市公安局",
        "cross_province",
        ("fully_online",),
    )
    # 驾驶证 is in the name (rank 2); 机动车驾驶证, also of the group, starts it (rank 1).
    assert (hit.kind, hit.promised_days, hit.rank) == ("promised", 5, 1)


def test_gongjijin_and_exact_name(catalogue: Catalogue) -> None:
    assert [(h.name, h.rank) for h in search_items(q="公积金").hits] == [("住房公积金提取", 1)]
    assert [(h.name, h.rank) for h in search_items(q="结婚登记").hits] == [("结婚登记", 0)]


def test_pinyin_initials(catalogue: Catalogue) -> None:
    page = search_items(q="SHBZK")
    assert names(page) == ["社会保障卡申领", "社会保障卡补领"]
    assert {h.rank for h in page.hits} == {4}
    assert names(search_items(q="hk")) == ["户口迁移", "户口登记"]


def test_punctuation_digits_and_nothing(catalogue: Catalogue) -> None:
    assert names(search_items(q="（新办）")) == ["残疾人证（新办）"]
    assert names(search_items(q="证(")) == ["残疾人证（新办）"]
    assert search_items(q="证新").total == 0  # a bracket lies between them
    assert names(search_items(q="12345")) == ["住房公积金提取"]
    assert search_items(q="()").total == 0
    assert search_items(q="不存在的事项").hits == []


def test_filters(catalogue: Catalogue) -> None:
    assert names(search_items(q="户口", region_code="140400")) == [
        "户口迁移",
        "户口登记",
        "居民身份证换领",  # 潞州区 lies inside 长治市
    ]
    assert names(search_items(q="户口", region_code="510400")) == ["户籍证明开具"]
    ga = catalogue.departments["ga"]
    assert names(search_items(q="户口", department_id=ga)) == ["户口迁移", "户口登记"]
    assert names(search_items(q="户口", scope="cross_province")) == ["户口迁移", "居民身份证换领"]
    assert names(search_items(q="证", mode="fully_online")) == [
        "机动车驾驶证换证",  # in the name; the others have 居民身份证 among their materials
        "社会保障卡申领",
        "社会保障卡补领",
        "住房公积金提取",
    ]
    assert names(search_items(q="户", theme="hukou")) == ["户口迁移", "户口登记", "户籍证明开具"]
    assert names(search_items(q="证", item_type="licensing")) == [
        "居民身份证换领",
        "机动车驾驶证换证",
    ]
    with pytest.raises(TongbanError) as exc:
        search_items(q="户口", mode="teleport")
    assert exc.value.code == "invalid_input"
    with pytest.raises(TongbanError) as exc2:
        search_items(region_code="14")
    assert exc2.value.code == "region_code_format"


def test_browse_orders_by_name_then_task_code(catalogue: Catalogue) -> None:
    page = search_items(region_code="140400", limit=3)
    assert page.total == 7 and page.expanded_terms == []
    expected = sorted(n for n, _, _ in _in_region("1404"))
    assert names(page) == expected[:3]
    assert names(search_items(region_code="140400", limit=3, offset=6)) == expected[6:]


def _in_region(prefix: str) -> list[tuple[str, str, str]]:
    return [
        (name, code, dept)
        for code, name, dept, *_ in ITEMS
        if DEPARTMENTS[dept][0].startswith(prefix)
    ]


def test_paging_is_stable_and_complete(catalogue: Catalogue) -> None:
    everything = search_items(q="证", limit=100)
    assert everything.total == len(everything.hits) == 11
    pages = [search_items(q="证", limit=4, offset=o) for o in (0, 4, 8)]
    assert [p.total for p in pages] == [11, 11, 11]
    assert [n for p in pages for n in names(p)] == names(everything)
    assert search_items(q="证", limit=4, offset=40).hits == []
    assert search_items(q="证", limit=4, offset=40).total == 11


def test_new_version_replaces_the_index_row(catalogue: Catalogue) -> None:
    from tongban.catalog.models import ItemImplementation

    impl = ItemImplementation.objects.get(task_code=catalogue.items["户口登记"])
    v2 = version_create_draft(
        actor=SYSTEM,
        implementation=impl,
        elements=elements(
            name="新生儿入户",
            aliases="",
            summary="",
            scope="local",
            mode_fully_online=False,
            mode_proxy_intake=False,
            materials=[],
        ),
    )
    version_publish(actor=SYSTEM, version=v2, today=date(2026, 3, 2))
    assert "户口登记" not in names(search_items(q="户口"))
    assert names(search_items(q="入户")) == ["新生儿入户"]
    # A bulk rebuild writes exactly what the incremental refresh wrote.
    before = [(h.task_code, h.rank) for h in search_items(q="证", limit=100).hits]
    assert search_entries_rebuild() == len(ITEMS)
    assert [(h.task_code, h.rank) for h in search_items(q="证", limit=100).hits] == before


def test_synonyms_load_is_idempotent(db: None) -> None:
    first = synonyms_load_defaults()
    assert first == len(default_synonyms()) == Synonym.objects.count()
    assert synonyms_load_defaults() == 0
    call_command("load_synonyms")
    assert Synonym.objects.get(term="驾照").canonical == "驾驶证"


def test_postgres_utf8_check(db: None) -> None:
    from tongban.catalog.checks import check_postgres_utf8, database_messages, is_utf8

    assert is_utf8("C.UTF-8") and is_utf8("zh_CN.utf8") and not is_utf8("C")
    assert [m.id for m in database_messages("default", "SQL_ASCII", "C")] == [
        "tongban.E001",
        "tongban.W001",
    ]
    assert database_messages("default", "UTF8", "C.UTF-8") == []
    # The test database (SQLite, or PostgreSQL made from template0 in UTF-8) passes.
    assert check_postgres_utf8(databases=["default"]) == []
