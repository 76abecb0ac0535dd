"""``tongban demo --nodes 3``: three federated nodes on this machine.

长治 (140400), 攀枝花 (510400) and 沈阳 (210100) each run as their own ``tongban serve
--with-worker`` process group with their own data directory, keys and SQLite database,
sharing one hub-signed registry (``federation.testing.cluster`` does the set-up with the
real ``node init`` / ``registry build`` / ``migrate`` commands). Every node is seeded
with the same demo catalogue and accounts (``tongban demo --no-serve``) plus
``seed_node_extras``: the 多地联办 agreement between the three cities, and only the
node's own regions' staff accounts left active — another region's staff work on their
own node.
"""

from __future__ import annotations

import itertools
import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from tongban.demo.orgs import BY_KEY

DEMO_NODES: tuple[tuple[str, str, str], ...] = (
    ("changzhi", "长治市节点", "140400"),
    ("panzhihua", "攀枝花市节点", "510400"),
    ("shenyang", "沈阳市节点", "210100"),
)
JOINT_AGREEMENT = "长治·攀枝花·沈阳“多地联办”合作协议（演示）"
JOINT_ITEMS = ("011030010000", "111050010000", "111020030000", "111010020000")
ROLES_SHOWN = ("applicant", "clerk", "reviewer", "approver", "supervisor")


@dataclass(frozen=True)
class NodeInfo:
    node_id: str
    name: str
    region: str
    url: str
    data_dir: Path


def seed_node_extras(*, node_regions: list[str]) -> dict[str, int]:
    """On one node, after ``demo_seed``: the joint agreement; other regions' staff off."""
    from tongban.accounts.models import Role, RoleGrant, User
    from tongban.catalog.agreements import agreement_create
    from tongban.catalog.models import Agreement
    from tongban.core.actors import SYSTEM
    from tongban.regions.codes import covers

    out = {"agreements": 0, "deactivated": 0}
    with transaction.atomic():
        if not Agreement.objects.filter(name=JOINT_AGREEMENT).exists():
            agreement_create(
                actor=SYSTEM,
                name=JOINT_AGREEMENT,
                scope="cross_province",
                party_codes=[code for _, _, code in DEMO_NODES],
                catalog_codes=list(JOINT_ITEMS),
                valid_from="2026-01-01",
                valid_to="2029-01-01",
                rights={"receive", "notify", "verify_original", "deliver_result"},
                modes={"proxy_intake", "joint"},
                signed_at="2025-12-20",
                notes="三地户口迁移、社保/医保/公积金转移接续多地联办，各地办理本地部分。（演示）",
            )
            out["agreements"] = 1
        staff = {Role.CLERK, Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR, Role.CATALOG_ADMIN}
        foreign: set[int] = set()
        for g in RoleGrant.objects.filter(role__in=[str(r) for r in staff]):
            if not any(covers(r, g.region_id) for r in node_regions):
                foreign.add(g.user_id)
        out["deactivated"] = User.objects.filter(pk__in=foreign, is_active=True).update(
            is_active=False
        )
    return out


@contextmanager
def _fixed_ports(base_port: int | None) -> Iterator[None]:
    """Give the nodes base_port, base_port+1, … instead of random free ports."""
    from tongban.federation.testing import cluster

    if base_port is None:
        yield
        return
    ports = itertools.count(base_port)
    real = cluster.free_port
    cluster.free_port = lambda: next(ports)
    try:
        yield
    finally:
        cluster.free_port = real


def assign_serial_blocks(cluster: Any) -> None:
    """As the hub: give each node its block of case-number serials for other nodes' items
    (``foreign_serials`` in its entry) and sign the registry again (serial 2)."""
    from tongban.cases.numbering_nodes import assign_foreign_serials_files

    paths = [n.data_dir / "node" / "entry.json" for n in cluster.nodes]
    assign_foreign_serials_files(paths)
    hub = cluster.root / "hub" / "hub.pem"
    entries = [arg for p in paths for arg in ("--entry", str(p))]
    cluster.nodes[0].run(
        "registry",
        "build",
        "--hub-key",
        str(hub),
        "--alg",
        cluster.alg,
        "--serial",
        "2",
        "--days",
        "7",
        "--out",
        str(cluster.root / "registry.json"),
        *entries,
    )


@contextmanager
def seeded_cluster(root: Path, *, workers: int = 1, database_url: str = "") -> Iterator[Any]:
    """The three demo nodes, set up and seeded like ``tongban demo --nodes 3`` (serial
    blocks, demo data, node extras) and running; stopped afterwards (tests' fixtures).
    With a PostgreSQL ``database_url`` (the test run's) each node gets its own database
    on that server (dropped afterwards); otherwise each its own SQLite file."""
    from tongban.federation.testing.cluster import Cluster, NodeSpec

    specs = [NodeSpec(nid, [code], name) for nid, name, code in DEMO_NODES]
    pg = database_url.startswith(("postgres://", "postgresql://"))
    cluster = Cluster(
        root,
        specs,
        workers=workers,
        database="postgres" if pg else "sqlite",
        pg_url=database_url.rsplit("/", 1)[0] + "/postgres" if pg else None,
    )
    try:
        cluster.setup()
        assign_serial_blocks(cluster)
        seeding = [
            cluster._spawn(n, ["demo", "--no-serve", "--node-extras"]) for n in cluster.nodes
        ]
        cluster._wait_all(seeding)
        cluster.start()
        yield cluster
    finally:
        cluster.teardown()


def render_nodes(nodes: list[NodeInfo]) -> str:
    from tongban.demo.people import CITIZENS, DEMO_PASSWORD, username

    keys = {code: key for key, spec in BY_KEY.items() for code in [spec.code]}
    pzh = CITIZENS["panzhihua"]
    lines = ["", "三个演示节点已启动 / three demo nodes are running:", ""]
    for n in nodes:
        key = keys.get(n.region, "")
        lines.append(f"  {n.name} ({n.node_id}, {n.region})  {n.url}/")
        lines.append(f"    data: {n.data_dir}")
        accounts = "  ".join(username(key, role) for role in ROLES_SHOWN) if key else ""
        lines.append(f"    账号 accounts: {accounts}  (密码 password: {DEMO_PASSWORD})")
    lines += [
        "",
        "  跨节点流程 / flows: 攀枝花窗口代收长治事项 (a)；攀枝花门户网上申请长治事项 (b)；",
        "  攀枝花窗口受理户口迁移多地联办 (c)。",
        f"  窗口为{pzh.name}（身份证号 {pzh.id_number}）收件后，panzhihua.applicant 在“我的办件”"
        "中可查看进度，多地联办申请可整体撤回。",
    ]
    lines += licence_walkthrough(nodes)
    lines += ["  Ctrl-C 停止全部节点 / stops all nodes.", ""]
    return "\n".join(lines)


def licence_walkthrough(nodes: list[NodeInfo]) -> list[str]:
    """Flow (d), 两个免提交 across nodes, when both 长治 and 攀枝花 run."""
    from tongban.demo.people import CITIZENS, username
    from tongban.demo.seed_licences import EXEMPTION_ITEM_NAME

    urls = {n.region: n.url for n in nodes}
    cz, pzh = urls.get("140400"), urls.get("510400")
    if not cz or not pzh:
        return []
    who = f"{CITIZENS['changzhi'].name} ({username('changzhi', 'applicant')})"
    return [
        f"  两个免提交 (d): {who} 的社会保障卡电子证照由长治签发；",
        f"    在攀枝花登录 {pzh}/items/?q={EXEMPTION_ITEM_NAME} 申请“{EXEMPTION_ITEM_NAME}”，"
        "勾选同意调用长治的电子证照，材料免提交；",
        f"    在长治登录 {cz}/my/licences/ 查看攀枝花节点的用证记录（含办件编号）。",
    ]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_nodes(
    *,
    count: int,
    root: Path,
    base_port: int | None = None,
    serve: bool = True,
    echo: object = print,
) -> list[NodeInfo]:
    """Set up, seed and (unless ``serve`` is False) run the demo nodes until Ctrl-C."""
    from tongban.federation.testing.cluster import Cluster, NodeSpec

    if not 1 <= count <= len(DEMO_NODES):
        raise ValueError(f"--nodes takes 1 to {len(DEMO_NODES)}")
    if root.exists():
        shutil.rmtree(root)
    specs = [NodeSpec(nid, [code], name) for nid, name, code in DEMO_NODES[:count]]
    cluster = Cluster(root, specs, env={"TONGBAN_DEMO": "1"})
    say = echo if callable(echo) else print
    with _fixed_ports(base_port):
        cluster.setup()
    assign_serial_blocks(cluster)
    try:
        say(f"正在为 {count} 个节点载入演示数据 / seeding {count} nodes …")
        procs = [cluster._spawn(n, ["demo", "--no-serve", "--node-extras"]) for n in cluster.nodes]
        cluster._wait_all(procs)
        infos = [
            NodeInfo(n.node_id, n.spec.name, n.spec.regions[0], n.url, n.data_dir)
            for n in cluster.nodes
        ]
        if not serve:
            return infos
        cluster.start()
        say(render_nodes(infos))
        # SIGTERM (a service manager, `kill`) stops the nodes like Ctrl-C does.
        signal.signal(signal.SIGTERM, _interrupt)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return []
    finally:
        cluster.teardown()
