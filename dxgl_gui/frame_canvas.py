"""The preview's drawing surface: a vispy canvas inside the Qt window that shows one rendered
frame, letterboxed to the output aspect on a dark surround, so the artist sees the video's frame
and nothing else. It only displays numpy frames; rendering them is `live_timeline`'s job."""
from __future__ import annotations

from typing import Callable

import numpy as np
from vispy import app, gloo

VERTEX = """
attribute vec2 a_position;
attribute vec2 a_texcoord;
varying vec2 v_texcoord;
void main() {
    gl_Position = vec4(a_position, 0.0, 1.0);
    v_texcoord = a_texcoord;
}
"""

FRAGMENT = """
uniform sampler2D u_frame;
varying vec2 v_texcoord;
void main() {
    gl_FragColor = vec4(texture2D(u_frame, v_texcoord).rgb, 1.0);
}
"""

SURROUND = (0.14, 0.14, 0.15, 1.0)  # outside the output frame: clearly not part of the video


def letterbox(width: int, height: int, aspect: float) -> tuple[int, int, int, int]:
    """The largest rectangle of `aspect` (w / h) centred in a width x height view: (x, y, w, h)."""
    if width <= 0 or height <= 0:
        return 0, 0, 0, 0
    w = min(width, round(height * aspect))
    h = min(height, round(w / aspect))
    return (width - w) // 2, (height - h) // 2, w, h


class FrameCanvas(app.Canvas):
    """Shows the latest frame; `on_drawn` is called once per new frame, after the paint that
    first showed it (repaints of the same frame do not count)."""

    def __init__(self, size: tuple[int, int] = (960, 540)):
        super().__init__(keys=None, show=False, size=size, title="dxgl preview")
        self.aspect = size[0] / size[1]
        self.on_drawn: Callable[[], None] | None = None
        self._program = gloo.Program(VERTEX, FRAGMENT)
        self._program["a_position"] = np.array([(-1, -1), (1, -1), (-1, 1), (1, 1)], np.float32)
        # Frames arrive top row first: the top of the quad samples row 0.
        self._program["a_texcoord"] = np.array([(0, 1), (1, 1), (0, 0), (1, 0)], np.float32)
        self._texture: gloo.Texture2D | None = None
        self._fresh = False

    def set_aspect(self, aspect: float) -> None:
        self.aspect = aspect
        self.update()

    def frame_rect(self) -> tuple[int, int, int, int]:
        """Where the output frame is drawn, in physical pixels (GL origin: bottom left)."""
        return letterbox(*self.physical_size, self.aspect)

    def show_frame(self, frame: np.ndarray) -> None:
        """Upload an (H, W, 4) uint8 frame and repaint. The canvas's context must be current."""
        h, w = frame.shape[:2]
        if self._texture is None or self._texture.shape[:2] != (h, w):
            self._texture = gloo.Texture2D(frame, interpolation="linear", wrapping="clamp_to_edge")
            self._program["u_frame"] = self._texture
        else:
            self._texture.set_data(frame)
        self._fresh = True
        if self._needs_mipmaps(w, h):
            from dxgl_engine import generate_mipmaps

            generate_mipmaps(self._texture)  # a large exact frame shown small must not alias
        self.update()

    def _needs_mipmaps(self, w: int, h: int) -> bool:
        rect = self.frame_rect()
        return w > rect[2] * 1.25 or h > rect[3] * 1.25

    @property
    def frame_pending(self) -> bool:
        """A frame was uploaded but has not been painted yet."""
        return self._fresh

    def clear_frame(self) -> None:
        self._texture = None
        self.update()

    def on_draw(self, event) -> None:
        gloo.set_viewport(0, 0, *self.physical_size)
        gloo.set_state(depth_test=False, blend=False, cull_face=False)
        gloo.set_clear_color(SURROUND)
        gloo.clear(color=True, depth=True)
        if self._texture is None:
            return
        gloo.set_viewport(*self.frame_rect())
        self._program.draw("triangle_strip")
        if self._fresh and self.on_drawn is not None:
            self._fresh = False
            self.on_drawn()

    def on_resize(self, event) -> None:
        self.update()
