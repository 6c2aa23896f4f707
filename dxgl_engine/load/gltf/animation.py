"""glTF skins and animations.

Sampler data are decoded to float; each channel is checked against its sampler so the
playback can index keyframes without bounds surprises: output count must equal
input count (x3 for CUBICSPLINE, x morph targets for weights).
"""
from __future__ import annotations

import numpy as np

from ...scene import model as sc
from .accessors import FLOAT
from .context import ReadContext
from .fields import check_index, fail, get_dict, get_index, get_list, get_str

INTERPOLATIONS = ("LINEAR", "STEP", "CUBICSPLINE")
PATHS = ("translation", "rotation", "scale", "weights")


def read_skins(ctx: ReadContext) -> list[sc.Skin]:
    return [_skin(ctx, i) for i in range(ctx.count("skins"))]


def _skin(ctx: ReadContext, index: int) -> sc.Skin:
    where = f"skins[{index}]"
    raw = ctx.json["skins"][index]
    joints = [check_index(j, f"{where}.joints[{k}]", ctx.count("nodes"), "node")
              for k, j in enumerate(get_list(raw, "joints", where, required=True))]
    if not joints:
        raise fail(f"{where}.joints", "is empty")
    ibm = np.tile(np.eye(4), (len(joints), 1, 1))
    if "inverseBindMatrices" in raw:
        path = f"{where}.inverseBindMatrices"
        acc = ctx.accessors.info(raw["inverseBindMatrices"], path)
        if acc.type != "MAT4" or acc.component_type != FLOAT:
            raise fail(path, f"accessor {acc.index} is {acc.describe()}, expected MAT4 FLOAT")
        if acc.count < len(joints):
            raise fail(path, f"accessor {acc.index} has {acc.count} matrices for {len(joints)} joints")
        data = ctx.accessors.read(acc.index, path)[: len(joints)].astype(np.float64)
        ibm = data.reshape(-1, 4, 4).transpose(0, 2, 1)  # column-major storage
    return sc.Skin(
        name=get_str(raw, "name", where),
        joints=joints,
        inverse_bind_matrices=np.ascontiguousarray(ibm),
        skeleton=get_index(raw, "skeleton", where, ctx.count("nodes"), "node"),
    )


def check_skinned_meshes(ctx: ReadContext, nodes: list[sc.Node], meshes: list[sc.Mesh], skins: list[sc.Skin]) -> None:
    """Every JOINTS value must name one of the skin's joints."""
    for i, node in enumerate(nodes):
        if node.skin is None or node.mesh is None:
            continue
        joint_count = len(skins[node.skin].joints)
        top = max((int(j.max()) for p in meshes[node.mesh].primitives for j in p.joints if j.size), default=-1)
        if top >= joint_count:
            raise fail(f"nodes[{i}]",
                       f"mesh {node.mesh} uses joint {top} but skin {node.skin} has {joint_count} joints")


def read_animations(ctx: ReadContext, nodes: list[sc.Node], meshes: list[sc.Mesh]) -> list[sc.Animation]:
    return [_animation(ctx, i, nodes, meshes) for i in range(ctx.count("animations"))]


def _animation(ctx: ReadContext, index: int, nodes: list[sc.Node], meshes: list[sc.Mesh]) -> sc.Animation:
    where = f"animations[{index}]"
    raw = ctx.json["animations"][index]
    samplers_json = get_list(raw, "samplers", where, required=True)
    samplers = [_sampler(ctx, f"{where}.samplers[{k}]", s) for k, s in enumerate(samplers_json)]
    channels = []
    for k, channel_json in enumerate(get_list(raw, "channels", where, required=True)):
        channel = _channel(ctx, f"{where}.channels[{k}]", channel_json, samplers, nodes, meshes)
        if channel is not None:
            channels.append(channel)
    return sc.Animation(name=get_str(raw, "name", where) or f"animation {index}", channels=channels, samplers=samplers)


def _sampler(ctx: ReadContext, where: str, raw) -> sc.AnimationSampler:
    if not isinstance(raw, dict):
        raise fail(where, "must be an object")
    interpolation = get_str(raw, "interpolation", where, default="LINEAR")
    if interpolation not in INTERPOLATIONS:
        raise fail(f"{where}.interpolation", f"'{interpolation}' is not LINEAR, STEP or CUBICSPLINE")
    in_path = f"{where}.input"
    acc = ctx.accessors.info(raw.get("input"), in_path)
    if acc.type != "SCALAR" or acc.component_type != FLOAT:
        raise fail(in_path, f"accessor {acc.index} is {acc.describe()}, expected SCALAR FLOAT")
    times = ctx.accessors.read(acc.index, in_path).ravel().astype(np.float32)
    if not np.all(np.isfinite(times)):
        raise fail(in_path, "keyframe times must be finite")
    if np.any(np.diff(times) < 0):
        ctx.warn(f"{in_path}: keyframe times are not increasing")
    output = ctx.accessors.read_float(raw.get("output"), f"{where}.output").copy()
    if not np.all(np.isfinite(output)):
        raise fail(f"{where}.output", "keyframe values must be finite")
    return sc.AnimationSampler(input=times, output=output, interpolation=interpolation)


def _channel(ctx: ReadContext, where: str, raw, samplers: list[sc.AnimationSampler], nodes: list[sc.Node],
             meshes: list[sc.Mesh]) -> sc.AnimationChannel | None:
    if not isinstance(raw, dict):
        raise fail(where, "must be an object")
    sampler_index = check_index(raw.get("sampler"), f"{where}.sampler", len(samplers), "sampler")
    target = get_dict(raw, "target", where, required=True)
    path = get_str(target, "path", f"{where}.target")
    node = get_index(target, "node", f"{where}.target", len(nodes), "node")
    if path not in PATHS:
        ctx.warn(f"{where}: target path '{path}' is not animated by dxgl; channel ignored")
        return None
    if node is None:
        return None  # allowed by the spec (an extension may target something else); nothing to animate
    sampler = samplers[sampler_index]
    _check_output(ctx, where, sampler, path, nodes[node], meshes, sampler_index)
    return sc.AnimationChannel(sampler=sampler_index, node=node, path=path)


def _check_output(ctx: ReadContext, where: str, sampler: sc.AnimationSampler, path: str, node: sc.Node,
                  meshes: list[sc.Mesh], sampler_index: int) -> None:
    """Output elements = keyframes (x3 for CUBICSPLINE) (x morph targets for weights).
    Weights outputs are reshaped to (K, targets) so every sampler output reads as (K, C)."""
    per_key = 3 if sampler.interpolation == "CUBICSPLINE" else 1
    keys = len(sampler.input) * per_key
    detail = f"{len(sampler.input)} keyframes" + (" x 3 for CUBICSPLINE" if per_key == 3 else "")
    if path == "weights":
        targets = _morph_target_count(where, node, meshes)
        if sampler.output.size != keys * targets:
            raise fail(where, f"sampler {sampler_index} output has {sampler.output.size} elements, expected "
                       f"{keys * targets} ({detail} x {targets} morph targets)")
        sampler.output = sampler.output.reshape(keys, targets)
        return
    width = 4 if path == "rotation" else 3
    if sampler.output.shape[1] != width:
        raise fail(where, f"sampler {sampler_index} output has {sampler.output.shape[1]} components, "
                   f"expected {width} for {path}")
    if sampler.output.shape[0] != keys:
        raise fail(where, f"sampler {sampler_index} output has {sampler.output.shape[0]} elements, "
                   f"expected {keys} ({detail})")


def _morph_target_count(where: str, node: sc.Node, meshes: list[sc.Mesh]) -> int:
    if node.mesh is None:
        raise fail(where, "animates morph weights of a node without a mesh")
    targets = max((len(p.targets) for p in meshes[node.mesh].primitives), default=0)
    if targets == 0:
        raise fail(where, f"animates morph weights but mesh {node.mesh} has no morph targets")
    return targets
