"""`dxgl serve`: the WSGI app under waitress plus the job consumers as child processes, and the
first-start admin account."""
from __future__ import annotations

import logging
import resource
import signal
import sys

from . import accounts, runtime
from .config import Config
from .db import connection
from .portal.people import first_start_link
from .worker import Supervisor

log = logging.getLogger(__name__)

MULTIPART_SLACK = 1 << 20
# Open client connections waitress keeps before it stops accepting. Its default, 100, was reached by
# 200 clients posting at once that kept their keep-alive connections, as HTTP clients do: waitress
# then accepted nobody until idle channels timed out (300 s here then), so requests hung for minutes.
CONNECTION_LIMIT = 1000
# An idle keep-alive connection is closed after this many seconds (waitress checks every 30 s). A
# request in progress is never cut: waitress only closes channels with no request pending, and an
# upload that is still sending counts as activity.
IDLE_TIMEOUT = 60
FILES_PER_CONNECTION = 1  # its socket; plus headroom for the database, queue, logs and storage
FILE_HEADROOM = 200


def connection_limit(wanted: int) -> int:
    """The connection limit this process can hold: `wanted`, with the soft open-file limit raised
    towards the hard one to fit it (Debian's soft default is 1024), or what the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = wanted * FILES_PER_CONNECTION + FILE_HEADROOM
    if soft != resource.RLIM_INFINITY and soft < need:
        target = need if hard == resource.RLIM_INFINITY else min(need, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, (soft - FILE_HEADROOM) // FILES_PER_CONNECTION))


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


def serve(config: Config, *, host: str, port: int, workers: int, threads: int, run_workers: bool = True,
          connections: int = CONNECTION_LIMIT) -> int:
    """Serve the API on host:port with `threads` request threads and at most `connections` open
    client connections (fewer if the open-file limit cannot be raised to fit them); with
    `run_workers`, also `workers` render consumers. Returns the exit status (2: cannot listen)."""
    from waitress import create_server

    from .app import create_app

    logging.getLogger("dxgl_api").setLevel(min(logging.INFO, logging.getLogger().level or logging.INFO))
    config = config.replace(immediate=False)  # jobs run in worker processes, never in the web process
    bootstrap(config, f"http://{host}:{port}")
    app = create_app(config)
    try:
        limit = connection_limit(connections)
        if limit < connections:
            log.warning("serving at most %d connections (open-file limit); asked for %d", limit, connections)
        server = create_server(app, host=host, port=port, threads=threads, ident="dxgl",
                               max_request_body_size=config.max_upload_bytes + MULTIPART_SLACK,
                               connection_limit=limit, channel_timeout=IDLE_TIMEOUT)
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
