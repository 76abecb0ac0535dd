"""Start N real tongban nodes on localhost, sharing one hub-signed registry.

Each node is its own ``tongban serve --with-worker`` process group with its own data
directory (keys under ``node/``), its own database (a SQLite file, or a PostgreSQL
database created for the cluster and dropped afterwards) and a free port::

    with Cluster(tmp_path, [NodeSpec("changzhi", ["140400"]),
                            NodeSpec("panzhihua", ["510400"])]) as cluster:
        a, b = cluster.nodes
        a.run("node", "probe", "--to", "panzhihua", "--count", "10")
        cluster.wait_until(lambda: b.stats()["received"] == 10)

Setting up runs the real commands (``tongban node init``, ``tongban registry
hub-keygen/build``, ``tongban migrate``), so the cluster also exercises them.
``front`` lets a node be reached through another address (the fault proxy): the
registry lists that address as the node's base URL. ``Node.kill()`` is SIGKILL to the
whole process group (web server and worker), ``Node.start()`` brings it back.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class NodeSpec:
    node_id: str
    regions: list[str]
    name: str = ""


@dataclass
class Node:
    spec: NodeSpec
    data_dir: Path
    port: int
    env: dict[str, str]
    base_url: str = ""  # as listed in the registry (maybe a proxy in front)
    proc: subprocess.Popen[bytes] | None = None
    workers: int = 2
    _log: Any = field(default=None, repr=False)

    @property
    def node_id(self) -> str:
        return self.spec.node_id

    @property
    def url(self) -> str:
        """The node itself (not the front)."""
        return f"http://127.0.0.1:{self.port}"

    def run(self, *args: str, check: bool = True, timeout: float = 600) -> str:
        """Run ``tongban ARGS`` as this node; returns stdout."""
        res = subprocess.run(
            [sys.executable, "-m", "tongban.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and res.returncode != 0:
            raise RuntimeError(
                f"{self.node_id}: tongban {' '.join(args)} failed ({res.returncode}):\n"
                f"{res.stdout[-2000:]}\n{res.stderr[-4000:]}"
            )
        return res.stdout

    def json(self, *args: str) -> Any:
        out = self.run(*args)
        return json.loads(out.strip().splitlines()[-1] if "\n" in out.strip() else out)

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        """Read this node's database directly (cheap, unlike a CLI run): counts while
        the node runs."""
        url = self.env.get("DATABASE_URL")
        if url:
            import psycopg

            with psycopg.connect(url) as conn:
                return list(conn.execute(query).fetchall())
        import sqlite3

        lite = sqlite3.connect(
            f"file:{self.data_dir / 'tongban.sqlite3'}?mode=ro", uri=True, timeout=30
        )
        try:
            return list(lite.execute(query).fetchall())
        finally:
            lite.close()

    def count(self, table: str, where: str = "1=1") -> int:
        return int(self.sql(f"SELECT COUNT(*) FROM {table} WHERE {where}")[0][0])

    def stats(self) -> dict[str, Any]:
        return dict(json.loads(self.run("node", "stats").strip().splitlines()[-1]))

    def start(self, *, wait: bool = True) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        self._log = open(self.data_dir / "node.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tongban.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--with-worker",
            ],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.node_id} exited; see {self.data_dir / 'node.log'}")
            try:
                urllib.request.urlopen(f"{self.url}/federation/inbox", timeout=2)
            except urllib.error.HTTPError:
                return  # 405 for GET: the server is answering
            except OSError:
                time.sleep(0.2)
                continue
            return
        raise TimeoutError(f"{self.node_id} did not start within {timeout}s")

    def _signal(self, sig: int) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def kill(self) -> None:
        """SIGKILL the node's whole process group (web workers and background worker)."""
        self._signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=30)

    def stop(self, timeout: float = 30) -> None:
        self._signal(signal.SIGTERM)
        if self.proc is not None:
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self) -> None:
        self.stop()
        self.start()


class Cluster:
    def __init__(
        self,
        root: Path,
        specs: Iterable[NodeSpec],
        *,
        database: str = "sqlite",
        pg_url: str | None = None,
        alg: str = "sm2",
        env: dict[str, str] | None = None,
        front: Callable[[Node], str] | None = None,
        workers: int = 2,
    ) -> None:
        self.root = Path(root)
        self.specs = list(specs)
        self.database = database
        self.pg_url = pg_url or os.environ.get(
            "TONGBAN_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        )
        self.alg = alg
        self.extra_env = dict(env or {})
        self.front = front
        self.nodes: list[Node] = []
        self.workers = workers
        self._databases: list[str] = []

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.node_id == node_id)

    # --- set-up ---------------------------------------------------------------------

    def _pg_database(self, node_id: str) -> str:
        import psycopg

        name = f"tongban_cluster_{node_id}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            conn.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
        self._databases.append(name)
        return self.pg_url.rsplit("/", 1)[0] + "/" + name

    def setup(self) -> Cluster:
        self.root.mkdir(parents=True, exist_ok=True)
        hub_dir = self.root / "hub"
        registry = self.root / "registry.json"
        base_env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("TONGBAN_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
        }
        base_env.update(
            TONGBAN_ENV="test",
            TONGBAN_SECRET_KEY="cluster-" + uuid.uuid4().hex,
            TONGBAN_REGISTRY=str(registry),
            TONGBAN_HUB_PUBLIC_KEY=str(hub_dir / "hub.pub"),
            TONGBAN_REGISTRY_REFRESH_SECONDS="1",
            TONGBAN_FEDERATION_RETRY_BASE="0.5",
            TONGBAN_FEDERATION_RETRY_CAP="4",
            PYTHONUNBUFFERED="1",
        )
        base_env.update(self.extra_env)
        for spec in self.specs:
            data = self.root / spec.node_id
            data.mkdir(parents=True, exist_ok=True)
            env = {**base_env, "TONGBAN_DATA_DIR": str(data), "TONGBAN_NODE_ID": spec.node_id}
            if self.database == "postgres":
                env["DATABASE_URL"] = self._pg_database(spec.node_id)
            node = Node(spec, data, free_port(), env, workers=self.workers)
            node.base_url = self.front(node) if self.front else node.url
            self.nodes.append(node)
        first = self.nodes[0]
        first.run("registry", "hub-keygen", "--out", str(hub_dir), "--alg", self.alg)
        procs = []
        for node in self.nodes:
            init = [
                "node",
                "init",
                "--node-id",
                node.node_id,
                "--name",
                node.spec.name or node.node_id,
                "--regions",
                ",".join(node.spec.regions),
                "--base-url",
                node.base_url,
                "--alg",
                self.alg,
            ]
            procs.append(self._spawn(node, [*init]))
        self._wait_all(procs)
        entries: list[str] = []
        for n in self.nodes:
            entries += ["--entry", str(n.data_dir / "node" / "entry.json")]
        first.run(
            "registry",
            "build",
            "--hub-key",
            str(hub_dir / "hub.pem"),
            "--alg",
            self.alg,
            "--serial",
            "1",
            "--days",
            "7",
            "--out",
            str(registry),
            *entries,
        )
        self._wait_all([self._spawn(n, ["migrate", "--no-input", "-v", "0"]) for n in self.nodes])
        return self

    def _spawn(self, node: Node, args: list[str]) -> tuple[Node, subprocess.Popen[str]]:
        return node, subprocess.Popen(
            [sys.executable, "-m", "tongban.cli", *args],
            env=node.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def _wait_all(self, procs: list[tuple[Node, subprocess.Popen[str]]]) -> None:
        failed = []
        for node, p in procs:
            _, err = p.communicate(timeout=600)
            if p.returncode != 0:
                failed.append(f"{node.node_id}: {p.args!r}\n{err[-3000:]}")
        if failed:
            raise RuntimeError("\n".join(failed))

    # --- running --------------------------------------------------------------------

    def start(self) -> Cluster:
        for n in self.nodes:
            n.start(wait=False)
        for n in self.nodes:
            n.wait_ready()
        return self

    def stop(self) -> None:
        for n in self.nodes:
            n.stop()

    def teardown(self) -> None:
        self.stop()
        if self._databases:
            import psycopg

            with psycopg.connect(self.pg_url, autocommit=True) as conn:
                for name in self._databases:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._databases.clear()

    def __enter__(self) -> Cluster:
        try:
            self.setup()
            self.start()
        except BaseException:
            self.teardown()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.teardown()

    @staticmethod
    def wait_until(
        predicate: Callable[[], bool], *, timeout: float = 120, interval: float = 0.5
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(interval)
        raise TimeoutError("condition not reached within the timeout")
