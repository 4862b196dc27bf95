"""Demo data of the learners' side: one demo account per role, and a crowd of demo learners.

The crowd (hocvien-001@demo.onetouch.vn …) lives in several provinces and communes and belongs to
all four audience groups. Its enrolments, lessons, quizzes, completions and certificates go through
the real services, so its learning events are exactly those production writes; only their times
are then moved back over the last DEMO_DAYS days (`crowd_history_spread`), so that the statistics
dashboards have a history to show. Every choice is drawn from one seeded random.Random: a load
into an empty database always makes the same crowd doing the same things (certificate codes and
quiz draws, which the services draw themselves, aside).
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from courses.demo.courses import DEMO_COURSES
from courses.models import Choice, Course, Lesson, Quiz
from courses.selectors.outline import course_outline_get
from learners.models import Certificate, CourseCompletion, Enrolment, LearningEvent, LessonProgress, QuizAttempt
from learners.quizzes import choice_value
from learners.services.certificates import certificate_issue
from learners.services.enrolments import course_run_open_for_enrolment, enrolment_create, profile_save
from learners.services.progress import (
    document_download_record,
    lesson_complete_manually,
    lesson_progress_open,
    lesson_reading_wait_seconds,
    progress_report_apply,
    progress_row_read,
)
from learners.services.quizzes import attempt_finish, attempt_start
from onetouch.models import AudienceGroup, Commune, Province, User
from onetouch.services import staff_account_create

DEMO_PASSWORD = "onetouch-demo-2025"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: str
    province_code: str | None = None


DEMO_ACCOUNTS = [
    DemoAccount("hocvien@demo.onetouch.vn", "Nguyễn Thị Hồng Nhung", User.Role.LEARNER),
    DemoAccount("quantri.hanoi@demo.onetouch.vn", "Trần Văn Đức", User.Role.PROVINCIAL_ADMIN, "01"),
    DemoAccount("giangvien@demo.onetouch.vn", "Lê Minh Tuấn", User.Role.PARTNER_TRAINER),
    DemoAccount("bo@demo.onetouch.vn", "Phạm Thu Hà", User.Role.MINISTRY_STAFF),
]


@transaction.atomic
def demo_accounts_load() -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet; return all of them."""
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(email=account.email).exists():
            continue
        if account.role == User.Role.LEARNER:
            demo_learner_create(account)
        else:
            province = Province.objects.get(code=account.province_code) if account.province_code else None
            staff_account_create(
                email=account.email,
                full_name=account.full_name,
                role=account.role,
                password=DEMO_PASSWORD,
                province=province,
            )
    return DEMO_ACCOUNTS


def demo_learner_create(account: DemoAccount) -> User:
    user = User.objects.create_user(account.email, DEMO_PASSWORD, full_name=account.full_name)
    commune = Commune.objects.select_related("province").get(name="Phường Hoàn Kiếm")
    profile_save(
        user=user,
        audience_group="digital_team",
        province=commune.province,
        commune=commune,
        organisation="Tổ công nghệ số cộng đồng phường Hoàn Kiếm",
        position="Tổ viên",
    )
    enrolment_create(learner=user, course=Course.objects.get(slug="an-toan-thong-tin-co-ban"))
    return user


# --- The crowd ------------------------------------------------------------------------------------

DEMO_LEARNER_COUNT = 300
DEMO_LEARNER_EMAIL = "hocvien-{number:03d}@demo.onetouch.vn"
DEMO_SEED = 20250701
DEMO_DAYS = 90

# Where the crowd lives, with weights. Hà Nội (whose admin is a demo login), Huế and Đồng Tháp have
# courses of their own.
DEMO_PROVINCE_WEIGHTS = {"01": 30, "79": 15, "46": 12, "82": 10, "48": 10, "40": 9, "31": 8, "15": 6}
# Few communes per province, so that one commune's leaders and digital team both appear on the
# province page's coverage figures.
DEMO_COMMUNES_PER_PROVINCE = 5
DEMO_GROUP_WEIGHTS = {
    AudienceGroup.PUBLIC: 40,
    AudienceGroup.DIGITAL_TEAM: 30,
    AudienceGroup.CIVIL_SERVANT: 20,
    AudienceGroup.COMMUNE_LEADER: 10,
}
# Public services with lessons and a final quiz: useful to everyone, and it can be completed.
DEMO_COURSE_FOR_EVERYONE = "dich-vu-cong-truc-tuyen"

FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE_NAMES = ["Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Hữu", "Thanh", "Quốc", "Thị Thu", "Xuân", "Kim"]
GIVEN_NAMES = [
    "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh",
    "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang",
    "Tú", "Vân", "Yến", "Thắng",
]  # fmt: skip
# What a learner of each group writes as organisation ({commune} is filled in) and job title.
GROUP_JOBS = {
    AudienceGroup.COMMUNE_LEADER: ("Ủy ban nhân dân {commune}", ["Chủ tịch", "Phó Chủ tịch"]),
    AudienceGroup.CIVIL_SERVANT: (
        "Ủy ban nhân dân {commune}",
        ["Công chức Văn phòng - Thống kê", "Công chức Tư pháp - Hộ tịch", "Viên chức"],
    ),
    AudienceGroup.DIGITAL_TEAM: ("Tổ công nghệ số cộng đồng {commune}", ["Tổ trưởng", "Tổ viên"]),
    AudienceGroup.PUBLIC: ("", [""]),
}
# Outcomes of the final quiz for a learner who reaches it, with weights: passed at once, at the
# second attempt, or failed twice (the demo quiz allows two).
QUIZ_OUTCOMES = {(True,): 65, (False, True): 25, (False, False): 10}
# Events a service writes in the same call as the event before them: they share its moment.
SAME_CALL_KINDS = {LearningEvent.Kind.LEARNER_JOINED, LearningEvent.Kind.COURSE_COMPLETED}


@dataclass(frozen=True)
class CrowdCourse:
    course: Course
    audiences: frozenset[str]
    province_code: str | None
    lessons: list[Lesson]  # published, in the order of the outline
    quizzes: dict[int, Quiz]  # by lesson id


@dataclass(frozen=True)
class CrowdEnrolment:
    course: CrowdCourse
    lessons_taken: int  # how many of the course's lessons the learner goes through, in order
    quiz_outcomes: tuple[bool, ...]
    skips_optional: bool


@dataclass(frozen=True)
class CrowdLearner:
    email: str
    full_name: str
    audience_group: str
    commune: Commune
    organisation: str
    position: str
    started_at: datetime  # the first enrolment, after the shift
    enrolments: list[CrowdEnrolment]


def demo_learner_email(number: int) -> str:
    return DEMO_LEARNER_EMAIL.format(number=number)


def crowd_learners() -> QuerySet[User]:
    """Return the demo crowd's accounts (not the demo logins)."""
    return User.objects.filter(email__startswith="hocvien-", email__endswith="@demo.onetouch.vn")


@transaction.atomic
def demo_crowd_load(*, count: int = DEMO_LEARNER_COUNT, seed: int = DEMO_SEED) -> int:
    """Create the demo learners with 90 days of activity, once; return how many demo learners there are.

    All in one transaction: a load that fails leaves no half crowd, and no statistics fold ever
    sees the events before their times are moved back.
    """
    if User.objects.filter(email=demo_learner_email(1)).exists():
        return crowd_learners().count()
    courses = crowd_courses()
    if not courses:
        return 0
    now = timezone.now()
    plan = crowd_plan(rng=random.Random(seed), count=count, courses=courses, now=now)
    users = crowd_accounts_create(plan)
    for user, learner in zip(users, plan, strict=True):
        for enrolment in learner.enrolments:
            crowd_enrolment_take(user=user, plan=enrolment)
    # The latest of the crowd's moments is half an hour ago: nothing of theirs lies in the future.
    crowd_history_spread(
        users=users, plan=plan, rng=random.Random(seed + 1), now=timezone.now() - timedelta(minutes=30)
    )
    return len(users)


def crowd_courses() -> list[CrowdCourse]:
    """Return the published demo courses open for enrolment, with their lessons and final quiz."""
    demo = {course.slug: course for course in DEMO_COURSES}
    courses = []
    for course in Course.objects.filter(slug__in=demo, is_published=True).prefetch_related("runs").order_by("slug"):
        try:
            course_run_open_for_enrolment(course=course)
        except ValidationError:  # every run ended (an old demo database): enrolment is closed
            continue
        lessons = [item.lesson for module in course_outline_get(course=course).modules for item in module.lessons]
        for lesson in lessons:
            lesson.course = course  # the services read it; one object for every learner
        quizzes = {quiz.lesson_id: quiz for quiz in Quiz.objects.filter(lesson__in=lessons)}
        for lesson in lessons:
            if lesson.id in quizzes:
                quizzes[lesson.id].lesson = lesson
        courses.append(
            CrowdCourse(
                course=course,
                audiences=frozenset(demo[course.slug].audiences),
                province_code=demo[course.slug].province_code,
                lessons=lessons,
                quizzes=quizzes,
            )
        )
    return courses


def crowd_plan(*, rng: random.Random, count: int, courses: list[CrowdCourse], now: datetime) -> list[CrowdLearner]:
    """Draw who the demo learners are, where they live, what they take and when they start."""
    provinces = {p.code: p for p in Province.objects.filter(code__in=DEMO_PROVINCE_WEIGHTS)}
    communes = {}
    for code in sorted(provinces):
        in_province = list(Commune.objects.filter(province=provinces[code]).select_related("province").order_by("code"))
        communes[code] = rng.sample(in_province, min(DEMO_COMMUNES_PER_PROVINCE, len(in_province)))
    province_codes = sorted(provinces)
    province_weights = [DEMO_PROVINCE_WEIGHTS[code] for code in province_codes]
    groups, group_weights = list(DEMO_GROUP_WEIGHTS), list(DEMO_GROUP_WEIGHTS.values())
    today = timezone.localdate(now)
    plan = []
    for number in range(1, count + 1):
        code = rng.choices(province_codes, province_weights)[0]
        commune = rng.choice(communes[code])
        group = rng.choices(groups, group_weights)[0]
        organisation, positions = GROUP_JOBS[group]
        # More learners started lately than long ago: a platform that is catching on.
        days_ago = 1 + int((DEMO_DAYS - 2) * rng.random() ** 1.3)
        started_at = datetime.combine(
            today - timedelta(days=days_ago),
            time(rng.randint(7, 21), rng.randint(0, 59)),
            timezone.get_current_timezone(),
        )
        plan.append(
            CrowdLearner(
                email=demo_learner_email(number),
                full_name=f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}",
                audience_group=group,
                commune=commune,
                organisation=organisation.format(commune=commune.name[:1].lower() + commune.name[1:]),
                position=rng.choice(positions),
                started_at=started_at,
                enrolments=crowd_enrolments_plan(rng=rng, group=group, province_code=code, courses=courses),
            )
        )
    return plan


def crowd_enrolments_plan(
    *, rng: random.Random, group: str, province_code: str, courses: list[CrowdCourse]
) -> list[CrowdEnrolment]:
    """Choose one to three courses for the learner's group and province, and how far each is taken."""
    for_group = [c for c in courses if group in c.audiences and c.province_code in (None, province_code)]
    chosen = []
    everyone = next((c for c in courses if c.course.slug == DEMO_COURSE_FOR_EVERYONE), None)
    if everyone is not None and rng.random() < 0.3:
        chosen.append(everyone)
    wanted = rng.choice((1, 1, 2, 2, 3))
    others = [c for c in for_group if c not in chosen]
    chosen += rng.sample(others, max(0, min(len(others), wanted - len(chosen))))
    enrolments = []
    for course in chosen:
        lessons, share = len(course.lessons), rng.random()
        if not lessons or share < 0.3:
            taken = 0  # enrolled, not started yet
        elif share < 0.7:
            taken = rng.randint(1, max(1, lessons - 1))  # part of the way
        else:
            taken = lessons
        enrolments.append(
            CrowdEnrolment(
                course=course,
                lessons_taken=taken,
                quiz_outcomes=rng.choices(list(QUIZ_OUTCOMES), list(QUIZ_OUTCOMES.values()))[0],
                skips_optional=rng.random() < 0.5,
            )
        )
    return enrolments


def crowd_accounts_create(plan: list[CrowdLearner]) -> list[User]:
    """Create the demo learners' accounts and profiles; all share the demo password."""
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose, 300 times is minutes
    User.objects.bulk_create(
        [
            User(
                email=learner.email,
                full_name=learner.full_name,
                password=password,
                date_joined=learner.started_at - timedelta(minutes=5),
            )
            for learner in plan
        ]
    )
    by_email = {user.email: user for user in User.objects.filter(email__in=[learner.email for learner in plan])}
    users = [by_email[learner.email] for learner in plan]
    for user, learner in zip(users, plan, strict=True):
        profile_save(
            user=user,
            audience_group=learner.audience_group,
            province=learner.commune.province,
            commune=learner.commune,
            organisation=learner.organisation,
            position=learner.position,
        )
    return users


def crowd_enrolment_take(*, user: User, plan: CrowdEnrolment) -> None:
    """Enrol, then go through the planned lessons in order the way the pages do, through the services."""
    enrolment_create(learner=user, course=plan.course.course)
    for lesson in plan.course.lessons[: plan.lessons_taken]:
        if lesson.kind == Lesson.Kind.QUIZ:
            quiz = plan.course.quizzes[lesson.id]
            outcomes = plan.quiz_outcomes[: quiz.attempts_limit or None]
            for passes in outcomes:
                quiz_take(user=user, quiz=quiz, passes=passes)
            if not outcomes[-1]:
                return
        elif not lesson.is_required and plan.skips_optional:
            continue
        elif lesson.kind in (Lesson.Kind.TEXT, Lesson.Kind.DOCUMENT):
            reading_lesson_finish(user=user, lesson=lesson)
        else:
            media_lesson_finish(user=user, lesson=lesson)


def reading_lesson_finish(*, user: User, lesson: Lesson) -> None:
    """Open (and download) a text or document lesson, take its reading time, then mark it read."""
    if lesson.kind == Lesson.Kind.DOCUMENT:
        progress = document_download_record(learner=user, lesson=lesson)
    else:
        progress = lesson_progress_open(learner=user, lesson=lesson)
    progress_clocks_back(progress, lesson_reading_wait_seconds(lesson))
    lesson_complete_manually(learner=user, lesson=lesson)


def media_lesson_finish(*, user: User, lesson: Lesson) -> None:
    """Watch the whole video in one heartbeat, or show every slide page long enough, in the time it takes."""
    progress = lesson_progress_open(learner=user, lesson=lesson)
    if lesson.kind == Lesson.Kind.VIDEO:
        duration = lesson.duration_seconds or 0
        progress_clocks_back(progress, duration)
        progress_report_apply(
            row=progress_row_read(id=progress.id), now=timezone.now(), intervals=[[0, duration]], position=duration
        )
        return
    last = lesson.page_count or 0
    # Each page is reported on screen; the report after it counts it; the last is reported twice.
    for page in [*range(1, last + 1), last]:
        progress_clocks_back(progress, settings.SLIDE_PAGE_MIN_SECONDS)
        progress_report_apply(row=progress_row_read(id=progress.id), now=timezone.now(), page=page)


def progress_clocks_back(progress: LessonProgress, seconds: float) -> None:
    """Move a lesson's completion clocks back, as if `seconds` had passed (the crowd has no time to wait)."""
    back = timedelta(seconds=seconds)
    LessonProgress.objects.filter(id=progress.id).update(
        opened_at=F("opened_at") - back,
        watch_allowance_at=F("watch_allowance_at") - back,
        page_shown_at=F("page_shown_at") - back,
    )


def quiz_take(*, user: User, quiz: Quiz, passes: bool) -> QuizAttempt:
    """Start an attempt and submit it: every answer right when passing, a third of them when failing."""
    attempt = attempt_start(learner=user, quiz=quiz)
    correct, wrong = defaultdict(list), defaultdict(list)
    for question_id, choice_id, is_correct in Choice.objects.filter(question_id__in=attempt.question_ids).values_list(
        "question_id", "id", "is_correct"
    ):
        (correct if is_correct else wrong)[question_id].append(choice_id)
    right = len(attempt.question_ids) if passes else len(attempt.question_ids) // 3
    answers = {
        question_id: [
            choice_value(seed=attempt.seed, choice_id=choice_id)
            for choice_id in (correct[question_id] if index < right else wrong[question_id][:1])
        ]
        for index, question_id in enumerate(attempt.question_ids)
    }
    return attempt_finish(attempt=attempt, answers=answers)


def crowd_history_spread(*, users: list[User], plan: list[CrowdLearner], rng: random.Random, now: datetime) -> None:
    """Move the crowd's activity, written just now, back over the last DEMO_DAYS days.

    Demo data only: the learning-event log is otherwise never updated. The services stamped every
    event with the moment it was written; here each learner's events keep their order and are
    spread from the learner's planned start up to `now`, and the rows that carry the same moments
    (enrolments, lesson progress, quiz attempts, completions, certificates) follow their events.
    Certificates are issued once their completions carry the moved date, so that the PDF prints it.
    """
    learner_ids = [user.id for user in users]
    start_by_learner = {user.id: learner.started_at for user, learner in zip(users, plan, strict=True)}
    events = list(
        LearningEvent.objects.filter(learner_id__in=learner_ids)
        .only("id", "kind", "learner_id", "course_id", "lesson_id")
        .order_by("learner_id", "id")
    )
    by_learner = defaultdict(list)
    for event in events:
        by_learner[event.learner_id].append(event)
    for learner_id, learner_events in by_learner.items():
        timeline_spread(learner_events, start=start_by_learner[learner_id], end=now, rng=rng)

    moments = defaultdict(list)  # (kind, learner, course or lesson) → the moved times, in order
    for event in events:
        moments[event.kind, event.learner_id, event.lesson_id or event.course_id].append(event.occurred_at)
    completions = list(CourseCompletion.objects.filter(learner_id__in=learner_ids))
    for completion in completions:
        completion.completed_at = moments[
            LearningEvent.Kind.COURSE_COMPLETED, completion.learner_id, completion.course_id
        ][0]
    CourseCompletion.objects.bulk_update(completions, ["completed_at"], batch_size=500)

    # The issue job queued by each completion finds its certificate issued here and does nothing.
    for completion in completions:
        certificate_issue(completion_id=completion.id)
    completed_at = {(c.learner_id, c.course_id): c.completed_at for c in completions}
    issued = list(
        LearningEvent.objects.filter(learner_id__in=learner_ids, kind=LearningEvent.Kind.CERTIFICATE_ISSUED).only(
            "id", "learner_id", "course_id"
        )
    )
    for event in issued:
        event.occurred_at = min(
            completed_at[event.learner_id, event.course_id] + timedelta(minutes=rng.uniform(1, 10)), now
        )
    LearningEvent.objects.bulk_update(events + issued, ["occurred_at"], batch_size=500)

    certificates = list(Certificate.objects.filter(completion__learner_id__in=learner_ids).select_related("completion"))
    issued_at = {(e.learner_id, e.course_id): e.occurred_at for e in issued}
    for certificate in certificates:
        certificate.issued_at = issued_at[certificate.completion.learner_id, certificate.completion.course_id]
    Certificate.objects.bulk_update(certificates, ["issued_at"], batch_size=500)
    rows_follow_events(learner_ids=learner_ids, moments=moments)


def timeline_spread(events: list[LearningEvent], *, start: datetime, end: datetime, rng: random.Random) -> None:
    """Give one learner's events, in the order written, increasing times from `start` to at most `end`."""
    offsets, offset, previous = [], timedelta(0), None
    for event in events:
        if previous is not None:
            same_call = event.kind in SAME_CALL_KINDS or (
                event.kind == LearningEvent.Kind.LESSON_COMPLETED
                and previous.kind == LearningEvent.Kind.QUIZ_PASSED
                and previous.lesson_id == event.lesson_id
            )
            if same_call:
                offset += timedelta(seconds=1)
            elif rng.random() < 0.6:  # the next lesson in the same sitting
                offset += timedelta(minutes=rng.uniform(3, 40))
            else:  # back another day
                offset += timedelta(days=rng.uniform(0.5, 6))
        offsets.append(offset)
        previous = event
    room = end - start
    scale = min(1.0, room / offset) if offset else 1.0
    for event, event_offset in zip(events, offsets, strict=True):
        event.occurred_at = start + event_offset * scale


def rows_follow_events(*, learner_ids: list[int], moments: dict) -> None:
    """Give enrolments, lesson progress and quiz attempts the moved times of their events."""
    kind = LearningEvent.Kind
    enrolments = list(Enrolment.objects.filter(learner_id__in=learner_ids).only("id", "learner_id", "course_id"))
    for enrolment in enrolments:
        enrolment.enrolled_at = moments[kind.ENROLLED, enrolment.learner_id, enrolment.course_id][0]
    Enrolment.objects.bulk_update(enrolments, ["enrolled_at"], batch_size=500)

    progress_rows = list(
        LessonProgress.objects.filter(learner_id__in=learner_ids, completed_at__isnull=False).only(
            "id", "learner_id", "lesson_id", "last_heartbeat_at"
        )
    )
    for progress in progress_rows:
        done_at = moments[kind.LESSON_COMPLETED, progress.learner_id, progress.lesson_id][0]
        progress.completed_at = progress.updated_at = done_at
        if progress.last_heartbeat_at is not None:
            progress.last_heartbeat_at = done_at
    LessonProgress.objects.bulk_update(
        progress_rows, ["completed_at", "updated_at", "last_heartbeat_at"], batch_size=300
    )

    attempts = list(
        QuizAttempt.objects.filter(learner_id__in=learner_ids).select_related("quiz").order_by("learner_id", "number")
    )
    graded = defaultdict(int)
    for attempt in attempts:
        key = (attempt.learner_id, attempt.quiz.lesson_id)
        # The attempts were graded in their numbers' order, one QUIZ_PASSED or QUIZ_FAILED event each.
        submitted_at = sorted(moments[kind.QUIZ_PASSED, *key] + moments[kind.QUIZ_FAILED, *key])[graded[key]]
        graded[key] += 1
        shift = submitted_at - attempt.submitted_at
        attempt.started_at += shift
        attempt.submitted_at = submitted_at
        if attempt.deadline_at is not None:
            attempt.deadline_at += shift
    QuizAttempt.objects.bulk_update(attempts, ["started_at", "deadline_at", "submitted_at"], batch_size=300)
