"""Credit movements. Every change of a balance happens inside a write transaction, as one
conditional UPDATE (so parallel requests can never overdraw) plus one ledger row per movement.
Prices come from the engine's settings model (`Settings.credits`), never from a table here."""
from __future__ import annotations

from .db import write_transaction
from .errors import ApiError
from .tables import LedgerEntry, User

SIGNUP = "signup"
RENDER = "render"
REFUND = "refund"
GRANT = "grant"


def spend(user_id: str, charges: list[tuple[str, int]]) -> int:
    """Take the sum of `charges` ((render id, credits) pairs) from the account, all or nothing.

    Must run inside the transaction that creates the renders; raises no_credits (402) when the
    balance is short. Returns the balance after."""
    total = sum(c for _, c in charges)
    if total == 0:
        return User.get_by_id(user_id).credits
    taken = User.update(credits=User.credits - total).where((User.id == user_id) & (User.credits >= total)).execute()
    balance = User.get_by_id(user_id).credits
    if not taken:
        raise ApiError("no_credits", f"this needs {total} credit{'s' * (total != 1)}; the account has {balance}")
    running = balance + total
    for render_id, amount in charges:
        if amount:
            running -= amount
            LedgerEntry.create(user=user_id, delta=-amount, balance=running, reason=RENDER, render_id=render_id,
                               note=f"render {render_id}")
    return balance


def add(user_id: str, amount: int, reason: str, note: str = "", render_id: str | None = None) -> int:
    """Give `amount` credits (a refund, a grant, the signup gift); returns the balance after."""
    if amount <= 0:
        return User.get_by_id(user_id).credits
    with write_transaction():
        User.update(credits=User.credits + amount).where(User.id == user_id).execute()
        balance = User.get_by_id(user_id).credits
        LedgerEntry.create(user=user_id, delta=amount, balance=balance, reason=reason, render_id=render_id, note=note)
    return balance


def refund(user_id: str, render_id: str, amount: int, why: str) -> int:
    return add(user_id, amount, REFUND, f"render {render_id} {why}; credits returned", render_id)
