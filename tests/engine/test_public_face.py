"""What front-ends import: every public name of `dxgl_engine` resolves, and importing the package
alone loads no GL, numpy or render stage."""
from __future__ import annotations

import subprocess
import sys

import dxgl_engine


def test_every_public_name_resolves():
    for name in dxgl_engine.__all__:
        assert getattr(dxgl_engine, name) is not None, name
    assert set(dxgl_engine.__all__) <= set(dir(dxgl_engine))


def test_importing_the_package_is_light():
    code = ("import sys, dxgl_engine; heavy = [m for m in ('numpy', 'vispy', 'dxgl_engine.render', 'dxgl_engine.load') "
            "if m in sys.modules]; print(heavy)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_an_unknown_name_is_an_attribute_error():
    try:
        dxgl_engine.no_such_name  # noqa: B018
    except AttributeError as err:
        assert "no_such_name" in str(err)
    else:
        raise AssertionError("no error")
