"""A small HTTP client for a real node (the cluster tests): logs in through the login
form like a browser (session cookie + CSRF token) and calls /api/v1/cases.

Standard library only (urllib + cookie jar), so the tests need no extra dependency.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

API = "/api/v1/cases"


@dataclass
class Answer:
    status: int
    body: Any

    def ok(self) -> Any:
        assert 200 <= self.status < 300, (self.status, self.body)
        return self.body


@dataclass
class NodeClient:
    """One signed-in user on one node."""

    base_url: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self._open = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    @classmethod
    def login(cls, base_url: str, username: str, password: str) -> NodeClient:
        c = cls(base_url)
        page = c._send("GET", "/login/").body
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', str(page))
        assert token, "no CSRF token on the login page"
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token[1]}
        data = urllib.parse.urlencode(form).encode()
        c._send("POST", "/login/", data, {"Content-Type": "application/x-www-form-urlencoded"})
        assert c._cookie("sessionid"), f"login failed for {username}"
        return c

    def _cookie(self, name: str) -> str:
        return next((k.value or "" for k in self.jar if k.name == name), "")

    def _send(
        self,
        method: str,
        path: str,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        h = {"X-CSRFToken": self._cookie("csrftoken"), "Referer": self.base_url + "/"}
        h.update(headers or {})
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=h)
        try:
            with self._open.open(req, timeout=60) as r:
                status, raw, ctype = r.status, r.read(), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            status, raw, ctype = e.code, e.read(), e.headers.get("Content-Type", "")
        text = raw.decode("utf-8", "replace")
        return Answer(status, json.loads(text) if "json" in ctype else text)

    def get(self, path: str, **query: Any) -> Answer:
        q = urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        return self._send("GET", f"{API}{path}" + (f"?{q}" if q else ""))

    def post(self, path: str, body: dict[str, Any] | None = None) -> Answer:
        data = json.dumps(body or {}).encode()
        return self._send("POST", f"{API}{path}", data, {"Content-Type": "application/json"})

    def upload(self, ref: str, material_id: int, name: str, data: bytes, ctype: str) -> Answer:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{name}"\r\nContent-Type: {ctype}\r\n\r\n'
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self._send("POST", f"{API}/{ref}/materials/{material_id}/files", body, headers)

    # --- case steps -------------------------------------------------------------------

    def case(self, ref: str) -> dict[str, Any]:
        return dict(self.get(f"/{ref}").ok())

    def statuses(self, ref: str) -> list[str]:
        return [e["to_status"] for e in self.get(f"/{ref}/timeline").ok() if e["to_status"]]

    def fill_and_submit(self, detail: dict[str, Any], pdf: bytes) -> dict[str, Any]:
        """Upload a scan for every missing material, then submit (提交申请)."""
        ref = detail["ref"]
        for m in detail["materials"]:
            if m["status"] == "missing":
                self.upload(ref, m["id"], "扫描件.pdf", pdf, "application/pdf").ok()
        return dict(self.post(f"/{ref}/transitions", {"to": "submitted"}).ok())

    def move(self, ref: str, *steps: str, opinion: str = "") -> dict[str, Any]:
        detail: dict[str, Any] = {}
        for to in steps:
            last = to == steps[-1]
            body = {"to": to, "opinion": opinion if last else ""}
            detail = dict(self.post(f"/{ref}/transitions", body).ok())
        return detail

    def find(self, **filters: Any) -> list[dict[str, Any]]:
        return list(self.get("", **filters).ok()["items"])
