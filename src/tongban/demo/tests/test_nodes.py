"""The multi-node demo's pieces that need no processes (the cluster tests run the rest:
``cases/tests/test_federation_cases.py`` seeds three nodes the way ``--nodes 3`` does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tongban.demo.nodes import DEMO_NODES, NodeInfo, _fixed_ports, render_nodes, run_nodes
from tongban.federation.testing import cluster


def test_render_lists_every_node_with_its_url_and_accounts() -> None:
    infos = [
        NodeInfo(nid, name, code, f"http://127.0.0.1:{8101 + i}", Path(f"/tmp/{nid}"))
        for i, (nid, name, code) in enumerate(DEMO_NODES)
    ]
    text = render_nodes(infos)
    for i, (nid, name, code) in enumerate(DEMO_NODES):
        assert f"{name} ({nid}, {code})  http://127.0.0.1:{8101 + i}/" in text
    assert "changzhi.clerk" in text and "panzhihua.reviewer" in text and "demo1234" in text
    # The real-name applicant whose window applications show under 我的办件.
    from tongban.demo.people import CITIZENS

    assert f"身份证号 {CITIZENS['panzhihua'].id_number}" in text and "我的办件" in text


def test_fixed_ports_are_handed_out_in_order_and_restored() -> None:
    real = cluster.free_port
    with _fixed_ports(8101):
        assert [cluster.free_port() for _ in range(3)] == [8101, 8102, 8103]
    assert cluster.free_port is real


def test_node_count_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        run_nodes(count=4, root=tmp_path / "n", serve=False)


def test_render_walks_through_the_licence_exemption_when_both_cities_run() -> None:
    infos = [
        NodeInfo(nid, name, code, f"http://127.0.0.1:{8101 + i}", Path(f"/tmp/{nid}"))
        for i, (nid, name, code) in enumerate(DEMO_NODES)
    ]
    text = render_nodes(infos)
    assert "两个免提交 (d): 王建国 (changzhi.applicant)" in text
    assert "http://127.0.0.1:8102/items/?q=失业保险金申领" in text
    assert "http://127.0.0.1:8101/my/licences/" in text
    assert "两个免提交" not in render_nodes(infos[:1])
