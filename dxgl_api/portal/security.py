"""Cookie and secret settings for the portal's sessions."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import request
from flask.sessions import SecureCookieSessionInterface

from .. import config
from .people import SESSION_DAYS

SECRET_FILE = "portal-secret.key"


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came over TLS (directly, or through
    a proxy waitress trusts for X-Forwarded-Proto), so plain-HTTP development still works."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def secret_key() -> str:
    """$DXGL_SECRET_KEY, else a random key kept in the data folder (so sessions survive restarts
    and every process on the same data folder signs alike)."""
    if key := os.environ.get("DXGL_SECRET_KEY"):
        return key
    path = Path(config.active().data_dir) / SECRET_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # O_EXCL: two processes, one key
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def configure_security(app) -> None:
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key()
    app.config.update(
        SESSION_COOKIE_NAME="dxgl_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(days=SESSION_DAYS),
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in the portal blueprint only; /v1 uses bearer tokens
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        RATELIMIT_HEADERS_ENABLED=False,
    )
    app.session_interface = SessionCookies()
