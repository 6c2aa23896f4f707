"""Stage 5, render: OpenGL context, the scene on the GPU, the passes of a frame and their shaders."""
