"""Stage 1, load: model files in (glTF, GLB, OBJ scans in ZIPs), a `Scene` out."""
