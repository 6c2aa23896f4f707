"""Fixtures for the API tests: an app per test on its own data directory with huey immediate
(jobs run inside the request), accounts with tokens, model files, and a fake of the engine's
render_batch so that most tests cost milliseconds. Tests marked `real_engine` render for real."""
from __future__ import annotations

import io
import itertools
import json
import struct
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from dxgl_api import jobs
from dxgl_api.accounts import create_token, create_user
from dxgl_api.app import create_app
from dxgl_api.config import Config
from dxgl_api.db import connection
from dxgl_engine.errors import Cancelled
from dxgl_engine.pipeline.video import RenderResult
from dxgl_engine.encode.video_files import VideoPaths
from dxgl_engine.samples import sample_path
from tests.gltf_builder import QUAD_OBJ, GltfBuilder, cube_corners
from tests.servers import postgres, private_postgres, private_redis, redis_server  # noqa: F401 (fixtures)


def pytest_configure(config):
    config.addinivalue_line("markers", "real_engine: renders with the real engine (no fake render_batch)")


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(data_dir=tmp_path / "data", queue_url="memory", immediate=True, signup_credits=10)


@pytest.fixture
def app(config):
    return create_app(config)


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class Account:
    email: str
    user_id: str
    token: str

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}


_emails = itertools.count()


@pytest.fixture
def make_account(app):
    def make(email: str | None = None, *, admin=False, credits=None, scopes=None, plan="free", expires_in_days=None):
        email = email or f"user{next(_emails)}@example.com"
        with connection():
            user = create_user(email, admin=admin, initial_credits=credits, plan=plan)
            _, raw = create_token(user, scopes=scopes, expires_in_days=expires_in_days)
        return Account(email, user.id, raw)

    return make


@pytest.fixture
def alice(make_account) -> Account:
    return make_account("alice@example.com")


@pytest.fixture
def bob(make_account) -> Account:
    return make_account("bob@example.com")


_glbs = itertools.count()


def make_glb(tag: str | None = None) -> bytes:
    """A small valid GLB (a cube); each tag gives different bytes, so a different SHA-256."""
    builder = GltfBuilder(generator=f"dxgl api tests {tag or next(_glbs)}")
    positions, indices = cube_corners()
    builder.simple_model(positions, indices)
    return builder.glb()


def scan_zip(path: Path) -> Path:
    """An OBJ scan export in a ZIP: a textured quad with its MTL and PNG."""
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("scan.obj", QUAD_OBJ.format(mtl="scan.mtl"))
        zf.writestr("scan.mtl", "newmtl scan\nKd 1 1 1\nmap_Kd texture.png\n")
        zf.writestr("texture.png", png(8, 4))
    return path


@pytest.fixture(scope="session")
def sample_glb() -> bytes:
    return sample_path("product").read_bytes()


def upload(client, account: Account, data: bytes | None = None, name: str = "model.glb", settings=None, **kw):
    form = {"file": (io.BytesIO(make_glb() if data is None else data), name)}
    if settings is not None:
        form["renderSettings"] = settings if isinstance(settings, str) else json.dumps(settings)
    return client.post("/v1/models", data=form, headers=account.headers, content_type="multipart/form-data", **kw)


def uploaded(client, account: Account, **kw) -> dict:
    r = upload(client, account, **kw)
    assert r.status_code == 201, r.json
    return r.json["data"]


def png(width: int, height: int, fmt: str = "PNG", color=(200, 30, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format=fmt)
    return out.getvalue()


@dataclass
class FakeEngine:
    """Stands in for dxgl_engine.pipeline.video.render_batch: same phases, same files, no GL. It renders
    the batch's jobs one by one through `one` (what tests count in `calls`)."""

    calls: list = field(default_factory=list)
    error: Exception | None = None
    on_phase: object = None  # callable(phase, fraction, out) run at each progress event
    video_bytes: int = 50_000

    def __call__(self, scene, jobs, *, progress=None, cancel=None, **_):
        results = []
        for i, job in enumerate(jobs):
            report = (lambda phase, fraction, i=i: progress(i, phase, fraction)) if progress else None
            results.append(self.one(scene, job.settings, job.out, progress=report, cancel=cancel, size=job.size,
                                    files=job.files))
        return results

    def one(self, scene, settings, out, *, progress=None, cancel=None, size=None, files=None):
        out = Path(out)
        self.calls.append({"settings": settings, "out": out, "size": size, "files": files,
                           "thread": threading.current_thread().name})
        width, height = size or settings.size
        for phase, fraction in (("poster", 0.0), ("poster", 1.0), ("video", 0.5), ("video", 1.0),
                                ("encoding", 0.0), ("encoding", 1.0)):
            if progress:
                progress(phase, fraction)
            if self.on_phase:
                self.on_phase(phase, fraction, out)
            if cancel is not None and cancel.is_set():
                raise Cancelled("render cancelled")
            if self.error is not None and phase == "video":
                raise self.error
        paths = VideoPaths.beside(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        paths.video.write_bytes(bytes(range(256)) * (self.video_bytes // 256))
        paths.poster.write_bytes(png(width // 8 or 2, height // 8 or 2))
        paths.poster_small.write_bytes(png(max(2, width // 16), max(2, height // 16)))
        paths.thumb.write_bytes(b"thumb" * 1000)
        if progress:
            progress("done", 1.0)
        return RenderResult(paths, width, height, settings.frame_count, 0.01)


@pytest.fixture(autouse=True)
def fake_engine(request, monkeypatch):
    if request.node.get_closest_marker("real_engine"):
        return None
    fake = FakeEngine()
    monkeypatch.setattr(jobs, "render_batch", fake)
    return fake


@dataclass
class LiveServer:
    url: str  # base URL, .../v1
    accounts: dict

    def token(self, name: str) -> str:
        return self.accounts[name].token


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app under waitress on a free loopback port, jobs immediate with the fake engine."""
    from waitress import create_server

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jobs, "render_batch", FakeEngine())
        config = Config(data_dir=tmp_path_factory.mktemp("live") / "data", queue_url="memory", immediate=True,
                        ingest_timeout_s=5.0)
        app = create_app(config)
        accounts = {}
        with connection():
            for name, kwargs in {"user": {}, "rich": {"initial_credits": 10_000, "plan": "paid"}}.items():
                user = create_user(f"{name}@live.example", **kwargs)
                accounts[name] = Account(user.email, user.id, create_token(user)[1])
        server = create_server(app, host="127.0.0.1", port=0, threads=8)
        thread = threading.Thread(target=_run_until_closed, args=(server,), daemon=True)
        thread.start()
        yield LiveServer(f"http://127.0.0.1:{server.effective_port}/v1", accounts)
        for dispatcher in list(server._map.values()):  # empties waitress's loop, which then returns
            dispatcher.close()
        thread.join(5)
        server.task_dispatcher.shutdown()


def _run_until_closed(server) -> None:
    try:
        server.run()
    except (OSError, ValueError):  # its sockets closed under it at teardown
        pass


def gltf_with_uri(uri: str) -> bytes:
    doc = {"asset": {"version": "2.0"}, "buffers": [{"uri": uri, "byteLength": 36}],
           "bufferViews": [{"buffer": 0, "byteLength": 36}],
           "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
                          "min": [0, 0, 0], "max": [1, 1, 0]}],
           "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}], "nodes": [{"mesh": 0}],
           "scenes": [{"nodes": [0]}], "scene": 0}
    return json.dumps(doc).encode()


def huge_png_header(width: int, height: int) -> bytes:
    """A PNG that claims a huge size in its header but holds almost nothing."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\x00" * 100))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")
