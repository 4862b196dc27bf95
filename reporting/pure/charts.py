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


@dataclass(frozen=True)
class AxisLabel:
    start: date
    text: str
    year: str  # written under the date where the year begins or changes at a desk, "" elsewhere
    year_on_phone: str  # the same among the labels a phone shows
    percent: float  # the middle of its bar, as a share of the chart's width: the axis is HTML
    wide_only: bool  # shown only where the chart is wide enough for the denser set of labels
    anchor: str  # SVG text-anchor: labels near an edge grow inwards rather than being cut off


@dataclass(frozen=True)
class LegendCircle:
    value: int
    r: float
    x: float
    y: float


LEGEND_SLOT = 40.0  # map units: "10.000" in the legend's type

# How many labels fit under the chart: about 4.5rem a label, on a phone's 20rem and a desk's 60rem.
PHONE_LABELS, WIDE_LABELS = 5, 12
EDGE_PERCENT = 8.0  # half a label's width on a phone, as a share of the chart


def date_axis(starts: list[date], grain: str) -> list[AxisLabel]:
    """Labels of the trend's periods for the axis under its bars, thinned so they do not overlap.

    Every `step`-th bar is labelled from the first; on a phone only every `phone_step`-th, a
    multiple of `step`, so the phone's labels are a subset of the desk's and sit at the same
    places. Days and weeks read "5/11", with the year under the first label and under each new
    year's first when the period spans two (a second line: "29/12/2025" on one line would run into
    its neighbour on a phone); months read "11/2026". The table under the chart has full dates.
    """
    count = len(starts)
    if not count:
        return []
    step = math.ceil(count / WIDE_LABELS)
    phone_step = step * math.ceil(math.ceil(count / PHONE_LABELS) / step)
    spans_years = grain != "month" and starts[0].year != starts[-1].year
    labels, year_on_desk, year_on_phone = [], None, None
    for index in range(0, count, step):
        start = starts[index]
        text = f"{start.month}/{start.year}" if grain == "month" else f"{start.day}/{start.month}"
        wide_only = index % phone_step != 0
        # The year goes under the first label and under each new year's first, counted among the
        # labels each screen shows: the phone's first label of 2026 may not be the desk's.
        year = year_phone = ""
        if spans_years and start.year != year_on_desk:
            year = year_on_desk = start.year
        if spans_years and not wide_only and start.year != year_on_phone:
            year_phone = year_on_phone = start.year
        percent = round((index + 0.4) / count * 100, 2)  # bars fill 80% of their slot, from its left
        anchor = "start" if percent < EDGE_PERCENT else "end" if percent > 100 - EDGE_PERCENT else "middle"
        labels.append(AxisLabel(start, text, str(year), str(year_phone), percent, wide_only, anchor))
    return labels


def map_legend(largest: int, *, x: float, y: float) -> list[LegendCircle]:
    """Example circles for the map's legend: round values up to the largest, at the map's scale.

    The circles stand on one baseline at `y` (nested circles read badly this small), from `x`
    rightwards, the largest first. Nothing to show gives no circle: every place is then an empty ring.
    """
    if largest <= 0:
        return []
    values = []
    for share in (1, 0.25, 0.04):
        value = _round_down(largest * share)
        if value and value not in values:
            values.append(value)
    circles, left = [], x
    for value in values:
        r = round(max(MIN_RADIUS, MAX_RADIUS * math.sqrt(value / largest)), 1)
        slot = max(2 * r, LEGEND_SLOT)  # wide enough for the value written under the circle
        circles.append(LegendCircle(value, r, round(left + slot / 2, 1), round(y - r, 1)))
        left += slot + 4
    return circles


def _round_down(value: float) -> int:
    """The largest of 1, 2 or 5 times a power of ten not above `value` (0 under 1)."""
    if value < 1:
        return 0
    power = 10 ** math.floor(math.log10(value))
    return next(int(m * power) for m in (5, 2, 1) if m * power <= value)
