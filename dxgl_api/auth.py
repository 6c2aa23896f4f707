"""Bearer tokens: `Authorization: Bearer dxgl_sk_…`, stored only as their SHA-256.

Each view names the one scope it needs (`@require("models:write")`). The checks run in the
reference's order of meaning: unknown or revoked → unauthorized, expired → token_expired,
suspended account → forbidden, scope missing → insufficient_scope.
"""
from __future__ import annotations

import functools
import hashlib
import secrets
from copy import deepcopy
from typing import Callable

from flask import g, request

from .errors import ApiError
from .tables import Token, User, utcnow

TOKEN_PREFIX = "dxgl_sk_"
SCOPES = (
    "models:read", "models:write",
    "renders:read", "renders:write",
    "overlays:read", "overlays:write",
    "account:read",
)  # fmt: skip
SCOPE_GROUPS = {
    "all": SCOPES,
    "read": tuple(s for s in SCOPES if s.endswith(":read")),
    "write": tuple(s for s in SCOPES if s.endswith(":write")),
}


def generate_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(raw: str) -> str:
    """Tokens carry 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(raw.encode()).hexdigest()


def expand_scopes(names: list[str] | tuple[str, ...]) -> list[str]:
    """Scope names and the shorthands all/read/write, or `models` for both of its scopes."""
    out: list[str] = []
    for name in names:
        for part in name.replace(",", " ").split():
            if part in SCOPE_GROUPS:
                found = SCOPE_GROUPS[part]
            elif part in SCOPES:
                found = (part,)
            else:
                found = tuple(s for s in SCOPES if s.split(":")[0] == part)
                if not found:
                    raise ValueError(f"unknown scope '{part}'; scopes: {', '.join(SCOPES)} (or all, read, write)")
            out.extend(s for s in found if s not in out)
    return out


def authenticate(header: str | None, scope: str | None) -> tuple[User, Token]:
    """The account and token behind an Authorization header, or the reference's 401/403."""
    scheme, _, raw = (header or "").partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw.startswith(TOKEN_PREFIX):
        raise _unauthorized("missing or malformed Authorization header: send 'Authorization: Bearer dxgl_sk_…'")
    token = Token.select(Token, User).join(User).where(Token.token_hash == hash_token(raw)).first()
    if token is None or token.revoked_at is not None:
        raise _unauthorized("invalid or revoked token")
    if token.expires_at is not None and token.expires_at <= utcnow():
        raise ApiError("token_expired", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if token.user.suspended:
        raise ApiError("forbidden", "account suspended")
    if scope is not None and scope not in token.scopes.split():
        raise ApiError("insufficient_scope", f"this token lacks the '{scope}' scope")
    return token.user, token


def require(scope: str) -> Callable:
    """View decorator: authenticate the request and check `scope`; sets g.user and g.token."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            g.user, g.token = authenticate(request.headers.get("Authorization"), scope)
            return view(*args, **kwargs)

        apidoc = deepcopy(getattr(view, "_apidoc", {}))
        manual = apidoc.setdefault("manual_doc", {})
        manual["security"] = [{"bearerAuth": []}]
        manual["x-required-scope"] = scope
        wrapper._apidoc = apidoc
        wrapper.required_scope = scope  # what the portal's gateway looks for before skipping the wrapper
        return wrapper

    return decorator


def current_user() -> User:
    return g.user


def _unauthorized(message: str) -> ApiError:
    return ApiError("unauthorized", message, headers={"WWW-Authenticate": 'Bearer realm="dxgl"'})
