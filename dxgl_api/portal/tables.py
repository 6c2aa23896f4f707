"""The portal's own tables: passwords, browser sessions, one-time sign-in links and when each API
token was last used. They reference the service's accounts and tokens; nothing here is read by the API."""
from __future__ import annotations

import peewee as pw

from ..tables import BaseModel, Token, User, new_id, utcnow


class Password(BaseModel):
    """An account's password as an argon2id hash (argon2-cffi's PasswordHasher encodes its parameters)."""

    user = pw.ForeignKeyField(User, primary_key=True, on_delete="CASCADE")
    hash = pw.CharField(max_length=255)
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "portal_password"


class BrowserSession(BaseModel):
    """A signed-in browser. The cookie carries a random id; only its SHA-256 is stored, so a database
    leak does not hand out sessions, and signing out or suspending an account ends them server-side."""

    id_hash = pw.CharField(max_length=64, primary_key=True)
    user = pw.ForeignKeyField(User, backref="browser_sessions", on_delete="CASCADE")
    created_at = pw.DateTimeField(default=utcnow)
    last_seen_at = pw.DateTimeField(default=utcnow)
    expires_at = pw.DateTimeField()

    class Meta:
        table_name = "portal_session"


class SignInLink(BaseModel):
    """A one-time link: an admin's invitation or the first-start admin's way in. Stored as SHA-256."""

    token_hash = pw.CharField(max_length=64, primary_key=True)
    user = pw.ForeignKeyField(User, backref="sign_in_links", on_delete="CASCADE")
    purpose = pw.CharField(max_length=16)  # invite | first-start
    created_at = pw.DateTimeField(default=utcnow)
    expires_at = pw.DateTimeField()
    used_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "portal_sign_in_link"


class TokenUse(BaseModel):
    """When an API token last authenticated a request (kept beside the token table, not in it)."""

    token = pw.ForeignKeyField(Token, primary_key=True, on_delete="CASCADE")
    last_used_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "portal_token_use"


class Webhook(BaseModel):
    """A URL that receives a signed POST when one of the account's renders ends (done or error).
    The secret is kept as is: the server needs it to sign every delivery."""

    id = pw.CharField(primary_key=True, max_length=12, default=new_id)
    user = pw.ForeignKeyField(User, backref="webhooks", on_delete="CASCADE")
    url = pw.CharField(max_length=2048)
    secret = pw.CharField(max_length=80)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "portal_webhook"


class WebhookDelivery(BaseModel):
    """One event for one webhook: an outbox row, retried with backoff until delivered or given up."""

    id = pw.CharField(primary_key=True, max_length=12, default=new_id)
    webhook = pw.ForeignKeyField(Webhook, backref="deliveries", on_delete="CASCADE")
    render_id = pw.CharField(max_length=12)
    event = pw.CharField(max_length=16)  # render.done | render.error
    status = pw.CharField(max_length=12, default="pending", index=True)  # pending | delivered | failed
    attempts = pw.IntegerField(default=0)
    next_attempt_at = pw.DateTimeField(default=utcnow, index=True)
    last_status_code = pw.IntegerField(null=True)
    last_error = pw.TextField(null=True)
    created_at = pw.DateTimeField(default=utcnow)
    delivered_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "portal_webhook_delivery"
        indexes = ((("webhook", "render_id", "event"), True),)


PORTAL_MODELS = [Password, BrowserSession, SignInLink, TokenUse, Webhook, WebhookDelivery]
