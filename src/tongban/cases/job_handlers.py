"""Background side of cases, loaded by the worker (it imports every app's ``job_handlers``).

Case messages are delivered by the ``federation.deliver_outbox`` job, which hands each
one to the consumer registered for its type; importing :mod:`tongban.cases.consumers`
here registers those consumers in every worker process before it runs a delivery.
"""

from __future__ import annotations

from tongban.cases import consumers, consumers_remote

CONSUMERS = (consumers.receive_handoff, consumers.status_update, consumers_remote.CONSUMERS)
