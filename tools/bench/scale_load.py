#!/usr/bin/env python3
"""Mixed API load on SQLite and on PostgreSQL, side by side: `--clients` concurrent clients on
loopback for `--seconds`, each looping over reads (GET /v1/renders/:id, GET /v1/models), uploads
(POST /v1/models, a new small GLB each) and render creation (POST /v1/renders), 3:3:1:1. Prints
requests per second, p50 and p99 per endpoint, and errors (any answer other than the expected 200/201).

Each backend gets its own `dxgl serve --no-workers` (jobs stay queued: the web tier alone) on a
free port with a temporary data folder: SQLite with its SQLite queue, then a private PostgreSQL
and Redis started as the tests start them (tests/servers.py; Debian's postgresql and redis-server).
Bounded: every loop ends at its deadline, and only loopback addresses are contacted.

    python tools/bench/scale_load.py [--clients 64] [--seconds 30] [--processes 4] [--only sqlite|postgresql]
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import signal
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

import bench_paths  # noqa: F401,E402  (puts the repository on sys.path)
from api_load import glb_variant, start_server  # noqa: E402

ENDPOINTS = ("GET /v1/renders/:id", "GET /v1/models", "POST /v1/models", "POST /v1/renders")
MIX = (0, 0, 0, 1, 1, 1, 2, 3)  # indexes into ENDPOINTS: reads 6, uploads 1, render creation 1 in 8


def _client_process(base: str, token: str, ids: dict, threads: int, seconds: float, start_at: float,
                    seed: int, out: mp.Queue) -> None:
    from dxgl_engine.samples import sample_path

    glb = sample_path("product").read_bytes()
    headers = {"Authorization": f"Bearer {token}"}
    latencies: dict[int, list[float]] = defaultdict(list)
    errors: dict[int, int] = defaultdict(int)
    lock = threading.Lock()

    def loop(n: int):
        session = requests.Session()
        mine, bad = defaultdict(list), defaultdict(int)
        i = n
        while time.time() < start_at:
            time.sleep(0.001)
        end = start_at + seconds
        while time.time() < end:
            kind = MIX[i % len(MIX)]
            i += 1
            t0 = time.perf_counter()
            try:
                if kind == 0:
                    r, ok = session.get(f"{base}/renders/{ids['render']}", headers=headers, timeout=60), 200
                elif kind == 1:
                    r, ok = session.get(f"{base}/models", headers=headers, timeout=60), 200
                elif kind == 2:
                    data = glb_variant(glb, f"{seed}-{n}-{i}")
                    r, ok = session.post(f"{base}/models", headers=headers, files={"file": ("m.glb", data)},
                                         timeout=60), 201
                else:
                    r, ok = session.post(f"{base}/renders", headers=headers, timeout=60,
                                         json={"modelId": ids["model"], "renderSettings": {"length": 3}}), 201
                good = r.status_code == ok
            except requests.RequestException:
                good = False
            mine[kind].append(time.perf_counter() - t0)
            bad[kind] += not good
        with lock:
            for k, v in mine.items():
                latencies[k].extend(v)
            for k, v in bad.items():
                errors[k] += v

    workers = [threading.Thread(target=loop, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put((dict(latencies), dict(errors)))


def measure(base: str, token: str, clients: int, seconds: float, processes: int) -> dict[str, dict]:
    headers = {"Authorization": f"Bearer {token}"}
    from dxgl_engine.samples import sample_path

    up = requests.post(f"{base}/models", headers=headers, timeout=60,
                       files={"file": ("seed.glb", glb_variant(sample_path("product").read_bytes(), "seed"))}).json()
    ids = {"render": up["data"]["renderId"], "model": up["data"]["modelId"]}
    out: mp.Queue = mp.Queue()
    per = [clients // processes + (i < clients % processes) for i in range(processes)]
    start_at = time.time() + 1.0
    procs = [mp.Process(target=_client_process, args=(base, token, ids, n, seconds, start_at, i, out))
             for i, n in enumerate(per) if n]
    for p in procs:
        p.start()
    latencies: dict[int, list[float]] = defaultdict(list)
    errors: dict[int, int] = defaultdict(int)
    for _ in procs:
        lat, err = out.get()
        for k, v in lat.items():
            latencies[k] += v
        for k, v in err.items():
            errors[k] += v
    for p in procs:
        p.join()
    rows = {}
    for k, name in enumerate(ENDPOINTS):
        lat = sorted(latencies[k])
        n = len(lat)
        rows[name] = {"rps": n / seconds, "p50": lat[n // 2] * 1e3 if n else 0.0,
                      "p99": lat[min(n - 1, int(n * 0.99))] * 1e3 if n else 0.0, "errors": errors[k], "n": n}
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--processes", type=int, default=4)
    ap.add_argument("--only", choices=("sqlite", "postgresql"))
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    results = {}
    for backend in ("sqlite", "postgresql"):
        if args.only and backend != args.only:
            continue
        tmp = tempfile.TemporaryDirectory(prefix=f"dxgl-load-{backend}-")
        servers, env = [], {}
        if backend == "postgresql":
            from tests.servers import Postgres, Redis

            pg, rd = Postgres(), Redis()
            pg.start()
            rd.start()
            servers = [pg, rd]
            env = {"DXGL_DATABASE_URL": pg.create_database("load"), "DXGL_QUEUE_URL": rd.url()}
        proc, base, token = start_server(Path(tmp.name) / "data", env, credits=10_000_000)
        try:
            results[backend] = measure(base, token, args.clients, args.seconds, args.processes)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
            for s in servers:
                s.close()
            tmp.cleanup()
    print(f"{args.clients} concurrent clients, {args.seconds:g} s, mix reads 6 : uploads 1 : renders 1, loopback, "
          f"{os.cpu_count()} CPUs, waitress 16 threads; SQLite (WAL, SQLite queue) vs PostgreSQL 15 (+ Redis)")
    names = list(results)
    head = "".join(f"{b + ' rps':>16}{'p50 ms':>8}{'p99 ms':>8}{'err':>5}" for b in names)
    print(f"{'endpoint':<20}{head}")
    for endpoint in ENDPOINTS:
        cells = "".join(f"{results[b][endpoint]['rps']:>16.1f}{results[b][endpoint]['p50']:>8.0f}"
                        f"{results[b][endpoint]['p99']:>8.0f}{results[b][endpoint]['errors']:>5}" for b in names)
        print(f"{endpoint:<20}{cells}")


if __name__ == "__main__":
    main()
