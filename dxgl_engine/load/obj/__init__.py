"""OBJ scans (a ZIP from a 3D scanner, or a bare .obj): names resolved, MTL rewritten, converted to GLB."""
