"""glTF 2.0 reading: containers (GLB/JSON/buffers), accessors, and JSON -> Scene."""
from .container import GltfDocument, document_from_glb, document_from_gltf, document_to_glb, pack_glb
from .extensions import SUPPORTED_EXTENSIONS
from .reader import read_document, read_glb_bytes, read_gltf_file

__all__ = [
    "GltfDocument",
    "SUPPORTED_EXTENSIONS",
    "document_from_glb",
    "document_from_gltf",
    "document_to_glb",
    "pack_glb",
    "read_document",
    "read_glb_bytes",
    "read_gltf_file",
]
