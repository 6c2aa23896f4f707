"""One blueprint per resource of the reference, each module holding its routes and schemas."""
from __future__ import annotations

from . import account, assets, health, models, overlays, quote, renders

BLUEPRINTS = [models.blp, renders.blp, assets.blp, overlays.blp, account.blp, quote.blp, health.blp]
