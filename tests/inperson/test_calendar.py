"""The iCalendar file of a day: parsed back by the icalendar package, as a calendar app would read it."""

import datetime as dt

import icalendar

from inperson.pure.calendar import CalendarDay, day_calendar

VIETNAM = dt.timezone(dt.timedelta(hours=7))


def calendar_day(**changes) -> CalendarDay:
    fields = {
        "day_id": 42,
        "site_host": "onetouch.example.vn",
        "sequence": 0,
        "starts_at": dt.datetime(2026, 12, 15, 8, 0, tzinfo=VIETNAM),
        "ends_at": dt.datetime(2026, 12, 15, 11, 30, tzinfo=VIETNAM),
        "summary": "Buổi học trực tiếp: Thanh toán số",
        "location": "Hội trường UBND phường, 1 Đinh Tiên Hoàng, Phường Hoàn Kiếm, Thành phố Hà Nội",
        "description": "Thanh toán số · Đợt 1\nhttps://onetouch.example.vn/learning/days/42/",
        "url": "https://onetouch.example.vn/learning/days/42/",
        "cancelled": False,
        "stamp": dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC),
        "organizer_email": "no-reply@onetouch.example.vn",
    }
    return CalendarDay(**(fields | changes))


def parsed(day: CalendarDay) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(day_calendar(day))
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_a_day_is_one_event_at_its_times_in_utc():
    calendar, event = parsed(calendar_day())
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["VERSION"]) == "2.0"
    assert event.decoded("DTSTART") == dt.datetime(2026, 12, 15, 1, 0, tzinfo=dt.UTC)
    assert event.decoded("DTEND") == dt.datetime(2026, 12, 15, 4, 30, tzinfo=dt.UTC)
    assert str(event["UID"]) == "day-42@onetouch.example.vn"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Buổi học trực tiếp: Thanh toán số"
    assert str(event["LOCATION"]).startswith("Hội trường UBND phường, 1 Đinh Tiên Hoàng")
    assert str(event["DESCRIPTION"]).splitlines()[0] == "Thanh toán số · Đợt 1"
    assert str(event["URL"]) == "https://onetouch.example.vn/learning/days/42/"


def test_a_changed_day_keeps_its_uid_with_a_higher_sequence():
    _, first = parsed(calendar_day())
    _, moved = parsed(calendar_day(sequence=2, starts_at=dt.datetime(2026, 12, 16, 13, 0, tzinfo=VIETNAM)))
    assert moved["UID"] == first["UID"]
    assert int(moved["SEQUENCE"]) > int(first["SEQUENCE"])
    assert moved.decoded("DTSTART") == dt.datetime(2026, 12, 16, 6, 0, tzinfo=dt.UTC)


def test_a_cancelled_day_cancels_the_event():
    calendar, event = parsed(calendar_day(cancelled=True, sequence=1))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["ORGANIZER"]) == "mailto:no-reply@onetouch.example.vn"
