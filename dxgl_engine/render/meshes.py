"""Drawing the model's meshes: one compiled program per feature set, per-item matrices, opaque then
sorted transparent items. Used by the passes that draw the model (opaque and blended), the
mirrored reflection, the floor shadow's top-down height render, the sun's shadow map and the
dataset's depth, which differ only in their camera and fragment shader.
"""
from __future__ import annotations

import numpy as np
from vispy import gloo

from ..lighting.look import Look
from ..lighting.punctual import light_nodes, light_uniforms
from ..scene.animation import Pose
from ..scene.model import Scene
from . import glsl
from .gpu_scene import DrawItem, GpuScene
from .look_gpu import LookGPU

# Passes that record geometry, not light: their fragment shader, drawn without blending.
PLAIN_MODES = {"height": "height.frag", "depth": "depth.frag", "sun": "sun_depth.frag",
               "sun_translucent": "sun_depth.frag"}
# Those that see every face, whatever the material's culling: a shadow is cast by back faces too.
UNCULLED_MODES = {"height", "sun", "sun_translucent"}


class _MeshProgram:
    """One compiled program for a feature set, and the names of the uniforms it declares."""

    def __init__(self, features: frozenset[str], fragment: str):
        self.program = glsl.program("mesh.vert", fragment, features)
        self.uniforms = {v[2] for v in self.program.variables if v[0] in ("uniform", "uniform_array")}
        self.frame = -1  # the frame whose per-frame uniforms it holds

    def set(self, name: str, value) -> None:
        if name.split("[")[0] in self.uniforms:
            self.program[name] = value


class Meshes:
    """The model on the GPU and the programs that draw it."""

    def __init__(self, scene: Scene, look: Look, pose: Pose, moving: set[int]):
        self.scene = scene
        self.pose = pose
        self.look = LookGPU(look)
        self.gpu = GpuScene.upload(scene, pose, moving)
        n_lights = len(light_nodes(scene))
        self._look_features = self.look.features | ({f"PUNCTUAL_LIGHTS {n_lights}"} if n_lights else set())
        # BLEND and see-through items let part of the sun through: they get a map of their own.
        self.translucent = any(item.blend for item in self.gpu.items)
        if self.look.sun is not None and self.translucent:
            self._look_features |= {"SUN_TRANSLUCENT"}
        # What sun_shadow.glsl declares, as lit programs and the floor read it: passes/sun_shadow.py
        # replaces the map with its bake; until then (or without that pass) a map of one texel that
        # shadows nothing.
        self.sun_shadow: dict = {}
        if self.look.sun is not None:
            nothing = gloo.Texture2D(np.full((1, 1, 1), 1e30, np.float32), format="red", internalformat="r32f")
            self.sun_shadow = {"u_sun_direction": self.look.sun.direction.astype(np.float32), "u_sun_shadow": nothing,
                               "u_sun_matrix": np.zeros((4, 4), np.float32), "u_sun_texel": 0.0}  # fmt: skip
            if self.translucent:
                self.sun_shadow["u_sun_translucent"] = gloo.Texture2D(
                    np.array([[[1e30, 0.0, 0.0, 1.0]]], np.float32), format="rgba", internalformat="rgba32f")
        self._programs: dict[tuple, _MeshProgram] = {}
        self._frame = 0
        self._behind = False  # this draw's transmissive items see the frame behind them

    def set_pose(self, pose: Pose) -> bool:
        """Bring skins and morphs to `pose`; whether the model moved."""
        if pose is self.pose:
            return False
        self.gpu.pose(self.scene, pose)
        self.pose = pose
        return True

    def draw(self, view_proj: np.ndarray, eye: np.ndarray, model: np.ndarray, *, mode: str = "lit",
             extra: dict | None = None, items: str = "all", behind: dict | None = None) -> None:
        """Draw the items: opaque first, then transparent ones back to front. `mode` picks the
        fragment shader: "lit" (the product look), "mirror" (the faded reflection: `view_proj`
        mirrors and `eye` is the mirrored eye, so winding is mirrored), "height" (world height, for
        the floor's shadow), "depth" (camera depth, for datasets), "sun" (distance from the sun's
        plane, every face, for its shadow map) or "sun_translucent" (for the BLEND and see-through
        items' map: the nearest one's distance from that plane and the share of the sun all of them
        let through, blended in any order). `items` is "all", "opaque" or "blended" (the passes that
        draw them apart).
        `behind` (BehindCopy.capture's uniforms) makes transmissive items see the frame behind
        them through their refraction; they then replace what is under them instead of blending."""
        if items not in ("all", "opaque", "blended"):
            raise ValueError(f"items must be all, opaque or blended, not {items!r}")
        self._frame += 1
        per_frame = {"u_view_proj": view_proj.astype(np.float32).T, "u_eye": eye.astype(np.float32), **(extra or {}),
                     **(behind or {})}  # fmt: skip
        self._behind = behind is not None
        plain = mode in PLAIN_MODES
        if not plain:
            per_frame.update(light_uniforms(self.scene, self.pose, model))
            per_frame.update(self.sun_shadow)
        every = self.gpu.items
        opaque = [i for i in every if not i.blend] if items != "blended" else []
        blend = self._back_to_front([i for i in every if i.blend], view_proj, model) if items != "opaque" else []
        gloo.set_state(depth_test=True, blend=False, depth_mask=True)
        gloo.set_front_face("cw" if mode == "mirror" else "ccw")
        if mode == "sun_translucent":  # R: the nearest distance (min); A: the product of the shares through
            gloo.set_state(depth_test=False, blend=True)
            gloo.set_blend_func("one", "one", "zero", "src_alpha")
            gloo.set_blend_equation("min", "func_add")
        for item in opaque:
            self._draw_item(item, model, mode, per_frame)
        if blend and not plain:
            gloo.set_state(blend=True, depth_mask=False)
            gloo.set_blend_func("one", "one_minus_src_alpha")
            for item in blend:
                replaces = self._behind and "TRANSMISSION" in item.features
                if replaces:
                    gloo.set_state(blend=False)
                self._draw_item(item, model, mode, per_frame)
                if replaces:
                    gloo.set_state(blend=True)
            gloo.set_state(blend=False, depth_mask=True)
        elif blend:
            for item in blend:
                self._draw_item(item, model, mode, per_frame)
        if mode == "sun_translucent":
            gloo.set_blend_equation("func_add")
            gloo.set_blend_func("one", "one_minus_src_alpha")  # the passes' premultiplied blending
            gloo.set_state(blend=False, depth_test=True)
        gloo.set_front_face("ccw")

    def _mesh_program(self, item: DrawItem, mode: str) -> _MeshProgram:
        features = item.features | self._look_features
        if mode == "mirror":
            features = features | {"MIRROR"}
        if mode == "sun_translucent":
            features = features | {"TRANSLUCENT_LAYER"}
        if self._behind and "TRANSMISSION" in features:
            features = features | {"TRANSMISSION_BEHIND"}
        fragment = PLAIN_MODES.get(mode, "mesh.frag")
        key = (features, fragment)
        prog = self._programs.get(key)
        if prog is None:
            prog = self._programs[key] = _MeshProgram(features, fragment)
            for name, value in self.look.uniforms().items():
                prog.set(name, value)
        return prog

    def _draw_item(self, item: DrawItem, model: np.ndarray, mode: str, per_frame: dict) -> None:
        prog, m = self._mesh_program(item, mode), item.material
        if prog.frame != self._frame:
            for name, value in per_frame.items():
                prog.set(name, value)
            prog.frame = self._frame
        cull = not m.double_sided and mode not in UNCULLED_MODES
        gloo.set_state(cull_face=cull)
        if cull:
            gloo.set_cull_face("back")
        matrix = self.item_matrix(item, model)
        prog.set("u_model", matrix.astype(np.float32).T)
        prog.set("u_normal_matrix", np.linalg.inv(matrix[:3, :3]).astype(np.float32))  # inverse-transpose, sent transposed
        if item.skin is not None:
            prog.set("u_joints", self.gpu.joint_textures[item.skin])
        for name in item.vbo.dtype.names:
            prog.program[name] = item.vbo[name]
        if item.instances is not None:  # divisor-1 buffers: Program.draw makes it one instanced call
            for c, column in enumerate(item.instances.columns):
                prog.program[f"a_instance{c}"] = column
        for name, value in item.uniforms.items():
            prog.set(name, value)
        mirrors = self._mirrors(item)
        if mirrors:
            gloo.set_front_face("ccw" if mode == "mirror" else "cw")
        prog.program.draw("triangles", self._indices(item, matrix, per_frame["u_eye"]))
        if mirrors:
            gloo.set_front_face("cw" if mode == "mirror" else "ccw")

    def _mirrors(self, item: DrawItem) -> bool:
        """Whether the item's own placement mirrors its vertices (a negative determinant), turning
        its front faces clockwise on screen: mirrored instances, and nodes a world matrix mirrors.
        (Baked parts had their triangles reversed instead, see gpu_scene._bake.)"""
        node_mirrors = item.node is not None and np.linalg.det(self.pose.world[item.node][:3, :3]) < 0
        return node_mirrors != (item.instances is not None and item.instances.mirrored)

    @staticmethod
    def _indices(item: DrawItem, matrix: np.ndarray, eye: np.ndarray) -> gloo.IndexBuffer:
        """The item's triangles in the order cheapest to draw for this viewer (see draw_order)."""
        if item.order_source is None or abs(np.linalg.det(matrix)) < 1e-30:
            return item.ibo
        local = np.linalg.solve(matrix, np.r_[eye, 1.0])
        return item.indices_towards(local[:3] / local[3])

    def item_matrix(self, item: DrawItem, model: np.ndarray) -> np.ndarray:
        """Vertex space -> world: the placement, after the node's pose for parts an animation moves
        and instanced nodes (whose vertices reach the node's space through their instance matrices
        first; skinned vertices reach scene space through their joint matrices)."""
        if item.node is None:
            if not item.origin.any():
                return model
            shift = np.eye(4)
            shift[:3, 3] = item.origin  # baked vertices are relative to it (see GpuScene.upload)
            return model @ shift
        return model @ self.pose.world[item.node]

    def _back_to_front(self, items: list[DrawItem], view_proj: np.ndarray, model: np.ndarray) -> list[DrawItem]:
        for item in items:
            if item.instances is not None:  # one call draws them all: they blend in their stored order
                item.instances.sort_back_to_front(view_proj @ self.item_matrix(item, model))
        if len(items) < 2:
            return items
        depth = []
        for item in items:
            clip_pos = view_proj @ self.item_matrix(item, model) @ np.r_[item.centroid, 1.0]
            depth.append(clip_pos[2] / max(abs(clip_pos[3]), 1e-9))
        return [items[k] for k in np.argsort(depth)[::-1]]  # farthest (largest NDC depth) first
