"""Every notebook in notebooks/ runs top to bottom in a real Jupyter kernel, and is committed
without outputs."""
from __future__ import annotations

import nbformat
import pytest

from .conftest import NOTEBOOKS

NAMES = ("01_quickstart", "02_settings_widgets", "03_dataset", "04_api_client")


def test_the_notebooks_are_the_four_documented():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == list(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


@pytest.mark.gl
@pytest.mark.parametrize("name", NAMES)
def test_runs_top_to_bottom(run_notebook, name):
    nb = run_notebook(NOTEBOOKS / f"{name}.ipynb")
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")
