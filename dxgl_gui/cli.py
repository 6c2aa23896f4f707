"""The `gui` subcommand of `dxgl` (registered through the `dxgl.commands` entry-point group) and
`python -m dxgl_gui`. PySide6 is imported only when the command runs, so `dxgl` works without
the `gui` extra and says in one sentence what to install."""
from __future__ import annotations

import argparse
import logging
import sys

MISSING_QT = "dxgl gui needs the desktop extra: pip install 'dxgl[gui]' (PySide6 is not installed)"
EXIT_ERROR = 2


def register(subparsers) -> None:
    """Add `gui [MODEL]` to the `dxgl` command line."""
    parser = subparsers.add_parser("gui", help="open the desktop app (live preview, settings, export)")
    _add_arguments(parser)
    parser.set_defaults(run=run)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    from dxgl_engine import suffix_list

    parser.add_argument("model", nargs="?", help=f"model file to open: {suffix_list()}")


def run(args: argparse.Namespace) -> int:
    """Start the app; a missing PySide6 is one line on stderr, not a traceback."""
    try:
        import PySide6  # noqa: F401
    except ImportError:
        print(MISSING_QT, file=sys.stderr)
        return EXIT_ERROR
    from .app import run_app

    return run_app(args.model)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dxgl_gui", description="The dxgl desktop app.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    _add_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    return run(args)
