from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from courses.models import Course

        # Cache invalidation only: a changed course makes every cached catalogue page stale.
        def catalogue_generation_bump(**kwargs) -> None:
            from django.core.cache import cache

            from courses.views import CATALOGUE_GENERATION_KEY

            try:
                cache.incr(CATALOGUE_GENERATION_KEY)
            except ValueError:
                cache.set(CATALOGUE_GENERATION_KEY, 1, timeout=None)

        post_save.connect(catalogue_generation_bump, sender=Course, weak=False)
        post_delete.connect(catalogue_generation_bump, sender=Course, weak=False)
        m2m_changed.connect(catalogue_generation_bump, sender=Course.audiences.through, weak=False)
