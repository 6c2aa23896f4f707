"""State shared by the parts of one glTF read: the document, its accessors, the warnings."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from .accessors import AccessorReader
from .container import GltfDocument

log = logging.getLogger("dxgl_engine.load.gltf")


@dataclass
class ReadContext:
    doc: GltfDocument
    accessors: AccessorReader
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, doc: GltfDocument) -> "ReadContext":
        return cls(doc, AccessorReader(doc), list(doc.warnings))

    @property
    def json(self) -> dict:
        return self.doc.json

    def warn(self, message: str) -> None:
        """Record something the user should know that does not stop the render (kept once; front-ends
        show Scene.warnings, so this only logs at INFO)."""
        if message not in self.warnings:
            log.info("%s: %s", self.doc.name, message)
            self.warnings.append(message)

    def count(self, key: str) -> int:
        return len(self.json.get(key, []))
