"""glTF nodes, the scene graph's shape, the default scene, KHR_lights_punctual and (through
`instancing`) EXT_mesh_gpu_instancing.

The hierarchy is checked to be a forest (no node with two parents, no cycle) before
anything walks it, so Scene.world_matrices can use a plain traversal.
"""
from __future__ import annotations

import numpy as np

from ...scene import model as sc
from .context import ReadContext
from .fields import as_number, check_index, fail, get_dict, get_index, get_list, get_number, get_numbers, get_str
from .instancing import read_instance_matrices

LIGHT_TYPES = ("directional", "point", "spot")


def read_nodes(ctx: ReadContext) -> list[sc.Node]:
    nodes = [_node(ctx, i) for i in range(ctx.count("nodes"))]
    check_hierarchy(nodes)
    return nodes


def _node(ctx: ReadContext, index: int) -> sc.Node:
    where = f"nodes[{index}]"
    raw = ctx.json["nodes"][index]
    node = sc.Node(
        name=get_str(raw, "name", where),
        children=[check_index(c, f"{where}.children[{k}]", ctx.count("nodes"), "node")
                  for k, c in enumerate(get_list(raw, "children", where))],
        mesh=get_index(raw, "mesh", where, ctx.count("meshes"), "mesh"),
        skin=get_index(raw, "skin", where, ctx.count("skins"), "skin"),
        camera=get_index(raw, "camera", where, ctx.count("cameras"), "camera"),
        translation=get_numbers(raw, "translation", where, 3, [0.0, 0.0, 0.0]),
        rotation=get_numbers(raw, "rotation", where, 4, [0.0, 0.0, 0.0, 1.0]),
        scale=get_numbers(raw, "scale", where, 3, [1.0, 1.0, 1.0]),
    )
    if "matrix" in raw:
        # glTF stores matrices column by column.
        node.matrix = get_numbers(raw, "matrix", where, 16, np.eye(4).ravel()).reshape(4, 4).T.copy()
    if "weights" in raw:
        weights = get_list(raw, "weights", where)
        node.weights = np.array([as_number(w, f"{where}.weights[{k}]") for k, w in enumerate(weights)])
    light = get_dict(get_dict(raw, "extensions", where), "KHR_lights_punctual", f"{where}.extensions")
    if light:
        node.light = get_index(light, "light", f"{where}.extensions.KHR_lights_punctual", _light_count(ctx), "light",
                               required=True)
    if node.skin is not None and node.mesh is None:
        ctx.warn(f"{where}: has a skin but no mesh; the skin is ignored")
        node.skin = None
    node.instance_matrices = read_instance_matrices(ctx, raw, where, node)
    return node


def check_hierarchy(nodes: list[sc.Node]) -> None:
    """Refuse nodes with two parents and cycles ('nodes: cycle 0 -> 1 -> 2 -> 0')."""
    parent = [-1] * len(nodes)
    for p, node in enumerate(nodes):
        for c in node.children:
            if c == p:
                raise fail("nodes", f"cycle {p} -> {p}")
            if parent[c] == p:
                raise fail(f"nodes[{p}].children", f"lists node {c} twice")
            if parent[c] != -1:
                raise fail("nodes", f"node {c} has two parents (nodes {parent[c]} and {p})")
            parent[c] = p
    _check_cycles(parent)


def _check_cycles(parent: list[int]) -> None:
    """With at most one parent each, a cycle is a closed chain of parent links."""
    state = [0] * len(parent)  # 0 unseen, 1 on the current chain, 2 known to reach a root
    for start in range(len(parent)):
        chain, n = [], start
        while n != -1 and state[n] == 0:
            state[n] = 1
            chain.append(n)
            n = parent[n]
        if n != -1 and state[n] == 1:
            loop = chain[chain.index(n):][::-1]  # parent links reversed: child order
            first = loop.index(min(loop))
            loop = loop[first:] + loop[:first]
            raise fail("nodes", "cycle " + " -> ".join(str(i) for i in loop + loop[:1]))
        for m in chain:
            state[m] = 2


def scene_roots(ctx: ReadContext, nodes: list[sc.Node]) -> list[int]:
    """Roots of the default scene: `scene`, else scenes[0], else every parentless node."""
    scenes = ctx.json.get("scenes", [])
    has_parent = {c for node in nodes for c in node.children}
    if not scenes:
        return [i for i in range(len(nodes)) if i not in has_parent]
    index = get_index(ctx.json, "scene", "", len(scenes), "scene")
    index = 0 if index is None else index
    where = f"scenes[{index}]"
    roots = []
    for k, value in enumerate(get_list(scenes[index], "nodes", where)):
        node = check_index(value, f"{where}.nodes[{k}]", len(nodes), "node")
        if node in has_parent:
            ctx.warn(f"{where}.nodes: node {node} is not a root (it has a parent); ignored there")
        elif node not in roots:
            roots.append(node)
    return roots


def _light_count(ctx: ReadContext) -> int:
    return len(_light_list(ctx))


def _light_list(ctx: ReadContext) -> list:
    ext = get_dict(get_dict(ctx.json, "extensions", ""), "KHR_lights_punctual", "extensions")
    return get_list(ext, "lights", "extensions.KHR_lights_punctual")


def read_lights(ctx: ReadContext) -> list[sc.Light]:
    return [_light(item, f"extensions.KHR_lights_punctual.lights[{i}]") for i, item in enumerate(_light_list(ctx))]


def _light(raw, where: str) -> sc.Light:
    if not isinstance(raw, dict):
        raise fail(where, "must be an object")
    kind = get_str(raw, "type", where)
    if kind not in LIGHT_TYPES:
        raise fail(f"{where}.type", f"'{kind}' is not directional, point or spot")
    light = sc.Light(
        type=kind,
        color=get_numbers(raw, "color", where, 3, [1.0, 1.0, 1.0]),
        intensity=get_number(raw, "intensity", where, 1.0, 0.0),
        range=get_number(raw, "range", where, 0.0, 0.0) if "range" in raw else None,
        name=get_str(raw, "name", where),
    )
    if kind == "spot":
        spot = get_dict(raw, "spot", where)
        light.inner_cone_angle = get_number(spot, "innerConeAngle", f"{where}.spot", 0.0, 0.0, np.pi / 2)
        light.outer_cone_angle = get_number(spot, "outerConeAngle", f"{where}.spot", np.pi / 4, 0.0, np.pi / 2)
    return light
