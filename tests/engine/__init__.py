"""Engine tests: reader, renderer, look, motion, outputs and datasets."""
