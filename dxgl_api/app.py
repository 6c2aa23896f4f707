"""The Flask application factory: configuration, the Api with its blueprints, the OpenAPI
document at /v1/openapi.json and the browsable docs at /docs (Swagger UI served from the
installed swagger-ui-bundle package, so the docs work offline)."""
from __future__ import annotations

import logging

from flask import Flask, send_from_directory

from dxgl_engine import __version__

from . import runtime
from .blueprints import BLUEPRINTS
from .config import Config
from .db import database
from .extensions import Api, NotReservedConverter
from .portal import init_portal

log = logging.getLogger(__name__)

DOCS_ASSETS = "/docs/assets/"
MULTIPART_SLACK = 64 * 1024  # form boundaries and the renderSettings field around an upload


def create_app(config: Config | None = None) -> Flask:
    config = runtime.configure(config or Config.from_env())
    app = Flask(__name__, static_folder=None)
    app.config.update(
        API_TITLE="dxgl API",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="v1/openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=DOCS_ASSETS,
        API_SPEC_OPTIONS={
            "info": {"description": "Turns 3D models into product videos. Authenticate with "
                                    "`Authorization: Bearer dxgl_sk_…`."},
            "servers": [{"url": "/"}],
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
        MAX_CONTENT_LENGTH=max(config.max_upload_bytes, config.max_overlay_bytes) + MULTIPART_SLACK,
        DXGL_CONFIG=config,
    )
    app.json.sort_keys = False
    app.url_map.converters["notin"] = NotReservedConverter
    api = Api(app)
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
    _serve_docs_assets(app)
    init_portal(app, api)  # the web portal at /, and /v1/webhooks
    from .metrics import metrics_view

    app.add_url_rule("/metrics", "metrics", metrics_view)
    app.teardown_appcontext(_close_database)
    return app


def _serve_docs_assets(app: Flask) -> None:
    from swagger_ui_bundle import swagger_ui_path

    folder = str(swagger_ui_path)

    @app.route(DOCS_ASSETS + "<path:name>")
    def docs_asset(name):
        return send_from_directory(folder, name, max_age=86400)


def _close_database(_exc) -> None:
    if not database.is_closed():
        database.close()
