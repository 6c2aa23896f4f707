"""Stage 2, scene: the model as data, its transforms, animation playback and deformation."""
