"""The job loop the peer renderers share (cycles_reference.py, f3d_peer.py), importable from their
own virtualenvs: it needs nothing beyond the standard library."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable


def run_jobs(render: Callable[[dict], None], name: str) -> None:
    """Renders each job of the JSON list named by the first argument, saying each file written."""
    for job in json.loads(Path(sys.argv[1]).read_text()):
        render(job)
        print(f"{name}: wrote {job['out']}", flush=True)
