"""The demo catalogue, loaded whole: its courses, then lessons with real media and a final quiz.

Built through the services, like the studio would (docs/decisions/0015).
"""

from courses.demo.courses import demo_courses_load
from courses.demo.lessons import demo_lessons_load
from courses.demo.quiz import demo_quiz_load


def demo_catalogue_load(*, with_lessons: bool = True) -> int:
    """Create or update the demo courses, then give two of them lessons with real media; return how many courses.

    The lessons' media are processed on the spot (about 15 s the first time on a small machine);
    tests that need only the catalogue pass with_lessons=False.
    """
    count = demo_courses_load()
    if with_lessons:
        demo_lessons_load()
        demo_quiz_load()
    return count
