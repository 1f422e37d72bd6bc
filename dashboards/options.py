"""What the server's settings tell the dashboards, as one frozen value.

civicgraph/app.py builds it from `Settings` (`CIVIC_DASHBOARD_TILE_URL`,
`CIVIC_DASHBOARD_TILE_ATTRIBUTION`, `CIVIC_NODE_MODULES`); the dashboards never read the
settings themselves (the `dashboards` layer does not import `civicgraph`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

NODE_MODULES = Path(__file__).resolve().parents[1] / "gateway" / "node_modules"
"""gateway/node_modules of this checkout (the default of the `node_modules` setting)."""


@dataclass(frozen=True)
class DashboardOptions:
    """The dashboards' options.

    `tile_url` is an XYZ template (`https://tile.openstreetmap.org/{z}/{x}/{y}.png`, checked by
    the settings) of raster tiles drawn under the map's polygons, with `tile_attribution`
    shown on the map; None (the default) draws our own polygons only, so nothing is fetched
    from another origin. `node_modules` holds the npm packages whose browser bundles are served
    at `/dashboard/vendor/` (dashboards/vendor.py)."""

    tile_url: str | None = None
    tile_attribution: str = ""
    node_modules: Path = NODE_MODULES
