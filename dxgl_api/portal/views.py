"""The portal's pages: sign-in, API keys, the model library, model pages, the new-render form,
credits and overlays, and the admin's people page. Pages are Jinja templates; every change goes
through the functions the API uses (`accounts`, `intake`, the API views via `gateway`)."""
from __future__ import annotations

import functools
import io
import json
import logging
import zipfile
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, session,
                   url_for)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from dxgl_engine import FIELDS, field_applies

from .. import accounts, config, intake, statuses, storage
from ..auth import SCOPES
from ..blueprints.models import tags_of
from ..errors import ApiError
from ..extensions import error_response
from ..render_requests import MAX_BATCH, max_length_for
from ..tables import LedgerEntry, Model3D, ModelTag, Overlay, Render, Token, User, utcnow
from . import gateway, people, webhooks
from .settings_form import SettingsForm, parse_sets
from .tables import Password, TokenUse, Webhook, WebhookDelivery

log = logging.getLogger(__name__)

bp = Blueprint("portal", __name__, template_folder="templates", static_folder="static",
               static_url_path="/portal/static")
csrf = CSRFProtect()
# Sign-in throttling: flask-limiter counts failed attempts per email and all attempts per address,
# in process memory (the web app is one waitress process; a restart forgets the counts).
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", default_limits=[])

KEY_EXPIRY_DAYS = (("", "never"), ("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("365", "1 year"))


# --- session plumbing -------------------------------------------------------------------------
@bp.before_app_request
def _load_user():
    g.portal_user = people.session_user(session.get("sid")) if "sid" in session else None


@bp.before_request
def _protect():
    # CSRF is checked for the portal's own routes only: the /v1 API authenticates with bearer
    # tokens, which a third-party page cannot make a browser send.
    csrf.protect()


# Pages load only this site's own script, styles and media, may not be framed (clickjacking), and
# are not kept by shared caches (they show account data).
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@bp.after_request
def _page_headers(response):
    if response.mimetype == "text/html":
        for key, value in PAGE_HEADERS.items():
            response.headers.setdefault(key, value)
    return response


@bp.after_app_request
def _note_token_use(response):
    token = g.get("token")
    if token is not None:
        _touch_token(token.id)
    return response


_last_touch: dict[str, float] = {}


def _touch_token(token_id: str) -> None:
    """Record a token's last use, at most once a minute per token (a write per API call would
    queue every request behind SQLite's writer lock)."""
    import time

    now = time.monotonic()
    if now - _last_touch.get(token_id, -1e9) < 60:
        return
    _last_touch[token_id] = now
    TokenUse.insert(token=token_id, last_used_at=utcnow()).on_conflict(
        conflict_target=[TokenUse.token], update={TokenUse.last_used_at: utcnow()}).execute()


def signed_in(view):
    """Pages for signed-in people; others go to the sign-in page (and come back after)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if g.portal_user is None:
            if request.method == "GET":
                return redirect(url_for("portal.signin", next=request.full_path.rstrip("?")))
            abort(401)
        return view(*args, **kwargs)

    return wrapper


def admin_only(view):
    @functools.wraps(view)
    @signed_in
    def wrapper(*args, **kwargs):
        if not g.portal_user.is_admin:
            abort(404)  # a page that does not exist for non-admins, like another account's model
        return view(*args, **kwargs)

    return wrapper


def _safe_next(target: str | None) -> str:
    """Only paths on this site: an open redirect would let a phishing link bounce through us."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("portal.library")


def _start_session(user: User):
    old = session.get("sid")
    people.close_session(old)
    session.clear()  # a fresh cookie on sign-in: no session fixation
    session["sid"] = people.open_session(user)
    session.permanent = True


# --- errors -----------------------------------------------------------------------------------
@bp.errorhandler(CSRFError)
def _csrf_error(err):
    message = "This form has expired or did not come from this site. Reload the page and try again."
    if _wants_json():
        return error_response("forbidden", message, 403)
    return render_template("portal/error.html", title="Form refused", message=message), 403


@bp.errorhandler(HTTPException)
def _http_error(err):
    too_large = f"the upload exceeds the {storage.size_text(config.active().max_upload_bytes)} limit"
    if _wants_json():
        codes = {429: "rate_limited", 404: "not_found", 401: "unauthorized", 413: "file_too_large"}
        return error_response(codes.get(err.code, "invalid_request"), too_large if err.code == 413
                              else err.description, 400 if err.code == 413 else err.code)
    messages = {404: "There is no such page.", 401: "Sign in first.", 413: too_large.capitalize() + ".",
                429: "Too many sign-in attempts. Wait a few minutes and try again."}
    return render_template("portal/error.html", title=err.name,
                           message=messages.get(err.code, err.description)), err.code


def _wants_json() -> bool:
    return request.path.startswith("/app/") or request.accept_mimetypes.best == "application/json"


# --- sign in / out / links --------------------------------------------------------------------
def _signin_limit() -> str:
    return current_app.config.get("PORTAL_SIGNIN_LIMIT", "5 per 15 minutes")


def _address_limit() -> str:
    return current_app.config.get("PORTAL_SIGNIN_ADDRESS_LIMIT", "30 per minute")


def _email_key() -> str:
    return "signin:" + (request.form.get("email") or "").strip().lower()


def _failed(response) -> bool:
    return response.status_code != 303


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(_signin_limit, key_func=_email_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(_address_limit, methods=["POST"])
def signin():
    """Email and password; a failed attempt says only that the pair did not match."""
    if request.method == "GET":
        if g.portal_user is not None:
            return redirect(_safe_next(request.args.get("next")))
        return render_template("portal/signin.html", next=request.args.get("next", ""))
    email = (request.form.get("email") or "").strip()
    user = people.verify_password(email, request.form.get("password") or "")
    if user is None or user.suspended:
        message = "This account is suspended; ask an admin." if user else "Wrong email or password."
        return render_template("portal/signin.html", next=request.form.get("next", ""), email=email,
                               error=message), 401
    _start_session(user)
    return redirect(_safe_next(request.form.get("next")), 303)


@bp.route("/signout", methods=["POST"])
def signout():
    people.close_session(session.get("sid"))
    session.clear()
    return redirect(url_for("portal.signin"), 303)


@bp.route("/welcome/<token>", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
def welcome(token):
    """A one-time link (an invitation or the first start): choose a password, then signed in."""
    user = people.link_user(token)
    if user is None:
        return render_template("portal/error.html", title="Link not valid",
                               message="This link was used already, has expired or was replaced by a newer one. "
                                       "Ask an admin for a new invitation."), 404
    error = None
    if request.method == "POST":
        password = request.form.get("password") or ""
        if password != (request.form.get("confirm") or ""):
            error = "The two passwords differ."
        else:
            try:
                user = people.use_link(token, password)
            except accounts.AccountError as err:
                error = err.message
            else:
                if user is None:
                    abort(404)
                _start_session(user)
                flash("Password set. Welcome!")
                return redirect(url_for("portal.library"), 303)
    return render_template("portal/welcome.html", user=user, error=error, min_length=people.MIN_PASSWORD), (
        400 if error else 200)


# --- API keys ---------------------------------------------------------------------------------
@bp.route("/keys", methods=["GET", "POST"])
@signed_in
def keys():
    """The account's API tokens; POST makes one and shows it once."""
    user = g.portal_user
    created = error = None
    if request.method == "POST":
        days = request.form.get("expires") or ""
        scopes = request.form.getlist("scopes")
        try:
            if not scopes:
                raise accounts.AccountError("choose at least one scope")
            if days and (not days.isdigit() or not 1 <= int(days) <= 3650):
                raise accounts.AccountError("expiry must be a whole number of days from 1 to 3650")
            name = (request.form.get("name") or "").strip()
            if len(name) > 100:
                raise accounts.AccountError("a key's name takes at most 100 characters")
            token, raw = accounts.create_token(user, scopes=scopes, expires_in_days=float(days) if days else None,
                                               name=name)
            created = {"token": raw, "name": token.name}
        except accounts.AccountError as err:
            error = err.message
    rows = list(Token.select().where(Token.user == user).order_by(Token.created_at.desc()))
    used = {u.token_id: u.last_used_at for u in TokenUse.select().where(TokenUse.token.in_([t.id for t in rows]))}
    return render_template("portal/keys.html", tokens=rows, used=used, scopes=SCOPES, created=created, error=error,
                           expiry_choices=KEY_EXPIRY_DAYS, now=utcnow()), 400 if error else 200


@bp.route("/keys/<token_id>/revoke", methods=["POST"])
@signed_in
def revoke_key(token_id):
    token = Token.get_or_none((Token.id == token_id) & (Token.user == g.portal_user.id))
    if token is None:
        abort(404)
    accounts.revoke_token(token.id)
    flash(f"Key {token.name or token.prefix + '…'} revoked: it no longer works.")
    return redirect(url_for("portal.keys"), 303)


# --- the library ------------------------------------------------------------------------------
def _latest_done(model_ids: list[str]) -> dict[str, Render]:
    """Each model's newest finished render (the preview counts): its poster and thumbnail show it."""
    out: dict[str, Render] = {}
    if model_ids:
        rows = (Render.select().where(Render.model.in_(model_ids) & (Render.status == statuses.DONE))
                .order_by(Render.is_system_preview, Render.updated_at.desc()))
        for r in rows:
            out.setdefault(r.model_id, r)
    return out


@bp.route("/")
@signed_in
def library():
    """The account's models as posters; search by title, SKU, tag or file name."""
    user = g.portal_user
    archived = request.args.get("archived") == "1"
    q = (request.args.get("q") or "").strip()[:100]
    query = Model3D.select().where((Model3D.user == user) & Model3D.deleted_at.is_null()
                                   & (Model3D.archived == archived))
    if q:
        like = f"%{q}%"
        query = query.where(Model3D.title ** like | Model3D.sku ** like | Model3D.original_name ** like
                            | Model3D.id.in_(ModelTag.select(ModelTag.model).where(ModelTag.tag ** like.lower())))
    models = list(query.order_by(Model3D.created_at.desc(), Model3D.id).limit(500))
    ids = [m.id for m in models]
    return render_template("portal/library.html", models=models, tags=tags_of(ids), done=_latest_done(ids),
                           q=q, archived=archived, credits=User.get_by_id(user.id).credits)


@bp.route("/models/<model_id>/<action>", methods=["POST"])
@signed_in
def model_action(model_id, action):
    """archive, unarchive or delete: the API's own views do it."""
    endpoints = {"archive": "models.archive_model", "unarchive": "models.unarchive_model",
                 "delete": "models.delete_model"}
    if action not in endpoints:
        abort(404)
    try:
        gateway.call_view(endpoints[action], g.portal_user, model_id=model_id)
    except ApiError as err:
        if err.status == 404:
            abort(404)
        flash(err.message, "error")
    else:
        flash({"archive": "Model archived.", "unarchive": "Model restored.", "delete": "Model deleted."}[action])
    return redirect(request.form.get("back") if request.form.get("back", "").startswith("/") and
                    not request.form.get("back", "").startswith("//") else url_for("portal.library"), 303)


@bp.route("/models/<model_id>/edit", methods=["POST"])
@signed_in
def edit_model(model_id):
    """Title, SKU and tags (comma-separated) through the API's own PATCH view and its rules."""
    tags = [t for t in (request.form.get("tags") or "").split(",") if t.strip()]
    body = {"title": request.form.get("title", "").strip() or None, "sku": request.form.get("sku", "").strip() or None,
            "tags": tags}
    try:
        _call_json("models.update_model", g.portal_user, body, model_id=model_id)
    except ApiError as err:
        if err.status == 404:
            abort(404)
        flash(err.message, "error")
    else:
        flash("Saved.")
    return redirect(url_for("portal.model_page", model_id=model_id), 303)


@bp.route("/upload", methods=["POST"])
@signed_in
def upload():
    """Files dropped or chosen: one .glb/.gltf/.zip, or a .gltf with its .bin and images (packed
    into a ZIP, which the engine's reader opens like a scan archive). Answers JSON for the page's
    script; refusals carry the reader's words."""
    files = [f for f in request.files.getlist("file") if f and f.filename]
    try:
        if not files:
            raise ApiError("no_file", "choose or drop a .glb, .gltf (with its files) or a scan .zip")
        name, stream = _one_upload(files)
        user = User.get_by_id(g.portal_user.id)
        suffix = intake.check_suffix(name)
        received = storage.receive(stream, suffix, config.active().max_upload_bytes)
        try:
            result = intake.take_model(user, received, name, None)
        finally:
            received.discard()
    except ApiError as err:
        return error_response(err.code, err.message, err.status)
    result["modelUrl"] = url_for("portal.model_page", model_id=result["modelId"])
    return jsonify({"data": result}), 201


def _one_upload(files) -> tuple[str, object]:
    if len(files) == 1:
        return intake.clean_name(files[0].filename), files[0].stream
    gltfs = [f for f in files if f.filename.lower().endswith(".gltf")]
    if len(gltfs) != 1:
        raise ApiError("invalid_format", "several files make one model only with exactly one .gltf among them "
                                         "(its .bin and images beside it); upload other models one at a time")
    buffer = io.BytesIO()
    limit = config.active().max_upload_bytes
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for f in files:
            data = f.stream.read(limit + 1)
            if buffer.tell() + len(data) > limit:
                raise ApiError("file_too_large", f"the files exceed the {storage.size_text(limit)} limit")
            zf.writestr(intake.clean_name(f.filename), data)
    buffer.seek(0)
    return intake.clean_name(gltfs[0].filename).rsplit(".", 1)[0] + ".zip", buffer


@bp.route("/models/<model_id>")
@signed_in
def model_page(model_id):
    """One model: its renders with live status and downloads, and a form for more renders."""
    model = Model3D.get_or_none((Model3D.id == model_id) & (Model3D.user == g.portal_user.id)
                                & Model3D.deleted_at.is_null())
    if model is None:
        abort(404)
    renders = list(Render.select().where(Render.model == model).order_by(Render.created_at.desc(), Render.id))
    return render_template("portal/model.html", model=model, tags=tags_of([model.id])[model.id], renders=renders,
                           unfinished=statuses.UNFINISHED)


# --- new renders ------------------------------------------------------------------------------
@bp.route("/render", methods=["GET", "POST"])
@signed_in
def new_render():
    """Several models x several settings as one batch, the form generated from the engine's FIELDS;
    `quote` answers the credit quote (JSON for the page's script, or the page itself)."""
    user = User.get_by_id(g.portal_user.id)
    models = list(Model3D.select().where((Model3D.user == user) & Model3D.deleted_at.is_null()
                                         & (Model3D.archived == False))  # noqa: E712 (peewee expression)
                  .order_by(Model3D.created_at.desc()).limit(500))
    overlays = list(Overlay.select().where((Overlay.user == user) | Overlay.is_system).order_by(Overlay.created_at))
    form = SettingsForm(max_length_for(user), overlays)
    chosen = request.values.getlist("model") or [m for m in request.args.get("models", "").split(",") if m]
    error = quote = None
    sets = [{}]
    if request.method == "POST":
        action = request.form.get("action", "quote")
        try:
            sets = parse_sets(request.form)
            if not chosen:
                raise ApiError("model_id_required", "choose at least one model")
            items = [{"modelId": m, "renderSettings": s} for m in chosen for s in sets]
            if len(items) > MAX_BATCH:
                raise ApiError("too_many", f"a batch holds at most {MAX_BATCH} renders; this one has {len(items)}")
            quote = _call_json("quote.quote", user, {"renders": [i["renderSettings"] for i in items]})
            if action == "order":
                rows = _call_json("renders.batch_renders", user, {"renders": items})
                if _wants_json():
                    return jsonify({"data": rows, "next": url_for("portal.model_page", model_id=chosen[0])
                                    if len(chosen) == 1 else url_for("portal.library")}), 201
                flash(f"{len(rows)} render{'s' * (len(rows) != 1)} queued.")
                return redirect(url_for("portal.model_page", model_id=chosen[0]) if len(chosen) == 1
                                else url_for("portal.library"), 303)
        except ApiError as err:
            if _wants_json():
                return error_response(err.code, err.message, err.status)
            error = err.message
        if _wants_json():
            return jsonify({"data": quote})
    return render_template("portal/render.html", models=models, chosen=set(chosen), form=form, sets=sets,
                           quote=quote, error=error, credits=user.credits, fields=FIELDS,
                           field_applies=field_applies), 400 if error else 200


def _call_json(endpoint: str, user: User, body: dict, **values):
    """Run an API view with `body` as its JSON request body and return its `data`."""
    with current_app.test_request_context(method="POST", json=body, headers={"Accept": "application/json"}):
        response = gateway.call_view(endpoint, user, **values)
    return json.loads(response.get_data())["data"]


# --- credits and overlays ---------------------------------------------------------------------
@bp.route("/credits")
@signed_in
def credits_page():
    """Balance and every credit movement behind it."""
    user = User.get_by_id(g.portal_user.id)
    ledger = list(LedgerEntry.select().where(LedgerEntry.user == user).order_by(LedgerEntry.id.desc()).limit(500))
    return render_template("portal/credits.html", user=user, ledger=ledger)


@bp.route("/overlays", methods=["GET", "POST"])
@signed_in
def overlays_page():
    """The account's overlays and the system ones (marked); upload through the API's view."""
    user = g.portal_user
    error = None
    if request.method == "POST":
        try:
            gateway.call_view("overlays.upload_overlay", user)
            flash("Overlay uploaded.")
            return redirect(url_for("portal.overlays_page"), 303)
        except ApiError as err:
            error = err.message
    rows = list(Overlay.select().where((Overlay.user == user.id) | Overlay.is_system)
                .order_by(Overlay.is_system.desc(), Overlay.created_at))
    return render_template("portal/overlays.html", overlays=rows, error=error), 400 if error else 200


# --- admin ------------------------------------------------------------------------------------
@bp.route("/admin", methods=["GET", "POST"])
@admin_only
def admin():
    """People: invite (a one-time link shown here), suspend or reinstate, add credits."""
    link = error = None
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "invite":
                email = (request.form.get("email") or "").strip()
                user, raw = people.invite(email, admin=request.form.get("admin") == "on")
                link = request.host_url.rstrip("/") + people.link_path(raw)
                flash(f"Invitation for {user.email} ready: send them the link below (it works once, for "
                      f"{people.LINK_DAYS} days).")
            else:
                target = User.get_or_none(User.id == request.form.get("user_id"))
                if target is None:
                    raise accounts.AccountError("no such account")
                if action in ("suspend", "reinstate"):
                    if target.id == g.portal_user.id:
                        raise accounts.AccountError("you cannot suspend your own account")
                    accounts.set_suspended(target, action == "suspend")
                    if action == "suspend":
                        people.close_all_sessions(target)
                    flash(f"{target.email} is {'suspended' if action == 'suspend' else 'active again'}.")
                elif action == "credits":
                    raw_amount = (request.form.get("credits") or "").strip()
                    if not raw_amount.lstrip("-").isdigit():
                        raise accounts.AccountError("credits must be a whole number")
                    balance = accounts.grant_credits(target, int(raw_amount), request.form.get("note") or "")
                    flash(f"Added {raw_amount} credits to {target.email}; balance {balance}.")
                else:
                    abort(400)
        except accounts.AccountError as err:
            error = err.message
        if link is None and error is None:
            return redirect(url_for("portal.admin"), 303)
    users = list(User.select().order_by(User.created_at))
    with_password = {p.user_id for p in Password.select(Password.user)}
    return render_template("portal/admin.html", users=users, with_password=with_password, link=link,
                           error=error), 400 if error else 200


# --- the API for the page's scripts -----------------------------------------------------------
@bp.route("/app/v1/<path:rest>", methods=["GET", "HEAD", "POST", "PATCH", "DELETE"])
def api_gateway(rest):
    """`/app/v1/…` runs `/v1/…` for the signed-in browser (cookies + CSRF header instead of a token)."""
    if g.portal_user is None:
        return error_response("unauthorized", "sign in to the portal first", 401)
    return gateway.dispatch(g.portal_user, rest)


# --- webhooks ---------------------------------------------------------------------------------
@bp.route("/webhooks", methods=["GET", "POST"])
@signed_in
def webhooks_page():
    """The account's webhooks (the secret shown once, at creation) and their delivery log."""
    user = g.portal_user
    created = error = None
    if request.method == "POST":
        try:
            if request.form.get("action") == "delete":
                webhooks.owned(user, request.form.get("webhook_id") or "").delete_instance(recursive=True)
                flash("Webhook deleted.")
                return redirect(url_for("portal.webhooks_page"), 303)
            created = webhooks.create(user, request.form.get("url"))
        except ApiError as err:
            error = err.message
    hooks = list(Webhook.select().where(Webhook.user == user.id).order_by(Webhook.created_at))
    log_rows = list(WebhookDelivery.select(WebhookDelivery, Webhook).join(Webhook)
                    .where(Webhook.user == user.id).order_by(WebhookDelivery.created_at.desc()).limit(100))
    return render_template("portal/webhooks.html", hooks=hooks, deliveries=log_rows, created=created,
                           error=error), 400 if error else 200


def init_app(app) -> None:
    """Attach the portal to the API's Flask app: its blueprint, CSRF, throttling and cookie rules;
    in a server (jobs not run inside requests) also the webhook dispatcher."""
    from .security import configure_security

    configure_security(app)
    csrf.init_app(app)
    limiter.init_app(app)
    app.register_blueprint(bp)
    if not config.active().immediate:
        webhooks.start_dispatcher()
