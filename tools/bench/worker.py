#!/usr/bin/env python3
"""Worker throughput: renders per hour of one `dxgl worker` for a realistic mix, and the time from
an upload to its free preview being `done`.

Starts `dxgl serve --no-workers` and one `dxgl worker` on a temporary data directory (SQLite and
the SQLite queue, as `make run` sets them up), on loopback.

1. upload -> free preview `done`: each model uploaded to the idle worker, `--repeat` times (each
   upload is a new file: the same model with another generator string; the next one waits until
   everything has finished), seconds from the request to the preview's `done`, as a client polling
   every 0.1 s sees it. The upload's own share video renders beside its preview, as it does for
   every upload;
2. the mix, submitted at once: every model uploaded twice (a free preview and a share video each),
   a standard video of each model and one 4K video of the first, all `--length` seconds long;
   wall seconds until the last is `done`, and renders per hour;
3. the baseline, in the same run: the same renders made by the engine in this process, one after
   another (`render_video` at the same sizes), so the last column is the service's cost over the
   bare engine.

    python tools/bench/worker.py [--length 3] [--repeat 3] [--models a.glb ...]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from api_load import glb_variant, start_server  # noqa: E402
from bench_paths import SHARED, device_line  # noqa: E402  (also puts the repository on sys.path)

from dxgl_engine.errors import InvalidSettings  # noqa: E402
from dxgl_engine.load.formats import load_model  # noqa: E402
from dxgl_engine.pipeline.video import render_video  # noqa: E402
from dxgl_engine.samples import sample_path  # noqa: E402
from dxgl_engine.settings import Settings  # noqa: E402
from dxgl_engine.tiers import output_size  # noqa: E402

MODELS = ["khronos/DamagedHelmet/DamagedHelmet.glb"]
POLL = 0.1
PREVIEW_SHORT_SIDE, PREVIEW_LENGTH = 180, 3.0  # dxgl_api.config's defaults, which the server runs with
TERMINAL = ("done", "error", "failed")


class Service:
    """A web process and one worker process on one data directory."""

    def __init__(self, data: Path):
        self.web, self.base, token = start_server(data)
        exe = Path(sys.executable).with_name("dxgl")
        self.worker = subprocess.Popen([str(exe), "worker", "--data-dir", str(data)], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.uploads = 0

    def upload(self, glb: bytes, settings: dict) -> dict:
        self.uploads += 1
        r = self.session.post(f"{self.base}/models", files={"file": (f"m{self.uploads}.glb", glb)},
                              data={"renderSettings": json.dumps(settings)}, timeout=120)  # fmt: skip
        r.raise_for_status()
        return r.json()["data"]

    def render(self, model_id: str, settings: dict) -> str:
        r = self.session.post(f"{self.base}/renders", json={"modelId": model_id, "renderSettings": settings},
                              timeout=60)  # fmt: skip
        r.raise_for_status()
        return r.json()["data"]["id"]

    def renders(self, model_id: str | None = None) -> list[dict]:
        params = {"limit": 100, **({"model": model_id} if model_id else {})}
        r = self.session.get(f"{self.base}/renders", params=params, timeout=60)
        r.raise_for_status()
        return r.json()["data"]

    def wait_all(self, timeout: float) -> list[dict]:
        """Poll until every render of the account has ended; raises SystemExit on an error or timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            renders = self.renders()
            if all(r["status"] in TERMINAL for r in renders):
                bad = [r for r in renders if r["status"] != "done"]
                if bad:
                    raise SystemExit(f"{len(bad)} renders ended in {bad[0]['status']}: {bad[0].get('error')}")
                return renders
            time.sleep(POLL)
        raise SystemExit(f"renders still unfinished after {timeout:.0f} s")

    def stop(self) -> None:
        for proc in (self.worker, self.web):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(60)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)


def preview_latency(service: Service, glb: bytes, tag: str, settings: dict) -> float:
    """Seconds from the upload request to its free preview's `done` (the worker is idle)."""
    t0 = time.perf_counter()
    model_id = service.upload(glb_variant(glb, tag), settings)["modelId"]
    while True:
        preview = next((r for r in service.renders(model_id) if r["is_system_preview"]), None)
        if preview is not None and preview["status"] in TERMINAL:
            if preview["status"] != "done":
                raise SystemExit(f"preview ended in {preview['status']}")
            seconds = time.perf_counter() - t0
            service.wait_all(timeout=3600)  # the upload's share video: the next upload finds the worker idle
            return seconds
        time.sleep(POLL)


def mix(models: list[Path], length: float) -> list[tuple[int, str, dict]]:
    """(model index, kind, renderSettings) of the mix; an 'upload' brings its free preview."""
    share = {"quality": "share", "length": length}
    items = [(m, "upload", share) for m in range(len(models)) for _ in range(2)]
    items += [(m, "standard", {"quality": "standard", "length": length}) for m in range(len(models))]
    return items + [(0, "4k", {"quality": "4k", "length": length})]


def run_mix(service: Service, blobs: list[bytes], items) -> float:
    t0 = time.perf_counter()
    ids: dict[int, str] = {}
    for k, (m, kind, settings) in enumerate(items):
        if kind == "upload":
            ids[m] = service.upload(glb_variant(blobs[m], f"mix{k}"), settings)["modelId"]
    for m, kind, settings in items:
        if kind != "upload":
            service.render(ids[m], settings)
    service.wait_all(timeout=3600)
    return time.perf_counter() - t0


def engine_baseline(models: list[Path], items, tmp: Path) -> float:
    """The same renders by the engine in this process, one after another (loads included)."""
    t0 = time.perf_counter()
    for k, (m, kind, settings) in enumerate(items):
        scene = load_model(models[m])
        s = Settings.from_json(settings)
        render_video(scene, s, tmp / f"b{k}{s.tier.extension}")
        if kind == "upload":
            preview = Settings.from_json({"quality": "share", "length": PREVIEW_LENGTH})
            render_video(scene, preview, tmp / f"p{k}.mp4", size=output_size(PREVIEW_SHORT_SIDE, "16:9"))
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--length", type=float, default=3.0, help="seconds of each video in the mix")
    ap.add_argument("--repeat", type=int, default=3, help="uploads per model for the preview latency")
    ap.add_argument("--models", nargs="*", type=Path, help=".glb files (default: the sample and DamagedHelmet)")
    args = ap.parse_args()
    try:
        Settings.from_json({"length": args.length})
    except InvalidSettings as exc:
        ap.error(str(exc))
    models = args.models or [sample_path("product"), *(SHARED / m for m in MODELS if (SHARED / m).exists())]
    if any(m.suffix.lower() != ".glb" for m in models):
        ap.error("models must be .glb files (each upload is made distinct by rewriting its JSON chunk)")
    blobs = [m.read_bytes() for m in models]
    items = mix(models, args.length)
    with tempfile.TemporaryDirectory(prefix="dxgl-bench-") as tmp:
        tmp = Path(tmp)
        service = Service(tmp / "data")
        try:
            latencies = {m.name: [preview_latency(service, blobs[k], f"lat{k}-{i}", {"quality": "share",
                                                                                       "length": args.length})
                                  for i in range(args.repeat)] for k, m in enumerate(models)}  # fmt: skip
            mixed = run_mix(service, blobs, items)
        finally:
            service.stop()
        alone = engine_baseline(models, items, tmp)
    count = sum(2 if kind == "upload" else 1 for _, kind, _ in items)
    print(f"\n1. upload -> free preview done ({args.repeat} uploads per model to an idle worker, each with its "
          f"share video beside it; polled every {POLL} s)")
    print(device_line())
    print(f"{'model':<24}{'median s':>10}{'min s':>8}{'max s':>8}")
    for name, values in latencies.items():
        print(f"{name:<24}{statistics.median(values):>10.2f}{min(values):>8.2f}{max(values):>8.2f}")
    kinds = ", ".join(f"{sum(1 for _, k, _ in items if k == kind)} {kind}" for kind in ("upload", "standard", "4k"))
    print(f"\n2. one `dxgl worker`, the mix of {count} renders ({kinds}; every upload adds its free preview; "
          f"videos {args.length:g} s; models: {', '.join(m.name for m in models)})")
    print(device_line())
    print(f"{'run':<34}{'wall s':>9}{'renders/hour':>14}{'vs engine':>11}")
    for name, wall in (("engine alone, in process (baseline)", alone), ("dxgl worker, through the API", mixed)):
        print(f"{name:<34}{wall:>9.1f}{count / wall * 3600:>14.0f}{wall / alone:>11.2f}")


if __name__ == "__main__":
    main()
