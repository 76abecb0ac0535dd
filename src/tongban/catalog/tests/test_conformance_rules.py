"""Pure-function tests of the "五统一" comparison (no database)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest

from tongban.catalog.conformance import (
    CSV_HEADER,
    compare_item,
    csv_document,
    csv_rows,
    majority,
    percent,
    region_scores,
    sort_items,
)
from tongban.catalog.conformance_dimensions import DIMENSION_LABELS, DIMENSIONS, norm, split_list
from tongban.catalog.conformance_types import (
    NOT_COMPARABLE,
    FeeFact,
    MaterialFact,
    StepFact,
    VersionFacts,
)

ID_CARD = MaterialFact("居民身份证", True, 1, "")
PHOTO = MaterialFact("近期免冠照片", True, 1, "白底彩色，358×441像素")
HUKOU = MaterialFact("户口簿", True, 1, "")
STEPS = (
    StepFact("受理", "clerk"),
    StepFact("审核", "reviewer", "核对参保信息"),
    StepFact("决定", "approver"),
)


def facts(region_code: str, **kw: object) -> VersionFacts:
    base = VersionFacts(
        region_code=region_code,
        region_name=f"地区{region_code}",
        task_code=f"T{region_code}",
        name="社会保障卡申领",
        statutory_days=20,
        promised_days=5,
        accept_condition="参加社会保险的人员",
        application_methods="窗口办理、网上办理",
        acceptance_mode="无差别受理",
        review_procedure="受理后即时审核",
        issuing_method="窗口领取、邮寄送达",
        materials=(ID_CARD, PHOTO),
        steps=STEPS,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def row(item, key):  # type: ignore[no-untyped-def]
    return next(d for d in item.dimensions if d.key == key)


def test_dimensions_cover_five_unified_and_seven_cross_province_elements() -> None:
    assert [d.key for d in DIMENSIONS] == [
        "name",
        "materials",
        "review_points",
        "steps",
        "time_limits",
        "fees",
        "accept_condition",
        "application_methods",
        "acceptance_mode",
        "review_procedure",
        "issuing_method",
    ]
    assert DIMENSION_LABELS["time_limits"] == "办理时限"
    assert DIMENSION_LABELS["fees"] == "收费标准"
    assert len(set(DIMENSION_LABELS.values())) == len(DIMENSIONS)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("窗口办理，网上办理", "窗口办理,网上办理"),
        ("社会保障卡 申领", "社会保障卡申领"),
        ("ＡＢＣ１２３", "abc123"),
        ("参加社会保险的人员。", "参加社会保险的人员"),
        ("（一）年满16周岁；", "(一)年满16周岁;"),
    ],
)
def test_normalisation_ignores_punctuation_width_case_and_spaces(a: str, b: str) -> None:
    assert norm(a) == norm(b)


def test_normalisation_keeps_real_differences() -> None:
    assert norm("20元/张") != norm("25元/张")
    assert split_list("窗口办理、网上办理") == split_list("网上办理,窗口办理")
    assert split_list("窗口办理") != split_list("窗口办理、邮寄办理")
    assert split_list("") == frozenset()


def test_majority_picks_most_common_value() -> None:
    assert majority([("140400", "a"), ("411603", "b"), ("510400", "b")]) == "b"


def test_majority_tie_goes_to_smallest_region_code() -> None:
    assert majority([("510400", "x"), ("140400", "y")]) == "y"
    assert majority([("510400", "x"), ("411603", "z"), ("140400", "y")]) == "y"
    # 2–2 tie: the value held by 140400 wins although 510400 comes first.
    assert majority([("510400", "x"), ("532300", "x"), ("140400", "y"), ("500110", "y")]) == "y"


def test_percent_rounds_half_up_to_one_decimal() -> None:
    assert percent(28, 33) == 84.8
    assert percent(1, 16) == 6.3  # 6.25: banker's rounding would give 6.2
    assert percent(11, 11) == 100.0
    assert percent(0, 0) == 100.0


def test_identical_implementations_score_100() -> None:
    item = compare_item(
        catalog_code="000105001000",
        name="社会保障卡申领",
        item_type="public_service",
        facts=[facts("510400"), facts("140400", application_methods="窗口办理，网上办理")],
    )
    assert item.score == 100.0 and item.differences == 0 and item.worst_dimension is None
    assert [c.region_code for c in item.regions] == ["140400", "510400"]


def test_material_set_differences_are_described_per_region() -> None:
    item = compare_item(
        catalog_code="000105001000",
        name="社会保障卡申领",
        item_type="public_service",
        facts=[
            facts("140400"),
            facts("510400", materials=(ID_CARD, PHOTO, HUKOU)),
            facts("411603", materials=(ID_CARD, HUKOU)),
            facts("532300", materials=(ID_CARD, replace(PHOTO, copies=2, is_required=False))),
        ],
    )
    materials = row(item, "materials")
    details = {c.region_code: c.detail for c in materials.cells}
    assert details["140400"] == ""  # 4-way tie → 140400 is the reference
    assert details["510400"] == "多：户口簿"
    assert details["411603"] == "多：户口簿；缺：近期免冠照片"
    assert details["532300"] == "近期免冠照片：基准必要1份，本地非必要2份"
    assert materials.reference_display == "居民身份证（必要1份）；近期免冠照片（必要1份）"
    assert materials.differences == 3


def test_review_points_steps_time_limits_fees() -> None:
    item = compare_item(
        catalog_code="000105001000",
        name="社会保障卡申领",
        item_type="public_service",
        facts=[
            facts("140400"),
            facts("510400"),
            facts(
                "411603",
                materials=(ID_CARD, replace(PHOTO, acceptance_standard="白底，近三个月内")),
                steps=(STEPS[1], STEPS[0], replace(STEPS[2], role="reviewer")),
                promised_days=3,
                is_fee=True,
                fees=(FeeFact("工本费", "20元/张"),),
            ),
        ],
    )
    cell = {r.key: r.cells[1] for r in item.dimensions}  # columns sort by region code
    assert item.regions[1].region_code == "411603"
    assert cell["review_points"].detail == "标准不同：近期免冠照片"
    assert "环节顺序不同" in cell["steps"].detail
    assert "决定：基准由审批人员办理，本地由审查人员办理" in cell["steps"].detail
    assert cell["time_limits"].detail == "承诺时限：基准5个工作日，本地3个工作日"
    assert cell["fees"].detail == "基准不收费，本地收费；多：工本费"
    assert (
        row(item, "steps").reference_display == "受理（窗口人员）→审核（审查人员）→决定（审批人员）"
    )
    assert item.score == percent(33 - 4, 33)
    assert item.worst_dimension is not None and item.worst_dimension.key == "review_points"


def test_seven_elements_text_and_list_details() -> None:
    item = compare_item(
        catalog_code="000105001000",
        name="社会保障卡申领",
        item_type="public_service",
        facts=[
            facts("140400"),
            facts("510400", application_methods="窗口办理", issuing_method="窗口领取"),
            facts("532300", accept_condition="", review_procedure="两个工作日内审核完毕"),
        ],
    )
    by_key = {r.key: {c.region_code: c for c in r.cells} for r in item.dimensions}
    assert by_key["application_methods"]["510400"].detail == "缺：网上办理"
    assert by_key["issuing_method"]["510400"].detail == "缺：邮寄送达"
    assert by_key["accept_condition"]["532300"].detail == "本地未填写"
    assert by_key["accept_condition"]["532300"].value_display == "（未填写）"
    assert by_key["review_procedure"]["532300"].detail == "表述与基准不同"
    assert by_key["acceptance_mode"]["532300"].conforms


def test_single_implementation_cannot_be_compared() -> None:
    item = compare_item(
        catalog_code="000105001000",
        name="社会保障卡申领",
        item_type="public_service",
        facts=[facts("140400")],
    )
    assert not item.comparable and item.score is None and item.dimensions == []
    assert item.note == NOT_COMPARABLE


def test_region_scores_and_sorting() -> None:
    a = compare_item(
        catalog_code="000105001000",
        name="甲",
        item_type="public_service",
        facts=[facts("140400"), facts("510400"), facts("411603", promised_days=3)],
    )
    b = compare_item(
        catalog_code="000105002000",
        name="乙",
        item_type="public_service",
        facts=[facts("140400"), facts("411603", name="别的名称")],
    )
    single = compare_item(
        catalog_code="000105000100", name="丙", item_type="public_service", facts=[facts("140400")]
    )
    scores = {s.region_code: s for s in region_scores([a, b, single])}
    # b is a 1–1 tie on the name: 140400's value is the reference, so 411603 differs.
    assert scores["411603"].differences == 2 and scores["411603"].items_compared == 2
    assert scores["411603"].score == percent(20, 22)
    assert scores["140400"].score == 100.0 and scores["140400"].items_compared == 2
    assert scores["510400"].items_compared == 1
    assert region_scores([a, b])[0].region_code == "411603"
    assert [i.catalog_code for i in sort_items([single, a, b])] == [
        "000105002000",
        "000105001000",
        "000105000100",
    ]


def test_two_departments_in_one_region_get_their_own_columns() -> None:
    item = compare_item(
        catalog_code="000105001000",
        name="甲",
        item_type="public_service",
        facts=[
            facts("140400", task_code="B", department_name="长治市人社局"),
            facts("140400", task_code="A", department_name="长治市行政审批局"),
        ],
    )
    assert [c.label for c in item.regions] == [
        "地区140400·长治市行政审批局",
        "地区140400·长治市人社局",
    ]
    assert item.region_count == 1 and item.comparable


def test_csv_rows_and_bom() -> None:
    item = compare_item(
        catalog_code="000105001000",
        name="社会保障卡申领",
        item_type="public_service",
        facts=[facts("140400"), facts("510400", materials=(ID_CARD,))],
    )
    single = compare_item(
        catalog_code="000105000100", name="丙", item_type="public_service", facts=[facts("140400")]
    )
    rows = list(csv_rows([item, single]))
    assert len(rows) == 11 * 2 + 1
    diffs = list(csv_rows([item, single], differences_only=True))
    assert [r[2] for r in diffs] == ["申请材料", "审查要点（受理标准）"]
    assert diffs[0][3] == "地区510400（510400）" and diffs[0][6] == "否"
    assert diffs[0][7] == "缺：近期免冠照片"
    body = csv_document([item, single])
    assert body.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert tuple(parsed[0]) == CSV_HEADER
    assert parsed[-1][7] == NOT_COMPARABLE
