"""Settings presets: JSON files holding exactly the `renderSettings` object the API accepts
(only the values that differ from the defaults), so a preset made here can be sent to a server
as is, and one written for the API loads here."""
from __future__ import annotations

import json
from pathlib import Path

from dxgl_engine import InvalidSettings, Settings
from dxgl_engine import settings as settings_mod


def save_preset(path: str | Path, settings: Settings) -> None:
    Path(path).write_text(json.dumps(settings.to_json(), indent=2) + "\n")


def load_preset(path: str | Path) -> Settings:
    """The preset's settings; InvalidSettings with a readable message for a bad file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except OSError as err:
        raise InvalidSettings(f"cannot read preset {path.name}: {err.strerror or err}") from None
    except ValueError as err:
        raise InvalidSettings(f"{path.name} is not valid JSON: {err}") from None
    return settings_mod.Settings.from_json(data)
