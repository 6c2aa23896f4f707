"""Webhooks: a signed POST to an account's URLs when one of its renders ends (done or error).

Deliveries are an outbox derived from the renders table: a dispatcher (a thread in the web
process) turns every finished render of an account with webhooks into one delivery row per
webhook (unique, so several dispatchers or restarts never double an event), then sends the due
ones. Nothing in the job code changes, and a crash loses nothing: the rows wait for the next pass.

Each request carries `X-Dxgl-Signature: sha256=<hex HMAC-SHA256 of the body with the webhook's
secret>` and `X-Dxgl-Timestamp`; the body holds the same timestamp, so a receiver that checks the
signature and refuses old timestamps cannot be fed a replayed delivery. Targets obey URL ingest's
address rules (no private, loopback or link-local address unless DXGL_INGEST_ALLOWED_NETWORKS
allows it), connect to the address they checked, and redirects are not followed.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import peewee as pw
import requests

from .. import config, statuses
from ..blueprints.renders import render_json
from ..db import connection
from ..errors import ApiError
from ..ingest import AddressPolicy, BlockedAddress, _GuardedAdapter, check_url
from ..schemas import iso
from ..tables import Render, User, utcnow
from .tables import Webhook, WebhookDelivery

log = logging.getLogger(__name__)

MAX_WEBHOOKS = 10
BACKOFF_S = (10, 60, 300, 1800, 7200)  # after attempts 1..5; the 6th failure gives up
TIMEOUT_S = (5.0, 10.0)
LEASE_S = 60  # a claimed delivery is retried by anyone after this long (a dispatcher died mid-send)
EVENTS = {statuses.DONE: "render.done", statuses.ERROR: "render.error", statuses.FAILED: "render.error"}
USER_AGENT = "dxgl-webhooks"


def policy() -> AddressPolicy:
    return AddressPolicy.from_cidrs(config.active().ingest_allowed_networks)


def check_target(url) -> str:
    """An http(s) URL whose host resolves only to addresses delivery may reach; invalid_url otherwise."""
    url = check_url(url)
    parts = urlsplit(url)
    try:
        policy().resolve(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except BlockedAddress as err:
        raise ApiError("invalid_url", f"refused: {err} (allow it with DXGL_INGEST_ALLOWED_NETWORKS)") from None
    except OSError as err:
        raise ApiError("invalid_url", f"cannot resolve {parts.hostname}: {err}") from None
    return url


def create(user: User, url: str) -> Webhook:
    """A new webhook with a fresh secret (32 random bytes, hex)."""
    url = check_target(url)
    if Webhook.select().where(Webhook.user == user.id).count() >= MAX_WEBHOOKS:
        raise ApiError("invalid_request", f"an account may have at most {MAX_WEBHOOKS} webhooks")
    return Webhook.create(user=user.id, url=url, secret=secrets.token_hex(32))


def owned(user: User, webhook_id: str) -> Webhook:
    hook = Webhook.get_or_none((Webhook.id == webhook_id) & (Webhook.user == user.id))
    if hook is None:
        raise ApiError("not_found", f"webhook '{webhook_id[:40]}' not found")
    return hook


def sign(secret: str, body: bytes) -> str:
    """The X-Dxgl-Signature value: sha256=<hex HMAC-SHA256 of the body>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str, timestamp: str, *, tolerance_s: float = 300) -> bool:
    """What a receiver does (and the tests): the signature matches and the timestamp is recent."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= tolerance_s
    except ValueError:
        return False
    body_ts = str(json.loads(body).get("timestamp"))
    return fresh and body_ts == timestamp and hmac.compare_digest(sign(secret, body), signature)


# --- the outbox ---------------------------------------------------------------------------------
def scan() -> int:
    """Queue a delivery for every ended render not yet queued for each webhook; returns how many."""
    made = 0
    for hook in Webhook.select():
        already = WebhookDelivery.select(WebhookDelivery.render_id).where(WebhookDelivery.webhook == hook)
        ended = (Render.select(Render.id, Render.status)
                 .where((Render.user == hook.user_id) & Render.status.in_(list(EVENTS))
                        & (Render.updated_at >= hook.created_at) & (Render.is_system_preview == False)  # noqa: E712
                        & Render.id.not_in(already)))
        rows = [{"webhook": hook.id, "render_id": r.id, "event": EVENTS[r.status]} for r in ended]
        if rows:
            WebhookDelivery.insert_many(rows).on_conflict_ignore().execute()
            made += len(rows)
    return made


def deliver_due(now=None) -> int:
    """Send every due delivery once; returns how many were attempted."""
    now = now or utcnow()
    due = list(WebhookDelivery.select().where((WebhookDelivery.status == "pending")
                                              & (WebhookDelivery.next_attempt_at <= now)).limit(100))
    sent = 0
    for d in due:
        lease = utcnow() + timedelta(seconds=LEASE_S)
        claimed = WebhookDelivery.update(next_attempt_at=lease).where(
            (WebhookDelivery.id == d.id) & (WebhookDelivery.next_attempt_at == d.next_attempt_at)
            & (WebhookDelivery.status == "pending")).execute()
        if claimed:
            _attempt(WebhookDelivery.get_by_id(d.id))
            sent += 1
    return sent


def payload(delivery: WebhookDelivery, timestamp: int) -> bytes:
    render = Render.get_or_none(Render.id == delivery.render_id)
    data = None
    if render is not None:
        data = render_json(render)
        data.update(createdAt=iso(render.created_at), updatedAt=iso(render.updated_at))
    return json.dumps({"event": delivery.event, "deliveryId": delivery.id, "timestamp": timestamp,
                       "renderId": delivery.render_id, "data": data}, separators=(",", ":")).encode()


def _attempt(delivery: WebhookDelivery) -> None:
    hook = Webhook.get_by_id(delivery.webhook_id)
    timestamp = int(time.time())
    body = payload(delivery, timestamp)
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "X-Dxgl-Event": delivery.event,
               "X-Dxgl-Delivery": delivery.id, "X-Dxgl-Timestamp": str(timestamp),
               "X-Dxgl-Signature": sign(hook.secret, body)}
    code = error = None
    session = requests.Session()
    session.trust_env = False
    adapter = _GuardedAdapter(policy())
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    try:
        resp = session.post(hook.url, data=body, headers=headers, timeout=TIMEOUT_S, allow_redirects=False)
        code = resp.status_code
        if not 200 <= code < 300:
            error = f"the receiver answered HTTP {code}"
    except BlockedAddress as err:
        error = f"refused: {err}"
    except requests.RequestException as err:
        cause = err.__context__ if isinstance(err.__context__, BlockedAddress) else None
        error = f"refused: {cause}" if cause else f"cannot reach the receiver: {type(err).__name__}"
    finally:
        session.close()
    attempts = delivery.attempts + 1
    if error is None:
        changes = {"status": "delivered", "delivered_at": utcnow(), "last_error": None}
    elif attempts > len(BACKOFF_S):
        changes = {"status": "failed", "last_error": error}
    else:
        changes = {"next_attempt_at": utcnow() + timedelta(seconds=BACKOFF_S[attempts - 1]), "last_error": error}
    WebhookDelivery.update(attempts=attempts, last_status_code=code, **changes).where(
        WebhookDelivery.id == delivery.id).execute()


def delivery_json(d: WebhookDelivery) -> dict:
    return {"id": d.id, "webhookId": d.webhook_id, "renderId": d.render_id, "event": d.event, "status": d.status,
            "attempts": d.attempts, "lastStatusCode": d.last_status_code, "lastError": d.last_error,
            "nextAttemptAt": d.next_attempt_at if d.status == "pending" else None, "createdAt": d.created_at,
            "deliveredAt": d.delivered_at}


# --- the dispatcher -----------------------------------------------------------------------------
class Dispatcher(threading.Thread):
    """Scans and delivers every `interval` seconds in the web process (daemon: dies with it)."""

    def __init__(self, interval: float = 2.0):
        super().__init__(name="dxgl-webhooks", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                with connection():
                    scan()
                    deliver_due()
            except (pw.PeeweeException, OSError) as err:  # a locked or absent database: try again next pass
                log.warning("webhook dispatcher: %s", err)


_dispatcher: Dispatcher | None = None


def start_dispatcher() -> None:
    """Start the process's one dispatcher (idempotent)."""
    global _dispatcher
    if _dispatcher is None or not _dispatcher.is_alive():
        _dispatcher = Dispatcher()
        _dispatcher.start()
