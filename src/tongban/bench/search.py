"""tongban bench search [--items 10000] [--rounds 5] [--sqlite-only | --postgres-only]

Catalogue search latency through ``search_items`` at catalogue scale. Each database runs
in its own process with its own fresh database (SQLite in a temporary data directory,
PostgreSQL in a database created for the run): migrate, load the regions and synonyms,
generate ``--items`` published items (names from real item-name parts, aliases, 3–8
materials each, 18 kinds of departments in 16 regions), build the search index with
``search_entries_rebuild`` (the rows ``search_entry_refresh`` writes), then time a fixed
query set — 1-character, 2-character, 3–8-character, abbreviations and pinyin initials,
some with filters — after one warm-up pass. Goal: p95 ≤ 10 ms on both databases.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from typing import Any

from tongban.bench import percentile, pg_bench_database

GOAL_P95_MS = 10.0


def _words(text: str) -> list[str]:
    return text.split()


# (query class, query, filters)
QUERIES: list[tuple[str, str, dict[str, Any]]] = [
    *[("1-char", q, {}) for q in _words("证 税 车 房 婚 卡 医 户 学 残")],
    *[("2-char", q, {}) for q in _words("户口 护照 结婚 出生 执照 档案 发票 救助 居住 养老")],
    *[
        ("3-8-char", q, {})
        for q in _words(
            "身份证 营业执照 居住证申领 住房公积金提取 出生医学证明 机动车驾驶证换证 "
            "不动产登记 失业保险金申领 残疾人证 无犯罪记录证明 教师资格认定 道路运输经营许可证"
        )
    ],
    *[
        ("synonym", q, {})
        for q in _words(
            "社保卡 驾照 公积金 社保 医保 低保 准生证 出生证 房产证 个税 退休 港澳通行证"
        )
    ],
    *[("initials", q, {}) for q in _words("shbzk jsz gjj hk sfz yyzz")],
    ("filtered", "户口", {"region_code": "140400"}),
    ("filtered", "社保卡", {"scope": "cross_province"}),
    ("filtered", "证", {"mode": "fully_online"}),
    ("filtered", "营业执照", {"theme": "kaiban"}),
]

SUBJECTS = _words(
    "社会保障卡 居民身份证 机动车驾驶证 住房公积金 户口 出生医学证明 营业执照 基本医疗保险 "
    "基本养老保险 失业保险金 结婚登记 生育登记 居住证 普通护照 往来港澳通行证 不动产 残疾人证 "
    "道路运输经营许可证 食品经营许可证 药品经营许可证 建筑工程施工许可证 教师资格 医师执业证书 "
    "退役军人优待证 老年人优待证 最低生活保障 特困人员救助供养 流动人员人事档案 职业资格证书 "
    "个体工商户 机动车 异地就医 工伤保险 城乡居民基本养老保险 个人所得税 增值税专用发票 契税 "
    "船员适任证书 燃气经营许可证 排污许可证 取水许可 烟草专卖零售许可证 人力资源服务许可证 "
    "劳务派遣经营许可证 律师执业证 法律援助 无犯罪记录证明 学历认证 就业创业证 生育保险待遇 "
    "高龄津贴 门诊慢特病 临时救助 义务教育入学 机动车检验合格标志 机动车号牌 行驶证 护士执业注册 "
    "公共场所卫生许可证 不动产权证书 户口迁移 出生登记 台湾居民来往大陆通行证"
)
ACTIONS = _words(
    "申领 补领 换领 挂失 注销 变更登记 迁移 转移接续 提取 查询 核定 办理 登记 审批 备案 设立登记 "
    "年度报告 延续 核发 认定 补办 恢复 申请 发放 给付 审核 确认 换证 迁入 迁出"
)
MATERIALS = _words(
    "居民身份证 居民户口簿 结婚证 近期免冠照片 申请表 授权委托书 受托人身份证 营业执照副本 "
    "不动产权证书 劳动合同 社会保障卡 出生医学证明 机动车驾驶证 身体条件证明 学历证明 "
    "无犯罪记录证明 银行卡 申请书 离婚证 户口迁移证 准迁证 住房公积金缴存证明 退休证 医疗费用发票 "
    "诊断证明书 残疾评定表 收入证明 居住证 租房合同 公司章程 股东会决议 法定代表人身份证明 "
    "场所使用证明 检验合格报告 保险单 完税证明 职业资格证书 体检报告 告知承诺书 现场照片"
)
DEPARTMENTS = _words(
    "人力资源和社会保障局 公安局 市场监督管理局 民政局 卫生健康委员会 住房公积金管理中心 "
    "交通运输局 行政审批服务管理局 税务局 医疗保障局 司法局 教育局 退役军人事务局 残疾人联合会 "
    "自然资源局 生态环境局 应急管理局 烟草专卖局"
)
REGIONS = _words(
    "140400 510400 411603 210100 500110 532300 513400 532327 "
    "110105 310115 440300 330106 420102 610113 350203 370202"
)
PEOPLE = _words(
    "年满十六周岁的中国公民 参加社会保险的职工 在本地居住半年以上的人员 依法设立的企业 "
    "符合条件的城乡居民 退役军人及其家属 持有有效证件的外来务工人员 个体工商户经营者"
)
PLACES = _words("本市 本省 本县 户籍地 居住地 参保地 缴存地")
RESULTS = _words("证件 批准文书 登记证明 核准通知书 办结通知 待遇核定表 证明")


def _generate(n: int, seed: int) -> None:
    """Bulk-create ``n`` published items and their search rows."""
    from tongban.accounts.models import Department
    from tongban.catalog.models import (
        BaselineItem,
        ItemImplementation,
        ItemVersion,
        MaterialRequirement,
        Theme,
        VersionStatus,
    )
    from tongban.catalog.search import search_entries_rebuild
    from tongban.catalog.synonyms import default_synonyms
    from tongban.core.ids import make_uscc
    from tongban.regions.models import LEVEL_DIGITS, Region

    rng = random.Random(seed)
    regions = {r.code: r for r in Region.objects.filter(code__in=REGIONS)}
    depts = Department.objects.bulk_create(
        Department(
            name=regions[code].name + dname,
            uscc=make_uscc(f"11{code}{i:09d}"[:17]),
            region=regions[code],
            level="county" if regions[code].level == "county" else "city",
        )
        for code in REGIONS
        for i, dname in enumerate(DEPARTMENTS)
    )
    depts = list(Department.objects.order_by("pk"))
    names = [s + a for s in SUBJECTS for a in ACTIONS]
    rng.shuffle(names)
    n_base = min(len(names), max(1, n // 8))
    kaiban = Theme.objects.create(code="kaiban", name="企业开办", audience="organisation")
    baselines = BaselineItem.objects.bulk_create(
        BaselineItem(catalog_code=f"B{i:011d}", name=names[i], item_type="public_service")
        for i in range(n_base)
    )
    baselines = list(BaselineItem.objects.order_by("pk"))
    kaiban.items.set([b for b in baselines if "执照" in b.name or "设立" in b.name])
    pairs = sorted(rng.sample(range(len(baselines) * len(depts)), n))
    impls = ItemImplementation.objects.bulk_create(
        ItemImplementation(
            task_code=d.uscc + LEVEL_DIGITS[d.level] + b.catalog_code,
            baseline=b,
            department=d,
            region_id=d.region_id,
            use_level=d.level,
        )
        for b, d in ((baselines[k // len(depts)], depts[k % len(depts)]) for k in pairs)
    )
    impls = list(ItemImplementation.objects.select_related("baseline").order_by("pk"))
    by_canonical: dict[str, list[str]] = {}
    for term, canonical in default_synonyms():
        by_canonical.setdefault(canonical, []).append(term)
    versions = []
    for impl in impls:
        name = impl.baseline.name
        aliases = [name.replace(c, t) for c, ts in by_canonical.items() if c in name for t in ts]
        place, people = rng.choice(PLACES), rng.choice(PEOPLE)
        scope = rng.choice(["local", "cross_province", "in_province", "cross_province"])
        versions.append(
            ItemVersion(
                implementation=impl,
                version=1,
                status=VersionStatus.PUBLISHED,
                valid_from=date(2026, 1, 1),
                name=name,
                aliases=",".join(aliases[:3]),
                summary=f"为{place}{people}办理{name}。申请人可通过政务服务网、移动端或线下"
                "窗口提交申请，材料齐全、符合法定形式的当场受理，并在承诺时限内办结。",
                accept_condition=f"申请人应为{rng.choice(PEOPLE)}；提交的材料真实、完整、"
                f"有效；{rng.choice(['无不良信用记录', f'已在{place}参保', '符合法定条件'])}。",
                kind="promised",
                statutory_days=20,
                promised_days=rng.randint(1, 15),
                result_name=rng.choice(SUBJECTS) + rng.choice(RESULTS),
                scope=scope,
                mode_fully_online=scope != "local" and rng.random() < 0.6,
                mode_proxy_intake=scope != "local" and rng.random() < 0.5,
            )
        )
    versions = ItemVersion.objects.bulk_create(versions, batch_size=1000)
    versions = list(ItemVersion.objects.order_by("pk"))
    MaterialRequirement.objects.bulk_create(
        (
            MaterialRequirement(version=v, position=i, name=m)
            for v in versions
            for i, m in enumerate(rng.sample(MATERIALS, rng.randint(3, 8)), start=1)
        ),
        batch_size=2000,
    )
    for impl, v in zip(impls, versions, strict=True):
        impl.current_version = v
    ItemImplementation.objects.bulk_update(impls, ["current_version"], batch_size=1000)
    search_entries_rebuild()


def _worker(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from tongban.catalog.search import search_items
    from tongban.catalog.synonyms import synonyms_load_defaults
    from tongban.regions.services import regions_load_gb2260

    db = connection.vendor
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    regions_load_gb2260()
    synonyms_load_defaults()
    t1 = time.perf_counter()
    _generate(args.items, args.seed)
    if db == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    t2 = time.perf_counter()
    print(f"{db}: migrated in {t1 - t0:.1f} s; {args.items} items generated in {t2 - t1:.1f} s")

    for _, q, f in QUERIES:  # warm-up: caches, prepared plans, lazy imports
        search_items(q=q, **f)
    samples: dict[str, list[float]] = {}
    # Per query: the total and the task codes of the first page, to compare databases.
    results: dict[str, list[Any]] = {}
    for _ in range(args.rounds):
        for cls, q, f in QUERIES:
            t = time.perf_counter()
            page = search_items(q=q, **f)
            samples.setdefault(cls, []).append((time.perf_counter() - t) * 1000)
            results[q + json.dumps(f)] = [page.total, [h.task_code for h in page.hits]]
    every = [s for v in samples.values() for s in v]
    for cls, v in [*samples.items(), ("overall", every)]:
        print(
            f"{db:>10} {cls:<9} p50 {percentile(v, 50):6.2f} ms  p95 {percentile(v, 95):6.2f} ms"
            f"  p99 {percentile(v, 99):6.2f} ms  max {max(v):6.2f} ms  (n={len(v)})"
        )
    return {
        "p50_ms": round(percentile(every, 50), 2),
        "p95_ms": round(percentile(every, 95), 2),
        "p99_ms": round(percentile(every, 99), 2),
        "queries": len(every),
        "results": results,
    }


def _spawn(db: str, args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "tongban.cli", "bench", "search", "--worker", db]
    cmd += ["--items", str(args.items), "--rounds", str(args.rounds), "--seed", str(args.seed)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    lines = proc.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line)
    if proc.returncode != 0 or not lines:
        sys.stderr.write(proc.stderr)
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"search benchmark on {db} failed (exit {proc.returncode}): {last}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def run(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="tongban bench search")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over the queries")
    parser.add_argument("--seed", type=int, default=7)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--sqlite-only", action="store_true")
    only.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--worker", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args)

    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    base.update(TONGBAN_DEBUG="0", TONGBAN_ENV="test")
    out: dict[str, Any] = {}
    results: dict[str, dict[str, Any]] = {}
    if not args.postgres_only:
        with tempfile.TemporaryDirectory(prefix="tongban-bench-search-") as tmp:
            results["sqlite"] = _spawn("sqlite", args, {**base, "TONGBAN_DATA_DIR": tmp})
    if not args.sqlite_only:
        with (
            tempfile.TemporaryDirectory(prefix="tongban-bench-search-") as tmp,
            pg_bench_database("search") as url,
        ):
            env = {**base, "TONGBAN_DATA_DIR": tmp, "DATABASE_URL": url}
            results["postgres"] = _spawn("postgres", args, env)
    for db, r in results.items():
        for k in ("p50_ms", "p95_ms", "p99_ms"):
            out[f"{db}_{k}"] = r[k]
    if len(results) == 2:
        same = results["sqlite"]["results"] == results["postgres"]["results"]
        print(f"identical results on SQLite and PostgreSQL: {'yes' if same else 'NO'}")
        if not same:
            raise RuntimeError("SQLite and PostgreSQL returned different results")
    out["items"] = args.items
    out["queries"] = len(QUERIES)
    out["samples"] = sum(r["queries"] for r in results.values())
    out["goal_p95_ms"] = GOAL_P95_MS
    return out
