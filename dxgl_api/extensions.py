"""The project's flask-smorest pieces: `Api` (the one error handler writing the reference's
envelope for every failure, Flask's own 404/405/413 included), `Blueprint` (argument errors
mapped to the reference's codes), and the `Schema` base class."""
from __future__ import annotations

import logging
import re

import flask
import flask_smorest
import marshmallow as ma
import peewee as pw
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from dxgl_engine import DxglError

from .db import discard_connection
from .db import unavailable as db_unavailable
from .errors import CODES, ApiError, status_code_for

log = logging.getLogger(__name__)

LOCATIONS = ("json", "query", "form", "files", "view_args", "headers", "cookies", "json_or_form", "querystring")


class Schema(ma.Schema):
    """Base schema. `error_codes` maps a field to the reference code it answers when missing or
    null (modelId → model_id_required); every other argument error is invalid_request."""

    error_codes: dict[str, str] = {}

    class Meta:
        unknown = ma.EXCLUDE


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Machine-readable error code"})
    message = ma.fields.String(required=True, metadata={"description": "What went wrong, for a person"})
    status = ma.fields.Integer(required=True, metadata={"description": "HTTP status"})


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorBodySchema, required=True)


def error_response(code: str, message: str | None = None, status: int | None = None,
                   headers: dict | None = None) -> flask.Response:
    default_status, default_message = CODES.get(code, (status or 500, code))
    status = status or default_status
    body = {"error": {"code": code, "message": message or default_message, "status": status}}
    response = flask.jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


class Parser(FlaskParser):
    """webargs parser whose validation errors carry the reference's codes, with status 400."""

    DEFAULT_VALIDATION_STATUS = 400

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        raise validation_error(error.messages, schema)

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        raise ApiError("invalid_request", "request body is not valid JSON")


MISSING = ("Missing data for required field.", "Field may not be null.")
NOT_AN_OBJECT = "Invalid input type."  # marshmallow's schema-level error for a body that is not a dict


def validation_error(messages, schema) -> ApiError:
    """The reference's code for a missing field (model_id_required, …), else invalid_request; a
    body that is not a JSON object (a bare list, a string) is told which fields the object has."""
    problems = list(_flatten(messages))
    codes = getattr(schema, "error_codes", {})
    for path, message in problems:
        if len(path) == 1 and path[0] in codes and message in MISSING:
            return ApiError(codes[path[0]], f"{path[0]}: {message}")
        if path == ("_schema",) and message == NOT_AN_OBJECT:
            names = [f.data_key or name for name, f in getattr(schema, "fields", {}).items() if not f.dump_only]
            return ApiError("invalid_request", "the request body must be a JSON object"
                            + (f" with the fields {', '.join(names)}" if names else ""))
    text = "; ".join(f"{'.'.join(map(str, p)) or 'request'}: {m}" for p, m in problems)
    return ApiError("invalid_request", text or "invalid request")


def _flatten(messages, path=()):
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, path if (not path and key in LOCATIONS) else (*path, key))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        yield path, " ".join(messages)
    elif isinstance(messages, list):
        for i, value in enumerate(messages):
            yield from _flatten(value, (*path, i))
    else:
        yield path, str(messages)


class NotReservedConverter(BaseConverter):
    """A path segment that is not one of the given words: `/v1/models/<notin("ingest"):model_id>`
    then never matches `/v1/models/ingest`, so the two routes do not advertise each other's methods."""

    def __init__(self, url_map, *reserved: str):
        super().__init__(url_map)
        words = "|".join(re.escape(w) for w in reserved)
        self.regex = f"(?!(?:{words})(?![^/]))[^/]+" if reserved else "[^/]+"


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()


class Api(flask_smorest.Api):
    """flask-smorest Api whose every error answer is {"error": {"code", "message", "status"}}."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        app = self._app
        app.register_error_handler(HTTPException, self.handle_http_exception)
        app.register_error_handler(ApiError, handle_api_error)
        app.register_error_handler(DxglError, handle_engine_error)
        app.register_error_handler(pw.OperationalError, handle_database_down)
        app.register_error_handler(pw.InterfaceError, handle_database_down)
        app.register_error_handler(Exception, handle_unexpected)

    def handle_http_exception(self, error: HTTPException):
        status = error.code or 500
        code = status_code_for(status)
        data = getattr(error, "data", None) or {}
        message = data.get("message") or error.description or CODES[code][1]
        headers = dict(data.get("headers") or {})
        if status == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        if status == 413:  # the reference answers oversized uploads with 400 file_too_large
            return error_response("file_too_large", "request body exceeds the upload limit")
        headers.update((k, v) for k, v in error.get_headers() if k == "Content-Range")
        if status >= 500:
            log.error("HTTP %s: %s", status, message)
            message = CODES["internal"][1] if status == 500 else message
        return error_response(code, message, status, headers)


def handle_api_error(error: ApiError):
    return error_response(error.code, error.message, error.status, error.headers)


def handle_engine_error(error: DxglError):
    if error.code in ("invalid_format", "invalid_settings"):
        return error_response(error.code, str(error), 400)
    log.error("engine error in a request: %s", error, exc_info=error)
    return error_response("internal")


RETRY_AFTER = "5"  # seconds: about what a PostgreSQL restart takes (1-3 s measured on a test cluster)


def handle_database_down(error: Exception):
    """The database did not answer (restarting, unreachable, or SQLite's lock wait ran out): a 503 the
    client may retry, not a 500. Nothing was committed: every write of a request is one transaction.
    A database error a retry would repeat (`db.unavailable` is false: a missing column) is a 500."""
    if not db_unavailable(error):
        return handle_unexpected(error)
    log.warning("database unavailable: %s: %s", type(error).__name__, str(error).strip().splitlines()[:1])
    discard_connection()
    return error_response("service_unavailable", "the database is unavailable; retry shortly",
                          headers={"Retry-After": RETRY_AFTER})


def handle_unexpected(error: Exception):
    log.exception("unhandled error", exc_info=error)
    return error_response("internal")
