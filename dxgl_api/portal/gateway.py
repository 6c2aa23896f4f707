"""The portal's way into the API: a signed-in browser calls `/app/v1/…` and the request runs the
very view function that `/v1/…` runs (argument parsing, ownership checks, credits, the error
envelope), with the session's account in place of a token's. Nothing of the API is re-implemented."""
from __future__ import annotations

from flask import current_app, g, request
from werkzeug.exceptions import HTTPException

from ..blueprints import BLUEPRINTS
from ..errors import ApiError
from ..tables import User

API_BLUEPRINTS = {b.name for b in BLUEPRINTS} | {"webhooks"}


def call_view(endpoint: str, user: User, **values):
    """Run the API view `endpoint` for `user` on the current request; returns its response (an
    ApiError propagates). `require`'s wrapper is skipped through `__wrapped__`: a browser session
    acts with all scopes of its own account, like a token made with `all`."""
    view = current_app.view_functions[endpoint]
    if getattr(view, "required_scope", None) is None:  # only `require`'s wrapper may be skipped
        raise ApiError("not_found", f"no API route for {endpoint}")
    g.user, g.token = User.get_by_id(user.id), None
    return view.__wrapped__(**values)


def dispatch(user: User, rest: str):
    """`/app/v1/<rest>`: match `/v1/<rest>` against the API's routes and run it for `user`."""
    adapter = current_app.create_url_adapter(request)
    try:
        endpoint, values = adapter.match("/v1/" + rest, method=request.method)
    except HTTPException as err:
        raise ApiError("not_found" if err.code == 404 else "method_not_allowed", f"no API route /v1/{rest[:80]}") from None
    if endpoint.split(".", 1)[0] not in API_BLUEPRINTS:
        raise ApiError("not_found", f"no API route /v1/{rest[:80]}")
    return call_view(endpoint, user, **values)
