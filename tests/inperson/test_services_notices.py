"""What learners are told about their in-person day, and that each message goes out exactly once."""

import datetime as dt
import logging

import icalendar
import pytest
from django.core import mail

from inperson.models import DayNotice, DaySeat
from inperson.services.days import day_cancel, day_change
from inperson.services.notices import day_notices_send
from inperson.services.seats import seat_release, seat_take
from learners.services.enrolments import enrolment_cancel, enrolment_create
from tests.factories import learner_make, run_at_once
from tests.inperson.conftest import VIETNAM, at
from tests.inperson.test_services_days import current_fields


def enrolled(count: int, *, course, commune) -> list:
    learners = [learner_make(commune=commune) for _ in range(count)]
    for learner in learners:
        enrolment_create(learner=learner, course=course)
    return learners


def signed_up(day, learners: list, language: str = "en") -> None:
    for learner in learners:
        seat_take(learner=learner, day=day, language=language)


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def the_day_before(day) -> dt.datetime:
    """Ten in the morning, in Vietnam, of the calendar day before the day."""
    return at(day.starts_at.astimezone(VIETNAM).date() - dt.timedelta(days=1), 10)


def calendar_of(message) -> icalendar.Calendar:
    [(name, content, mimetype)] = message.attachments
    assert name.endswith(".ics") and mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(content)


@pytest.mark.django_db
def test_a_new_venue_is_told_once_to_everyone_signed_up_or_waiting(day_hanoi, admin_hanoi, course_hanoi, commune_hanoi):
    day = day_change(by=admin_hanoi, day=day_hanoi, **{**current_fields(day_hanoi), "capacity": 2})
    holders = enrolled(3, course=course_hanoi, commune=commune_hanoi)
    signed_up(day, holders)  # two signed up, the third waiting
    left, bystander = enrolled(2, course=course_hanoi, commune=commune_hanoi)
    signed_up(day, [left])
    seat_release(learner=left, day=day)
    mail.outbox.clear()

    day_change(
        by=admin_hanoi,
        day=day,
        reason="Hội trường đang sửa",
        **{**current_fields(day), "venue_name": "Nhà văn hoá phường"},
    )
    assert day_notices_send() == 3
    assert day_notices_send() == 0

    assert recipients() == sorted(learner.email for learner in holders)
    message = mail.outbox[0]
    assert "has changed" in message.subject
    assert "Venue: Hội trường UBND phường → Nhà văn hoá phường" in message.body
    assert "Hội trường đang sửa" in message.body
    assert f"http://testserver/learning/days/{day.id}/" in message.body
    event = calendar_of(message).walk("VEVENT")[0]
    assert event["LOCATION"].startswith("Nhà văn hoá phường, 1 Đinh Tiên Hoàng")
    assert int(event["SEQUENCE"]) == 2
    notices = DayNotice.objects.filter(kind=DayNotice.Kind.CHANGED)
    assert sorted(notices.values_list("learner_id", flat=True)) == sorted(learner.id for learner in holders)
    assert all(notice.sent_at and notice.channel == "email" for notice in notices)
    assert bystander.id not in notices.values_list("learner_id", flat=True)


@pytest.mark.django_db
def test_a_change_nobody_is_told_about_sends_nothing(day_hanoi, admin_hanoi, course_hanoi, commune_hanoi):
    signed_up(day_hanoi, enrolled(1, course=course_hanoi, commune=commune_hanoi))
    day_change(by=admin_hanoi, day=day_hanoi, **{**current_fields(day_hanoi), "capacity": 50})
    assert day_notices_send() == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_each_message_once(day_hanoi, admin_hanoi, course_hanoi, commune_hanoi):
    learners = enrolled(6, course=course_hanoi, commune=commune_hanoi)
    signed_up(day_hanoi, learners)
    later = day_hanoi.starts_at + dt.timedelta(hours=1)
    day_change(by=admin_hanoi, day=day_hanoi, **{**current_fields(day_hanoi), "starts_at": later})
    mail.outbox.clear()

    results, errors = run_at_once(day_notices_send, count=3)

    assert errors == []
    assert sum(results) == 6
    assert recipients() == sorted(learner.email for learner in learners)
    assert DayNotice.objects.filter(sent_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_the_promoted_learner_is_told_once(day_hanoi, admin_hanoi, course_hanoi, commune_hanoi):
    day = day_change(by=admin_hanoi, day=day_hanoi, **{**current_fields(day_hanoi), "capacity": 1})
    holder, first, second = enrolled(3, course=course_hanoi, commune=commune_hanoi)
    signed_up(day, [holder, first, second])

    seat_release(learner=holder, day=day)
    assert day_notices_send() == 1
    assert day_notices_send() == 0

    [message] = mail.outbox
    assert message.to == [first.email]
    assert "A seat is yours" in message.subject
    assert "you are now signed up" in message.body
    seat = DaySeat.objects.get(learner=first, day=day)
    assert DayNotice.objects.get(kind=DayNotice.Kind.PROMOTED).source == f"seat-{seat.id}"


@pytest.mark.django_db
def test_the_cancellation_tells_everyone_holding_a_seat_its_reason(day_hanoi, admin_hanoi, course_hanoi, commune_hanoi):
    day = day_change(by=admin_hanoi, day=day_hanoi, **{**current_fields(day_hanoi), "capacity": 1})
    holder, waiting = enrolled(2, course=course_hanoi, commune=commune_hanoi)
    signed_up(day, [holder, waiting])

    day_cancel(by=admin_hanoi, day=day, reason="Bão số 3 đổ bộ")
    # Giving up the seat after the cancellation does not stop the learner being told of it.
    seat_release(learner=waiting, day=day)
    assert day_notices_send() == 2
    assert day_notices_send() == 0

    assert recipients() == sorted([holder.email, waiting.email])
    for message in mail.outbox:
        assert "is cancelled" in message.subject
        assert "The organisers' reason: Bão số 3 đổ bộ" in message.body
        calendar = calendar_of(message)
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


@pytest.mark.django_db
def test_the_reminder_goes_the_day_before_once_to_those_signed_up_and_enrolled(
    day_hanoi, admin_hanoi, course_hanoi, commune_hanoi
):
    day = day_change(by=admin_hanoi, day=day_hanoi, **{**current_fields(day_hanoi), "capacity": 2})
    coming, also_coming, waiting = enrolled(3, course=course_hanoi, commune=commune_hanoi)
    signed_up(day, [coming, also_coming, waiting])
    enrolment_cancel(learner=also_coming, course=course_hanoi)  # left the course; the sweep has not run
    day_before = the_day_before(day)

    assert day_notices_send(now=day_before - dt.timedelta(days=1)) == 0
    assert day_notices_send(now=at(day.starts_at.astimezone(VIETNAM).date(), 7)) == 0
    assert mail.outbox == []

    assert day_notices_send(now=day_before) == 1
    assert day_notices_send(now=day_before + dt.timedelta(hours=12)) == 0
    [message] = mail.outbox
    assert message.to == [coming.email]
    assert "Tomorrow" in message.subject
    assert "is tomorrow" in message.body
    # The way to the check-in code on the day, printable for a learner without a phone.
    assert f"http://testserver/learning/days/{day.id}/code/print/" in message.body
    assert DayNotice.objects.get(kind=DayNotice.Kind.REMINDER).source == f"day-{day.id}"


@pytest.mark.django_db
def test_the_reminder_is_found_a_minute_after_midnight_and_not_for_a_cancelled_day(
    day_hanoi, admin_hanoi, course_hanoi, commune_hanoi
):
    (learner,) = enrolled(1, course=course_hanoi, commune=commune_hanoi)
    signed_up(day_hanoi, [learner])
    midnight = at(day_hanoi.starts_at.astimezone(VIETNAM).date() - dt.timedelta(days=1), 0, 1)
    assert day_notices_send(now=midnight - dt.timedelta(minutes=2)) == 0

    day_cancel(by=admin_hanoi, day=day_hanoi, reason="Không đủ giảng viên")
    assert day_notices_send(now=midnight) == 1  # the cancellation, not a reminder
    assert not DayNotice.objects.filter(kind=DayNotice.Kind.REMINDER).exists()


@pytest.mark.django_db
def test_a_learner_with_only_a_phone_gets_a_text_message_not_an_email(
    day_hanoi, admin_hanoi, course_hanoi, commune_hanoi, caplog
):
    (learner,) = enrolled(1, course=course_hanoi, commune=commune_hanoi)
    learner.email, learner.phone = "", "+84912345678"
    learner.save(update_fields=["email", "phone"])
    signed_up(day_hanoi, [learner], language="vi")

    with caplog.at_level(logging.WARNING, logger="onetouch.sms"):
        assert day_notices_send(now=the_day_before(day_hanoi)) == 1

    assert mail.outbox == []
    [sms] = [record.getMessage() for record in caplog.records if record.name == "onetouch.sms"]
    assert sms.startswith("SMS to +84912345678: OneTouch: ngày mai là buổi học trực tiếp của “Thanh toán số”.")
    assert f"http://testserver/learning/days/{day_hanoi.id}/" in sms
    assert DayNotice.objects.get().channel == DayNotice.Channel.SMS


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        ("vi", "Ngày mai: buổi học trực tiếp của “Thanh toán số”", "Nhắc bạn: buổi học trực tiếp của khóa học"),
        ("en", "Tomorrow: the in-person day of “Thanh toán số”", "A reminder: the in-person day of the course"),
        ("", "Ngày mai: buổi học trực tiếp của “Thanh toán số”", "Nhắc bạn: buổi học trực tiếp của khóa học"),
    ],
)
def test_the_email_is_in_the_language_the_learner_signed_up_in(
    day_hanoi, course_hanoi, commune_hanoi, language, subject, sentence
):
    (learner,) = enrolled(1, course=course_hanoi, commune=commune_hanoi)
    signed_up(day_hanoi, [learner], language=language)

    assert day_notices_send(now=the_day_before(day_hanoi)) == 1

    [message] = mail.outbox
    assert message.subject == f"OneTouch – {subject}"
    assert sentence in message.body
    starts = day_hanoi.starts_at.astimezone(VIETNAM)
    date = starts.strftime("%d/%m/%Y") if language != "en" else f"{starts.day} {starts.strftime('%b %Y')}"
    assert f"{date}, 08:00–11:30" in message.body
    assert "Hội trường UBND phường, 1 Đinh Tiên Hoàng, Phường Hoàn Kiếm, Thành phố Hà Nội" in message.body


@pytest.mark.django_db
def test_a_failed_send_is_kept_and_tried_again(day_hanoi, course_hanoi, commune_hanoi, settings):
    (learner,) = enrolled(1, course=course_hanoi, commune=commune_hanoi)
    signed_up(day_hanoi, [learner])
    settings.EMAIL_BACKEND = "tests.inperson.test_services_notices.RefusingBackend"

    assert day_notices_send(now=the_day_before(day_hanoi)) == 0
    notice = DayNotice.objects.get()
    assert (notice.sent_at, notice.attempts) == (None, 1)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert day_notices_send(now=the_day_before(day_hanoi)) == 1
    notice.refresh_from_db()
    assert notice.sent_at is not None and notice.attempts == 2
    assert recipients() == [learner.email]


class RefusingBackend:
    """A mail server that cannot be reached (what an SMTP backend raises then)."""

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server unreachable")
