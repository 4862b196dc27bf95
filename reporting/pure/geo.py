"""Where to draw each province and the two archipelagos on the dashboard map.

Points are projected equirectangularly: longitude scaled by the cosine of Vietnam's middle
latitude, so distances look right near 16°N. The mainland's outline is a simplified Natural Earth
polygon (reporting/data/vietnam_outline.json, built by scripts/map_outline_build.py, which notes its
source and licence); the archipelagos are drawn as dots from the table below.
"""

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

WEST, EAST, NORTH, SOUTH = 102.0, 117.0, 23.6, 8.0
SCALE = 24.0  # map units per degree of latitude
_LONGITUDE_FACTOR = math.cos(math.radians((NORTH + SOUTH) / 2))
WIDTH = round((EAST - WEST) * SCALE * _LONGITUDE_FACTOR)
HEIGHT = round((NORTH - SOUTH) * SCALE)


@dataclass(frozen=True)
class Archipelago:
    name: str
    part_of: str  # the province code it belongs to
    islands: tuple[tuple[float, float], ...]  # (latitude, longitude) of a few of its islands
    label_at: tuple[float, float]


ARCHIPELAGOS = (
    Archipelago(
        name="Hoàng Sa",
        part_of="48",  # Đà Nẵng
        islands=((16.53, 111.61), (16.45, 111.72), (16.83, 112.33), (16.97, 112.26), (16.08, 111.78), (15.78, 111.2)),
        label_at=(17.4, 110.9),
    ),
    Archipelago(
        name="Trường Sa",
        part_of="56",  # Khánh Hòa
        islands=(
            (11.43, 114.33),
            (10.38, 114.36),
            (10.18, 114.22),
            (9.9, 114.5),
            (8.85, 112.9),
            (8.64, 111.92),
            (10.9, 115.8),
            (9.55, 112.9),
        ),
        label_at=(12.1, 112.6),
    ),
)
ARCHIPELAGO_TITLE = _("%(name)s archipelago, part of %(province)s")


def point(latitude: float, longitude: float) -> tuple[float, float]:
    """Return the map coordinates (x to the east, y to the south) of a place."""
    x = (longitude - WEST) * SCALE * _LONGITUDE_FACTOR
    y = (NORTH - latitude) * SCALE
    return round(x, 1), round(y, 1)


@cache
def province_centres() -> dict[str, tuple[float, float]]:
    """Return each province's centre (latitude, longitude) by its official code."""
    path = Path(__file__).parent.parent / "data" / "province_centres.json"
    return {code: tuple(lat_lon) for code, lat_lon in json.loads(path.read_text()).items()}


@cache
def outline_path() -> str:
    """The SVG path data of Vietnam's mainland and its larger islands, in map coordinates.

    One closed subpath per ring, absolute moves then relative lines: about 2 KB for the whole
    country, written into the page rather than fetched.
    """
    path = Path(__file__).parent.parent / "data" / "vietnam_outline.json"
    subpaths = []
    for ring in json.loads(path.read_text())["rings"]:
        points = [point(latitude, longitude) for latitude, longitude in ring]
        (x0, y0), rest = points[0], points[1:]
        steps, (last_x, last_y) = [], (x0, y0)
        for x, y in rest:
            steps.append(f"{_number(x - last_x)} {_number(y - last_y)}")
            last_x, last_y = x, y
        subpaths.append(f"M{_number(x0)} {_number(y0)}l" + " ".join(steps) + "z")
    return "".join(subpaths)


def _number(value: float) -> str:
    """A coordinate as short as it can be written: 12.0 as 12, -0.5 as -.5."""
    text = f"{round(value, 1):g}"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text
