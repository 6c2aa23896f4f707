"""The Renderer: draws a Scene for a View into a 2x supersampled FBO, reduces it on the GPU and
reads back one small straight-alpha RGBA frame.

A short orchestrator over passes (opaque, blend, reduce, readback). It works on whatever GL
context is current: the EGL one from `gl_context.offscreen_context()` or a Qt canvas.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from importlib import resources

import numpy as np
from vispy import gloo

from . import gl_context
from .animation import Player, Pose
from .camera import View
from .gpu_scene import DrawItem, GpuScene
from .scene import Scene

SSAA = 2
GL_DEPTH_COMPONENT24 = 0x81A6

# The studio rig, fixed to the world so that a turntable sees the model turn under its lights:
# (direction towards the light, radiance). A high key keeps every side of a turntable lit.
LIGHTS = (
    ((0.35, 0.85, 0.40), (2.0, 1.97, 1.92)),
    ((-0.70, 0.45, 0.30), (0.75, 0.77, 0.80)),
    ((0.15, 0.55, -0.85), (0.85, 0.85, 0.85)),
)
SKY = (0.50, 0.50, 0.52)
GROUND = (0.22, 0.21, 0.20)


def shader_source(name: str, defines: frozenset[str] = frozenset()) -> str:
    """GLSL 3.30 source with `defines` (a "NAME" or "NAME VALUE" each) ahead of the file's text."""
    text = resources.files("dxgl_engine.shaders").joinpath(name).read_text()
    if text.startswith("#version"):
        return text
    head = "".join(f"#define {d}\n" for d in sorted(defines))
    return f"#version 330\n{head}{text}"


class _Variant:
    """One compiled mesh program for a feature set, and the names of the uniforms it declares."""

    def __init__(self, features: frozenset[str]):
        self.program = gloo.Program(shader_source("mesh.vert", features), shader_source("mesh.frag", features))
        self.uniforms = {v[2] for v in self.program.variables if v[0] in ("uniform", "uniform_array")}
        self.frame = -1  # the frame whose camera uniforms it holds

    def set(self, name: str, value) -> None:
        if name.split("[")[0] in self.uniforms:
            self.program[name] = value


@dataclass
class FrameTimings:
    """Accumulated milliseconds per stage (filled only when the renderer profiles)."""

    draw: float = 0.0
    reduce_readback: float = 0.0
    frames: int = 0

    def per_frame(self) -> dict:
        n = max(self.frames, 1)
        return {"draw_ms": self.draw / n, "reduce_readback_ms": self.reduce_readback / n}


@dataclass
class _Targets:
    width: int
    height: int
    hi_color: gloo.Texture2D
    hi_fbo: gloo.FrameBuffer
    lo_fbo: gloo.FrameBuffer


class Renderer:
    """Renders one Scene at one output size; `render(view)` returns (H, W, 4) uint8, top row first.

    `pose` is the scene's pose to upload with (rest pose when None) and `moving` the nodes a clip
    drives (with their descendants): those are drawn per frame, the rest baked once."""

    def __init__(self, scene: Scene, width: int, height: int, ssaa: int = SSAA, exposure: float = 1.0,
                 pose: Pose | None = None, moving: set[int] = frozenset()):
        self.scene = scene
        self.ssaa = ssaa
        self.exposure = exposure
        self.profile = False
        self.timings = FrameTimings()
        self._pose = pose if pose is not None else Player(scene, None).pose(0.0)
        self.gpu = GpuScene.upload(scene, self._pose, moving)
        self._variants: dict[frozenset[str], _Variant] = {}
        self._frame = 0
        self._reduce = gloo.Program(shader_source("fullscreen.vert"), shader_source("reduce.frag"))
        self._reduce["a_position"] = np.array([[-1, -1], [3, -1], [-1, 3]], np.float32)
        self._targets: _Targets | None = None
        self.resize(width, height)

    # --- setup --------------------------------------------------------------------------------
    def resize(self, width: int, height: int, ssaa: int | None = None) -> None:
        """Output size (and optionally the supersampling factor: 1 for fast interactive frames)."""
        if ssaa is not None and ssaa != self.ssaa:
            self.ssaa, self._targets = ssaa, None
        if self._targets and (self._targets.width, self._targets.height) == (width, height):
            return
        hw, hh = width * self.ssaa, height * self.ssaa
        limit = gl_context.gl_info()["max_renderbuffer_size"]
        if max(hw, hh) > limit:
            raise ValueError(f"{hw}x{hh} exceeds the GL limit {limit}; render in tiles")
        hi_color = gloo.Texture2D(shape=(hh, hw, 4), format="rgba", internalformat="rgba16f", interpolation="linear")
        # 24-bit depth: gloo's "depth" means 16 bits, too coarse for labels and decals on a product.
        hi_fbo = gloo.FrameBuffer(color=hi_color, depth=gloo.RenderBuffer((hh, hw), format=GL_DEPTH_COMPONENT24))
        lo_fbo = gloo.FrameBuffer(color=gloo.RenderBuffer((height, width), format="color"))
        self._targets = _Targets(width, height, hi_color, hi_fbo, lo_fbo)

    def _variant(self, features: frozenset[str]) -> _Variant:
        """The program for a feature set, compiled on first use with the studio rig set once."""
        var = self._variants.get(features)
        if var is None:
            var = self._variants[features] = _Variant(features)
            dirs = np.array([d for d, _ in LIGHTS], np.float32)
            dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
            for i, (d, (_, c)) in enumerate(zip(dirs, LIGHTS)):
                var.set(f"u_light_dir[{i}]", d)
                var.set(f"u_light_color[{i}]", c)
            var.set("u_sky", SKY)
            var.set("u_ground", GROUND)
            var.set("u_exposure", self.exposure)
        return var

    # --- frame --------------------------------------------------------------------------------
    def render(self, view: View, background: tuple[int, int, int] | None = None, pose: Pose | None = None
               ) -> np.ndarray:
        """The frame for `view` (and `pose`, for animated scenes): straight alpha over transparency,
        or opaque over `background` (an sRGB colour, composited on the GPU during the reduction)."""
        tg = self._targets
        t0 = time.perf_counter()
        if pose is not None and pose is not self._pose:
            self.gpu.pose(self.scene, pose)
            self._pose = pose
        with tg.hi_fbo:
            gloo.set_viewport(0, 0, tg.width * self.ssaa, tg.height * self.ssaa)
            gloo.set_clear_color((0.0, 0.0, 0.0, 0.0))
            gloo.clear(color=True, depth=True)
            self._draw_scene(view)
        if self.profile:
            gl_context.flush()
            gloo.gl.glFinish()
        t1 = time.perf_counter()
        frame = self._reduce_and_read(tg, background)
        if self.profile:
            self.timings.draw += (t1 - t0) * 1e3
            self.timings.reduce_readback += (time.perf_counter() - t1) * 1e3
            self.timings.frames += 1
        return frame

    def _draw_scene(self, view: View) -> None:
        self._frame += 1
        self._view = view
        self._camera = {
            "u_view_proj": (view.proj @ view.view).astype(np.float32).T,
            "u_eye": view.eye.astype(np.float32),
        }
        opaque = [i for i in self.gpu.items if not i.blend]
        blend = self._sorted_back_to_front([i for i in self.gpu.items if i.blend], view)
        gloo.set_state(depth_test=True, blend=False, depth_mask=True)
        for item in opaque:
            self._draw_item(item)
        if blend:
            gloo.set_state(blend=True, depth_mask=False)
            gloo.set_blend_func("one", "one_minus_src_alpha")
            for item in blend:
                self._draw_item(item)
            gloo.set_state(blend=False, depth_mask=True)

    def _draw_item(self, item: DrawItem) -> None:
        var, m = self._variant(item.features), item.material
        if var.frame != self._frame:
            for name, value in self._camera.items():
                var.set(name, value)
            var.frame = self._frame
        gloo.set_state(cull_face=not m.double_sided)
        if not m.double_sided:
            gloo.set_cull_face("back")
        model = self._item_matrix(item)
        var.set("u_model", model.astype(np.float32).T)
        var.set("u_normal_matrix", np.linalg.inv(model[:3, :3]).astype(np.float32))  # inverse-transpose, uploaded transposed
        if item.skin is not None:
            var.set("u_joints", self.gpu.joint_textures[item.skin])
        for name in item.vbo.dtype.names:
            var.program[name] = item.vbo[name]
        var.set("u_base_color_factor", np.asarray(m.base_color_factor, np.float32))
        var.set("u_metallic", float(m.metallic_factor))
        var.set("u_roughness", float(m.roughness_factor))
        var.set("u_emissive", (np.asarray(m.emissive_factor) * m.emissive_strength).astype(np.float32))
        var.set("u_alpha_cutoff", float(m.alpha_cutoff))
        var.set("u_normal_scale", float(m.normal_texture.scale) if m.normal_texture else 1.0)
        var.set("u_occlusion_strength", float(m.occlusion_texture.scale) if m.occlusion_texture else 1.0)
        for slot, (tex, ref) in item.textures.items():
            var.set(f"u_tex_{slot}", tex)
            var.set(f"u_uvxf_{slot}", np.asarray(ref.uv_transform, np.float32).T)
        var.program.draw("triangles", item.ibo)

    def _item_matrix(self, item: DrawItem) -> np.ndarray:
        """Vertex space -> world: the placement, after the node's pose for parts a clip moves
        (skinned vertices reach scene space through their joint matrices)."""
        if item.node is None:
            return self._view.model
        return self._view.model @ self._pose.world[item.node]

    def _sorted_back_to_front(self, items: list[DrawItem], view: View) -> list[DrawItem]:
        if len(items) < 2:
            return items
        self._view = view
        depth = []
        for item in items:
            mv = view.view @ self._item_matrix(item)
            depth.append(float((mv[:3, :3] @ item.centroid + mv[:3, 3])[2]))
        return [items[k] for k in np.argsort(depth)]  # camera looks down -Z: most negative is farthest

    def _reduce_and_read(self, tg: _Targets, background) -> np.ndarray:
        with tg.lo_fbo:
            gloo.set_viewport(0, 0, tg.width, tg.height)
            gloo.set_state(depth_test=False, blend=False, cull_face=False)
            self._reduce["u_source"] = tg.hi_color
            self._reduce["u_flip_y"] = True  # rows come back top row first: no copy to flip them
            self._reduce["u_has_bg"] = background is not None
            self._reduce["u_bg"] = np.asarray(background if background is not None else (0, 0, 0), np.float32) / 255.0
            self._reduce.draw("triangles")
        return gl_context.read_rgba(tg.lo_fbo, tg.width, tg.height)
