"""The web portal served by `dxgl serve` at `/`: people sign in with a password and use the same
accounts, credits, limits and rules as the `/v1` API, whose functions and views it calls."""
from __future__ import annotations


def init_portal(app, api) -> None:
    """Register the portal on the API's Flask app, and its /v1/webhooks on the API."""
    from .views import init_app
    from .webhooks_api import blp

    api.register_blueprint(blp)
    init_app(app)
