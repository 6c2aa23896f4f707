#!/usr/bin/env python3
"""API load figure: requests per second and latency (p50, p99) of GET /v1/renders/:id and
GET /v1/models with 32 concurrent clients on loopback, each endpoint for 20 seconds, with a
baseline of GET /v1/health measured in the same run (the last column is rps relative to it).

By default it starts `dxgl serve --no-workers` on a free loopback port with a temporary data
directory (jobs stay queued, so the figure measures the web tier alone), uploads 20 models, then
loads it. `--base-url URL --token TOKEN` measures a running server instead (read-only requests).
Clients are spread over several processes so the Python client is not the bottleneck. Every loop
is bounded in time; only loopback addresses are contacted.

    python tools/bench/api_load.py [--clients 32] [--seconds 20] [--processes 4]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

import bench_paths  # noqa: E402  (puts the repository on sys.path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def glb_variant(glb: bytes, tag: str) -> bytes:
    """The same model with another generator string: different bytes, so a different model."""
    json_len = struct.unpack_from("<I", glb, 12)[0]
    doc = json.loads(glb[20:20 + json_len])
    doc.setdefault("asset", {})["generator"] = f"dxgl bench {tag}"
    text = json.dumps(doc).encode()
    text += b" " * (-len(text) % 4)
    rest = glb[20 + json_len:]
    body = struct.pack("<II", len(text), 0x4E4F534A) + text + rest
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


def start_server(data_dir: Path, env: dict | None = None, credits: int = 1000) -> tuple[subprocess.Popen, str, str]:
    """`dxgl serve --no-workers` on a free port over `data_dir`, with the caller's DXGL_ variables
    left out (the benchmark measures its own service) and `env` added; returns (process, base URL,
    the first-start admin token). Exits with a message when the server does not come up in 90 s."""
    port = free_port()
    exe = Path(sys.executable).parent / "dxgl"
    environment = {**{k: v for k, v in os.environ.items() if not k.startswith("DXGL_")},
                   "DXGL_SIGNUP_CREDITS": str(credits), **(env or {})}  # fmt: skip
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port), "--data-dir", str(data_dir), "--no-workers"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=environment,
                            start_new_session=True)
    token = None
    deadline = time.monotonic() + 90
    for line in proc.stdout:
        if m := re.search(r"(dxgl_sk_\S+)", line):
            token = m.group(1)
        if "serving http" in line or time.monotonic() > deadline:
            break
    if token is None:
        proc.kill()
        raise SystemExit("dxgl serve did not start")
    return proc, f"http://127.0.0.1:{port}/v1", token


def seed(base: str, token: str, count: int = 20) -> str:
    """Upload `count` models; returns one render id."""
    from dxgl_engine.samples import sample_path

    glb = sample_path("product").read_bytes()
    headers = {"Authorization": f"Bearer {token}"}
    render_id = None
    for i in range(count):
        r = requests.post(f"{base}/models", headers=headers, files={"file": (f"m{i}.glb", glb_variant(glb, str(i)))},
                          timeout=60)
        r.raise_for_status()
        render_id = r.json()["data"]["renderId"]
    return render_id


def _client_process(url: str, headers: dict, threads: int, seconds: float, start_at: float, out: mp.Queue) -> None:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def loop():
        session = requests.Session()
        mine, bad = [], 0
        while time.time() < start_at:
            time.sleep(0.001)
        end = start_at + seconds
        while time.time() < end:
            t0 = time.perf_counter()
            try:
                ok = session.get(url, headers=headers, timeout=30).status_code == 200
            except requests.RequestException:
                ok = False
            mine.append(time.perf_counter() - t0)
            bad += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put((latencies, errors[0]))


def measure(url: str, token: str, clients: int, seconds: float, processes: int) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    requests.get(url, headers=headers, timeout=30)  # warm up
    out: mp.Queue = mp.Queue()
    per = [clients // processes + (i < clients % processes) for i in range(processes)]
    start_at = time.time() + 1.0
    procs = [mp.Process(target=_client_process, args=(url, headers, n, seconds, start_at, out)) for n in per if n]
    for p in procs:
        p.start()
    latencies, errors = [], 0
    for _ in procs:
        lat, err = out.get()
        latencies += lat
        errors += err
    for p in procs:
        p.join()
    latencies.sort()
    n = len(latencies)
    return {"requests": n, "rps": n / seconds, "p50": latencies[n // 2] * 1e3 if n else 0.0,
            "p99": latencies[min(n - 1, int(n * 0.99))] * 1e3 if n else 0.0, "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--processes", type=int, default=4, help="client processes sharing the clients")
    ap.add_argument("--base-url", help="a running server's /v1 URL (default: start one)")
    ap.add_argument("--token")
    ap.add_argument("--render-id", help="with --base-url: the render to GET")
    args = ap.parse_args()

    server = None
    tmp = tempfile.TemporaryDirectory(prefix="dxgl-bench-")
    try:
        if args.base_url:
            base, token, render_id = args.base_url.rstrip("/"), args.token, args.render_id
        else:
            server, base, token = start_server(Path(tmp.name) / "data")
            render_id = seed(base, token)
        targets = [("GET /v1/health", f"{base}/health")]
        if render_id:
            targets.append(("GET /v1/renders/:id", f"{base}/renders/{render_id}"))
        targets.append(("GET /v1/models", f"{base}/models"))
        rows = []
        for name, url in targets:
            rows.append((name, measure(url, token, args.clients, args.seconds, args.processes)))
        baseline = rows[0][1]["rps"] or 1.0
        print(f"{args.clients} concurrent clients, {args.seconds:g} s per endpoint, loopback, "
              f"{os.cpu_count()} CPUs, waitress 16 threads, SQLite WAL")
        print(bench_paths.device_line())
        print(f"{'endpoint':<22}{'requests':>9}{'rps':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs health':>11}")
        for name, r in rows:
            print(f"{name:<22}{r['requests']:>9}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['errors']:>8}"
                  f"{r['rps'] / baseline:>11.2f}")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
        tmp.cleanup()


if __name__ == "__main__":
    main()
