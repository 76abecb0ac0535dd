from __future__ import annotations

import dataclasses
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from tongban import config
from tongban.core.models import Job, JobStatus
from tongban.federation.inbox import inbox_receive
from tongban.federation.job_handlers import sweep
from tongban.federation.models import InboxMessage, InboxStatus, Probe
from tongban.federation.outbox import outbox_write
from tongban.federation.registry import registry_cache_clear, registry_current


@pytest.mark.django_db
def test_sweep_requeues_a_push_whose_job_was_lost_and_drains_held(fed) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        outbox_write(
            type="cn.tongban.probe",
            stream="s",
            payload={"n": 1, "regions": ["140400"]},
            recipient_node="a",
        )
    Job.objects.filter(name="federation.push").update(status=JobStatus.DONE)
    sweep({})
    assert Job.objects.filter(name="federation.push", status=JobStatus.QUEUED).count() == 1
    w1, w2 = fed.wire(seq=1), fed.wire(seq=2)
    inbox_receive([w2])
    assert InboxMessage.objects.filter(status=InboxStatus.HELD).count() == 1
    inbox_receive([w1])
    assert list(Probe.objects.values_list("seq", flat=True)) == [1, 2]


def test_registry_fetched_over_http_and_kept_while_the_hub_is_away(fed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    handler = partial(SimpleHTTPRequestHandler, directory=str(fed.root))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/registry.json"
    monkeypatch.setattr(config, "CONFIG", dataclasses.replace(config.CONFIG, registry=url))
    registry_cache_clear()
    try:
        assert set(registry_current().nodes) == {"a", "b"}
    finally:
        server.shutdown()
        server.server_close()
    assert set(registry_current().nodes) == {"a", "b"}  # cached copy, still valid
