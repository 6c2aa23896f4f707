"""The engine's own scene: what a reader produces and every later stage consumes.

Plain dataclasses over numpy arrays, independent of glTF JSON so that other readers
(OBJ scans through trimesh today) land in the same shape. Geometry stays in the
model's own units and node space; centring and framing happen at render time. A leaf: where
the vertices are in a pose (skins, morphs, animation) is `scene.posed`'s business.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .transforms import trs_matrix

# glTF sampler constants, kept as the spec spells them so readers can pass them through.
NEAREST, LINEAR = 9728, 9729
NEAREST_MIPMAP_NEAREST, LINEAR_MIPMAP_NEAREST = 9984, 9985
NEAREST_MIPMAP_LINEAR, LINEAR_MIPMAP_LINEAR = 9986, 9987
REPEAT, CLAMP_TO_EDGE, MIRRORED_REPEAT = 10497, 33071, 33648


@dataclass
class Sampler:
    mag_filter: int | None = None
    min_filter: int | None = None
    wrap_s: int = REPEAT
    wrap_t: int = REPEAT


@dataclass
class Image:
    """A decoded texture image: RGBA8 rows top to bottom, as stored in the file."""

    name: str
    pixels: np.ndarray  # (H, W, 4) uint8
    mime_type: str = ""


@dataclass
class TextureRef:
    """A material's use of a texture (glTF textureInfo)."""

    image: int  # index into Scene.images
    sampler: Sampler = field(default_factory=Sampler)
    texcoord: int = 0
    # KHR_texture_transform as a 3x3 matrix on (u, v, 1); identity when absent.
    uv_transform: np.ndarray = field(default_factory=lambda: np.eye(3))
    scale: float = 1.0  # normalTexture.scale or occlusionTexture.strength


@dataclass
class Material:
    name: str = ""
    base_color_factor: np.ndarray = field(default_factory=lambda: np.ones(4))
    base_color_texture: TextureRef | None = None
    metallic_factor: float = 1.0
    roughness_factor: float = 1.0
    metallic_roughness_texture: TextureRef | None = None
    normal_texture: TextureRef | None = None
    occlusion_texture: TextureRef | None = None
    emissive_factor: np.ndarray = field(default_factory=lambda: np.zeros(3))
    emissive_texture: TextureRef | None = None
    emissive_strength: float = 1.0
    alpha_mode: str = "OPAQUE"  # OPAQUE | MASK | BLEND
    alpha_cutoff: float = 0.5
    double_sided: bool = False
    unlit: bool = False
    # Other material extensions (clearcoat, sheen, transmission…) kept raw for the renderer's shading.
    extensions: dict = field(default_factory=dict)
    # The textures of those extensions that dxgl shades with, by glTF property name
    # ("anisotropyTexture", "iridescenceThicknessTexture"...; see load.gltf.materials.EXTENSION_TEXTURES).
    # Their raw textureInfo stays in `extensions` too.
    extension_textures: dict[str, TextureRef] = field(default_factory=dict)

    def textures(self) -> dict[str, TextureRef]:
        """The texture slots in use, by glTF name: the core ones, then the extensions' ones."""
        slots = {
            "baseColorTexture": self.base_color_texture,
            "metallicRoughnessTexture": self.metallic_roughness_texture,
            "normalTexture": self.normal_texture,
            "occlusionTexture": self.occlusion_texture,
            "emissiveTexture": self.emissive_texture,
            **self.extension_textures,
        }
        return {k: v for k, v in slots.items() if v is not None}


@dataclass
class MorphTarget:
    positions: np.ndarray | None = None  # (N, 3) deltas
    normals: np.ndarray | None = None
    tangents: np.ndarray | None = None


@dataclass
class Primitive:
    """Triangles only: strips and fans are converted by the reader, points/lines are skipped."""

    positions: np.ndarray  # (N, 3) float32
    indices: np.ndarray  # (M, 3) uint32
    normals: np.ndarray  # (N, 3) float32, unit length
    texcoords: list[np.ndarray] = field(default_factory=list)  # each (N, 2) float32
    colors: np.ndarray | None = None  # (N, 4) float32, linear
    tangents: np.ndarray | None = None  # (N, 4) float32, w = handedness
    joints: list[np.ndarray] = field(default_factory=list)  # each (N, 4) uint16
    weights: list[np.ndarray] = field(default_factory=list)  # each (N, 4) float32
    targets: list[MorphTarget] = field(default_factory=list)
    material: int | None = None  # index into Scene.materials; None = glTF default material
    # KHR_materials_variants mappings: index into Scene.material_variants -> index into Scene.materials, for
    # the variants that dress this primitive differently (the others keep `material`).
    variant_materials: dict[int, int] = field(default_factory=dict)

    @property
    def triangle_count(self) -> int:
        return int(self.indices.shape[0])


@dataclass
class Mesh:
    name: str
    primitives: list[Primitive]
    weights: np.ndarray | None = None  # default morph weights


@dataclass
class Node:
    name: str = ""
    children: list[int] = field(default_factory=list)
    mesh: int | None = None
    skin: int | None = None
    camera: int | None = None
    light: int | None = None
    translation: np.ndarray = field(default_factory=lambda: np.zeros(3))
    rotation: np.ndarray = field(default_factory=lambda: np.array([0.0, 0.0, 0.0, 1.0]))
    scale: np.ndarray = field(default_factory=lambda: np.ones(3))
    matrix: np.ndarray | None = None  # set when the file gives a matrix instead of TRS
    weights: np.ndarray | None = None
    # EXT_mesh_gpu_instancing: (K, 4, 4) float64 local matrices (T * R * S) of the node's K instances,
    # each applied to the mesh in the node's space (world = node world @ instance matrix); the mesh is
    # then placed K times and never once at the node itself. None for a node without the extension.
    instance_matrices: np.ndarray | None = None

    def local_matrix(self) -> np.ndarray:
        if self.matrix is not None:
            return self.matrix
        return trs_matrix(self.translation, self.rotation, self.scale)


@dataclass
class Skin:
    name: str
    joints: list[int]
    inverse_bind_matrices: np.ndarray  # (J, 4, 4)
    skeleton: int | None = None


@dataclass
class AnimationSampler:
    input: np.ndarray  # (K,) seconds
    output: np.ndarray  # (K, C) or (3K, C) for CUBICSPLINE
    interpolation: str = "LINEAR"  # STEP | LINEAR | CUBICSPLINE


@dataclass
class AnimationChannel:
    sampler: int
    node: int
    path: str  # translation | rotation | scale | weights


@dataclass
class Animation:
    name: str
    channels: list[AnimationChannel]
    samplers: list[AnimationSampler]

    @property
    def duration(self) -> float:
        return max((float(s.input[-1]) for s in self.samplers if len(s.input)), default=0.0)


@dataclass
class Light:
    """KHR_lights_punctual light (colour linear, intensity in the extension's units)."""

    type: str  # directional | point | spot
    color: np.ndarray = field(default_factory=lambda: np.ones(3))
    intensity: float = 1.0
    range: float | None = None
    inner_cone_angle: float = 0.0
    outer_cone_angle: float = np.pi / 4
    name: str = ""


@dataclass
class Instance:
    """One mesh placed in the world: by a node, or by one of the instance matrices of a node with
    EXT_mesh_gpu_instancing (such a node places one Instance per instance matrix)."""

    node: int
    mesh: int
    matrix: np.ndarray  # mesh space -> scene space (4x4 float64): the node's world matrix, times its instance matrix
    instance_index: int | None = None  # row of the node's instance_matrices; None for a node without instancing


@dataclass
class Scene:
    nodes: list[Node] = field(default_factory=list)
    roots: list[int] = field(default_factory=list)
    meshes: list[Mesh] = field(default_factory=list)
    materials: list[Material] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    skins: list[Skin] = field(default_factory=list)
    animations: list[Animation] = field(default_factory=list)
    lights: list[Light] = field(default_factory=list)
    # KHR_materials_variants variant names, in glTF order (unique: the reader renames repeats).
    material_variants: list[str] = field(default_factory=list)
    cameras: int = 0
    extensions_used: list[str] = field(default_factory=list)
    extensions_required: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source: str = ""
    generator: str = ""

    def world_matrices(self, local: dict[int, np.ndarray] | None = None) -> dict[int, np.ndarray]:
        """World matrix of every node reachable from the roots; `local` overrides some local matrices
        (animation). The reader has already refused cycles, so a plain walk terminates."""
        out: dict[int, np.ndarray] = {}
        stack = [(r, np.eye(4)) for r in self.roots]
        while stack:
            idx, parent = stack.pop()
            m = local.get(idx) if local else None
            world = parent @ (m if m is not None else self.nodes[idx].local_matrix())
            out[idx] = world
            stack.extend((c, world) for c in self.nodes[idx].children)
        return out

    def instances(self, world: dict[int, np.ndarray] | None = None) -> list[Instance]:
        """Every placement of a mesh, by node index (a node's instances in their stored order), with
        the nodes placed by `world` (default: the rest pose's world matrices). What the CPU side
        (bounds, framing, counts) walks; the GPU draws an instanced node's Instances in one call."""
        world = self.world_matrices() if world is None else world
        out = []
        for i, m in sorted(world.items()):
            node = self.nodes[i]
            if node.mesh is None:
                continue
            if node.instance_matrices is None:
                out.append(Instance(i, node.mesh, m))
            else:
                out.extend(Instance(i, node.mesh, placed, k) for k, placed in enumerate(m @ node.instance_matrices))
        return out

    @property
    def triangle_count(self) -> int:
        """Triangles drawn, counting every instance of a mesh (each of an instanced node's too)."""
        return sum(p.triangle_count for i in self.instances() for p in self.meshes[i.mesh].primitives)
