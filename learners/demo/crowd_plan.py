"""Demo data: who the crowd of demo learners are, where they live, and what each takes and how far.

Every choice is drawn from the seeded random.Random it is given."""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from courses.demo.courses import DEMO_COURSES
from courses.models import Course, Lesson, Quiz
from courses.selectors.outline import course_outline_get
from learners.selectors.enrolments import course_open_run_id, courses_with_open_run
from onetouch.models import AudienceGroup, Commune, Province

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


def crowd_courses() -> list[CrowdCourse]:
    """Return the published demo courses open for enrolment, with their lessons and final quiz."""
    demo = {course.slug: course for course in DEMO_COURSES}
    courses = []
    for course in courses_with_open_run(Course.objects.filter(slug__in=demo, is_published=True).order_by("slug")):
        try:
            course_open_run_id(course=course)
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
