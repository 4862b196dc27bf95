"""The statistics charts' numbers (reporting.pure.charts) and the map's outline (reporting.pure.geo)."""

import re
from datetime import date, timedelta

import pytest

from reporting.pure import charts, geo


def days(count: int, first: date = date(2026, 11, 5)) -> list[date]:
    return [first + timedelta(days=index) for index in range(count)]


# --- The trend's date axis ---------------------------------------------------------------------


def test_a_few_bars_are_each_labelled_under_their_middle_and_the_edges_grow_inwards():
    labels = charts.date_axis(days(3), "day")

    assert [label.text for label in labels] == ["5/11", "6/11", "7/11"]
    assert [label.percent for label in labels] == [13.33, 46.67, 80.0]  # bars fill 80% of their third
    assert [label.anchor for label in labels] == ["middle", "middle", "middle"]
    assert not any(label.wide_only for label in labels)
    first_of_many = charts.date_axis(days(60), "day")[0]
    assert first_of_many.percent < charts.EDGE_PERCENT and first_of_many.anchor == "start"


@pytest.mark.parametrize("count", [1, 7, 13, 30, 31, 92, 366])
def test_labels_are_thinned_to_what_fits_a_desk_and_fewer_on_a_phone(count):
    labels = charts.date_axis(days(count), "day")

    assert labels[0].start == date(2026, 11, 5) and not labels[0].wide_only  # the first period is always named
    assert len(labels) <= charts.WIDE_LABELS
    on_a_phone = [label for label in labels if not label.wide_only]
    assert len(on_a_phone) <= charts.PHONE_LABELS
    # Evenly spaced: the phone's labels are every k-th of the desk's, at the same places.
    gaps = {round(b.percent - a.percent, 1) for a, b in zip(labels, labels[1:], strict=False)}
    assert len(gaps) <= 1
    phone_gaps = {round(b.percent - a.percent, 1) for a, b in zip(on_a_phone, on_a_phone[1:], strict=False)}
    assert len(phone_gaps) <= 1


def test_months_are_labelled_with_their_year_and_weeks_with_their_first_day():
    months = [date(2025, month, 1) for month in range(1, 13)] + [date(2026, 1, 1)]
    assert [label.text for label in charts.date_axis(months, "month")][:3] == ["1/2025", "3/2025", "5/2025"]
    mondays = [date(2025, 3, 3) + timedelta(weeks=index) for index in range(3)]
    assert [label.text for label in charts.date_axis(mondays, "week")] == ["3/3", "10/3", "17/3"]


def test_a_period_across_new_year_names_the_year_where_it_starts_and_where_it_changes():
    mondays = [date(2025, 11, 3) + timedelta(weeks=index) for index in range(12)]
    labels = charts.date_axis(mondays, "week")

    assert [label.text for label in labels][:3] == ["3/11", "10/11", "17/11"]
    assert [(label.text, label.year) for label in labels if label.year] == [("3/11", "2025"), ("5/1", "2026")]
    on_a_phone = [label for label in labels if not label.wide_only]
    assert [(label.text, label.year_on_phone) for label in on_a_phone if label.year_on_phone][0] == ("3/11", "2025")
    assert [label.year_on_phone for label in on_a_phone if label.start.year == 2026][0] == "2026"
    assert not any(label.year_on_phone for label in labels if label.wide_only)
    within_a_year = charts.date_axis([date(2025, 3, 3) + timedelta(weeks=index) for index in range(12)], "week")
    assert not any(label.year or label.year_on_phone for label in within_a_year)


def test_no_periods_no_labels():
    assert charts.date_axis([], "day") == []


# --- The map's legend --------------------------------------------------------------------------


def test_the_legend_shows_round_values_up_to_the_largest_at_the_maps_scale():
    legend = charts.map_legend(1234, x=200, y=60)

    assert [circle.value for circle in legend] == [1000, 200, 20]
    largest = legend[0]
    # The same area rule as the map's circles: a circle of the largest value has MAX_RADIUS.
    assert largest.r == round(charts.MAX_RADIUS * (1000 / 1234) ** 0.5, 1)
    assert all(circle.y + circle.r == pytest.approx(60, abs=0.1) for circle in legend)  # on one baseline
    assert [circle.x for circle in legend] == sorted(circle.x for circle in legend)
    assert legend[0].x - legend[0].r >= 200


def test_small_largest_values_give_fewer_distinct_examples_and_nothing_gives_none():
    assert [circle.value for circle in charts.map_legend(3, x=0, y=0)] == [2]
    assert [circle.value for circle in charts.map_legend(17, x=0, y=0)] == [10, 2]
    assert charts.map_legend(0, x=0, y=0) == []


# --- The outline of Vietnam --------------------------------------------------------------------


def outline_points() -> list[list[tuple[float, float]]]:
    """The outline's subpaths as absolute points, decoded from the relative path data."""
    rings = []
    for subpath in re.findall(r"M([^Mz]+)z", geo.outline_path()):
        start, steps = subpath.split("l")
        x, y = map(float, start.split())
        numbers = [float(n) for n in steps.split()]
        ring = [(x, y)]
        for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
            x, y = x + dx, y + dy
            ring.append((x, y))
        rings.append(ring)
    return rings


def test_the_outline_is_a_small_path_inside_the_map():
    path = geo.outline_path()
    rings = outline_points()

    assert 1_000 < len(path) < 6_000  # a few KB in the page
    assert rings and len(rings[0]) > 100  # the mainland first, in some detail
    for ring in rings:
        for x, y in ring:
            assert 0 <= x <= geo.WIDTH and 0 <= y <= geo.HEIGHT


def test_the_outline_is_projected_like_the_places():
    """Hà Nội's and Hồ Chí Minh City's centres lie inside the mainland outline, Hoàng Sa outside."""
    mainland = outline_points()[0]
    centres = geo.province_centres()

    assert inside(geo.point(*centres["01"]), mainland)
    assert inside(geo.point(*centres["79"]), mainland)
    assert not inside(geo.point(16.53, 111.61), mainland)
    # The mainland reaches from the far north (Hà Giang, 23.4°N) to Cà Mau's cape (8.6°N).
    ys = [y for _x, y in mainland]
    assert min(ys) < geo.point(23.2, 105)[1] and max(ys) > geo.point(8.8, 105)[1]


def test_both_archipelagos_are_drawn_with_the_outline():
    names = {archipelago.name for archipelago in geo.ARCHIPELAGOS}
    marks = charts.archipelago_marks({"48": "Đà Nẵng", "56": "Khánh Hòa"})

    assert names == {"Hoàng Sa", "Trường Sa"}
    for mark in marks:
        assert mark.dots and all(0 <= dot.x <= geo.WIDTH and 0 <= dot.y <= geo.HEIGHT for dot in mark.dots)
        assert not any(inside((dot.x, dot.y), outline_points()[0]) for dot in mark.dots)


def inside(point: tuple[float, float], ring: list[tuple[float, float]]) -> bool:
    """Ray casting: whether a point lies inside a closed ring."""
    x, y = point
    result = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            result = not result
    return result
