"""Wavefront OBJ text into arrays, as scanners and modellers write it.

Positions stay float64 (scans in map coordinates need every digit), `v x y z r g b` vertex colours
are kept per vertex (0-1, or 0-255 where a file writes bytes), faces may use `v`, `v/vt`,
`v//vn` or `v/vt/vn` corners with negative (relative) indices, and polygons of any size are
triangulated: quads as a fan, larger or non-planar ones by ear clipping in their best-fit plane
(mapbox_earcut). The common case, a file of triangles (or of quads) that all use one corner
layout, is parsed with numpy in a few passes; anything else goes through a per-line path.
Reference: Wavefront "Object Files (.obj)", Appendix B1 of the Advanced Visualizer manual.
"""
from __future__ import annotations

import warnings as pywarnings
from dataclasses import dataclass, field

import numpy as np

from ...errors import InvalidFormat
from ...scene.geometry import nondegenerate


@dataclass
class ObjData:
    """The geometry of one OBJ file.

    `corners` holds, per polygon corner, the 0-based (position, texcoord, normal) indices, -1
    where the corner has none; `triangles` index `corners`; `parts[triangle_parts[i]]` is the
    (object, material) of triangle i, as `o`/`g` and `usemtl` set them."""

    positions: np.ndarray  # (N, 3) float64
    colors: np.ndarray | None  # (N, 3) float32, 0-1 as written (sRGB); NaN rows: vertices without one
    texcoords: np.ndarray  # (T, 2) float64, OBJ convention (v grows upwards)
    normals: np.ndarray  # (K, 3) float64, as written (not always unit length)
    corners: np.ndarray  # (C, 3) int64
    triangles: np.ndarray  # (M, 3) int64
    triangle_parts: np.ndarray  # (M,) int32
    parts: list[tuple[str, str | None]]
    mtllibs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Lines:
    """An OBJ's statements sorted by kind, with what each face statement needs from its place in
    the file: the counts of v/vt/vn lines before it (negative indices) and its (object, material)."""

    v: list[str] = field(default_factory=list)
    vt: list[str] = field(default_factory=list)
    vn: list[str] = field(default_factory=list)
    f: list[str] = field(default_factory=list)
    f_context: list[tuple[int, int, int, int]] = field(default_factory=list)
    parts: list[tuple[str, str | None]] = field(default_factory=list)
    mtllibs: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)


def parse_obj(data: bytes | str, name: str = "the OBJ") -> ObjData:
    """Parse an OBJ file's bytes (or text); InvalidFormat for what cannot be read (no faces, an index
    out of range, numbers that are not numbers), naming `name`."""
    raw = _scan(_normalised(data if isinstance(data, bytes) else data.encode("utf-8")), name)
    if raw is None:
        raw = _scan_lines(_sort_lines(data if isinstance(data, str) else decode_text(data)), name)
    if raw.f_sizes.size == 0:
        raise InvalidFormat(f"model has no triangles to render: {name} has no faces")
    positions, colors = _vertex_arrays(raw.v, raw.v_widths, name)
    texcoords = np.pad(raw.vt, ((0, 0), (0, max(0, 2 - raw.vt.shape[1]))))[:, :2]
    normals = raw.vn[:, :3] if raw.vn.shape[1] >= 3 else np.zeros((0, 3))
    context = raw.f_context
    corners = _absolute(raw.f_corners, context[:, :3], raw.f_sizes, (len(positions), len(texcoords), len(normals)),
                        name)  # fmt: skip
    triangles, polygon_of = _triangulate(positions, corners, raw.f_sizes)
    out = ObjData(positions, colors, texcoords, normals, corners, triangles,
                  context[polygon_of, 3].astype(np.int32), raw.parts, raw.mtllibs)  # fmt: skip
    for kind, count in raw.skipped.items():
        what = {"l": "line", "p": "point", "curv": "curve", "surf": "surface"}.get(kind, kind)
        out.warnings.append(f"{name}: {count} {what} statement{'s' if count > 1 else ''} skipped (dxgl renders faces)")
    keep = nondegenerate(corners[triangles, 0])
    if not keep.all():
        out.warnings.append(f"{name}: {int((~keep).sum())} triangles with a repeated vertex dropped")
        out.triangles, out.triangle_parts = triangles[keep], out.triangle_parts[keep]
    if len(out.triangles) == 0:
        raise InvalidFormat(f"model has no triangles to render: {name} has only degenerate faces")
    return out


@dataclass
class _Raw:
    """An OBJ's numbers before indices are resolved: v/vt/vn rows (and how many numbers each v line
    had, None when all had as many), face corners as written (C, 3) with 0 for 'absent', corners
    per face, and per face the v/vt/vn counts before it and its (object, material) part."""

    v: np.ndarray
    v_widths: np.ndarray | None
    vt: np.ndarray
    vn: np.ndarray
    f_corners: np.ndarray
    f_sizes: np.ndarray
    f_context: np.ndarray  # (F, 4) int64
    parts: list[tuple[str, str | None]]
    mtllibs: list[str]
    skipped: dict[str, int]


def _normalised(data: bytes) -> bytes:
    """The bytes without a UTF-8 byte order mark, and with old-Mac CR line ends made LF (CRLF
    stays: the CR is whitespace at a line's end)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Latin-1: what scanner software writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _scan_lines(lines: _Lines, name: str) -> _Raw:
    """The per-line path: any OBJ that the vectorised scan declines."""
    if not lines.v:
        v, widths = np.zeros((0, 3)), None
    else:
        v, widths = _numbers(lines.v, "v", name, (3, 6, 4, 7))
    vt = _numbers(lines.vt, "vt", name, (2, 3, 1))[0] if lines.vt else np.zeros((0, 2))
    vn = _numbers(lines.vn, "vn", name, (3,))[0] if lines.vn else np.zeros((0, 3))
    if lines.f:
        corners, sizes = _faces(lines.f, name)
    else:
        corners, sizes = np.zeros((0, 3), np.int64), np.zeros(0, np.int64)
    context = np.asarray(lines.f_context, np.int64).reshape(-1, 4)
    return _Raw(v, widths, vt, vn, corners, sizes, context, lines.parts, lines.mtllibs, lines.skipped)


# Line kinds of the vectorised scan.
_OTHER, _V, _VT, _VN, _F, _SKIP = range(6)
_WS = np.zeros(256, bool)
_WS[[9, 10, 13, 32]] = True


def _scan(data: bytes, name: str) -> _Raw | None:
    """The OBJ's numbers read with numpy over its bytes: lines classified by their first bytes, the
    keywords blanked, each kind's lines parsed in one pass, corners per face counted from token
    starts. None (use the per-line path) for what it does not handle: continuation lines, lines
    that start with whitespace, a comment after numbers, corners of mixed layouts."""
    if b"\\\n" in data or b"\\\r\n" in data:
        return None
    buf = np.frombuffer(data, np.uint8)
    newline = np.flatnonzero(buf == 10)
    starts = np.concatenate([[0], newline + 1])
    ends = np.concatenate([newline, [len(buf)]])
    c0, c1, c2 = (_byte_at(buf, starts, ends, k) for k in range(3))
    if np.any((c0 == 32) | (c0 == 9)):
        return None
    kind = np.full(len(starts), _OTHER, np.int8)
    kind[_WS[c0] | (c0 == 35)] = _SKIP  # blank or comment
    kind[(c0 == 118) & _WS[c1]] = _V
    kind[(c0 == 118) & (c1 == 116) & _WS[c2]] = _VT
    kind[(c0 == 118) & (c1 == 110) & _WS[c2]] = _VN
    kind[(c0 == 102) & _WS[c1]] = _F
    work = buf.copy()  # keywords blanked to spaces: what is left on v/vt/vn/f lines is numbers
    for k, width in ((_V, 1), (_VT, 2), (_VN, 2), (_F, 1)):
        for offset in range(width):
            work[starts[kind == k] + offset] = 32
    tokens, corner_slashes = _tokens_per_line(work, starts, kind)
    parts, mtllibs, skipped, part_of_line = _statements(data, starts, ends, kind)
    f_lines = np.flatnonzero(kind == _F)
    # v/vt/vn lines before each face (what its negative indices count back from), and its part
    before = np.stack([np.cumsum(kind == k)[f_lines] for k in (_V, _VT, _VN)], axis=1)
    context = np.concatenate([before, part_of_line[f_lines, None]], axis=1).astype(np.int64)
    numbers = {}
    for k, widths in ((_V, (3, 6, 4, 7)), (_VT, (2, 3, 1)), (_VN, (3,))):
        lines = np.flatnonzero(kind == k)
        if len(lines) == 0:
            numbers[k] = (np.zeros((0, 3 if k != _VT else 2)), None)
            continue
        flat = _from_text(_body(work, starts, ends, lines))
        width = tokens[lines]
        if width.min() != width.max():
            if k != _V or flat.size != int(width.sum()) or width.min() < 3:
                return None  # the per-line path names the line
            numbers[k] = (_rows(flat, width), width)
        elif flat.size == int(width[0]) * len(lines) and int(width[0]) in widths:
            numbers[k] = (flat.reshape(len(lines), int(width[0])), None)
        else:
            return None
    sizes = tokens[f_lines].astype(np.int64)
    if len(f_lines) == 0:
        corners = np.zeros((0, 3), np.int64)
    else:
        if sizes.min() < 3:
            raise InvalidFormat(f"{name}: a face has fewer than three corners")
        corners = _corner_numbers(work, starts, ends, f_lines, int(sizes.sum()), corner_slashes)
        if corners is None:
            return None
    return _Raw(numbers[_V][0], numbers[_V][1], numbers[_VT][0], numbers[_VN][0], corners, sizes, context,
                parts, mtllibs, skipped)  # fmt: skip


def _byte_at(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, offset: int) -> np.ndarray:
    """Byte `offset` of every line, a newline (10) where the line is shorter."""
    at = starts + offset
    values = buf[np.minimum(at, len(buf) - 1)] if len(buf) else np.full(len(starts), 10, np.uint8)
    return np.where(at < ends, values, 10).astype(np.uint8)


def _tokens_per_line(work: np.ndarray, starts: np.ndarray, kind: np.ndarray,
                     chunk: int = 1 << 24) -> tuple[np.ndarray, int | None]:
    """(whitespace-separated tokens on each line (keywords already blanked), the slashes every token
    of a face line holds: None when they differ from corner to corner or one starts with a slash).

    Counted 16 MiB at a time, cut at line starts so that no token spans two pieces: whole-file
    boolean and position arrays cost several times the file's size (measured: 0.8 GB more at the
    peak for a 205 MB OBJ). The slashes come from the same pass: a separate one over the face lines
    cost 1.3 s of a 2M-triangle scan's 10 s parse."""
    counts = np.zeros(len(starts), np.int64)
    lo, hi = np.iinfo(np.int64).max, -1
    bounds = [0]
    while bounds[-1] < len(work):
        i = int(np.searchsorted(starts, bounds[-1] + chunk))
        bounds.append(int(starts[i]) if i < len(starts) else len(work))
    for a, b in zip(bounds[:-1], bounds[1:]):
        part = work[a:b]
        ws = _WS[part]
        begins = np.flatnonzero(~ws & np.concatenate([[True], ws[:-1]]))  # a piece starts a line
        line = np.searchsorted(starts, begins + a, side="right") - 1
        counts += np.bincount(line, minlength=len(starts))
        face = kind[line] == _F
        if not face.any():
            continue
        at_slash = np.flatnonzero(part == 47)
        slashes = np.diff(np.append(np.searchsorted(at_slash, begins), len(at_slash)))[face]
        lo, hi = min(lo, int(slashes.min())), max(hi, int(slashes.max()))
        if (part[begins[face]] == 47).any():
            lo = -1  # a corner that starts with a slash: the per-line path says what is wrong with it
    return counts, (lo if lo == hi else None) if hi >= 0 else 0


def _runs(lines: np.ndarray) -> list[np.ndarray]:
    """`lines` cut where they are not consecutive."""
    return np.split(lines, np.flatnonzero(np.diff(lines) != 1) + 1)


def _body(work: np.ndarray, starts: np.ndarray, ends: np.ndarray, lines: np.ndarray) -> bytes:
    """The bytes of `lines` (consecutive runs sliced at once), separated by spaces."""
    return b" ".join(work[starts[r[0]] : ends[r[-1]]].tobytes() for r in _runs(lines))


def _rows(flat: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Numbers of lines of different widths (`flat` holds width.sum() of them) as an
    (n, max width) array, 0-padded."""
    out = np.zeros((len(width), int(width.max())))
    column = np.arange(flat.size) - np.repeat(np.cumsum(width) - width, width)
    out[np.repeat(np.arange(len(width)), width), column] = flat
    return out


def _corner_numbers(work: np.ndarray, starts: np.ndarray, ends: np.ndarray, f_lines: np.ndarray,
                    total: int, slashes: int | None) -> np.ndarray | None:
    """(C, 3) corners as written, 0 for absent, when every corner uses one layout (v, v/vt, v//vn or
    v/vt/vn: `slashes` per corner, as _tokens_per_line found); None otherwise. The slashes of
    `work`'s face lines become spaces in place (the other statements were read from the original
    bytes already)."""
    if slashes not in (0, 1, 2):
        return None
    doubles = 0
    views = [work[starts[run[0]] : ends[run[-1]]] for run in _runs(f_lines)]
    for view in views:
        slash = view == 47
        doubles += int(np.sum(slash[:-1] & slash[1:]))
        view[slash] = 32
    if slashes == 2 and doubles == total:  # v//vn in every corner
        per_corner, no_texcoord = 2, True
    elif doubles == 0:
        per_corner, no_texcoord = slashes + 1, False
    else:
        return None
    raw = _from_text(_body(work, starts, ends, f_lines), np.int64)  # a non-integer stops it short
    if raw.size != total * per_corner:
        return None
    raw = raw.reshape(total, per_corner)
    if no_texcoord:
        return np.stack([raw[:, 0], np.zeros(total, np.int64), raw[:, 1]], axis=1)
    return _pad_corners(raw)


@dataclass
class _Statements:
    """What the statements other than v/vt/vn/f say, in file order: the (object, material) parts
    that `o`/`g` and `usemtl` open, the material libraries, and how many statements of kinds dxgl
    does not render (lines, points, curves, surfaces) were skipped."""

    parts: list[tuple[str, str | None]] = field(default_factory=lambda: [("", None)])
    mtllibs: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    part: int = 0  # the part faces read now belong to
    _ids: dict[tuple[str, str | None], int] = field(default_factory=lambda: {("", None): 0})

    def read(self, line: str) -> bool:
        """Take one statement; True when it opened another part (s, vp, cstype, lod...: nothing)."""
        key, rest = _statement(line)
        obj, material = self.parts[self.part]
        if key == "usemtl":
            material = rest or None
        elif key in ("o", "g"):
            obj = rest
        elif key == "mtllib":
            if _uncommented(rest):
                self.mtllibs.append(_uncommented(rest))
            return False
        elif key in ("l", "p", "curv", "curv2", "surf"):
            self.skipped[key] = self.skipped.get(key, 0) + 1
            return False
        else:
            return False
        self.part = self._ids.setdefault((obj, material), len(self.parts))
        if self.part == len(self.parts):
            self.parts.append((obj, material))
        return True


def _statements(data: bytes, starts: np.ndarray, ends: np.ndarray, kind: np.ndarray):
    """The other statements (usemtl, o, g, mtllib, l, p...), read one by one: (parts, mtllibs,
    skipped counts, the part each line is in)."""
    out = _Statements()
    change_at, change_to = [0], [0]
    for line in np.flatnonzero(kind == _OTHER):
        if out.read(decode_text(data[starts[line] : ends[line]])):
            change_at.append(int(line))
            change_to.append(out.part)
    part_of_line = np.asarray(change_to)[np.searchsorted(change_at, np.arange(len(starts)), side="right") - 1]
    return out.parts, out.mtllibs, out.skipped, part_of_line


def _statement(line: str) -> tuple[str, str]:
    """(keyword, the rest as written). Names keep a '#': 3ds Max writes 'usemtl Material #25', and
    its MTL says 'newmtl Material #25'."""
    fields = line.strip().split(None, 1)
    return (fields[0], fields[1].strip()) if len(fields) == 2 else (fields[0] if fields else "", "")


def _uncommented(rest: str) -> str:
    """A file list without a trailing ' # comment' (a '#' inside a file name stays)."""
    at = rest.find(" #")
    return (rest if at < 0 else rest[:at]).strip()


def _sort_lines(text: str) -> _Lines:
    """One pass over the statements (continuation lines joined, comments dropped)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\\\n", " ")
    out = _Lines()
    statements = _Statements()
    v, vt, vn, f, f_context = out.v, out.vt, out.vn, out.f, out.f_context
    for raw in text.split("\n"):
        line = raw.strip()
        if not line or line[0] == "#":
            continue
        head = line[:2]
        if head == "v " or head == "v\t":
            v.append(line)
        elif head == "vt":
            vt.append(line)
        elif head == "vn":
            vn.append(line)
        elif head == "f " or head == "f\t":
            f.append(line)
            f_context.append((len(v), len(vt), len(vn), statements.part))
        else:
            statements.read(line)
    out.parts, out.mtllibs, out.skipped = statements.parts, statements.mtllibs, statements.skipped
    return out


def _from_text(body: str | bytes, dtype=np.float64) -> np.ndarray:
    """Whitespace-separated numbers; empty when something is not one (the caller then falls back
    to a path that names the line)."""
    with pywarnings.catch_warnings():
        pywarnings.simplefilter("ignore", DeprecationWarning)  # fromstring's text mode is what we want
        try:
            return np.fromstring(body, dtype=dtype, sep=" ")
        except ValueError:
            return np.zeros(0, dtype)


def _numbers(lines: list[str], key: str, name: str, widths: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray | None]:
    """The numbers after `key` on each line as an (n, width) array, width the most a line has,
    and how many each line had (None when all had `width`). Lines of one width, the usual case,
    are read in one vectorised pass; fewer than min(widths) numbers is an InvalidFormat."""
    skip = len(key)
    flat = _from_text(" ".join(line[skip:] for line in lines))
    for width in widths:
        if flat.size == width * len(lines) and _equal_widths(lines, width + 1):
            return flat.reshape(len(lines), width), None
    rows = []
    for line in lines:
        try:
            rows.append([float(t) for t in line.split("#", 1)[0].split()[1:]])
        except ValueError:
            raise InvalidFormat(f"{name}: '{_short(line)}' is not a '{key}' statement of numbers") from None
        if len(rows[-1]) < min(widths):
            raise InvalidFormat(f"{name}: '{_short(line)}' has {len(rows[-1])} numbers; '{key}' needs {min(widths)}")
    counts = np.array([len(r) for r in rows])
    out = np.zeros((len(rows), int(counts.max())))
    for k, r in enumerate(rows):
        out[k, : len(r)] = r
    return out, counts


def _equal_widths(lines: list[str], tokens: int) -> bool:
    """Whether every line has `tokens` whitespace-separated tokens (checked only when the total
    count already matches, so it is a confirmation, not the usual cost)."""
    return all(len(line.split()) == tokens for line in lines)


def _vertex_arrays(values: np.ndarray, widths: np.ndarray | None, name: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Positions (float64) and, where `v` lines carry r g b after x y z, colours (NaN elsewhere)."""
    if len(values) == 0:
        raise InvalidFormat(f"{name} has faces but no vertices")
    positions = np.ascontiguousarray(values[:, :3])
    if not np.all(np.isfinite(positions)):
        raise InvalidFormat(f"{name}: vertex coordinates must be finite numbers")
    if values.shape[1] < 6:
        return positions, None
    rgb = values[:, 3:6].astype(np.float32)  # x y z r g b; a 7th number (x y z w r g b is not written) ignored
    has = np.ones(len(values), bool) if widths is None else widths >= 6
    if not has.any():
        return positions, None
    if rgb[has].max() > 1.0:  # written as 0-255, as some scanners do: decided for the file (a dark vertex is 0-255 too)
        rgb /= 255.0
    colors = np.full((len(values), 3), np.nan, np.float32)
    colors[has] = np.clip(rgb[has], 0.0, 1.0)
    return positions, colors


def _faces(lines: list[str], name: str) -> tuple[np.ndarray, np.ndarray]:
    """(corners (C, 3) raw OBJ indices with 0 for 'absent', corners per face (F,)), one corner at a
    time: the per-line path is for files the vectorised scan declines, so correctness over speed."""
    sizes = np.fromiter((len(line.split("#", 1)[0].split()) - 1 for line in lines), np.int64, len(lines))
    if sizes.min() < 3:
        bad = lines[int(np.argmin(sizes))]
        raise InvalidFormat(f"{name}: face '{_short(bad)}' has fewer than three corners")
    return _faces_slow(lines, name), sizes


def _pad_corners(raw: np.ndarray) -> np.ndarray:
    """(C, k) corner fields (v, v/vt or v/vt/vn) as (C, 3) position/texcoord/normal, 0 where absent."""
    out = np.zeros((len(raw), 3), np.int64)
    out[:, : raw.shape[1]] = raw
    return out


def _faces_slow(lines: list[str], name: str) -> np.ndarray:
    """Every corner of `lines` read on its own (layouts may differ from corner to corner)."""
    rows = []
    for line in lines:
        for token in line.split("#", 1)[0].split()[1:]:
            fields = token.split("/")
            try:
                values = [int(x) if x else 0 for x in fields[:3]]
            except ValueError:
                raise InvalidFormat(f"{name}: face '{_short(line)}' has a corner '{token}' that is not v/vt/vn") from None
            rows.append(values + [0] * (3 - len(values)))
    return np.asarray(rows, np.int64).reshape(-1, 3)


def _absolute(raw: np.ndarray, before: np.ndarray, sizes: np.ndarray, counts: tuple[int, int, int],
              name: str) -> np.ndarray:
    """OBJ indices (1-based; negative: relative to the v/vt/vn lines read before the face, `before`
    per face; 0: absent) -> 0-based, -1 for absent. An index outside its list is an InvalidFormat."""
    out = raw - 1
    negative = raw < 0
    if negative.any():
        rows, columns = np.nonzero(negative)
        face_of = np.repeat(np.arange(len(sizes)), sizes)
        out[rows, columns] = before[face_of[rows], columns] + raw[rows, columns]
    out[raw == 0] = -1
    for k, (label, count) in enumerate(zip(("vertex", "texture coordinate", "normal"), counts)):
        column = out[:, k]
        bad = (raw[:, k] != 0) & ((column < 0) | (column >= count))
        if bad.any():
            i = int(np.argmax(bad))
            raise InvalidFormat(f"{name}: a face refers to {label} {int(raw[i, k])}, but the file has {count}")
    if (out[:, 0] < 0).any():
        raise InvalidFormat(f"{name}: a face corner names no vertex")
    return out


def _triangulate(positions: np.ndarray, corners: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(triangles (M, 3) into corners, the polygon each came from (M,)). Triangles as they are,
    quads as a fan (what every exporter means by them), larger polygons by ear clipping in the
    plane of their Newell normal, so concave and slightly non-planar ones come out right."""
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    tris, owner = [], []
    for n in (3, 4):
        which = np.nonzero(sizes == n)[0]
        if len(which):
            s = starts[which][:, None]
            fan = [(0, 1, 2)] if n == 3 else [(0, 1, 2), (0, 2, 3)]
            for a, b, c in fan:
                tris.append(np.hstack([s + a, s + b, s + c]))
                owner.append(which)
    big = np.nonzero(sizes > 4)[0]
    if len(big):
        import mapbox_earcut

        for face in big:
            ring = np.arange(starts[face], starts[face] + sizes[face])
            local = _ear_clip(positions[corners[ring, 0]], mapbox_earcut)
            tris.append(ring[local])
            owner.append(np.full(len(local), face))
    order = np.argsort(np.concatenate(owner), kind="stable")  # triangles in file order
    return np.concatenate(tris)[order], np.concatenate(owner)[order]


def _ear_clip(points: np.ndarray, earcut) -> np.ndarray:
    """(k, 3) triangles (indices into the polygon's corners) of one polygon, counter-clockwise as
    seen from its Newell normal (the side its winding faces)."""
    nxt = np.roll(points, -1, axis=0)
    normal = np.array([np.sum((points[:, 1] - nxt[:, 1]) * (points[:, 2] + nxt[:, 2])),
                       np.sum((points[:, 2] - nxt[:, 2]) * (points[:, 0] + nxt[:, 0])),
                       np.sum((points[:, 0] - nxt[:, 0]) * (points[:, 1] + nxt[:, 1]))])  # fmt: skip
    length = np.linalg.norm(normal)
    if length < 1e-300:  # a degenerate polygon: a fan is as good as anything
        n = len(points)
        return np.stack([np.zeros(n - 2, int), np.arange(1, n - 1), np.arange(2, n)], 1)
    normal /= length
    helper = np.array([1.0, 0.0, 0.0]) if abs(normal[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    u = np.cross(normal, helper)
    u /= np.linalg.norm(u)
    v = np.cross(normal, u)
    flat = np.stack([(points - points[0]) @ u, (points - points[0]) @ v], 1)
    tris = np.asarray(earcut.triangulate_float64(flat, np.array([len(points)], np.uint32)), np.int64).reshape(-1, 3)
    a, b, c = flat[tris[:, 0]], flat[tris[:, 1]], flat[tris[:, 2]]
    clockwise = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]) < 0
    tris[clockwise] = tris[clockwise][:, [0, 2, 1]]
    return tris


def _short(line: str) -> str:
    return line if len(line) <= 60 else line[:57] + "..."
