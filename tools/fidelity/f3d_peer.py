"""F3D renders of fidelity scenarios: the peer the issue's targets name ("no scenario worse than
F3D's"), run by the Python of tools/fidelity/.venv-f3d (F3D's own wheel from PyPI, with its VTK;
`run.py --f3d` installs it). Not importable from dxgl's own virtualenv: it is a separate program.

    .venv-f3d/bin/python f3d_peer.py JOBS.json

JOBS.json is the list `cycles_reference.py` reads ({"model", "eye", "target", "fov_y", "width",
"height", "hdr", "out"}, glTF coordinates, Y up), with the same models: KTX2 textures already
turned into PNG by blender_input.py (F3D 4.0 crashes reading the barn lamp's). F3D is set as a
user would run it beside a path tracer: the panorama as image-based lighting (`--hdri-file
--hdri-ambient`, no skybox, so the film stays transparent), its default light intensity 1, no tone
mapping (Cycles' "Standard" view has none), SSAA on, an animated model at the start of its first
clip. Each job writes an RGBA PNG.
"""
from __future__ import annotations

import f3d
from peer_jobs import run_jobs


def render(job: dict) -> None:
    engine = f3d.Engine.create_egl()
    options = engine.options
    options["render.hdri.file"] = job["hdr"]
    options["render.hdri.ambient"] = True
    options["render.effect.tone_mapping"] = False
    options["render.effect.antialiasing.mode"] = "ssaa"
    options["scene.up_direction"] = "+Y"
    engine.scene.add(job["model"])
    animation = engine.scene.animation
    if animation.count():
        # At the start of its first clip, as Blender (frame 0) and dxgl pose an animated model.
        animation.load_time(animation.get_time_range()[0])
    window = engine.window
    window.size = (job["width"], job["height"])
    # The first render fits the camera to the model; the scenario's camera is set after it.
    window.render()
    camera = window.camera
    camera.position, camera.focal_point = tuple(job["eye"]), tuple(job["target"])
    camera.view_up, camera.view_angle = (0.0, 1.0, 0.0), float(job["fov_y"])
    window.render_to_image(True).save(job["out"])


def main() -> None:
    run_jobs(render, "f3d")


if __name__ == "__main__":
    main()
