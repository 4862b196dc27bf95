"""The statement budget of the learner's side: every learner page and endpoint runs at most
LEARNER_BUDGET SQL statements, and the same number with a small and a several times larger history
(more lessons, lessons done, quiz attempts, enrolments, announcements, in-person days).

Every URL name under /learning/ (the learners app, in-person days, announcements) and the
learner's own certificate pages must appear in CASES, so a new learner route without a budget
fails `test_every_learner_route_has_a_budget`. Each case builds what its request needs just before
it is measured (a lesson never opened for a "first open", an open attempt for an autosave…), so
writes are measured as a learner meets them. Run with `-s` to print the table of counts.
"""

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from announcements.selectors.targets import Target
from announcements.services.announcements import announcement_create, announcement_recipients_claim
from courses.models import Course, Lesson, Partner
from courses.services.catalogue import course_run_create
from courses.services.structure import module_create
from inperson.models import InPersonDay
from inperson.services.days import day_schedule
from inperson.services.seats import seat_take
from inperson.services.trainers import trainer_create
from learners.models import CourseCompletion, LessonProgress, QuizAttempt
from learners.services.certificates import certificate_issue
from learners.services.enrolments import enrolment_create
from learners.services.progress import (
    HEARTBEAT_ROW,
    KNOWN_VIDEO_UPDATE,
    SLIDES_UPDATE,
    UNWAITED_UPDATES,
    VIDEO_UPDATE,
    lesson_complete_manually,
)
from learners.services.quizzes import attempt_finish, attempt_start
from onetouch.models import User
from onetouch.prepared import prepared_names
from tests.factories import (
    answer_all,
    correct_values,
    course_make,
    learner_make,
    lesson_make,
    quiz_make,
    seconds_pass,
    video_lesson_make,
)

pytestmark = pytest.mark.django_db

# The most SQL statements any learner page or endpoint may run (issue 17).
LEARNER_BUDGET = 10

# Routes under /learning/ measured elsewhere, with where and why.
ELSEWHERE = {
    # The hottest write path has its own, lower bound counted at the server (tests/learners/test_views_lesson.py).
    "learners:lesson_heartbeat",
}


@dataclass
class World:
    """One Hà Nội learner enrolled in a course with a lesson of every kind, a quiz, a run with an
    in-person day where they hold a seat, a certificate and announcements; `grow` adds history."""

    learner: User
    admin: User
    course: Course
    run: object
    module: object
    text: Lesson
    video: Lesson
    slides: Lesson
    document: Lesson
    quiz_lesson: Lesson
    day: InPersonDay
    certificate: object
    partner: Partner
    trainer: object
    commune: object

    def opened(self, lesson: Lesson, client) -> Lesson:
        client.get(lesson_url(lesson))
        return lesson

    def fresh(self, kind: str) -> Lesson:
        """A published lesson of `kind` at the end of the course, never opened."""
        if kind == Lesson.Kind.QUIZ:
            return quiz_make(course=self.course, module=self.module, attempts_limit=0, is_final_exam=False).lesson
        if kind == Lesson.Kind.VIDEO:
            return video_lesson_make(course=self.course, module=self.module)
        return lesson_make(course=self.course, module=self.module, kind=kind)

    def open_attempt(self) -> QuizAttempt:
        quiz = self.quiz_lesson.quiz
        return attempt_start(learner=self.learner, quiz=quiz)

    def submitted_attempt(self) -> QuizAttempt:
        attempt = self.open_attempt()
        answer_all(attempt, right=7)
        return attempt_finish(attempt=attempt, answers={})

    def day_make(self, run=None) -> InPersonDay:
        """An in-person day of `run`, or of a new course's run the learner is enrolled in (one day per run)."""
        if run is None:
            course = course_make(province=self.commune.province)
            run = run_make(course)
            enrolment_create(learner=self.learner, course=course)
        # 8:00 local time: a day must start and end on one calendar day, which now + 15 days does
        # not at every hour (after 21:00 its three hours would cross midnight).
        in_two_weeks = timezone.localdate() + dt.timedelta(days=15)
        starts = dt.datetime.combine(in_two_weeks, dt.time(8), tzinfo=timezone.get_current_timezone())
        return day_schedule(
            by=self.admin,
            course_run=run,
            partners=[self.partner],
            trainers=[self.trainer],
            province=self.commune.province,
            venue_name="Hội trường",
            venue_address="1 Đinh Tiên Hoàng",
            venue_commune=self.commune,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            capacity=30,
            cancellation_deadline=starts - dt.timedelta(days=1),
        )

    def grow(self, times: int) -> None:
        """Add `times` of each: lessons (half of them done), submitted attempts, enrolments in other
        courses with an in-person day where the learner holds a seat, announcements."""
        for number in range(times):
            lesson = lesson_make(course=self.course, module=self.module, kind=Lesson.Kind.TEXT)
            if number % 2:
                lesson_complete_manually(learner=self.learner, lesson=lesson)
            self.submitted_attempt()
            seat_take(learner=self.learner, day=self.day_make())
            announce(self.admin, Target(kind="course", course=self.course), f"Thông báo {number}")


def run_make(course):
    today = timezone.localdate()
    return course_run_create(
        course=course, title="Đợt 1", starts_on=today - dt.timedelta(days=5), ends_on=today + dt.timedelta(days=60)
    )


def lesson_url(lesson: Lesson) -> str:
    return reverse("learners:lesson", args=[lesson.course.slug, lesson.id])


def announce(by, target: Target, title: str):
    announcement = announcement_create(by=by, target=target, title=title, body=f"Nội dung của {title}")
    announcement_recipients_claim(announcement_id=announcement.id)
    return announcement


@pytest.fixture
def world(province_hanoi, commune_hanoi, learner_hanoi, admin_hanoi, partner_trainer) -> World:
    course = course_make(title="Thanh toán số", province=province_hanoi)
    run = run_make(course)
    enrolment_create(learner=learner_hanoi, course=course)
    module = module_create(course=course, title="Phần 1")
    lessons = {
        kind: lesson_make(course=course, module=module, kind=kind)
        for kind in (Lesson.Kind.TEXT, Lesson.Kind.SLIDES, Lesson.Kind.DOCUMENT)
    }
    video = video_lesson_make(course=course, module=module)
    quiz = quiz_make(course=course, module=module, attempts_limit=0, is_final_exam=False)
    partner = Partner.objects.create(name="Bưu điện Việt Nam", kind=Partner.Kind.POSTAL)
    trainer = trainer_create(user=partner_trainer, partner=partner)
    # A certificate of another course the learner completed.
    done = course_make(title="Chữ ký số", province=province_hanoi)
    enrolment = enrolment_create(learner=learner_hanoi, course=done)
    completion = CourseCompletion.objects.create(
        enrolment=enrolment, learner=learner_hanoi, course=done, completed_at=timezone.now()
    )
    world = World(
        learner=learner_hanoi,
        admin=admin_hanoi,
        course=course,
        run=run,
        module=module,
        text=lessons[Lesson.Kind.TEXT],
        video=video,
        slides=lessons[Lesson.Kind.SLIDES],
        document=lessons[Lesson.Kind.DOCUMENT],
        quiz_lesson=quiz.lesson,
        day=None,
        certificate=certificate_issue(completion_id=completion.id),
        partner=partner,
        trainer=trainer,
        commune=commune_hanoi,
    )
    world.day = world.day_make(run)
    seat_take(learner=learner_hanoi, day=world.day)
    heartbeat_statements_prepare()
    announce(admin_hanoi, Target(kind="course", course=course), "Thông báo đầu")
    world.submitted_attempt()
    return world


# --- The cases: each returns (method, url, data, extra headers) for the request to measure ---------

Request = tuple[str, str, dict | str | None, dict]


def get(url: str, **headers) -> Request:
    return "get", url, None, headers


def post(url: str, data: dict | str | None = None, **headers) -> Request:
    return "post", url, data or {}, headers


def lesson_case(kind: str, *, first: bool, **query) -> Callable[[World, object], Request]:
    def case(world: World, client) -> Request:
        lesson = world.fresh(kind)
        if not first:
            world.opened(lesson, client)
        return get(lesson_url(lesson), **({"QUERY_STRING": "page=1"} if query else {}))

    return case


def quiz_answer(world: World, client) -> Request:
    attempt = world.open_attempt()
    question = attempt.question_ids[0]
    body = json.dumps({"question": question, "choices": correct_values(attempt, question)})
    return "post", reverse("learners:quiz_answer", args=[attempt.id]), body, {"content_type": "application/json"}


def quiz_submit(world: World, client) -> Request:
    attempt = world.open_attempt()
    question = attempt.question_ids[0]
    answers = {f"q-{question}": correct_values(attempt, question)}
    return post(reverse("learners:quiz_submit", args=[attempt.id]), answers)


def quiz_start(world: World, client) -> Request:
    QuizAttempt.objects.filter(learner=world.learner, submitted_at__isnull=True).delete()
    lesson = world.quiz_lesson
    return post(reverse("learners:quiz_start", args=[lesson.course.slug, lesson.id]))


def lesson_complete(world: World, client, *, as_json: bool) -> Request:
    """A text opened long enough ago: the learner marks it read."""
    lesson = world.opened(world.fresh(Lesson.Kind.TEXT), client)
    seconds_pass(LessonProgress.objects.get(learner=world.learner, lesson=lesson), 600)
    url = reverse("learners:lesson_complete", args=[lesson.course.slug, lesson.id])
    return post(url, **({"HTTP_ACCEPT": "application/json"} if as_json else {}))


def last_slide_read(world: World, client) -> Request:
    """The one-page deck shown long enough: the button completes it."""
    lesson = world.opened(world.fresh(Lesson.Kind.SLIDES), client)
    seconds_pass(LessonProgress.objects.get(learner=world.learner, lesson=lesson), 60)
    return post(reverse("learners:lesson_slide", args=[lesson.course.slug, lesson.id]), {"page": "1"})


def enrol(world: World, client) -> Request:
    course = course_make(province=world.commune.province)
    return post(reverse("learners:enrol", args=[course.slug]))


def unenrol(world: World, client) -> Request:
    course = course_make(province=world.commune.province)
    enrolment_create(learner=world.learner, course=course)
    return post(reverse("learners:unenrol", args=[course.slug]))


def seat_take_case(world: World, client) -> Request:
    return post(reverse("inperson:learner_seat_take", args=[world.day_make().id]))


def seat_release_case(world: World, client) -> Request:
    day = world.day_make()
    seat_take(learner=world.learner, day=day)
    return post(reverse("inperson:learner_seat_release", args=[day.id]))


def profile_save_case(world: World, client) -> Request:
    profile = world.learner.profile
    return post(
        reverse("learners:profile"),
        {
            "full_name": "Nguyễn Văn Bình",
            "audience_group": profile.audience_group,
            "province": profile.province.code,
            "commune": profile.commune.code,
        },
    )


def day_url(name: str) -> Callable[[World, object], Request]:
    return lambda world, client: get(reverse(f"inperson:{name}", args=[world.day.id]))


CASES: dict[str, dict[str, Callable[[World, object], Request]]] = {
    "learners:my_learning": {"My learning": lambda w, c: get(reverse("learners:my_learning"))},
    "learners:profile": {
        "profile": lambda w, c: get(reverse("learners:profile")),
        "profile, saved": profile_save_case,
    },
    "learners:communes": {"communes": lambda w, c: get(reverse("learners:communes"), QUERY_STRING="province=01")},
    "learners:enrol": {
        "enrol": enrol,
        # Two events ("enrolled" and "learner joined") in the one INSERT.
        "enrol, the learner's first": lambda w, c: (c.force_login(learner_make(commune=w.commune)), enrol(w, c))[1],
    },
    "learners:unenrol": {"unenrol": unenrol},
    "learners:province_learners": {
        "province's learners (staff)": lambda w, c: (
            c.force_login(w.admin),
            get(reverse("learners:province_learners", args=["01"])),
        )[1],
    },
    "learners:lesson": {
        "text, first open": lesson_case(Lesson.Kind.TEXT, first=True),
        "text, again": lesson_case(Lesson.Kind.TEXT, first=False),
        "video, first open": lesson_case(Lesson.Kind.VIDEO, first=True),
        "video, again": lesson_case(Lesson.Kind.VIDEO, first=False),
        "slides, first open": lesson_case(Lesson.Kind.SLIDES, first=True),
        "slides, again": lesson_case(Lesson.Kind.SLIDES, first=False),
        "slides, ?page=1": lesson_case(Lesson.Kind.SLIDES, first=False, page=1),
        "document, first open": lesson_case(Lesson.Kind.DOCUMENT, first=True),
        "document, again": lesson_case(Lesson.Kind.DOCUMENT, first=False),
        "quiz rules, first open": lesson_case(Lesson.Kind.QUIZ, first=True),
        "quiz rules, again": lambda w, c: get(lesson_url(w.opened(w.quiz_lesson, c))),
    },
    "learners:lesson_complete": {
        "mark read (form)": lambda w, c: lesson_complete(w, c, as_json=False),
        "mark read (JSON)": lambda w, c: lesson_complete(w, c, as_json=True),
    },
    "learners:lesson_outline": {
        "outline": lambda w, c: get(reverse("learners:lesson_outline", args=[w.course.slug, w.text.id])),
    },
    "learners:lesson_slide": {"last slide read": last_slide_read},
    "learners:lesson_download": {
        "document download": lambda w, c: get(
            reverse("learners:lesson_download", args=[w.course.slug, w.fresh(Lesson.Kind.DOCUMENT).id])
        ),
    },
    "learners:lesson_media": {
        "video file": lambda w, c: get(reverse("learners:lesson_media", args=[w.video.id, w.video.source.name])),
    },
    "learners:quiz_start": {"quiz start": quiz_start},
    "learners:quiz_attempt": {
        "quiz attempt": lambda w, c: get(reverse("learners:quiz_attempt", args=[w.open_attempt().id])),
    },
    "learners:quiz_answer": {"quiz answer autosave": quiz_answer},
    "learners:quiz_status": {
        "quiz status": lambda w, c: get(reverse("learners:quiz_status", args=[w.open_attempt().id])),
    },
    "learners:quiz_submit": {"quiz submit": quiz_submit},
    "learners:quiz_result": {
        "quiz result": lambda w, c: get(reverse("learners:quiz_result", args=[w.submitted_attempt().id])),
    },
    "learners:save_data": {"save data": lambda w, c: post(reverse("learners:save_data"), {"save_data": "1"})},
    "inperson:learner_day": {"in-person day": day_url("learner_day")},
    "inperson:learner_day_calendar": {"day calendar": day_url("learner_day_calendar")},
    "inperson:learner_seat_take": {"day sign-up": seat_take_case},
    "inperson:learner_seat_release": {"day cancel": seat_release_case},
    "inperson:learner_day_code": {"check-in code": day_url("learner_day_code")},
    "inperson:learner_day_code_json": {"check-in code JSON": day_url("learner_day_code_json")},
    "inperson:learner_day_code_print": {"printable code": day_url("learner_day_code_print")},
    "announcements:learner_list": {"announcements": lambda w, c: get(reverse("announcements:learner_list"))},
    "announcements:email_preference": {
        "email preference": lambda w, c: post(
            reverse("announcements:email_preference"), {"kind": "announcement", "subscribed": ""}
        ),
    },
    "certificates:download": {
        "certificate download": lambda w, c: get(reverse("certificates:download", args=[w.certificate.code])),
    },
    "certificates:verify": {
        "certificate page": lambda w, c: get(reverse("certificates:verify", args=[w.certificate.code])),
    },
}


def learner_route_names() -> set[str]:
    """Every named URL under /learning/ (learners, in-person days, announcements)."""
    names = set()

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                if (prefix + str(pattern.pattern)).startswith("learning/"):
                    names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "", "")
    return names


def test_every_learner_route_has_a_budget():
    """A new route under /learning/ fails here until it has a case below (or a bound elsewhere)."""
    assert learner_route_names() - ELSEWHERE - set(CASES) == set()


def heartbeat_statements_prepare() -> None:
    """Prepare the heartbeat's statements on this test's connection, as any earlier heartbeat would have.

    A connection prepares each of them once in its life (onetouch/prepared.py); counted here, that
    PREPARE would land on whichever page the test happens to measure first.
    """
    names = prepared_names()
    with connection.cursor() as cursor:
        statements = (HEARTBEAT_ROW.by_session_table, HEARTBEAT_ROW.by_parameter, VIDEO_UPDATE, SLIDES_UPDATE)
        known = (KNOWN_VIDEO_UPDATE.by_session_table, KNOWN_VIDEO_UPDATE.by_parameter)
        for statement in (*statements, *known, *UNWAITED_UPDATES.values()):
            if statement.name not in names:
                cursor.execute(statement.prepare_sql())
                names.add(statement.name)


def measure(client, world: World, case) -> int:
    method, url, data, headers = case(world, client)
    headers = dict(headers)
    query = headers.pop("QUERY_STRING", "")
    content_type = headers.pop("content_type", None)
    kwargs = {"content_type": content_type} if content_type else {}
    if query:
        url = f"{url}?{query}"
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data, **kwargs, **headers)
    assert response.status_code < 400, (url, response.status_code)
    client.force_login(world.learner)
    if os.environ.get("PRINT_SQL"):
        print("\n".join(query["sql"][:300] for query in captured.captured_queries))
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "route, label", [(route, label) for route, cases in CASES.items() for label in cases], ids=lambda v: v
)
def test_learner_page_stays_within_budget_at_every_size(client, world, route, label):
    """The same number of statements, at most LEARNER_BUDGET, with a small history and one six times larger."""
    case = CASES[route][label]
    client.force_login(world.learner)
    small = measure(client, world, case)
    world.grow(5)
    large = measure(client, world, case)
    print(f"\n{route:40} {label:28} {small:3} {large:3}")
    assert large == small, f"{label}: {small} statements with a small history, {large} with a larger one"
    assert small <= LEARNER_BUDGET, f"{label}: {small} statements"
