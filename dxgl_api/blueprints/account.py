"""/v1/account: who the token belongs to and the credit balance (plus the ledger behind it)."""
from __future__ import annotations

from flask import g
from marshmallow import fields

from .. import config
from ..auth import require
from ..extensions import Blueprint, Schema
from ..render_requests import max_length_for
from ..schemas import PageArgs, Timestamp, envelope, page_meta, page_window
from ..tables import LedgerEntry, Model3D, User

blp = Blueprint("account", __name__, url_prefix="/v1/account", description="Account: balance and limits")


class AccountSchema(Schema):
    id = fields.String(required=True)
    email = fields.String(required=True)
    credits = fields.Integer(required=True)
    isAdmin = fields.Boolean()
    plan = fields.String(metadata={"description": "free or paid (paid once credits were added)"})
    maxLength = fields.Float(metadata={"description": "Longest video this account may render, in seconds"})
    models = fields.Integer(metadata={"description": "Models held (deleted ones excluded)"})
    uploadLimit = fields.Integer(allow_none=True, metadata={"description": "Models a free account may hold"})
    createdAt = Timestamp()


class LedgerEntrySchema(Schema):
    delta = fields.Integer(required=True)
    balance = fields.Integer(required=True)
    reason = fields.String(required=True, metadata={"description": "signup, render, refund or grant"})
    renderId = fields.String(allow_none=True)
    note = fields.String()
    createdAt = Timestamp()


@blp.route("", methods=["GET"])
@require("account:read")
@blp.response(200, envelope(AccountSchema))
def get_account():
    """The account behind the token and its credit balance."""
    user = User.get_by_id(g.user.id)
    limit = config.active().free_upload_limit
    held = Model3D.select().where((Model3D.user == user) & Model3D.deleted_at.is_null()).count()
    return {"data": {
        "id": user.id, "email": user.email, "credits": user.credits, "isAdmin": user.is_admin, "plan": user.plan,
        "maxLength": max_length_for(user), "models": held,
        "uploadLimit": limit if (user.plan == "free" and not user.is_admin and limit > 0) else None,
        "createdAt": user.created_at,
    }}


@blp.route("/ledger", methods=["GET"])
@require("account:read")
@blp.arguments(PageArgs, location="query")
@blp.response(200, envelope(LedgerEntrySchema, many=True, paginated=True))
def get_ledger(args):
    """Every credit movement of the account, newest first (an extension of the reference)."""
    limit, offset = page_window(args)
    query = LedgerEntry.select().where(LedgerEntry.user == g.user)
    total = query.count()
    rows = query.order_by(LedgerEntry.id.desc()).limit(limit).offset(offset)
    data = [{"delta": r.delta, "balance": r.balance, "reason": r.reason, "renderId": r.render_id, "note": r.note,
             "createdAt": r.created_at} for r in rows]
    return {"data": data, "meta": page_meta(total, limit, offset)}
