"""People in the portal: passwords (argon2id through argon2-cffi), browser sessions and one-time
sign-in links. No Flask here: the CLI and the server's first start call these too."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..accounts import AccountError, create_user
from ..db import connection, write_transaction
from ..tables import User, utcnow
from .tables import BrowserSession, Password, SignInLink

SESSION_DAYS = 14
LINK_DAYS = 7
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 takes any length; the cap keeps a hostile form from costing CPU

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) defaults
# Verified against when an email has no password, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def _sha(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def check_password_rules(password: str) -> None:
    """AccountError in words when a new password is too short or too long."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"choose a password of at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"a password may have at most {MAX_PASSWORD} characters")


def set_password(user: User, password: str) -> None:
    """Store `password` for `user` as an argon2id hash."""
    check_password_rules(password)
    digest = _hasher.hash(password)
    with write_transaction():
        Password.insert(user=user.id, hash=digest, updated_at=utcnow()).on_conflict(
            conflict_target=[Password.user], update={Password.hash: digest, Password.updated_at: utcnow()}).execute()


def verify_password(email: str, password: str) -> User | None:
    """The account whose email and password match, else None (suspended accounts included: the
    caller says why). Rehashes when the library's parameters have grown since."""
    user = User.get_or_none(User.email == (email or "").strip().lower())
    stored = Password.get_or_none(Password.user == user.id) if user else None
    try:
        _hasher.verify(stored.hash if stored else _DUMMY_HASH, (password or "")[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return None
    if stored is None:
        return None
    if _hasher.check_needs_rehash(stored.hash):
        set_password(user, password)
    return user


# --- sessions ---------------------------------------------------------------------------------
def open_session(user: User) -> str:
    """A new browser session for `user`; returns the raw id for the (signed, HttpOnly) cookie."""
    raw = secrets.token_urlsafe(32)
    BrowserSession.create(id_hash=_sha(raw), user=user, expires_at=utcnow() + timedelta(days=SESSION_DAYS))
    return raw


def session_user(raw: str | None) -> User | None:
    """The live, unsuspended account behind a session id, or None."""
    if not raw:
        return None
    row = BrowserSession.select(BrowserSession, User).join(User).where(BrowserSession.id_hash == _sha(raw)).first()
    if row is None or row.expires_at <= utcnow() or row.user.suspended:
        return None
    now = utcnow()
    if (now - row.last_seen_at).total_seconds() > 60:  # one write a minute at most per session
        BrowserSession.update(last_seen_at=now).where(BrowserSession.id_hash == row.id_hash).execute()
    return row.user


def close_session(raw: str | None) -> None:
    if raw:
        BrowserSession.delete().where(BrowserSession.id_hash == _sha(raw)).execute()


def close_all_sessions(user: User) -> None:
    """Sign `user` out everywhere (on suspension)."""
    BrowserSession.delete().where(BrowserSession.user == user.id).execute()


# --- one-time links ---------------------------------------------------------------------------
def new_link(user: User, purpose: str, days: float = LINK_DAYS) -> str:
    """A one-time sign-in link token for `user`; earlier unused links of the same purpose stop working."""
    raw = secrets.token_urlsafe(32)
    with write_transaction():
        SignInLink.delete().where((SignInLink.user == user.id) & (SignInLink.purpose == purpose)
                                  & SignInLink.used_at.is_null()).execute()
        SignInLink.create(token_hash=_sha(raw), user=user, purpose=purpose,
                          expires_at=utcnow() + timedelta(days=days))
    return raw


def link_user(raw: str) -> User | None:
    """The account a still-valid, unused link opens, or None."""
    link = SignInLink.get_or_none(SignInLink.token_hash == _sha(raw or ""))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    user = User.get_by_id(link.user_id)
    return None if user.suspended else user


def use_link(raw: str, password: str) -> User | None:
    """Set the password through a link and spend the link (once: a conditional update)."""
    user = link_user(raw)
    if user is None:
        return None
    check_password_rules(password)
    spent = SignInLink.update(used_at=utcnow()).where((SignInLink.token_hash == _sha(raw))
                                                      & SignInLink.used_at.is_null()).execute()
    if not spent:
        return None
    set_password(user, password)
    return user


def invite(email: str, *, admin: bool = False) -> tuple[User, str]:
    """An account for `email` (created if new) and a one-time link to choose a password."""
    user = User.get_or_none(User.email == email.strip().lower())
    if user is None:
        user = create_user(email, admin=admin)
    return user, new_link(user, "invite")


def link_path(raw: str) -> str:
    """Where a link token is redeemed, relative to the server's root."""
    return f"/welcome/{raw}"


def first_start_link(user: User) -> str:
    """The first-start admin's way into the portal: a one-time link path."""
    with connection():
        return link_path(new_link(user, "first-start"))
