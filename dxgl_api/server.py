"""`dxgl serve`: the WSGI app under waitress plus the job consumers as child processes, and the
first-start admin account."""
from __future__ import annotations

import logging
import signal
import sys

from . import accounts, runtime
from .config import Config
from .db import connection
from .portal.people import first_start_link
from .worker import Supervisor

log = logging.getLogger(__name__)

MULTIPART_SLACK = 1 << 20


def bootstrap(config: Config, base_url: str = "") -> None:
    """On an empty database, create the admin account and print its token and a one-time link
    into the portal (once, ever)."""
    runtime.configure(config)
    with connection():
        created = accounts.bootstrap_admin()
    if created:
        user, token = created
        print(f"dxgl: first start: created the admin account {user.email} with {user.credits} credits")
        print(f"dxgl: admin API token (shown once, store it now): {token}")
        print(f"dxgl: portal sign-in link (one-time, choose a password there): {base_url}{first_start_link(user)}")
        print(f"dxgl: more credits: dxgl admin --data-dir {config.data_dir} add-credits --email {user.email} N",
              flush=True)


def serve(config: Config, *, host: str, port: int, workers: int, threads: int, run_workers: bool = True) -> int:
    from waitress import create_server

    from .app import create_app

    logging.getLogger("dxgl_api").setLevel(min(logging.INFO, logging.getLogger().level or logging.INFO))
    config = config.replace(immediate=False)  # jobs run in worker processes, never in the web process
    bootstrap(config, f"http://{host}:{port}")
    app = create_app(config)
    try:
        server = create_server(app, host=host, port=port, threads=threads, ident="dxgl",
                               max_request_body_size=config.max_upload_bytes + MULTIPART_SLACK, channel_timeout=300)
    except OSError as err:
        print(f"dxgl: error: cannot listen on {host}:{port}: {err.strerror or err}", file=sys.stderr)
        return 2
    supervisor = Supervisor(config, workers) if run_workers else None
    if supervisor:
        supervisor.start()
    signal.signal(signal.SIGTERM, _raise_exit)
    base = f"http://{host}:{server.effective_port}"
    print(f"dxgl: serving {base}/v1  (portal {base}/, docs {base}/docs, OpenAPI {base}/v1/openapi.json); "
          f"data in {config.data_dir}",
          flush=True)
    try:
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.close()
        if supervisor:
            supervisor.stop()
    return 0


def work(config: Config, *, workers: int, queue_names: tuple[str, ...]) -> int:
    """`dxgl worker`: consumers only (a worker host in a scaled-out setup)."""
    config = config.replace(immediate=False)
    runtime.configure(config)
    supervisor = Supervisor(config, workers, queue_names)
    supervisor.start()
    signal.signal(signal.SIGTERM, _raise_exit)
    print(f"dxgl: worker running ({', '.join(queue_names)}; {workers} render process"
          f"{'es' * (workers != 1)}); data in {config.data_dir}", flush=True)
    try:
        supervisor.wait()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        supervisor.stop()
    return 0


def _raise_exit(signum, frame):
    sys.exit(0)
