"""A fault-injecting HTTP proxy between nodes: drops, duplicates, delays and reorders
envelopes, loses answers, or plays a peer that is down.

Put one in front of a node (``Cluster(front=...)`` lists the proxy's address in the
registry) and change ``proxy.faults`` while a run goes on. Faults act per envelope inside
a batch POSTed to ``/federation/inbox``: a dropped envelope is cut from the batch (the
sender gets no result for it and retries); a duplicated one is sent again inside a later
batch (a replay arriving late); ``reorder`` shuffles each batch; ``drop_answer`` forwards
the batch but loses the acknowledgement (the receiver applied it, the sender retries —
the duplicate path); ``down`` answers nothing at all.
"""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Faults:
    drop: float = 0.0
    duplicate: float = 0.0
    drop_answer: float = 0.0
    delay: float = 0.0  # up to this many seconds per request
    reorder: bool = False
    down: bool = False


@dataclass
class Counters:
    requests: int = 0
    envelopes: int = 0
    dropped: int = 0
    duplicated: int = 0
    answers_dropped: int = 0
    refused: int = 0


class FaultProxy:
    def __init__(self, port: int, target: str, *, faults: Faults | None = None, seed: int = 7):
        self.port = port
        self.target = target.rstrip("/")
        self.faults = faults or Faults()
        self.counters = Counters()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._replays: list[Any] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                proxy._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() waits forever for a loop never started
            self._server.shutdown()
        self._server.server_close()

    def _chance(self, p: float) -> bool:
        with self._lock:
            return self._rng.random() < p

    def _mangle(self, body: Any) -> Any:
        f = self.faults
        wires = body.get("envelopes") if isinstance(body, dict) else None
        if not isinstance(wires, list):
            return body
        kept = []
        with self._lock:
            self.counters.envelopes += len(wires)
            kept.extend(self._replays[:50])
            del self._replays[:50]
        for w in wires:
            if self._chance(f.drop):
                self.counters.dropped += 1
                continue
            kept.append(w)
            if self._chance(f.duplicate):
                self.counters.duplicated += 1
                with self._lock:
                    self._replays.append(w)
        if f.reorder:
            with self._lock:
                self._rng.shuffle(kept)
        return {**body, "envelopes": kept}

    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        f = self.faults
        raw = req.rfile.read(int(req.headers.get("Content-Length") or 0))
        self.counters.requests += 1
        if f.down:
            self.counters.refused += 1
            req.close_connection = True
            req.connection.close()
            return
        if f.delay:
            time.sleep(self._rng.random() * f.delay)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if req.path.endswith("/federation/inbox") and body is not None:
            raw = json.dumps(self._mangle(body)).encode()
        fwd = urllib.request.Request(
            self.target + req.path,
            data=raw,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(fwd, timeout=60) as resp:
                status, answer = resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            status, answer = exc.code, exc.read()
        except OSError:
            status, answer = 502, b'{"code": "proxy_upstream_down"}'
        if self._chance(f.drop_answer):
            self.counters.answers_dropped += 1
            status, answer = 502, b'{"code": "proxy_answer_lost"}'
        try:
            req.send_response(status)
            req.send_header("Content-Type", "application/json")
            req.send_header("Content-Length", str(len(answer)))
            req.end_headers()
            req.wfile.write(answer)
        except OSError:  # the sender gave up waiting (its timeout): as a lost answer
            req.close_connection = True


def chaos_faults() -> Faults:
    """The fault mix of the fault runs: 20 % loss, 10 % duplication, reordering, some
    delay and some lost answers."""
    return Faults(drop=0.2, duplicate=0.1, drop_answer=0.05, delay=0.05, reorder=True)


def proxy_front(faults: Faults, proxies: dict[str, FaultProxy]) -> Any:
    """A ``Cluster(front=…)`` callback: each node is reached through its own FaultProxy
    (kept in ``proxies`` by node id, to start, stop and count)."""
    from tongban.federation.testing.cluster import free_port

    def front(node: Any) -> str:
        proxies[node.node_id] = FaultProxy(free_port(), node.url, faults=faults)
        return proxies[node.node_id].url

    return front
