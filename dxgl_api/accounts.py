"""Accounts and tokens as the admin CLI and the first start create them."""
from __future__ import annotations

import logging
from datetime import timedelta

from . import config, credits
from .auth import SCOPES, expand_scopes, generate_token, hash_token
from .db import write_transaction
from .errors import ApiError
from .tables import Token, User, utcnow

log = logging.getLogger(__name__)


class AccountError(ApiError):
    """A CLI-side mistake (unknown email, duplicate account): printed as one line."""

    def __init__(self, message: str):
        super().__init__("invalid_request", message)


def create_user(email: str, *, admin: bool = False, initial_credits: int | None = None, plan: str = "free") -> User:
    """A new account with the signup credits (or `initial_credits`), recorded in the ledger."""
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError(f"'{email}' is not an email address")
    if User.select().where(User.email == email).exists():
        raise AccountError(f"an account for {email} already exists")
    amount = config.active().signup_credits if initial_credits is None else initial_credits
    with write_transaction():
        user = User.create(email=email, is_admin=admin, plan=plan)
        credits.add(user.id, amount, credits.SIGNUP, "credits for a new account")
    return User.get_by_id(user.id)


def find_user(email: str) -> User:
    user = User.get_or_none(User.email == email.strip().lower())
    if user is None:
        raise AccountError(f"no account for {email}")
    return user


def create_token(user: User, *, scopes: list[str] | None = None, expires_in_days: float | None = None,
                 name: str = "") -> tuple[Token, str]:
    """A new token for `user`; returns the row and the raw token (shown once, never stored)."""
    try:
        granted = expand_scopes(scopes) if scopes else list(SCOPES)
    except ValueError as err:
        raise AccountError(str(err)) from None
    raw = generate_token()
    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days is not None else None
    token = Token.create(user=user, token_hash=hash_token(raw), prefix=raw[:12], scopes=" ".join(granted),
                         expires_at=expires, name=name)
    return token, raw


def revoke_token(token_id_or_raw: str) -> Token:
    value = token_id_or_raw.strip()
    query = Token.token_hash == hash_token(value) if value.startswith("dxgl_sk_") else Token.id == value
    token = Token.get_or_none(query)
    if token is None:
        raise AccountError(f"no token {value[:12]}…" if len(value) > 12 else f"no token {value}")
    Token.update(revoked_at=utcnow()).where(Token.id == token.id).execute()
    return Token.get_by_id(token.id)


def set_suspended(user: User, suspended: bool) -> User:
    User.update(suspended=suspended).where(User.id == user.id).execute()
    return User.get_by_id(user.id)


def grant_credits(user: User, amount: int, note: str = "") -> int:
    """Credits bought or granted by an admin; the account counts as paid from then on."""
    if amount <= 0:
        raise AccountError("the number of credits must be positive")
    with write_transaction():
        User.update(plan="paid").where(User.id == user.id).execute()
        return credits.add(user.id, amount, credits.GRANT, note or "credits added by an admin")


def bootstrap_admin() -> tuple[User, str] | None:
    """On an empty database: the first admin account and its token (to print once)."""
    if User.select().exists():
        return None
    user = create_user(config.active().admin_email, admin=True)
    _, raw = create_token(user, name="first start")
    log.info("created the first admin account %s", user.email)
    return user, raw
