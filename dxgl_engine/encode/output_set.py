"""All-or-nothing output files: a job writes every file under a temporary name beside its final
one and renames them all only when the whole job succeeded, so a failed or cancelled job never
leaves a half-written file under a name that looks good."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


class OutputSet:
    def __init__(self):
        self._pending: dict[Path, Path] = {}  # final -> temporary

    def path(self, final: str | os.PathLike) -> Path:
        """The temporary path to write `final` to (same folder and extension, hidden name)."""
        final = Path(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".{final.stem}.part-{secrets.token_hex(4)}{final.suffix}")
        self._pending[final] = tmp
        return tmp

    def pending(self, final: str | os.PathLike) -> Path:
        """The temporary path already handed out for `final`."""
        return self._pending[Path(final)]

    def commit(self) -> list[Path]:
        missing = [str(t) for t in self._pending.values() if not t.exists()]
        if missing:
            self.discard()
            raise FileNotFoundError(f"outputs were not written: {', '.join(missing)}")
        for final, tmp in self._pending.items():
            os.replace(tmp, final)
        done = list(self._pending)
        self._pending.clear()
        return done

    def discard(self) -> None:
        for tmp in self._pending.values():
            tmp.unlink(missing_ok=True)
        self._pending.clear()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is not None:
            self.discard()
        elif self._pending:
            self.commit()
