"""Course progress, computed one way: which lessons count, and how many of them a learner has completed.

A lesson counts when it is published and required; a learner has done it when their progress row in
it is completed. The per cent is rounded down, so 100 means all. The course page and the outline
(courses), My learning and the completion rule (learners) all read progress from here. Learners'
marks are read through the lessons' `progress` relation: courses never imports learners
(docs/decisions/0001).
"""

from dataclasses import dataclass

from django.db.models import Case, Count, Expression, F, FilteredRelation, IntegerField, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from courses.models import Lesson

# The lessons a course's progress and completion count.
LESSONS_COUNTED = Q(is_published=True, is_required=True)


def lesson_is_counted(lesson: Lesson) -> bool:
    """Return whether the lesson counts towards progress: `LESSONS_COUNTED` for a lesson in hand."""
    return lesson.is_published and lesson.is_required


def percent_of(done: int, total: int) -> int:
    """Return done/total as a whole per cent, rounded down so 100 means all (0 when nothing counts)."""
    return 100 * done // total if total else 0


@dataclass(frozen=True)
class CourseProgress:
    """How many of a course's counted lessons a learner has completed."""

    done: int
    required: int

    @property
    def percent(self) -> int:
        return percent_of(self.done, self.required)

    @property
    def lessons_all_done(self) -> bool:
        return self.done == self.required


def course_progress_get(*, course_id: int, learner_id: int) -> CourseProgress:
    """Return the learner's progress through the course, in one query."""
    mine = FilteredRelation("progress", condition=Q(progress__learner_id=learner_id))
    counts = (
        Lesson.objects.filter(LESSONS_COUNTED, course_id=course_id)
        .annotate(mine=mine)
        .aggregate(required=Count("id"), done=Count("id", filter=Q(mine__completed_at__isnull=False)))
    )
    return CourseProgress(done=counts["done"], required=counts["required"])


def course_progress_annotations(*, course: Expression, learner: Expression) -> dict[str, Expression]:
    """Return annotations giving each row `required_lessons`, `done_lessons` and `progress_percent`.

    `course` and `learner` point at the row's course and learner (OuterRef("course_id") on an
    enrolment). Two correlated counts answered from indexes (lesson_course_published, the one progress
    row per learner and lesson): a list's query count does not grow with courses or lessons.
    """
    counted = Lesson.objects.filter(LESSONS_COUNTED, course=course).order_by().values("course")
    done = counted.filter(progress__learner=learner, progress__completed_at__isnull=False)
    required = counted.annotate(total=Count("id")).values("total")
    done = done.annotate(total=Count("id")).values("total")
    return {
        "required_lessons": Coalesce(Subquery(required, output_field=IntegerField()), 0),
        "done_lessons": Coalesce(Subquery(done, output_field=IntegerField()), 0),
        # percent_of, in SQL.
        "progress_percent": Case(
            When(required_lessons=0, then=Value(0)),
            default=F("done_lessons") * 100 / F("required_lessons"),
            output_field=IntegerField(),
        ),
    }
