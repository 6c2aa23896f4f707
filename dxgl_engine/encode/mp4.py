"""MP4 structure checks on written files (no decoding)."""
from __future__ import annotations

import os


def moov_before_mdat(path: str | os.PathLike) -> bool:
    """Whether an MP4's index (moov) precedes its media data, so browsers can start playing at once."""
    with open(path, "rb") as f:
        pos, size = 0, os.fstat(f.fileno()).st_size
        while pos + 8 <= size:
            f.seek(pos)
            header = f.read(16)
            box_size, kind = int.from_bytes(header[:4], "big"), header[4:8]
            if box_size == 1:
                box_size = int.from_bytes(header[8:16], "big")
            if kind == b"moov":
                return True
            if kind == b"mdat":
                return False
            if box_size < 8:
                return False
            pos += box_size
    return False
