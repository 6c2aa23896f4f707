"""/v1/health: no authentication; says whether the database, the queue and the storage folder
answer (200 with each one's state), or which of them do not (503 service_unavailable naming them)."""
from __future__ import annotations

import logging
import os
import uuid

from marshmallow import fields

import dxgl_engine

from .. import config, queues, storage
from ..db import ping
from ..errors import ApiError
from ..extensions import Blueprint, Schema
from ..schemas import envelope

log = logging.getLogger(__name__)

blp = Blueprint("health", __name__, url_prefix="/v1/health", description="Health check (no authentication)")


class HealthSchema(Schema):
    status = fields.String(required=True)
    database = fields.String(required=True)
    queue = fields.String(required=True)
    storage = fields.String(required=True)
    workers = fields.Integer(metadata={"description": "worker hosts with a heartbeat within DXGL_STALE_AFTER"})
    queued = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "jobs waiting per lane (previews, renders)"})
    version = fields.String(required=True)


def check_database() -> None:
    ping()


def check_queue() -> dict[str, int]:
    """Jobs waiting per lane; raises when the queue cannot be reached."""
    return {name: huey.pending_count() for name, huey in queues.QUEUES.items()}


def check_storage() -> None:
    """Write, read back and remove a small file: a mounted but read-only or full share fails here."""
    probe = storage.tmp_dir() / f".health-{uuid.uuid4().hex}"
    try:
        probe.write_bytes(b"ok")
        if probe.read_bytes() != b"ok":
            raise OSError("read back differs")
    finally:
        try:
            os.unlink(probe)
        except OSError:
            pass


def components() -> tuple[dict[str, str], dict[str, int]]:
    """Each component's state ("ok" or "down: why") and the queue depths (empty when it is down)."""
    states: dict[str, str] = {}
    queued: dict[str, int] = {}
    for name, check in (("database", check_database), ("queue", check_queue), ("storage", check_storage)):
        try:
            result = check()
            if name == "queue":
                queued = result
            states[name] = "ok"
        except Exception as err:  # noqa: BLE001 - every failure is an answer here
            reason = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
            states[name] = f"down: {reason}"
            log.error("health check: %s unreachable: %s", name, reason)
    return states, queued


@blp.route("", methods=["GET"])
@blp.doc(security=[])
@blp.response(200, envelope(HealthSchema))
def health():
    """Whether the service, its database, its queue and its storage folder are up (503
    service_unavailable, naming what is down, when one is not)."""
    states, queued = components()
    down = [f"{name} {state}" for name, state in states.items() if state != "ok"]
    if down:
        raise ApiError("service_unavailable", "; ".join(down), headers={"Retry-After": "5"})
    return {"data": {"status": "ok", **states, "workers": live_workers(), "queued": queued,
                     "version": dxgl_engine.__version__}}


def live_workers() -> int:
    """Worker hosts whose sweeper wrote a heartbeat within DXGL_STALE_AFTER."""
    from datetime import timedelta

    from ..tables import WorkerBeat, utcnow

    fresh = utcnow() - timedelta(seconds=config.active().stale_after_s)
    return WorkerBeat.select().where(WorkerBeat.beat_at >= fresh).count()
