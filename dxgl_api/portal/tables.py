"""The portal's own tables: passwords, browser sessions, one-time sign-in links and when each API
token was last used. They reference the service's accounts and tokens; nothing here is read by the API."""
from __future__ import annotations

import peewee as pw

from ..db import connection, database
from ..tables import BaseModel, Token, User, utcnow


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


PORTAL_MODELS = [Password, BrowserSession, SignInLink, TokenUse]


def create_tables() -> None:
    """Create the portal's tables that do not exist yet (idempotent, like the service's)."""
    with connection():
        database.create_tables(PORTAL_MODELS, safe=True)
