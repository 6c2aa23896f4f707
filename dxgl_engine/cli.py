"""`dxgl` command line. Engine commands live here; front-ends add theirs (serve, worker, admin,
gui) through the `dxgl.commands` entry-point group, so the engine imports none of them.

Every failure is one line on stderr and exit status 2; nothing is left under a final file name.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from importlib.metadata import entry_points
from pathlib import Path

from .errors import Cancelled, DxglError, InvalidSettings

EXIT_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_ERROR
    try:
        return args.run(args) or 0
    except Cancelled:
        print("dxgl: cancelled; no output was written", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("dxgl: interrupted; no output was written", file=sys.stderr)
        return 130
    except DxglError as err:
        print(f"dxgl: error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as err:  # a bug: one line for the user, the traceback with --verbose
        logging.getLogger(__name__).debug("unexpected error", exc_info=True)
        print(f"dxgl: internal error: {type(err).__name__}: {err} (run with --verbose for details)", file=sys.stderr)
        return EXIT_ERROR


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dxgl", description="Turn 3D models into product videos, posters and datasets.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details (and tracebacks) to stderr")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    render = sub.add_parser("render", help="render a model to a video with posters and a thumbnail")
    render.add_argument("model", help=".glb, .gltf, .zip (OBJ scan) or .obj file")
    render.add_argument("-o", "--output", required=True, help="output video (OUT.mp4, or OUT.mov for the pro tier)")
    render.add_argument("--quality", help="share | standard | 4k | pro")
    render.add_argument("--aspect", help="16:9 | 1:1 | 9:16")
    render.add_argument("--bg-color", dest="bgColor", help="background colour, e.g. '#ffffff'")
    render.add_argument("--length", type=float, help="seconds, 3 to 30")
    render.add_argument("--settings", help="renderSettings JSON (as the API accepts), or @FILE holding it")
    render.add_argument("--bg-image", help="background image (PNG/JPEG/WebP), scaled to cover, cropped at bgAlign")
    render.add_argument("--fg-image", help="foreground overlay image composited over everything")
    render.add_argument("--environment", help="studio | neutral, or a Radiance .hdr file to light the model with")
    render.set_defaults(run=_cmd_render)

    dataset = sub.add_parser("dataset", help="render a NeRF/3DGS training set (views, masks, depth, cameras) to a ZIP")
    dataset.add_argument("model", help=".glb, .gltf, .zip (OBJ scan) or .obj file")
    dataset.add_argument("-o", "--output", required=True, help="output ZIP")
    dataset.add_argument("--tier", dest="datasetQuality", default="100x800", help="100x800 | 196x1024 | 400x2048")
    dataset.add_argument("--coverage", default="hemisphere", help="hemisphere | sphere")
    dataset.add_argument("--settings", help="renderSettings JSON (look settings apply), or @FILE holding it")
    dataset.add_argument("--environment", help="studio | neutral, or a Radiance .hdr file")
    dataset.set_defaults(run=_cmd_dataset, bg_image=None, fg_image=None)

    info = sub.add_parser("info", help="print what the reader found in a model")
    info.add_argument("model")
    info.add_argument("--json", action="store_true", help="machine-readable output")
    info.set_defaults(run=_cmd_info)

    demo = sub.add_parser("demo", help="render the bundled sample model into a folder")
    demo.add_argument("--out", default="out", help="folder for the demo files (default ./out)")
    demo.set_defaults(run=_cmd_demo)

    for ep in entry_points(group="dxgl.commands"):
        try:
            ep.load()(sub)
        except ImportError as exc:  # an optional front-end whose extra is not installed
            logging.getLogger(__name__).debug("command %s unavailable: %s", ep.name, exc)
    return parser


def settings_from_args(args):
    from .settings import Settings

    data = {}
    if args.settings:
        text = args.settings
        if text.startswith("@"):
            try:
                text = Path(text[1:]).read_text()
            except OSError as exc:
                raise InvalidSettings(f"cannot read settings file {text[1:]}: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidSettings(f"--settings is not valid JSON: {exc.msg} at character {exc.pos}") from None
        if not isinstance(data, dict):
            raise InvalidSettings("--settings must be a JSON object")
    for key in ("quality", "aspect", "bgColor", "length"):
        value = getattr(args, key, None)
        if value is not None:
            data[key] = value
    env = getattr(args, "environment", None)
    if env is not None and not env.lower().endswith(".hdr"):
        data["environment"] = env  # a built-in name: validated like any setting
    return Settings.from_json(data)


def _cmd_render(args) -> int:
    from .load.formats import load_model

    settings = settings_from_args(args)
    files = files_from_args(args)
    scene = load_model(args.model)
    for w in scene.warnings:
        print(f"dxgl: warning: {w}", file=sys.stderr)
    result = _render_with_progress(scene, settings, args.output, files)
    print(f"wrote {', '.join(str(p) for p in result.paths.all())}")
    return 0


def files_from_args(args):
    """Files named on the command line; --environment takes a built-in name or a .hdr path."""
    from .render_files import RenderFiles
    from .settings import ENVIRONMENTS

    env = getattr(args, "environment", None)
    for label, path in (("--bg-image", args.bg_image), ("--fg-image", args.fg_image)):
        if path is not None and not Path(path).is_file():
            raise InvalidSettings(f"{label}: file not found: {path}")
    return RenderFiles(
        background_image=args.bg_image,
        foreground_image=args.fg_image,
        environment=None if env is None or env in ENVIRONMENTS else env,
    )


def _render_with_progress(scene, settings, output, files=None):
    from tqdm import tqdm

    from .pipeline.video import render_video

    n = settings.frame_count
    with tqdm(total=n, unit="frame", desc="rendering", file=sys.stderr, disable=None, leave=False) as bar:

        def progress(phase: str, fraction: float) -> None:
            if phase == "video":
                bar.update(round(fraction * n) - bar.n)
            elif phase == "encoding" and fraction == 0.0:
                bar.set_description("finishing")

        return render_video(scene, settings, output, progress=progress, files=files)


def _cmd_dataset(args) -> int:
    from tqdm import tqdm

    from .load.formats import load_model
    from .pipeline.dataset import export_dataset

    settings = settings_from_args(args).replace(output="dataset", datasetQuality=args.datasetQuality,
                                                coverage=args.coverage)  # fmt: skip
    scene = load_model(args.model)
    views = settings.dataset_tier.views
    with tqdm(total=views, unit="view", desc="dataset", file=sys.stderr, disable=None, leave=False) as bar:
        result = export_dataset(scene, settings, args.output, files=files_from_args(args),
                                progress=lambda phase, f: bar.update(round(f * views) - bar.n))  # fmt: skip
    print(f"wrote {result.path} ({result.views} views at {result.size}x{result.size}) in {result.seconds:.1f} s")
    return 0


def _cmd_info(args) -> int:
    from .load.formats import load_model
    from .scene.info import model_info

    stats = model_info(load_model(args.model))
    if args.json:
        print(json.dumps(stats, indent=2))
        return 0
    for key, value in stats.items():
        if key == "animations":
            value = ", ".join(f"{a['name'] or '(unnamed)'} ({a['duration']:g} s)" for a in value) or "none"
        elif key == "bounds" and value:
            value = f"min {_fmt(value['min'])}  max {_fmt(value['max'])}"
        elif key == "warnings":
            value = "; ".join(value) or "none"
        elif isinstance(value, list):
            value = ", ".join(value) or "none"
        print(f"{key:>20}: {value}")
    return 0


def _fmt(v) -> str:
    return "(" + ", ".join(f"{x:.4g}" for x in v) + ")"


def _cmd_demo(args) -> int:
    from .load.formats import load_model
    from .samples import sample_path

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    settings = settings_from_args(argparse.Namespace(settings=None))
    scene = load_model(sample_path("product"))
    result = _render_with_progress(scene, settings, out / "demo.mp4")
    print(f"wrote {', '.join(str(p) for p in result.paths.all())} in {result.seconds:.1f} s")
    return 0


if __name__ == "__main__":  # python -m dxgl_engine.cli
    sys.exit(main())
