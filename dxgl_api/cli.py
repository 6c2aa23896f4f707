"""`dxgl serve`, `dxgl worker` and `dxgl admin …`, registered on the engine's `dxgl` command
through the `dxgl.commands` entry-point group. Heavy imports wait until a command runs: the
`dxgl` command loads this module on every invocation."""
from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import sys

EXIT_ERROR = 2
# What the api extra installs (setup.cfg, [options.extras_require]), by the names they import as.
API_MODULES = ("flask", "flask_smorest", "marshmallow", "peewee", "huey", "requests", "waitress", "zipstream",
               "swagger_ui_bundle", "flask_wtf", "argon2", "flask_limiter", "prometheus_client", "pythonjsonlogger")


def _needs_api_extra(command: str, run):
    """`run`, or, where the api extra is not installed (a plain `pip install dxgl`), one line that
    says what to install and exit status 2 instead of an import error."""

    @functools.wraps(run)
    def checked(args):
        missing = next((m for m in API_MODULES if importlib.util.find_spec(m) is None), None)
        if missing is not None:
            print(f"dxgl {command} needs the api extra: pip install 'dxgl[api]' ({missing} is not installed)",
                  file=sys.stderr)
            return EXIT_ERROR
        return run(args)

    return checked


def _data_dir_option(parser: argparse.ArgumentParser, **kwargs) -> None:
    parser.add_argument("--data-dir", help="database, queue and files live here (default $DXGL_DATA_DIR or ./data)",
                        **kwargs)


def _log_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-format", choices=("text", "json"),
                        help="json: one JSON object a line, render_id on job lines (default $DXGL_LOG_FORMAT or text)")


def _config(args):
    from .config import Config

    config = Config.from_env(data_dir=getattr(args, "data_dir", None), log_format=getattr(args, "log_format", None))
    if getattr(args, "log_format", None) is not None or "DXGL_LOG_FORMAT" in os.environ:
        from .logs import setup

        setup(config.log_format, "web" if getattr(args, "no_workers", None) is not None else "worker")
    return config


def register_serve(subparsers) -> None:
    p = subparsers.add_parser("serve", help="run the REST API (waitress) with its job workers")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    _data_dir_option(p)
    p.add_argument("--workers", type=int, default=1, help="render worker processes (previews get one more)")
    p.add_argument("--threads", type=int, default=16, help="web server threads")
    p.add_argument("--connections", type=int, default=None,
                   help="open client connections served at once (default 1000; idle keep-alive ones close after 60 s)")
    p.add_argument("--no-workers", action="store_true", help="web only; run `dxgl worker` elsewhere")
    _log_format_option(p)
    p.set_defaults(run=_needs_api_extra("serve", _serve))


def register_worker(subparsers) -> None:
    p = subparsers.add_parser("worker", help="run job workers only (for extra worker hosts)")
    _data_dir_option(p)
    p.add_argument("--workers", type=int, default=1, help="render worker processes")
    p.add_argument("--queues", default="previews,renders", help="comma-separated: previews, renders")
    _log_format_option(p)
    p.set_defaults(run=_needs_api_extra("worker", _worker))


def register_admin(subparsers) -> None:
    admin = subparsers.add_parser("admin", help="manage accounts, tokens, credits and system overlays")
    _data_dir_option(admin)
    sub = admin.add_subparsers(title="admin commands", metavar="ACTION")

    p = sub.add_parser("create-user", help="create an account (10 free credits unless --credits)")
    _data_dir_option(p, default=argparse.SUPPRESS)
    p.add_argument("--email", required=True)
    p.add_argument("--admin", action="store_true", help="an admin account (videos up to 600 s, no upload limit)")
    p.add_argument("--credits", type=int, help="starting credits instead of the signup credits")
    p.add_argument("--paid", action="store_true", help="a paid account (no free upload limit)")
    p.set_defaults(run=_needs_api_extra("admin", _create_user))

    p = sub.add_parser("create-token", help="create an API token and print it (once)")
    _data_dir_option(p, default=argparse.SUPPRESS)
    p.add_argument("--email", required=True)
    p.add_argument("--scopes", nargs="*", help="e.g. models:read renders:write, or all / read / write (default all)")
    p.add_argument("--expires-in-days", type=float)
    p.add_argument("--name", default="", help="a label to recognise the token by")
    p.set_defaults(run=_needs_api_extra("admin", _create_token))

    p = sub.add_parser("revoke-token", help="revoke a token by its id or the token itself")
    _data_dir_option(p, default=argparse.SUPPRESS)
    p.add_argument("token")
    p.set_defaults(run=_needs_api_extra("admin", _revoke_token))

    p = sub.add_parser("list-tokens", help="an account's tokens (ids, scopes, expiry; never the tokens)")
    _data_dir_option(p, default=argparse.SUPPRESS)
    p.add_argument("--email", required=True)
    p.set_defaults(run=_needs_api_extra("admin", _list_tokens))

    p = sub.add_parser("add-credits", help="add credits to an account (the account becomes paid)")
    _data_dir_option(p, default=argparse.SUPPRESS)
    p.add_argument("--email", required=True)
    p.add_argument("credits", type=int)
    p.add_argument("--note", default="")
    p.set_defaults(run=_needs_api_extra("admin", _add_credits))

    p = sub.add_parser("suspend", help="suspend an account (its tokens answer 403 forbidden)")
    _data_dir_option(p, default=argparse.SUPPRESS)
    p.add_argument("--email", required=True)
    p.add_argument("--undo", action="store_true", help="lift the suspension")
    p.set_defaults(run=_needs_api_extra("admin", _suspend))

    p = sub.add_parser("publish-overlay", help="publish an image as a system overlay for every account")
    _data_dir_option(p, default=argparse.SUPPRESS)
    p.add_argument("file")
    p.add_argument("--name", default="")
    p.add_argument("--description", default="")
    p.add_argument("--layer", default="background")
    p.add_argument("--alignment", default="top-left")
    p.set_defaults(run=_needs_api_extra("admin", _publish_overlay))

    p = sub.add_parser("invite", help="a one-time link into the web portal (creates the account if new)")
    _data_dir_option(p, default=argparse.SUPPRESS)
    p.add_argument("--email", required=True)
    p.add_argument("--admin", action="store_true", help="a new account is an admin")
    p.add_argument("--base-url", default="http://127.0.0.1:8000", help="where the portal is reached")
    p.set_defaults(run=_needs_api_extra("admin", _invite))

    p = sub.add_parser("migrate", help="bring the database schema up to date (serve and worker also do on start)")
    _data_dir_option(p, default=argparse.SUPPRESS)
    p.set_defaults(run=_needs_api_extra("admin", _migrate))

    admin.set_defaults(run=lambda args: _help(admin))


def _help(parser) -> int:
    parser.print_help()
    return EXIT_ERROR


def _serve(args) -> int:
    from .server import CONNECTION_LIMIT, serve

    return serve(_config(args), host=args.host, port=args.port, workers=max(1, args.workers),
                 threads=max(1, args.threads), run_workers=not args.no_workers,
                 connections=max(1, args.connections or CONNECTION_LIMIT))


def _worker(args) -> int:
    from .queues import QUEUES
    from .server import work

    names = tuple(q.strip() for q in args.queues.split(",") if q.strip())
    unknown = [q for q in names if q not in QUEUES]
    if unknown or not names:
        return _fail(f"unknown queue {unknown[0] if unknown else '(none)'}; queues: {', '.join(QUEUES)}")
    return work(_config(args), workers=max(1, args.workers), queue_names=names)


def _admin(action):
    """Run an admin action with the database open; AccountError/ApiError become one line, exit 2."""

    def run(args) -> int:
        from . import runtime
        from .db import connection
        from .errors import ApiError

        runtime.configure(_config(args))
        try:
            with connection():
                return action(args) or 0
        except ApiError as err:
            return _fail(err.message)

    return run


@_admin
def _create_user(args):
    from .accounts import create_user

    user = create_user(args.email, admin=args.admin, initial_credits=args.credits, plan="paid" if args.paid else "free")
    print(f"created {'admin ' if user.is_admin else ''}account {user.email} (id {user.id}) with {user.credits} credits")


@_admin
def _create_token(args):
    from .accounts import create_token, find_user

    token, raw = create_token(find_user(args.email), scopes=args.scopes, expires_in_days=args.expires_in_days,
                              name=args.name)
    expiry = f", expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else ""
    print(f"token {token.id} for {args.email} (scopes: {token.scopes}{expiry}); shown once, store it now:",
          file=sys.stderr)
    print(raw)


@_admin
def _revoke_token(args):
    from .accounts import revoke_token

    token = revoke_token(args.token)
    print(f"revoked token {token.id} ({token.prefix}…)")


@_admin
def _list_tokens(args):
    from .accounts import find_user
    from .tables import Token

    user = find_user(args.email)
    for t in Token.select().where(Token.user == user).order_by(Token.created_at):
        state = "revoked" if t.revoked_at else (f"expires {t.expires_at:%Y-%m-%d}" if t.expires_at else "active")
        print(f"{t.id}  {t.prefix}…  {state:<18} {t.scopes}  {t.name}")


@_admin
def _add_credits(args):
    from .accounts import find_user, grant_credits

    balance = grant_credits(find_user(args.email), args.credits, args.note)
    print(f"added {args.credits} credits to {args.email}; balance {balance}")


@_admin
def _suspend(args):
    from .accounts import find_user, set_suspended

    user = set_suspended(find_user(args.email), not args.undo)
    print(f"{user.email} is {'suspended' if user.suspended else 'active'}")


@_admin
def _publish_overlay(args):
    from .blueprints.overlays import store_overlay

    path = args.file
    if not os.path.isfile(path):
        return _fail(f"no such file: {path}")
    form = {"name": args.name, "description": args.description, "layer": args.layer, "alignment": args.alignment}
    with open(path, "rb") as f:
        overlay = store_overlay(f, os.path.basename(path), form, None)
    print(f"published system overlay {overlay.id} ({overlay.name}, {overlay.width}x{overlay.height})")


@_admin
def _invite(args):
    from .portal.people import invite, link_path

    user, raw = invite(args.email, admin=args.admin)
    print(f"invitation for {user.email} (one-time, 7 days); send them:", file=sys.stderr)
    print(args.base_url.rstrip("/") + link_path(raw))


@_admin
def _migrate(args):
    from .migrations import current_version, latest_version, migrate

    applied = migrate()  # (runtime.configure has already migrated: this reports where the schema stands)
    for s in applied:
        print(f"applied step {s.version}: {s.description}")
    print(f"schema at version {current_version()} (latest {latest_version()})")


def _fail(message: str) -> int:
    print(f"dxgl: error: {message}", file=sys.stderr)
    return EXIT_ERROR
