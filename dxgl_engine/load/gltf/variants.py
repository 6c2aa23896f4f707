"""KHR_materials_variants: the model's named material variants (the root's `variants`) and, for each
primitive, the material each variant puts on it (the primitive's `mappings`).

Reference: the ratified extension's README and schemas. A variant is chosen by name (the
`materialVariant` setting), so every variant gets a name no other variant has: an empty or missing
name becomes "variant N" and a repeated one "Name (2)", each with a warning. The file stays
renderable either way, and refusing a whole product model over a label would help nobody, while
keeping a repeat would leave the second variant impossible to choose. A variant index mapped twice
in one primitive to different materials is refused (the file does not say which material applies);
twice to the same material only earns a warning.
"""
from __future__ import annotations

from .context import ReadContext
from .fields import check_index, fail, get_dict, get_list, get_str

EXTENSION = "KHR_materials_variants"
ROOT = f"extensions.{EXTENSION}"


def read_variants(ctx: ReadContext) -> list[str]:
    """The variant names in glTF order, made unique and non-empty (see the module docstring); an empty
    list when the model does not use the extension. InvalidFormat for a variant that is not an object
    or a name that is not a string."""
    given = []
    for i, raw in enumerate(_root_variants(ctx)):
        where = f"{ROOT}.variants[{i}]"
        if not isinstance(raw, dict):
            raise fail(where, f"must be an object, not {type(raw).__name__}")
        given.append(get_str(raw, "name", where))
    taken = {name for name in given if name}  # a made-up name never takes one the file gives later
    names, seen = [], set()
    for i, name in enumerate(given):
        where = f"{ROOT}.variants[{i}]"
        if not name.strip():
            unique = _free(f"variant {i}", taken | seen)
            ctx.warn(f"{where}: the variant has no name; it is called '{unique}'")
        elif name in seen:
            unique = _free(name, taken | seen, first=2)
            ctx.warn(f"{where}: the name '{name}' is already variant {given.index(name)}'s; this one is "
                     f"called '{unique}'")
        else:
            unique = name
        seen.add(unique)
        names.append(unique)
    return names


def read_mappings(ctx: ReadContext, primitive: dict, where: str, material_count: int) -> dict[int, int]:
    """A primitive's mappings as {variant index: material index}; empty when it has none. InvalidFormat
    (naming the JSON path) for a variant or material index out of range, a value of the wrong type, or
    a variant mapped to two different materials. `where` is the primitive's path."""
    ext_where = f"{where}.extensions.{EXTENSION}"
    ext = get_dict(get_dict(primitive, "extensions", where), EXTENSION, f"{where}.extensions")
    variant_count = len(_root_variants(ctx))
    out: dict[int, int] = {}
    mapped_at: dict[int, str] = {}
    for m, mapping in enumerate(get_list(ext, "mappings", ext_where)):
        m_where = f"{ext_where}.mappings[{m}]"
        if not isinstance(mapping, dict):
            raise fail(m_where, f"must be an object, not {type(mapping).__name__}")
        if "material" not in mapping:
            raise fail(m_where, "missing required 'material'")
        material = check_index(mapping["material"], f"{m_where}.material", material_count, "material")
        get_str(mapping, "name", m_where)  # optional, not shown anywhere, but typed like every name
        variants = get_list(mapping, "variants", m_where, required=True)
        if not variants:
            ctx.warn(f"{m_where}: maps no variant; ignored")
        for k, value in enumerate(variants):
            v_where = f"{m_where}.variants[{k}]"
            variant = check_index(value, v_where, variant_count, "variant")
            if variant in out and out[variant] != material:
                raise fail(v_where, f"variant {variant} is already mapped to material {out[variant]} at "
                           f"{mapped_at[variant]}; a variant may appear in one mapping of a primitive only")
            if variant in out:
                ctx.warn(f"{v_where}: variant {variant} is mapped again (to the same material); the repeat "
                         "is ignored")
                continue
            out[variant], mapped_at[variant] = material, v_where
    return out


def _root_variants(ctx: ReadContext) -> list:
    """The root extension's `variants` array as written (its items are checked by `read_variants`)."""
    extensions = ctx.json.get("extensions", {})
    if not isinstance(extensions, dict):
        raise fail("extensions", f"must be an object, not {type(extensions).__name__}")
    return get_list(get_dict(extensions, EXTENSION, "extensions"), "variants", ROOT)


def _free(base: str, taken: set[str], first: int | None = None) -> str:
    """`base` if free, else the first free "base (k)" from k = `first` (2 for a repeated name)."""
    if first is None and base not in taken:
        return base
    k = first or 2
    while f"{base} ({k})" in taken:
        k += 1
    return f"{base} ({k})"
