"""Demo data: two in-person days already held, with their seats and attendance, for the statistics pages.

A day must start in the future when it is scheduled (inperson.services.days), so a day in the past
is written here as the services would have left it once held: a run that started before it, its
learners enrolled through learners.services, a schedule entry in its history, seats signed up
before the deadline, and attendance ticked by the ministry's staff on the day with its learning
events. Like learners/demo/history.py, the moments of the rows and events written just now are
then moved back to when they would have happened (demo data only: the log is otherwise never
updated).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from courses.models import Course, CourseRun, Partner
from inperson.models import Attendance, DayChange, DaySeat, InPersonDay
from inperson.services.attendance import attendance_completions_record
from learners.demo.crowd import crowd_enrolment_take
from learners.demo.crowd_plan import CrowdEnrolment, crowd_courses
from learners.models import Enrolment, LearningEvent
from learners.services.enrolments import enrolment_create
from learners.services.events import learning_event_record
from onetouch.models import Commune, User

DEMO_MINISTRY_EMAIL = "bo@demo.onetouch.vn"
RUN_TITLE = "Đợt 0 - học kèm buổi trực tiếp"


@dataclass(frozen=True)
class HeldDay:
    course_slug: str
    commune_name: str  # the venue's commune, in the province where the day is held
    venue_name: str
    venue_address: str
    days_ago: int
    partner_names: tuple[str, ...]
    signed_up: int  # demo learners of the province who signed up
    attended: int  # of whom this many came
    completed: int  # of whom this many have since completed the course online: completed in person


HELD_DAYS = (
    HeldDay(
        "tai-khoan-thanh-toan-truc-tuyen",
        "Phường Hoàn Kiếm",
        "Nhà văn hóa phường Hoàn Kiếm",
        "2 Lê Thái Tổ",
        days_ago=12,
        partner_names=(
            "Công ty Cổ phần Thanh toán Quốc gia Việt Nam (NAPAS)",
            "Tập đoàn Công nghiệp - Viễn thông Quân đội (Viettel)",
        ),
        signed_up=12,
        attended=9,
        completed=6,
    ),
    HeldDay(
        "mua-sam-truc-tuyen",
        "",  # the first commune of the province below, by code
        "Bưu điện tỉnh",
        "8 Hoàng Hoa Thám",
        days_ago=5,
        partner_names=("Tổng công ty Bưu điện Việt Nam (Vietnam Post)",),
        signed_up=8,
        attended=5,
        completed=2,
    ),
)
# The second day's province: Huế (46), where the demo has learners.
SECOND_PROVINCE_CODE = "46"


@transaction.atomic
def demo_held_days_load() -> int:
    """Write the held days not written yet; return how many days were held in the demo."""
    by = User.objects.get(email=DEMO_MINISTRY_EMAIL)
    for held in HELD_DAYS:
        _held_day_write(held, by=by)
    return InPersonDay.objects.filter(cancelled_at__isnull=True, starts_at__lte=timezone.now()).count()


def _held_day_write(held: HeldDay, *, by: User) -> None:
    course = Course.objects.filter(slug=held.course_slug, is_published=True).first()
    if course is None or CourseRun.objects.filter(course=course, title=RUN_TITLE).exists():
        return
    if course.runs.exists():
        return  # its learners already joined another run: leave the course as it is
    commune = (
        Commune.objects.get(name=held.commune_name, province__code="01")
        if held.commune_name
        else Commune.objects.filter(province__code=SECOND_PROVINCE_CODE).order_by("code").first()
    )
    today = timezone.localdate()
    day_on = today - dt.timedelta(days=held.days_ago)
    learners = list(
        # The crowd's learners only: the demo accounts people log in with keep their own courses.
        User.objects.filter(email__startswith="hocvien-", profile__province=commune.province, role=User.Role.LEARNER)
        .exclude(enrolments__course=course)
        .order_by("id")[: held.signed_up]
    )
    if not learners:
        return  # no crowd loaded (as in tests): nobody to have attended
    run = CourseRun.objects.create(
        course=course, title=RUN_TITLE, starts_on=day_on - dt.timedelta(days=20), ends_on=today + dt.timedelta(days=30)
    )
    zone = timezone.get_default_timezone()
    starts_at = dt.datetime.combine(day_on, dt.time(8), tzinfo=zone)
    enrolled_at = starts_at - dt.timedelta(days=15)
    for learner in learners:
        enrolment_create(learner=learner, course=course)  # joins the run: the only one not ended
    LearningEvent.objects.filter(course=course, learner__in=learners).update(occurred_at=enrolled_at)
    Enrolment.objects.filter(course=course, learner__in=learners).update(enrolled_at=enrolled_at)

    day = InPersonDay.objects.create(
        course_run=run,
        province=commune.province,
        venue_name=held.venue_name,
        venue_address=held.venue_address,
        venue_commune=commune,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=3, minutes=30),
        capacity=max(held.signed_up, 20),
        cancellation_deadline=starts_at - dt.timedelta(hours=15),
        created_by=by,
        updated_by=by,
    )
    day.partners.set(Partner.objects.filter(name__in=held.partner_names))
    DayChange.objects.create(day=day, kind=DayChange.Kind.SCHEDULED, by=by)
    DayChange.objects.filter(day=day).update(at=enrolled_at + dt.timedelta(days=1))
    for learner in learners:
        DaySeat.objects.create(day=day, learner=learner, status=DaySeat.Status.SIGNED_UP)
    DaySeat.objects.filter(day=day).update(asked_at=enrolled_at + dt.timedelta(days=2))

    for minute, learner in enumerate(learners[: held.attended]):
        checked_in_at = starts_at + dt.timedelta(minutes=minute)
        Attendance.objects.create(
            day=day,
            learner=learner,
            method=Attendance.Method.TICKED,
            checked_in_at=checked_in_at,
            checked_in_by=by,
        )
        event = learning_event_record(
            kind=LearningEvent.Kind.ATTENDED_IN_PERSON, enrolment=Enrolment.objects.get(learner=learner, course=course)
        )
        LearningEvent.objects.filter(id=event.id).update(occurred_at=checked_in_at)
    Attendance.objects.filter(day=day).update(recorded_at=starts_at + dt.timedelta(minutes=30))
    held_day_attendees_complete(course=course, learners=learners[: min(held.completed, held.attended)])


def held_day_attendees_complete(*, course: Course, learners: list[User]) -> None:
    """Take the course online to its end for these attendees, the way the pages do; in person, they then
    count as completed (written here by the sweep beat runs every minute)."""
    crowd_course = next((each for each in crowd_courses() if each.course.id == course.id), None)
    if crowd_course is None:
        return
    whole_course = CrowdEnrolment(
        course=crowd_course, lessons_taken=len(crowd_course.lessons), quiz_outcomes=(True,), skips_optional=False
    )
    for learner in learners:
        crowd_enrolment_take(user=learner, plan=whole_course)
    attendance_completions_record()
