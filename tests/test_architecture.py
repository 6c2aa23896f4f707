"""The layers are checked, not only described: the import contracts in setup.cfg ([importlinter]
sections) run here with import-linter. They forbid import circles in any package, an engine stage
importing a stage above it, the engine importing a web, GUI or notebook framework or a front-end,
front-ends reaching into the engine's stages past its public names, the API client importing the
server or the engine, and the desktop app or the notebooks reaching the service except through the
client."""
import shutil
import subprocess
import sys
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ("no-circles", "engine-stages", "engine-is-a-library", "front-ends-use-the-public-face",
             "client-stands-alone", "front-ends-through-the-client")  # fmt: skip


def lint_imports() -> str:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert exe, "import-linter is missing: install the dev extra (pip install -e '.[dev]', which `make test` does)"
    return exe


def test_import_contracts_hold():
    p = subprocess.run([lint_imports(), "--config", str(ROOT / "setup.cfg"), "--no-cache"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)  # fmt: skip
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in p.stdout, p.stdout[-2000:]


def test_every_contract_is_configured_and_the_stage_list_is_complete():
    """The contracts named in this module's docstring exist, and the stage layering lists every
    module and subpackage of dxgl_engine (exhaustive), so a new one must be placed in a layer."""
    config = ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert {f"importlinter:contract:{name}" for name in CONTRACTS} <= set(config.sections())
    stages = config["importlinter:contract:engine-stages"]
    assert stages["exhaustive"].strip() == "true"
    listed = {m.strip() for line in stages["layers"].split("\n") for m in line.split("|") if m.strip()}
    on_disk = {p.stem for p in (ROOT / "dxgl_engine").iterdir()
               if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()}  # fmt: skip
    assert listed == on_disk
