"""A Scene uploaded to the GPU as draw items: vertex/index buffers, textures and material uniforms.

Geometry that never moves is baked into scene space and merged per material, so a CAD model of a
hundred nodes costs a few dozen draw calls. What an animation moves stays separate: rigid parts are
drawn with their node's matrix each frame, skinned parts carry joints and weights and are skinned
on the GPU from a joint-matrix texture, morphed parts are re-blended on the CPU when their weights
change. BLEND primitives also stay separate so they can be sorted back to front every frame.

A node with EXT_mesh_gpu_instancing is neither baked nor copied: each primitive of its mesh is
uploaded once, in mesh space, and drawn in one instanced call per handedness with the instance
matrices in a per-instance buffer, under the node's world matrix (so an animation moves them all).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from vispy import gloo

from ..scene import geometry
from ..scene.animation import Pose
from ..scene.deform import joint_matrices, morph
from ..scene.model import (
    CLAMP_TO_EDGE,
    LINEAR,
    MIRRORED_REPEAT,
    NEAREST,
    NEAREST_MIPMAP_LINEAR,
    NEAREST_MIPMAP_NEAREST,
    Material,
    Primitive,
    Sampler,
    Scene,
    TextureRef,
)
from . import draw_order, gl_context

log = logging.getLogger(__name__)

# Vertex attributes: always position and normal; the others only when the item uses them.
ATTRIBUTES = {
    "a_position": 3, "a_normal": 3, "a_uv0": 2, "a_uv1": 2, "a_color": 4, "a_tangent": 4,
    "a_joints0": 4, "a_weights0": 4, "a_joints1": 4, "a_weights1": 4,
}  # fmt: skip
_ATTRIBUTE_FEATURE = {"a_uv0": "HAS_UV0", "a_uv1": "HAS_UV1", "a_color": "HAS_COLOR", "a_tangent": "HAS_TANGENT",
                      "a_joints0": "SKINNED", "a_joints1": "SKIN_SET2"}  # fmt: skip

DEFAULT_MATERIAL = Material(name="default", metallic_factor=1.0, roughness_factor=1.0)
TEXTURE_SLOTS = ("base", "mr", "normal", "occlusion", "emissive", "iridescence", "iridescence_thickness",
                 "anisotropy", "diffuse_transmission", "diffuse_transmission_color", "transmission",
                 "thickness", "sheen_color", "sheen_roughness")  # fmt: skip
# Slots holding sRGB-encoded colour (glTF 2.0: baseColorTexture, emissiveTexture;
# KHR_materials_diffuse_transmission: diffuseTransmissionColorTexture); the others hold linear data
# (roughness, metalness, normals, occlusion, film strength and thickness, anisotropy direction and
# strength, transmission strength).
COLOUR_SLOTS = frozenset({"base", "emissive", "diffuse_transmission_color", "sheen_color"})
# Slot -> the Material field of a core texture, or the glTF property of an extension's texture
# (in Material.extension_textures).
_SLOT_ATTR = {
    "base": "base_color_texture",
    "mr": "metallic_roughness_texture",
    "normal": "normal_texture",
    "occlusion": "occlusion_texture",
    "emissive": "emissive_texture",
    "iridescence": "iridescenceTexture",
    "iridescence_thickness": "iridescenceThicknessTexture",
    "anisotropy": "anisotropyTexture",
    "diffuse_transmission": "diffuseTransmissionTexture",
    "diffuse_transmission_color": "diffuseTransmissionColorTexture",
    "transmission": "transmissionTexture",
    "thickness": "thicknessTexture",
    "sheen_color": "sheenColorTexture",
    "sheen_roughness": "sheenRoughnessTexture",
}
# An extension's texture slots are bound only while its feature is on (see _EXTENSION_FEATURES).
_SLOT_FEATURE = {"iridescence": "IRIDESCENCE", "iridescence_thickness": "IRIDESCENCE", "anisotropy": "ANISOTROPY",
                 "diffuse_transmission": "DIFFUSE_TRANSMISSION",
                 "diffuse_transmission_color": "DIFFUSE_TRANSMISSION", "transmission": "TRANSMISSION",
                 "thickness": "VOLUME", "sheen_color": "SHEEN", "sheen_roughness": "SHEEN"}  # fmt: skip
_WRAP = {CLAMP_TO_EDGE: "clamp_to_edge", MIRRORED_REPEAT: "mirrored_repeat"}
_MIPMAPPED = {NEAREST_MIPMAP_NEAREST, NEAREST_MIPMAP_LINEAR, 9985, 9987}


@dataclass
class GpuInstances:
    """The instances (scene.model.Instance: one per instance matrix of an EXT_mesh_gpu_instancing
    node) that one draw item draws in one instanced call. Its vertices stay in mesh space; each
    instance matrix takes them to the node's space, the node's world matrix on to the scene. Each
    matrix column is a vertex buffer of its own, read once per instance (attribute divisor 1) as
    a_instance0..3 by mesh.vert under INSTANCED."""

    matrices: np.ndarray  # (K, 4, 4) float64, mesh space -> node space, in the order the buffers hold them
    centres: np.ndarray  # (K, 3) float64, each instance's centre in node space (the mesh's centroid placed)
    columns: list[gloo.VertexBuffer]  # four (K, 4) float32 buffers: column c of every matrix
    mirrored: bool  # every matrix has a negative determinant: its front faces wind the other way

    @classmethod
    def upload(cls, matrices: np.ndarray, centroid: np.ndarray, mirrored: bool) -> "GpuInstances":
        """Per-instance buffers of (K, 4, 4) `matrices` for a mesh whose vertices centre on `centroid`
        (mesh space)."""
        matrices = np.asarray(matrices, np.float64)
        columns = [gloo.VertexBuffer(np.ascontiguousarray(matrices[:, :, c], np.float32), divisor=1) for c in range(4)]
        return cls(matrices, matrices[:, :3, :3] @ centroid + matrices[:, :3, 3], columns, mirrored)

    def sort_back_to_front(self, to_clip: np.ndarray) -> None:
        """Re-order the instances farthest first for the node-space -> clip-space matrix `to_clip`:
        blended instances, drawn in one call, must be stored in the order they are to blend. The
        buffers are rewritten only when the order changed (a stable sort keeps ties in place)."""
        clip = self.centres @ to_clip[:, :3].T + to_clip[:, 3]
        order = np.argsort(-clip[:, 2] / np.maximum(np.abs(clip[:, 3]), 1e-9), kind="stable")
        if np.array_equal(order, np.arange(len(order))):
            return
        self.matrices, self.centres = self.matrices[order], self.centres[order]
        for c, column in enumerate(self.columns):
            column.set_data(np.ascontiguousarray(self.matrices[:, :, c], np.float32))


@dataclass
class DrawItem:
    vbo: gloo.VertexBuffer
    ibo: gloo.IndexBuffer
    material: Material
    textures: dict[str, tuple[gloo.Texture2D, TextureRef]]
    # For back-to-front sorting of BLEND items, in the space the item's matrix maps from (Meshes.item_matrix):
    # its vertex space, or for an instanced item its node's space (the centre of its instances).
    centroid: np.ndarray
    triangles: int  # triangles drawn: an instanced item's mesh triangles times its instances
    features: frozenset[str]  # shader #defines: which attributes, textures and modes it uses
    uniforms: dict = field(default_factory=dict)  # the material's constant uniforms
    node: int | None = None  # drawn with this node's world matrix (parts an animation moves, instanced nodes)
    skin: int | None = None  # skinned with this skin's joint matrices (vertices in bind space)
    morph_source: Primitive | None = None  # re-blended from this primitive's targets each pose
    morph_node: int | None = None
    vertices: np.ndarray | None = None  # CPU copy of a morphed item's vertex data
    last_weights: np.ndarray | None = None
    order_source: tuple[np.ndarray, np.ndarray] | None = None  # positions, triangles: see draw_order
    ordered: dict[int, gloo.IndexBuffer] = field(default_factory=dict)
    # Scene-space point the baked vertices are relative to (see GpuScene.upload); zero for the rest.
    origin: np.ndarray = field(default_factory=lambda: np.zeros(3))
    instances: GpuInstances | None = None  # EXT_mesh_gpu_instancing: drawn once per instance, in one call

    @property
    def blend(self) -> bool:
        """Drawn after opaque geometry, sorted back to front (BLEND, and see-through glass)."""
        return self.material.alpha_mode == "BLEND" or "TRANSMISSION" in self.features

    def indices_towards(self, eye: np.ndarray) -> gloo.IndexBuffer:
        """The index buffer to draw for a viewer at `eye` (in the item's vertex space): near-to-far
        for large rigid opaque items, the stored order otherwise."""
        if self.order_source is None:
            return self.ibo
        k = draw_order.nearest_direction(eye, self.centroid)
        ibo = self.ordered.pop(k, None)  # re-inserted last: the dict runs least to most recently used
        if ibo is None:
            positions, triangles = self.order_source
            ibo = gloo.IndexBuffer(draw_order.near_to_far(positions, triangles, draw_order.DIRECTIONS[k]))
            while len(self.ordered) >= draw_order.orders_kept(self.triangles):
                self.ordered.pop(next(iter(self.ordered))).delete()
        self.ordered[k] = ibo
        return ibo


@dataclass
class GpuScene:
    """Owns the GL objects for one Scene; `items` are ready to draw with the mesh program."""

    items: list[DrawItem] = field(default_factory=list)
    joint_textures: dict[int, gloo.Texture2D] = field(default_factory=dict)
    dynamic: bool = False
    _textures: dict = field(default_factory=dict)
    _mesh_space: dict = field(default_factory=dict)  # (primitive id, attributes) -> instanced geometry

    @classmethod
    def upload(cls, scene: Scene, pose: Pose, moving: set[int] = frozenset()) -> "GpuScene":
        """Upload `scene` as posed by `pose`. Nodes in `moving` (driven by an animation, and their
        descendants) and every skinned or morphed mesh become per-frame items; nodes with
        EXT_mesh_gpu_instancing become instanced items (see `_instanced`)."""
        gpu = cls()
        static: dict[int | None, list[tuple[Primitive, np.ndarray]]] = {}
        separate: list[DrawItem] = []
        instances = scene.instances(pose.world)
        # Baked vertices are stored relative to a point near the model, in float32: a scan in map
        # coordinates (a node translated by 6,000,000 m) keeps its millimetres, where float32 scene
        # coordinates would round them to half a metre. The point goes back in through the item's matrix.
        origin = np.mean([i.matrix[:3, 3] for i in instances], axis=0) if instances else np.zeros(3)
        to_origin = np.eye(4)
        to_origin[:3, 3] = -origin
        for inst in instances:
            if inst.instance_index is not None:  # drawn together, from the node's instance matrices, below
                continue
            node = scene.nodes[inst.node]
            skinned = node.skin is not None
            for prim in scene.meshes[inst.mesh].primitives:
                material = _material(scene, prim.material)
                morphs = bool(prim.targets) and (inst.node in moving or inst.node in pose.weights)
                dynamic = inst.node in moving or skinned or morphs
                if not dynamic and not _sorted(material):
                    static.setdefault(prim.material, []).append((prim, to_origin @ inst.matrix))
                    continue
                if not dynamic:  # a static BLEND primitive: baked, but kept apart for sorting
                    item = gpu._item(scene, prim.material, [(prim, to_origin @ inst.matrix)], origin=origin)
                    # KHR_materials_volume's lengths are in mesh units: baked vertices carry the node's scale
                    scale = abs(np.linalg.det(inst.matrix[:3, :3])) ** (1 / 3)
                    item.uniforms["u_thickness"] *= scale
                    item.uniforms["u_attenuation_distance"] *= scale
                    separate.append(item)
                    continue
                skin = node.skin if skinned and prim.joints else None
                item = gpu._item(scene, prim.material, [(prim, np.eye(4))], skinned=skin is not None)
                item.node = None if skin is not None else inst.node
                item.skin = skin
                if morphs:
                    item.morph_source, item.morph_node = prim, inst.node
                    item.order_source = None  # its vertices move: no fixed order holds
                    item.vertices = _vertex_data(prim, item.vbo.dtype)
                separate.append(item)
                gpu.dynamic = gpu.dynamic or inst.node in moving or morphs
        for index in dict.fromkeys(i.node for i in instances if i.instance_index is not None):
            separate += gpu._instanced(scene, index, pose, moving)
        gpu.items = [gpu._item(scene, mat, parts, origin=origin) for mat, parts in static.items()] + separate
        skins = {i.skin for i in gpu.items if i.skin is not None}
        gpu.joint_textures = {s: gloo.Texture2D(shape=(len(scene.skins[s].joints), 4, 4), format="rgba",
                                                internalformat="rgba32f", interpolation="nearest") for s in skins}
        gpu.dynamic = gpu.dynamic or bool(skins and moving)
        gpu.pose(scene, pose)
        return gpu

    def pose(self, scene: Scene, pose: Pose) -> None:
        """Bring skins and morphs to `pose` (node matrices are read at draw time)."""
        for s, tex in self.joint_textures.items():
            mats = joint_matrices(scene, s, pose).astype(np.float32)
            tex.set_data(np.ascontiguousarray(mats.transpose(0, 2, 1)))  # row j holds joint j's columns
        for item in self.items:
            if item.morph_source is None:
                continue
            weights = pose.weights.get(item.morph_node)
            if item.last_weights is not None and weights is not None and np.array_equal(weights, item.last_weights):
                continue
            pos, nrm, tan = morph(item.morph_source, weights)
            item.vertices["a_position"], item.vertices["a_normal"] = pos, nrm
            if tan is not None and "a_tangent" in item.vertices.dtype.names:
                item.vertices["a_tangent"] = tan
            item.vbo.set_data(item.vertices)
            item.last_weights = None if weights is None else weights.copy()

    @property
    def triangle_count(self) -> int:
        return sum(i.triangles for i in self.items)

    def _instanced(self, scene: Scene, index: int, pose: Pose, moving: set[int]) -> list[DrawItem]:
        """Draw items of node `index`, which has EXT_mesh_gpu_instancing: per primitive of its mesh,
        the vertices uploaded once in mesh space (shared with any other instanced node placing the
        same mesh, unless morphed: weights are per node) and one instanced draw of all its instances,
        or two when some mirror (negative determinant): the mirrored ones get a draw of their own,
        sharing the buffers, because their front faces wind the other way. Meshes flips glFrontFace
        for that draw, which keeps back-face culling and gl_FrontFacing right without a reversed
        copy of the indices."""
        gl_context.enable_instanced_draws()
        node = scene.nodes[index]
        mirrored = np.linalg.det(node.instance_matrices[:, :3, :3]) < 0
        groups = [(node.instance_matrices[mirrored == f], f) for f in (False, True) if np.any(mirrored == f)]
        items = []
        for prim in scene.meshes[node.mesh].primitives:
            material = _material(scene, prim.material)
            textures = self._material_textures(scene, material)
            attributes = _attributes_needed([(prim, None)], textures, skinned=False, anisotropic=_anisotropic(material))
            morphs = bool(prim.targets) and (index in moving or index in pose.weights)
            vbo, ibo, centroid = self._mesh_space_geometry(prim, attributes, shared=not morphs)
            features = _features(material, textures, attributes) | {"INSTANCED"}
            uniforms = material_uniforms(material, textures)
            for k, (matrices, flip) in enumerate(groups):
                instances = GpuInstances.upload(matrices, centroid, flip)
                # No near-to-far orders (order_source stays None): an order is chosen from the view
                # direction in the item's vertex space, and instances turned every way share one
                # index buffer, so no single order is near-to-far for all of them.
                item = DrawItem(vbo, ibo, material, textures, instances.centres.mean(0),
                                prim.triangle_count * len(matrices), features, uniforms, node=index,
                                instances=instances)  # fmt: skip
                if morphs and k == 0:  # the groups share the vertex buffer: one item re-blends it for both
                    item.morph_source, item.morph_node = prim, index
                    item.vertices = _vertex_data(prim, vbo.dtype)
                items.append(item)
            self.dynamic = self.dynamic or index in moving or morphs
        return items

    def _mesh_space_geometry(self, prim: Primitive, attributes: list[str], shared: bool):
        """(vertex buffer, index buffer, vertex centroid) of a primitive in its own space, with
        `attributes`; made once per primitive and attribute set when `shared`."""
        key = (id(prim), tuple(attributes))
        if shared and key in self._mesh_space:
            return self._mesh_space[key]
        vertices, indices = _bake([(prim, np.eye(4))], attributes)
        centroid = vertices["a_position"].mean(0).astype(np.float64) if len(vertices) else np.zeros(3)
        made = (gloo.VertexBuffer(vertices), gloo.IndexBuffer(indices), centroid)
        if shared:
            self._mesh_space[key] = made
        return made

    def _material_textures(self, scene: Scene, material: Material) -> dict[str, tuple[gloo.Texture2D, TextureRef]]:
        """The material's textures by slot, each uploaded once per image, sampler and colour space."""
        switched_on = _extension_features(material)
        refs = {}
        for slot in TEXTURE_SLOTS:
            ref = _slot_ref(material, slot)
            if slot in _SLOT_FEATURE and _SLOT_FEATURE[slot] not in switched_on:
                continue  # the texture of an extension that has no effect here
            if ref is not None and ref.image < len(scene.images):
                refs[slot] = ref
        textures = {slot: (self._texture(scene, ref, srgb=slot in COLOUR_SLOTS), ref) for slot, ref in refs.items()
                    if not (slot in ("mr", "occlusion") and self._packable(scene, refs))}  # fmt: skip
        if self._packable(scene, refs):
            packed = self._occlusion_in_mr(scene, refs["mr"], refs["occlusion"])
            textures["mr"], textures["occlusion"] = (packed, refs["mr"]), (packed, refs["occlusion"])
        return textures

    @staticmethod
    def _packable(scene: Scene, refs: dict[str, TextureRef]) -> bool:
        """Whether an occlusion texture of its own can travel in the red channel of the
        metallic-roughness texture, which glTF leaves unused (its green and blue are roughness and
        metalness): the same size, sampler, UV set and transform, so the packed texel filters to
        exactly what each texture gave alone, and one fetch serves both (DamagedHelmet's share
        frame: about 10 CPU ms of 140 saved)."""
        mr, occ = refs.get("mr"), refs.get("occlusion")
        if mr is None or occ is None or mr.image == occ.image:
            return False  # nothing to pack, or packed already (an ORM texture)
        return (scene.images[mr.image].pixels.shape == scene.images[occ.image].pixels.shape
                and mr.sampler == occ.sampler and mr.texcoord == occ.texcoord
                and np.array_equal(mr.uv_transform, occ.uv_transform))  # fmt: skip

    def _occlusion_in_mr(self, scene: Scene, mr: TextureRef, occ: TextureRef) -> gloo.Texture2D:
        """The metallic-roughness texture with the occlusion texture's red channel in its own red."""
        s = mr.sampler
        key = ("orm", mr.image, occ.image, s.mag_filter, s.min_filter, s.wrap_s, s.wrap_t)
        if key not in self._textures:
            pixels = scene.images[mr.image].pixels.copy()
            pixels[..., 0] = scene.images[occ.image].pixels[..., 0]
            self._textures[key] = _make_texture(pixels, s)
        return self._textures[key]

    def _item(self, scene: Scene, material_index: int | None, parts, skinned: bool = False,
              origin: np.ndarray | None = None) -> DrawItem:
        material = _material(scene, material_index)
        textures = self._material_textures(scene, material)
        attributes = _attributes_needed(parts, textures, skinned, anisotropic=_anisotropic(material))
        vertices, indices = _bake(parts, attributes)
        centroid = vertices["a_position"].mean(0).astype(np.float64) if len(vertices) else np.zeros(3)
        orderable = draw_order.wants_orders(len(indices)) and not skinned and not _sorted(material)
        return DrawItem(
            gloo.VertexBuffer(vertices),
            gloo.IndexBuffer(indices),
            material,
            textures,
            centroid,
            int(indices.shape[0]),
            _features(material, textures, attributes),
            material_uniforms(material, textures),
            order_source=(vertices["a_position"].copy(), indices) if orderable else None,
            origin=np.zeros(3) if origin is None else np.asarray(origin, np.float64),
        )

    def _texture(self, scene: Scene, ref: TextureRef, srgb: bool) -> gloo.Texture2D:
        s = ref.sampler
        key = (ref.image, s.mag_filter, s.min_filter, s.wrap_s, s.wrap_t, srgb)
        if key not in self._textures:
            self._textures[key] = _make_texture(scene.images[ref.image].pixels, s, srgb)
        return self._textures[key]


def _material(scene: Scene, index: int | None) -> Material:
    return DEFAULT_MATERIAL if index is None else scene.materials[index]


def _slot_ref(material: Material, slot: str) -> TextureRef | None:
    attr = _SLOT_ATTR[slot]
    if hasattr(material, attr):
        return getattr(material, attr)
    return material.extension_textures.get(attr)


def _attributes_needed(parts, textures: dict, skinned: bool, anisotropic: bool = False) -> list[str]:
    """The vertex attributes this item's shader reads: texture coordinate sets its textures use,
    vertex colours when any part has them, tangents when a normal map can use them or an
    anisotropic material needs them (always: `_bake` makes the missing ones), joints and weights
    (one or two sets) when skinned."""
    names = ["a_position", "a_normal"]
    sets = {ref.texcoord for _, ref in textures.values()}
    names += [f"a_uv{k}" for k in (0, 1) if k in sets and any(len(p.texcoords) > k for p, _ in parts)]
    if any(p.colors is not None for p, _ in parts):
        names.append("a_color")
    if anisotropic or ("normal" in textures and all(p.tangents is not None for p, _ in parts)):
        names.append("a_tangent")
    if skinned:
        names += ["a_joints0", "a_weights0"]
        if all(len(p.joints) > 1 for p, _ in parts):
            names += ["a_joints1", "a_weights1"]
    return names


def _features(material: Material, textures: dict, attributes: list[str]) -> frozenset[str]:
    out = {_ATTRIBUTE_FEATURE[a] for a in attributes if a in _ATTRIBUTE_FEATURE}
    for slot, (_, ref) in textures.items():
        out |= {f"TEX_{slot.upper()}", f"UV_{slot.upper()} {min(ref.texcoord, 1)}"}
    if "mr" in textures and "occlusion" in textures and _same_sampling(textures["mr"], textures["occlusion"]):
        occ = textures["occlusion"][1]
        out -= {"TEX_OCCLUSION", f"UV_OCCLUSION {min(occ.texcoord, 1)}"}
        out.add("OCCLUSION_IN_MR")
    if any(not np.array_equal(ref.uv_transform, np.eye(3)) for _, ref in textures.values()):
        out.add("UV_TRANSFORMS")  # KHR_texture_transform: without it the shader skips the products
    if material.alpha_mode != "OPAQUE":
        out.add(f"ALPHA_{material.alpha_mode}")
    if material.unlit:
        out.add("UNLIT")
    out |= _extension_features(material)
    return frozenset(out)


def _extension_features(material: Material) -> set[str]:
    """The shader features the material's extensions switch on (_EXTENSION_FEATURES)."""
    out = {feature for feature, (name, key, off) in _EXTENSION_FEATURES.items()
           if _ext(material, name, key, off) != off}  # fmt: skip
    if "TRANSMISSION" not in out:  # a volume and its dispersion are seen only through transmission
        out -= {"VOLUME", "DISPERSION"}
    elif "VOLUME" not in out:  # dispersion spreads a volume's refraction; thin walls do not refract
        out.discard("DISPERSION")
    return out


def _anisotropic(material: Material) -> bool:
    """KHR_materials_anisotropy is on: its direction is in tangent space, so the item needs tangents."""
    return "ANISOTROPY" in _extension_features(material)


# Material extensions that switch a shader feature on: feature -> (extension, factor, value meaning "off").
_EXTENSION_FEATURES = {
    "CLEARCOAT": ("KHR_materials_clearcoat", "clearcoatFactor", 0.0),
    "SHEEN": ("KHR_materials_sheen", "sheenColorFactor", [0.0, 0.0, 0.0]),
    "SPECULAR": ("KHR_materials_specular", "present", None),
    "TRANSMISSION": ("KHR_materials_transmission", "transmissionFactor", 0.0),
    "VOLUME": ("KHR_materials_volume", "thicknessFactor", 0.0),
    "DISPERSION": ("KHR_materials_dispersion", "dispersion", 0.0),
    "IRIDESCENCE": ("KHR_materials_iridescence", "iridescenceFactor", 0.0),
    "ANISOTROPY": ("KHR_materials_anisotropy", "anisotropyStrength", 0.0),
    "DIFFUSE_TRANSMISSION": ("KHR_materials_diffuse_transmission", "diffuseTransmissionFactor", 0.0),
}


def _ext(material: Material, name: str, key: str, default):
    ext = material.extensions.get(name)
    if not isinstance(ext, dict):
        return default
    if key == "present":
        return True
    return ext.get(key, _EXTENSION_DEFAULTS.get(key, default))


_EXTENSION_DEFAULTS = {
    "clearcoatFactor": 0.0, "clearcoatRoughnessFactor": 0.0, "sheenColorFactor": [0.0, 0.0, 0.0],
    "sheenRoughnessFactor": 0.0, "specularFactor": 1.0, "specularColorFactor": [1.0, 1.0, 1.0],
    "transmissionFactor": 0.0, "ior": 1.5, "thicknessFactor": 0.0, "attenuationDistance": 0.0,
    "attenuationColor": [1.0, 1.0, 1.0], "dispersion": 0.0,
    "iridescenceFactor": 0.0, "iridescenceIor": 1.3, "iridescenceThicknessMinimum": 100.0,
    "iridescenceThicknessMaximum": 400.0, "anisotropyStrength": 0.0, "anisotropyRotation": 0.0,
    "diffuseTransmissionFactor": 0.0, "diffuseTransmissionColorFactor": [1.0, 1.0, 1.0],
}  # fmt: skip


def _sorted(material: Material) -> bool:
    return material.alpha_mode == "BLEND" or _ext(material, "KHR_materials_transmission", "transmissionFactor", 0) > 0


def material_uniforms(material: Material, textures: dict) -> dict:
    """Constant uniforms of a material (factors and extension parameters), set once per draw."""
    m = material
    ior = float(_ext(m, "KHR_materials_ior", "ior", 1.5))
    f0 = ((ior - 1.0) / (ior + 1.0)) ** 2 if ior > 0 else 1.0  # glTF: ior 0 means a perfect mirror
    irid, aniso, dt = "KHR_materials_iridescence", "KHR_materials_anisotropy", "KHR_materials_diffuse_transmission"
    rotation = float(_ext(m, aniso, "anisotropyRotation", 0.0))  # radians, counter-clockwise from the tangent
    out = {
        "u_base_color_factor": np.asarray(m.base_color_factor, np.float32),
        "u_metallic": float(m.metallic_factor),
        "u_roughness": float(m.roughness_factor),
        "u_emissive": (np.asarray(m.emissive_factor) * m.emissive_strength).astype(np.float32),
        "u_alpha_cutoff": float(m.alpha_cutoff),
        "u_normal_scale": float(m.normal_texture.scale) if m.normal_texture else 1.0,
        "u_occlusion_strength": float(m.occlusion_texture.scale) if m.occlusion_texture else 1.0,
        "u_f0": float(f0),
        "u_ior": ior if ior > 0 else 1.5,
        "u_clearcoat": float(_ext(m, "KHR_materials_clearcoat", "clearcoatFactor", 0.0)),
        "u_clearcoat_roughness": float(_ext(m, "KHR_materials_clearcoat", "clearcoatRoughnessFactor", 0.0)),
        "u_sheen_color": np.asarray(_ext(m, "KHR_materials_sheen", "sheenColorFactor", [0, 0, 0]), np.float32),
        "u_sheen_roughness": float(_ext(m, "KHR_materials_sheen", "sheenRoughnessFactor", 0.0)),
        "u_specular": float(_ext(m, "KHR_materials_specular", "specularFactor", 1.0)),
        "u_specular_color": np.asarray(_ext(m, "KHR_materials_specular", "specularColorFactor", [1, 1, 1]),
                                       np.float32),  # fmt: skip
        "u_transmission": float(_ext(m, "KHR_materials_transmission", "transmissionFactor", 0.0)),
        # KHR_materials_volume: an absent attenuationDistance means infinite, sent as 0 (no absorption)
        "u_thickness": float(_ext(m, "KHR_materials_volume", "thicknessFactor", 0.0)),
        "u_attenuation_distance": float(_ext(m, "KHR_materials_volume", "attenuationDistance", 0.0)),
        "u_attenuation_color": np.asarray(_ext(m, "KHR_materials_volume", "attenuationColor", [1, 1, 1]),
                                          np.float32),  # fmt: skip
        "u_dispersion": float(_ext(m, "KHR_materials_dispersion", "dispersion", 0.0)),
        "u_iridescence": float(_ext(m, irid, "iridescenceFactor", 0.0)),
        "u_iridescence_ior": float(_ext(m, irid, "iridescenceIor", 1.3)),
        # the film's (minimum, maximum) thickness in nm
        "u_iridescence_thickness": np.asarray([_ext(m, irid, "iridescenceThicknessMinimum", 100.0),
                                               _ext(m, irid, "iridescenceThicknessMaximum", 400.0)],
                                              np.float32),  # fmt: skip
        "u_anisotropy": float(_ext(m, aniso, "anisotropyStrength", 0.0)),
        "u_anisotropy_rotation": np.array([np.cos(rotation), np.sin(rotation)], np.float32),
        "u_diffuse_transmission": float(_ext(m, dt, "diffuseTransmissionFactor", 0.0)),
        "u_diffuse_transmission_color": np.asarray(_ext(m, dt, "diffuseTransmissionColorFactor", [1, 1, 1]),
                                                   np.float32),  # fmt: skip
    }
    for slot, (tex, ref) in textures.items():
        out[f"u_tex_{slot}"] = tex
        out[f"u_uvxf_{slot}"] = np.asarray(ref.uv_transform, np.float32).T
    return out


def _same_sampling(a: tuple[gloo.Texture2D, TextureRef], b: tuple[gloo.Texture2D, TextureRef]) -> bool:
    """ORM packing: occlusion read from the metallic-roughness texel (one fetch instead of two)
    where both slots (texture, ref) sample one GL texture (an ORM image, or one packed on upload:
    GpuScene._packable) with the same UV set and transform."""
    return (a[0] is b[0] and a[1].texcoord == b[1].texcoord
            and np.array_equal(a[1].uv_transform, b[1].uv_transform))  # fmt: skip


def _vertex_data(prim: Primitive, dtype: np.dtype) -> np.ndarray:
    """A primitive's vertex array in its own space (what a morphed item re-uploads)."""
    vertices, _ = _bake([(prim, np.eye(4))], list(dtype.names))
    return vertices


def _bake(parts: list[tuple[Primitive, np.ndarray]], attributes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate primitives transformed by their matrices. Mirrored instances (negative
    determinant) get their winding reversed so back-face culling still sees front faces."""
    total = sum(len(p.positions) for p, _ in parts)
    vertices = np.zeros(total, np.dtype([(a, np.float32, ATTRIBUTES[a]) for a in attributes]))
    if "a_color" in attributes:
        vertices["a_color"] = 1.0
    index_chunks = []
    base = 0
    for prim, m in parts:
        n = len(prim.positions)
        v = vertices[base : base + n]
        lin = m[:3, :3]
        v["a_position"] = prim.positions @ lin.T + m[:3, 3]
        normal_m = np.linalg.inv(lin).T if abs(np.linalg.det(lin)) > 1e-12 else lin
        nrm = prim.normals @ normal_m.T
        v["a_normal"] = nrm / np.maximum(np.linalg.norm(nrm, axis=1, keepdims=True), 1e-12)
        for k, uv in enumerate(prim.texcoords[:2]):
            if f"a_uv{k}" in attributes:
                v[f"a_uv{k}"] = uv
        if prim.colors is not None and "a_color" in attributes:
            v["a_color"] = prim.colors
        if "a_tangent" in attributes:
            tangents = prim.tangents if prim.tangents is not None else _made_tangents(prim)
            t = tangents[:, :3] @ lin.T
            v["a_tangent"][:, :3] = t / np.maximum(np.linalg.norm(t, axis=1, keepdims=True), 1e-12)
            v["a_tangent"][:, 3] = tangents[:, 3]
        for k in (0, 1):
            if f"a_joints{k}" in attributes:
                v[f"a_joints{k}"] = prim.joints[k]
                v[f"a_weights{k}"] = prim.weights[k]
        tri = prim.indices.astype(np.uint32)
        if np.linalg.det(lin) < 0:
            tri = tri[:, ::-1]
        index_chunks.append(tri + base)
        base += n
    indices = np.concatenate(index_chunks) if index_chunks else np.zeros((0, 3), np.uint32)
    return vertices, np.ascontiguousarray(indices, dtype=np.uint32)


def _made_tangents(prim: Primitive) -> np.ndarray:
    """Tangents for a primitive that has none (a scene built in code; the glTF reader generates
    them already): from TEXCOORD_0 when it has one, else geometry.turned_tangents."""
    if prim.texcoords:
        return geometry.vertex_tangents(prim.positions, prim.normals, prim.texcoords[0], prim.indices)
    return geometry.turned_tangents(prim.normals)


def _make_texture(pixels: np.ndarray, sampler: Sampler, srgb: bool = False) -> gloo.Texture2D:
    """A GL texture of an (H, W, 4) uint8 image, sampled as sRGB colour (decoded to linear by the
    sampler) when `srgb`; larger than the driver's limit, it is reduced to fit (with a warning in
    the log) instead of failing."""
    max_size = _max_texture_size()
    if max(pixels.shape[:2]) > max_size:
        from PIL import Image as PILImage

        img = PILImage.fromarray(pixels)
        img.thumbnail((max_size, max_size), PILImage.LANCZOS)
        log.warning("a %dx%d texture exceeds this GPU's limit of %d pixels: reduced to %dx%d",
                    pixels.shape[1], pixels.shape[0], max_size, img.width, img.height)  # fmt: skip
        pixels = np.asarray(img)
    wrap = (_WRAP.get(sampler.wrap_s, "repeat"), _WRAP.get(sampler.wrap_t, "repeat"))  # gloo: (S, T)
    if srgb:
        tex = gloo.Texture2D(shape=pixels.shape, format="rgba", interpolation="linear", wrapping=wrap)
        gl_context.store_as_srgb(tex, pixels)
    else:
        tex = gloo.Texture2D(np.ascontiguousarray(pixels), interpolation="linear", wrapping=wrap)
    mag = NEAREST if sampler.mag_filter == NEAREST else LINEAR
    if sampler.min_filter is None or sampler.min_filter in _MIPMAPPED:
        gl_context.generate_mipmaps(tex)
        if mag == NEAREST:
            gl_context.set_filters(tex, 9985, NEAREST)
    else:
        gl_context.set_filters(tex, sampler.min_filter, mag)
    return tex


def _max_texture_size() -> int:
    from vispy.gloo import gl

    return int(gl.glGetParameter(gl.GL_MAX_TEXTURE_SIZE))
