from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def catalogue_generation_next() -> None:
    from django.core.cache import cache

    from courses.views.catalogue import CATALOGUE_GENERATION_KEY

    try:
        cache.incr(CATALOGUE_GENERATION_KEY)
    except ValueError:
        cache.set(CATALOGUE_GENERATION_KEY, 1, timeout=None)


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self) -> None:
        from django.db import transaction
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from courses.models import Course

        # Cache invalidation only: a changed course makes every cached catalogue page stale. The
        # bump waits for the commit, or a request in between could cache the old rows anew.
        def catalogue_generation_bump(**kwargs) -> None:
            transaction.on_commit(catalogue_generation_next)

        post_save.connect(catalogue_generation_bump, sender=Course, weak=False)
        post_delete.connect(catalogue_generation_bump, sender=Course, weak=False)
        m2m_changed.connect(catalogue_generation_bump, sender=Course.audiences.through, weak=False)
