"""/v1/health: no authentication; says whether the database answers."""
from __future__ import annotations

import logging

from marshmallow import fields

import dxgl_engine

from ..db import ping
from ..errors import ApiError
from ..extensions import Blueprint, Schema
from ..schemas import envelope

log = logging.getLogger(__name__)

blp = Blueprint("health", __name__, url_prefix="/v1/health", description="Health check (no authentication)")


class HealthSchema(Schema):
    status = fields.String(required=True)
    database = fields.String(required=True)
    version = fields.String(required=True)


@blp.route("", methods=["GET"])
@blp.doc(security=[])
@blp.response(200, envelope(HealthSchema))
def health():
    """Whether the service and its database are up (503 when the database does not answer)."""
    try:
        ping()
    except Exception as err:
        log.error("health check: database unreachable: %s", err)
        raise ApiError("unavailable", "database unreachable") from None
    return {"data": {"status": "ok", "database": "ok", "version": dxgl_engine.__version__}}
