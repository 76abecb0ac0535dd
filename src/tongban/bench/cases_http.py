"""Intake through HTTP for ``tongban bench cases``: ``tongban serve`` (gunicorn, two sync
workers) on 127.0.0.1 driven by a bounded pool of client threads.

Two ways, with session cookies (logged in once per user through POST /login/ with its
CSRF token):

- ``mode="steps"``: seven requests on /api/v1/cases per case: create (Idempotency-Key),
  three multipart uploads, submit, then pre-review and accept by the deciding
  department's clerk (online applications and window intake mixed);
- ``mode="one"``: one POST /api/v1/cases/intake per case by a window clerk (identity
  check, three base64 scans, original check, submit and accept in one transaction);
  half at cross-province windows, half at the local window of the deciding region.

Traffic goes to the loopback address only; the run stops after ``count`` cases or
``max_seconds``, whichever comes first.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from base64 import b64encode
from collections.abc import Callable
from functools import partial
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

from tongban.bench import percentile
from tongban.bench.cases_data import PASSWORD, PDF, Catalogue

HOST = "127.0.0.1"


class Session:
    """A cookie-holding client for one user (safe to share between threads: the cookies
    are fixed after login)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            h = {"Host": f"{HOST}:{self.port}", **(headers or {})}
            if self.cookies:
                h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if "csrftoken" in self.cookies and method != "GET":
                h["X-CSRFToken"] = self.cookies["csrftoken"]
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
            for value in resp.headers.get_all("Set-Cookie") or []:
                jar: SimpleCookie = SimpleCookie()
                jar.load(value)
                self.cookies.update({k: m.value for k, m in jar.items()})
            return resp.status, data
        finally:
            conn.close()

    def login(self, username: str) -> Session:
        status, page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page: HTTP {status}")
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]}
        status, _ = self.request(
            "POST",
            "/login/",
            urlencode(form).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{HOST}:{self.port}/login/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {username}: HTTP {status}")
        return self

    def json(self, method: str, path: str, payload: object, headers: dict[str, str]) -> Any:
        status, data = self.request(
            method,
            path,
            json.dumps(payload).encode(),
            {"Content-Type": "application/json", **headers},
        )
        if status >= 300:
            raise RuntimeError(f"{method} {path}: HTTP {status} {data[:300]!r}")
        return json.loads(data)

    def upload(self, path: str, name: str, data: bytes) -> None:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        ctype = f"multipart/form-data; boundary={boundary}"
        status, resp = self.request("POST", path, body, {"Content-Type": ctype})
        if status != 201:
            raise RuntimeError(f"upload {path}: HTTP {status} {resp[:300]!r}")


def _serve(port: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "tongban.cli", "serve", "--host", HOST, "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--workers", "2"],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                if Session(port).request("GET", "/login/")[0] == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("gunicorn did not start within 30 s")


def _one_case(
    cat: Catalogue,
    i: int,
    sessions: dict[str, Session],
    timed: Callable[[Callable[[], Any]], Any],
) -> None:
    impl = cat.impls[i % len(cat.impls)]
    kind = i % 4
    body: dict[str, Any] = {
        "task_code": impl.task_code,
        "applicant": {"kind": "person", "name": "申请人", "code": "", "phone": "13800000000"},
    }
    if kind < 2:
        user = cat.applicants[i % len(cat.applicants)]
        body.update(channel="pc" if kind == 0 else "mobile")
        body["applicant"]["code"] = user.id_number
    else:
        if kind == 2:
            window, user = cat.proxy_windows[i % len(cat.proxy_windows)]
        else:
            window, user = cat.local_windows[impl.region_id]
        body.update(channel="window", window_id=window.pk)
        body["applicant"]["code"] = cat.extra["walk_in_codes"][i % len(cat.extra["walk_in_codes"])]
    s = sessions[user.username]
    key = {"Idempotency-Key": f"bench-http-{uuid.uuid4().hex}"}
    case = timed(lambda: s.json("POST", "/api/v1/cases", body, key))
    base = f"/api/v1/cases/{case['id']}"
    for m in case["materials"]:
        if m["status"] == "missing":
            path = f"{base}/materials/{m['id']}/files"
            timed(partial(s.upload, path, "scan.pdf", PDF))
    move = {"to": "submitted"}
    case = timed(partial(s.json, "POST", f"{base}/transitions", move, {}))
    clerk = sessions[cat.staff[impl.department_id].clerk.username]
    for to in ("pre_review", "accepted"):
        case = timed(partial(clerk.json, "POST", f"{base}/transitions", {"to": to}, {}))
    if case["status"] != "accepted":
        raise RuntimeError(f"case {case['ref']} ended in {case['status']}")


def _one_call(
    cat: Catalogue,
    i: int,
    sessions: dict[str, Session],
    timed: Callable[[Callable[[], Any]], Any],
) -> None:
    """One walk-in application through POST /api/v1/cases/intake."""
    from tongban.bench.cases_intake import _window_for

    window, clerk, mine = _window_for(cat, i, cat.impls)
    impl = mine[i % len(mine)]
    scan = {"content_type": "application/pdf", "data_base64": cat.extra["pdf_b64"]}
    body = {
        "window_id": window.pk,
        "task_code": impl.task_code,
        "applicant": {
            "kind": "person",
            "name": "申请人",
            "code": cat.extra["walk_in_codes"][i % len(cat.extra["walk_in_codes"])],
            "phone": "13800000000",
        },
        "identity": {"verified": True, "method": "card_reader"},
        "checklist": [
            {
                "requirement_id": r_id,
                "received": True,
                "original_checked": original,
                "scans": [{"file_name": "scan.pdf", **scan}],
            }
            for r_id, original in cat.extra["checklists"][impl.pk]
        ],
    }
    key = {"Idempotency-Key": f"bench-http-one-{uuid.uuid4().hex}"}
    s = sessions[clerk.username]
    case = timed(lambda: s.json("POST", "/api/v1/cases/intake", body, key))
    if case["status"] != "accepted":
        raise RuntimeError(f"case {case['ref']} ended in {case['status']}")


def http_intake(
    *,
    count: int,
    threads: int,
    port: int,
    mode: str = "steps",
    log: Callable[[str], None] = print,
    max_seconds: float = 180.0,
) -> dict[str, Any]:
    from tongban.bench.cases_data import catalogue_load
    from tongban.core.ids import make_id_number

    cat = catalogue_load()
    cat.applicants = cat.applicants[:5]  # each login checks a slow password hash
    cat.extra["walk_in_codes"] = [make_id_number(f"51040219770707{k:03d}") for k in range(50)]
    one_case = _one_case
    if mode == "one":
        from tongban.cases.requirements import version_requirements

        one_case = _one_call
        cat.extra["pdf_b64"] = b64encode(PDF).decode()
        cat.extra["checklists"] = {
            impl.pk: [
                (r.pk, r.original_required)
                for r in version_requirements(impl.current_version)  # type: ignore[arg-type]
            ]
            for impl in cat.impls
        }
    server = _serve(port)
    try:
        users = {u.username for u in cat.applicants}
        users |= {w[1].username for w in [*cat.proxy_windows, *cat.local_windows.values()]}
        users |= {st.clerk.username for st in cat.staff.values()}
        sessions = {u: Session(port).login(u) for u in sorted(users)}
        latencies: list[float] = []
        errors: list[str] = []
        finished: list[int] = []
        lock = threading.Lock()
        counter = iter(range(count + threads * 2))  # warm-up cases come first
        stop_at = time.monotonic() + max_seconds

        def timed(call: Callable[[], Any]) -> Any:
            t = time.perf_counter()
            out = call()
            with lock:
                latencies.append((time.perf_counter() - t) * 1000)
            return out

        def worker() -> None:
            while time.monotonic() < stop_at and not errors:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                try:
                    one_case(cat, i, sessions, timed)
                    finished.append(i)
                except Exception as exc:  # reported below; the run stops
                    errors.append(repr(exc))

        for _ in range(threads * 2):  # warm-up: each worker process imports and connects
            one_case(cat, next(counter), sessions, lambda call: call())
        start = time.perf_counter()
        pool = [threading.Thread(target=worker) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        wall = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    if errors:
        raise RuntimeError(f"HTTP intake failed: {errors[0]}")
    done = len(finished)
    per_s = done / wall
    p95 = percentile(latencies, 95)
    log(
        f"intake through HTTP, {'one call' if mode == 'one' else 'step by step'} "
        f"(gunicorn 2 workers, {threads} client threads): {done} cases "
        f"({len(latencies)} requests) in {wall:.1f} s = {per_s:.1f} cases/s; "
        f"request p50 {percentile(latencies, 50):.1f} ms, p95 {p95:.1f} ms"
    )
    return {"per_s": per_s, "cases": done, "request_p95_ms": p95}
