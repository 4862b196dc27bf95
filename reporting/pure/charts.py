"""Numbers for the server-drawn SVG charts; the templates only place what is computed here.

Pure functions over plain data: no ORM, no HTML. The figures are read by attribute (the
dashboard's `Figures` and `PlaceRow`, reporting.selectors), so any object with those attributes does.
"""

import math
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from reporting.pure import geo


class Place(Protocol):
    code: str
    name: str
    figures: Any  # read by the measure's name


class BarFigures(Protocol):
    enrolments: int
    completions: int


MAX_RADIUS = 16.0
MIN_RADIUS = 2.0  # a place with nothing is still drawn, as a small hollow ring


@dataclass(frozen=True)
class Circle:
    code: str
    name: str
    value: int
    x: float
    y: float
    r: float


@dataclass(frozen=True)
class Dot:
    x: float
    y: float


@dataclass(frozen=True)
class ArchipelagoMark:
    name: str
    title: str
    dots: list[Dot]
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Bar:
    start: date
    x: float
    width: float
    enrolments_height: float
    completions_height: float
    figures: BarFigures
    bottom: float  # the chart's baseline: SVG's y grows downwards

    @property
    def enrolments_y(self) -> float:
        return round(self.bottom - self.enrolments_height, 1)

    @property
    def completions_y(self) -> float:
        return round(self.bottom - self.completions_height, 1)


def map_circles(places: list[Place], measure: str) -> list[Circle]:
    """One circle per province at its centre, its area proportional to the measure."""
    centres = geo.province_centres()
    # Certificates are issued minus revoked, and revocations can outnumber issues in a period.
    values = {place.code: max(getattr(place.figures, measure) or 0, 0) for place in places}
    largest = max(values.values(), default=0) or 1
    circles = []
    for place in places:
        x, y = geo.point(*centres[place.code])
        value = values[place.code]
        r = max(MIN_RADIUS, MAX_RADIUS * math.sqrt(value / largest))
        circles.append(Circle(place.code, place.name, value, x, y, round(r, 1)))
    return sorted(circles, key=lambda circle: -circle.r)  # small circles drawn last stay clickable


def archipelago_marks(province_names: dict[str, str]) -> list[ArchipelagoMark]:
    """Hoàng Sa and Trường Sa as groups of dots with their names, so the territory is shown whole."""
    marks = []
    for archipelago in geo.ARCHIPELAGOS:
        label_x, label_y = geo.point(*archipelago.label_at)
        title = geo.ARCHIPELAGO_TITLE % {
            "name": archipelago.name,
            "province": province_names.get(archipelago.part_of, ""),
        }
        dots = [Dot(*geo.point(lat, lon)) for lat, lon in archipelago.islands]
        marks.append(ArchipelagoMark(archipelago.name, title, dots, label_x, label_y))
    return marks


def trend_bars(trend: list[tuple[date, BarFigures]], *, width: float, height: float) -> list[Bar]:
    """Bars of enrolments with the online completions drawn inside them, one per bucket."""
    largest = max((max(figures.enrolments, figures.completions) for _start, figures in trend), default=0) or 1
    step = width / max(len(trend), 1)
    return [
        Bar(
            start=start,
            x=round(index * step, 2),
            width=round(max(step * 0.8, 0.5), 2),
            enrolments_height=round(height * figures.enrolments / largest, 1),
            completions_height=round(height * figures.completions / largest, 1),
            figures=figures,
            bottom=height,
        )
        for index, (start, figures) in enumerate(trend)
    ]
