"""The demo catalogue, loaded whole: its courses as drafts, their lessons and final quizzes, then publication.

Built through the services, like the studio would (docs/decisions/0015): a demo course is published
by course_publish under the studio's rule, and one that cannot be published stays a draft.
"""

import logging

from django.db import transaction

from courses.demo.courses import DEMO_COURSES, demo_courses_load
from courses.demo.lessons import demo_lessons_load, demo_text_lessons_load
from courses.demo.quiz import demo_quizzes_load
from courses.models import Course
from courses.services.catalogue import course_publish, course_publish_problem, course_unpublish

logger = logging.getLogger(__name__)


def demo_catalogue_load(*, with_media: bool = True) -> int:
    """Create or update the demo courses, give them lessons and final quizzes, publish them; return how many courses.

    The media lessons of two courses are processed on the spot (about 15 s the first time on a small
    machine); tests that need no video or slides pass with_media=False and get every text lesson and quiz.
    """
    count = demo_courses_load()
    if with_media:
        demo_lessons_load()
    demo_text_lessons_load()
    demo_quizzes_load()
    demo_courses_publish()
    return count


@transaction.atomic
def demo_courses_publish() -> int:
    """Publish every demo course the studio's rule allows; a course it refuses is a draft; return how many published."""
    published = 0
    for course in Course.objects.filter(slug__in=[demo.slug for demo in DEMO_COURSES]).order_by("slug"):
        problem = course_publish_problem(course)
        if problem is None:
            published += 1
            if not course.is_published:
                course_publish(course=course)
            continue
        # An older demo database published courses without lessons: they go back to drafts.
        logger.warning("Demo course %r stays a draft: %s", course.slug, problem)
        if course.is_published:
            course_unpublish(course=course)
    return published
