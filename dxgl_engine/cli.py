"""`dxgl` command line. Engine commands live here; front-ends add theirs (serve, worker, admin,
gui) through the `dxgl.commands` entry-point group, so the engine imports none of them.

Every failure is one line on stderr and exit status 2; nothing is left under a final file name.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from importlib.metadata import entry_points
from pathlib import Path

from .errors import Cancelled, DxglError, InvalidFormat, InvalidSettings
from .load.formats import suffix_list
from .settings import FIELDS_BY_KEY, Settings
from .tiers import CODECS, DATASET_TIERS, TIERS, output_size

EXIT_ERROR = 2
EXIT_BROKEN_PIPE = 141  # what a shell reports for a program stopped by SIGPIPE (128 + 13)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_ERROR
    try:
        code = args.run(args) or 0
        sys.stdout.flush()  # a reader that left early shows here, inside the handlers below
        return code
    except Cancelled:
        print("dxgl: cancelled; no output was written", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("dxgl: interrupted; no output was written", file=sys.stderr)
        return 130
    except DxglError as err:
        print(f"dxgl: error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # Whoever read our output has gone (`dxgl info MODEL | head`): stop quietly, as a program
        # killed by SIGPIPE would. stdout goes to /dev/null so the exit's flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as err:  # a bug: one line for the user, the traceback with --verbose
        logging.getLogger(__name__).debug("unexpected error", exc_info=True)
        print(f"dxgl: internal error: {type(err).__name__}: {err} (run with --verbose for details)", file=sys.stderr)
        return EXIT_ERROR


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors (a missing option, a value of the wrong type) are one line and exit
    status 2 like every other dxgl error; the usage stays in --help. Subcommands' parsers, the
    front-ends' too, are of this class (argparse makes them of their parent's)."""

    def error(self, message: str):
        self.exit(EXIT_ERROR, f"dxgl: error: {message} (see '{self.prog} --help')\n")


def model_path(arg: str) -> str:
    """The model argument as given, or InvalidFormat naming it as given when there is no such file
    (the reader names only the file, which is all an API user should see of a server's paths)."""
    if not Path(arg).is_file():
        raise InvalidFormat(f"model file not found: {arg}")
    return arg


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="dxgl", description="Turn 3D models into product videos, posters and datasets.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details (and tracebacks) to stderr")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    model_help = f"model file: {suffix_list()}"
    render = sub.add_parser("render", help="render a model to a video with posters and a thumbnail")
    render.add_argument("model", help=model_help)
    render.add_argument("-o", "--output", required=True,
                        help="output video: " + output_names())
    render.add_argument("--quality", metavar="TIER", help=field_help("quality", tier_labels()))
    render.add_argument("--aspect", help=field_help("aspect"))
    render.add_argument("--bg-color", dest="bgColor", metavar="#RRGGBB", help=field_help("bgColor"))
    render.add_argument("--length", type=float, metavar="SECONDS", help=field_help("length"))
    render.add_argument("--settings", help="renderSettings JSON (as the API accepts), or @FILE holding it")
    render.add_argument("--bg-image", help="background image (PNG/JPEG/WebP), scaled to cover, cropped at bgAlign")
    render.add_argument("--fg-image", help="foreground overlay image composited over everything")
    render.add_argument("--environment", help=field_help("environment", more="or a Radiance .hdr file"))
    render.set_defaults(run=_cmd_render)

    dataset = sub.add_parser("dataset", help="render a NeRF/3DGS training set (views, masks, depth, cameras) to a ZIP")
    dataset.add_argument("model", help=model_help)
    dataset.add_argument("-o", "--output", required=True, help="output ZIP")
    dataset.add_argument("--tier", dest="datasetQuality", metavar="TIER", default=FIELDS_BY_KEY["datasetQuality"].default,
                         help=field_help("datasetQuality", dataset_tier_labels()))  # fmt: skip
    dataset.add_argument("--coverage", default=FIELDS_BY_KEY["coverage"].default, help=field_help("coverage"))
    dataset.add_argument("--settings", help="renderSettings JSON (look settings apply), or @FILE holding it")
    dataset.add_argument("--environment", help=field_help("environment", more="or a Radiance .hdr file"))
    dataset.set_defaults(run=_cmd_dataset, bg_image=None, fg_image=None)

    info = sub.add_parser("info", help="print what the reader found in a model")
    info.add_argument("model", help=model_help)
    info.add_argument("--json", action="store_true", help="machine-readable output")
    info.set_defaults(run=_cmd_info)

    doctor = sub.add_parser("doctor", help="check this host: EGL platform and device, OpenGL and its limits, a "
                                           "test render, ffmpeg's encoders")  # fmt: skip
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    doctor.set_defaults(run=_cmd_doctor)

    demo = sub.add_parser("demo", help="render the bundled sample model into a folder")
    demo.add_argument("--out", default="out", help="folder for the demo files (default ./out)")
    demo.set_defaults(run=_cmd_demo)

    for ep in entry_points(group="dxgl.commands"):
        try:
            ep.load()(sub)
        except ImportError as exc:  # an optional front-end whose extra is not installed
            logging.getLogger(__name__).debug("command %s unavailable: %s", ep.name, exc)
    return parser


def field_help(key: str, labels: dict[str, str] | None = None, more: str = "") -> str:
    """A setting's help from the settings table: its description, its choices (with `labels`, and
    `more` after them) or range, and its default."""
    spec = FIELDS_BY_KEY[key]
    text = spec.description
    if spec.choices:
        text += ": " + ", ".join(f"{c} ({labels[c]})" if labels and c in labels else c for c in spec.choices)
        text += f", {more}" if more else ""
    elif spec.minimum is not None:
        text += f", {spec.minimum:g} to {spec.maximum:g}"
    if spec.default is not None:
        text += f"; default {spec.default:g}" if isinstance(spec.default, float) else f"; default {spec.default}"
    return text


def output_names() -> str:
    """'OUT.mp4 (share, standard, 4k) or OUT.mov (pro)': each tier's file type, from the tier table."""
    by_extension: dict[str, list[str]] = {}
    for tier in TIERS.values():
        by_extension.setdefault(tier.extension, []).append(tier.name)
    return " or ".join(f"OUT{ext} ({', '.join(names)})" for ext, names in by_extension.items())


def tier_labels() -> dict[str, str]:
    """'960x540 H.264, 1 credit' per video tier (the 16:9 size), from the tier table."""
    return {t.name: "{}x{} {}{}, {} credit{}".format(*output_size(t.short_side, "16:9"), CODECS[t.codec],
                                                      " with alpha" if t.alpha else "", t.credits,
                                                      "" if t.credits == 1 else "s")
            for t in TIERS.values()}  # fmt: skip


def dataset_tier_labels() -> dict[str, str]:
    """'100 views of 800x800, 4 credits' per dataset tier, from the tier table."""
    return {t.name: f"{t.views} views of {t.size}x{t.size}, {t.credits} credits" for t in DATASET_TIERS.values()}


def settings_from_args(args):
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
    scene = load_model(model_path(args.model))
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
    scene = load_model(model_path(args.model))
    views = settings.dataset_tier.views
    with tqdm(total=views, unit="view", desc="dataset", file=sys.stderr, disable=None, leave=False) as bar:
        result = export_dataset(scene, settings, args.output, files=files_from_args(args),
                                progress=lambda phase, f: bar.update(round(f * views) - bar.n))  # fmt: skip
    print(f"wrote {result.path} ({result.views} views at {result.size}x{result.size}) in {result.seconds:.1f} s")
    return 0


def _cmd_info(args) -> int:
    from .load.formats import load_model
    from .scene.info import model_info

    stats = model_info(load_model(model_path(args.model)))
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


def _cmd_doctor(args) -> int:
    from . import doctor

    info = doctor.report()
    print(json.dumps(info, indent=2) if args.json else doctor.text(info))
    return 0 if info["ok"] else EXIT_ERROR


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
