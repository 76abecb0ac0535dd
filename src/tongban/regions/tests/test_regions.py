import pytest

from tongban.regions.codes import covers, normalise, prefix
from tongban.regions.models import Region, RegionLevel
from tongban.regions.selectors import region_search


@pytest.mark.parametrize(
    ("ancestor", "descendant", "expected"),
    [
        ("140000", "140402", True),
        ("140400", "140402", True),
        ("140400", "140400", True),
        ("140400", "510402", False),
        ("140402", "140400", False),
        ("500000", "500110", True),
        ("140402", "140402001000", True),
        ("140402001000", "140402001002", True),
        ("140402100000", "140402101000", False),
    ],
)
def test_covers(ancestor: str, descendant: str, expected: bool) -> None:
    assert covers(ancestor, descendant) is expected


def test_prefix_and_normalise() -> None:
    assert prefix("510000") == "51"
    assert prefix("510400") == "5104"
    assert normalise("51") == "510000"
    assert normalise("5104") == "510400"


@pytest.mark.django_db
def test_seed_regions_loaded() -> None:
    pzh = Region.objects.get(code="510400")
    assert pzh.name == "攀枝花市" and pzh.level == RegionLevel.CITY
    assert Region.objects.get(code="140400").full_name == "山西省长治市"
    assert Region.objects.get(code="411603").full_name == "河南省周口市淮阳区"
    qijiang = Region.objects.get(code="500110")  # municipality: county directly under province
    assert qijiang.parent_id == "500000"
    assert Region.objects.filter(level=RegionLevel.PROVINCE).count() >= 31
    assert not Region.objects.filter(code__startswith="99").exists()


@pytest.mark.django_db
def test_region_search_by_name_and_code() -> None:
    assert next(r.code for r in region_search(q="攀枝花")) == "510400"
    assert all(r.code.startswith("5104") for r in region_search(q="5104"))
