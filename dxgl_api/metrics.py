"""`/metrics` in the Prometheus text format (prometheus-client), for operators.

Everything is read at scrape time from the shared database and queue, so any web host answers
for the whole installation (no per-process counters to add up across hosts): jobs waiting per
lane, renders by status, render seconds and renders done by quality tier, credits spent, each
worker host's heartbeat age and whether database, queue and storage answer.

Not public: the caller shows an admin account's token, or comes from a network listed in
DXGL_METRICS_NETWORKS (e.g. 127.0.0.1/32 for a Prometheus on the same host).
"""
from __future__ import annotations

import ipaddress
from collections import defaultdict

import peewee as pw
from flask import Response, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from . import config, statuses
from .auth import authenticate
from .db import connection
from .errors import ApiError
from .tables import LedgerEntry, Render, WorkerBeat, utcnow


class DxglCollector:
    """Collects the service's state from the database and the queue at each scrape."""

    def collect(self):
        from .blueprints.health import components

        states, queued = components()
        up = GaugeMetricFamily("dxgl_up", "1 when the component answers", labels=["component"])
        for name, state in states.items():
            up.add_metric([name], 1.0 if state == "ok" else 0.0)
        yield up
        depth = GaugeMetricFamily("dxgl_queue_depth", "jobs waiting per lane", labels=["lane"])
        for lane, n in queued.items():
            depth.add_metric([lane], n)
        yield depth
        if states["database"] != "ok":
            return
        with connection():
            yield from self._from_database()

    def _from_database(self):
        by_status = GaugeMetricFamily("dxgl_renders", "renders by status", labels=["status"])
        counts = dict(Render.select(Render.status, pw.fn.COUNT(Render.id)).group_by(Render.status).tuples())
        for status in statuses.ALL:
            by_status.add_metric([status], counts.get(status, 0))
        yield by_status

        seconds = CounterMetricFamily("dxgl_render_seconds", "seconds from claim to done, by tier", labels=["tier"])
        done = CounterMetricFamily("dxgl_renders_done", "renders done, by tier", labels=["tier"])
        per_tier: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
        rows = Render.select(Render.settings, Render.started_at, Render.updated_at).where(
            (Render.status == statuses.DONE) & Render.started_at.is_null(False)).tuples()
        for settings, started, ended in rows.iterator():
            tier = "dataset" if (settings or {}).get("output") == "dataset" else (settings or {}).get("quality", "share")
            per_tier[tier][0] += max(0.0, (ended - started).total_seconds())
            per_tier[tier][1] += 1
        for tier, (total, n) in sorted(per_tier.items()):
            seconds.add_metric([tier], total)
            done.add_metric([tier], n)
        yield seconds
        yield done

        spent = CounterMetricFamily("dxgl_credits_spent", "credits charged for renders, less refunds")
        moved = dict(LedgerEntry.select(LedgerEntry.reason, pw.fn.SUM(LedgerEntry.delta))
                     .where(LedgerEntry.reason.in_(("render", "refund"))).group_by(LedgerEntry.reason).tuples())
        spent.add_metric([], -(moved.get("render") or 0) - (moved.get("refund") or 0))
        yield spent

        age = GaugeMetricFamily("dxgl_worker_heartbeat_age_seconds", "seconds since a worker host's last heartbeat",
                                labels=["host", "queues"])
        live = GaugeMetricFamily("dxgl_workers_live", "worker hosts with a heartbeat within DXGL_STALE_AFTER")
        now, n = utcnow(), 0
        for beat in WorkerBeat.select():
            seconds_ago = max(0.0, (now - beat.beat_at).total_seconds())
            age.add_metric([beat.host, beat.queues], seconds_ago)
            n += seconds_ago <= config.active().stale_after_s
        live.add_metric([], n)
        yield age
        yield live


REGISTRY = CollectorRegistry(auto_describe=False)
REGISTRY.register(DxglCollector())


def allowed(remote_addr: str | None, authorization: str | None) -> bool:
    """An admin's token, or an address in DXGL_METRICS_NETWORKS."""
    networks = config.active().metrics_networks
    if remote_addr and networks:
        try:
            address = ipaddress.ip_address(remote_addr)
        except ValueError:
            address = None
        if address is not None and any(address in ipaddress.ip_network(n, strict=False) for n in networks):
            return True
    if authorization:
        user, _ = authenticate(authorization, None)
        return user.is_admin
    return False


def metrics_view() -> Response:
    """GET /metrics."""
    if not allowed(request.remote_addr, request.headers.get("Authorization")):
        if request.headers.get("Authorization"):
            raise ApiError("forbidden", "metrics need an admin account's token")
        raise ApiError("unauthorized", "metrics need an admin account's token (or DXGL_METRICS_NETWORKS)",
                       headers={"WWW-Authenticate": 'Bearer realm="dxgl"'})
    return Response(generate_latest(REGISTRY), mimetype=CONTENT_TYPE_LATEST)
