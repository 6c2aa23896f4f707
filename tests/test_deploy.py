"""tools/deploy: the systemd units, their environment file and the Compose file parse, and run the
commands with the variables README's "Scaling out" names (and that dxgl_api.config reads)."""
from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from dxgl_api.config import ENV_VARS

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "tools" / "deploy"


def scaling_out() -> str:
    text = (ROOT / "README.md").read_text()
    return text[text.index("## Scaling out"):text.index("\n## ", text.index("## Scaling out") + 5)]


def readme_command(argv: list[str]) -> str:
    """The dxgl command line without its path and the log format option (a deployment's choice)."""
    argv = [Path(argv[0]).name, *argv[1:]]
    if "--log-format" in argv:
        i = argv.index("--log-format")
        del argv[i:i + 2]
    return " ".join(argv)


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / name)
    return parser


@pytest.mark.parametrize("name, command", [("dxgl-web.service", "dxgl serve --host 0.0.0.0 --port 8000 --no-workers"),
                                           ("dxgl-worker.service", "dxgl worker --workers 2")])
def test_systemd_units(name, command, tmp_path):
    u = unit(name)
    assert {"Unit", "Service", "Install"} <= set(u.sections())
    argv = shlex.split(u["Service"]["ExecStart"])
    assert readme_command(argv) == command and command in scaling_out()
    assert u["Service"]["EnvironmentFile"] == "/etc/dxgl/dxgl.env"
    assert u["Install"]["WantedBy"] == "multi-user.target"
    if shutil.which("systemd-analyze"):  # the unit as systemd reads it, with a binary that exists here
        local = tmp_path / name
        text = (DEPLOY / name).read_text().replace(argv[0], shutil.which("true") or "/bin/true")
        text = re.sub(r"^(User|Group|EnvironmentFile)=.*\n", "", text, flags=re.M)
        local.write_text(text)
        r = subprocess.run(["systemd-analyze", "verify", str(local)], capture_output=True, text=True, timeout=60)
        problems = [line for line in r.stderr.splitlines() if name in line]  # unknown keys, bad values
        assert not problems, r.stderr


def test_environment_file_names_readme_variables():
    names = [line.split("=", 1)[0] for line in (DEPLOY / "dxgl.env").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert {"DXGL_DATABASE_URL", "DXGL_QUEUE_URL", "DXGL_STORAGE_DIR"} <= set(names)
    for var in names:
        assert var in ENV_VARS and f"`{var}`" in scaling_out(), var


def test_compose_file():
    doc = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = doc["services"]
    assert set(services) == {"db", "queue", "web", "worker"}
    assert readme_command(services["web"]["command"]) in scaling_out()
    assert readme_command(services["worker"]["command"]) in scaling_out()
    for name in ("web", "worker"):
        env = services[name]["environment"]
        assert {"DXGL_DATABASE_URL", "DXGL_QUEUE_URL", "DXGL_STORAGE_DIR"} <= set(env)
        assert all(var in ENV_VARS and f"`{var}`" in scaling_out() for var in env)
        assert "files:/mnt/dxgl-files" in services[name]["volumes"]  # one storage folder shared by both
        assert env["DXGL_STORAGE_DIR"] == "/mnt/dxgl-files"
    assert services["web"]["environment"] == services["worker"]["environment"]
    assert env["DXGL_DATABASE_URL"].startswith("postgresql://") and env["DXGL_QUEUE_URL"].startswith("redis://queue")


def test_log_format_option_exists():
    from dxgl_engine.cli import main

    for command in ("serve", "worker"):
        with pytest.raises(SystemExit):
            main([command, "--log-format", "xml"])  # rejected by choices: the option exists
