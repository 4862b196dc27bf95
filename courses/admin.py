from django.contrib import admin

from courses.models import Audience, Course, CourseRun, Partner
from courses.services.catalogue import course_save


class CourseRunInline(admin.TabularInline):
    model = CourseRun
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "topic", "format", "owner_province", "is_published", "enrolment_count"]
    list_filter = ["is_published", "format", "topic", "audiences", "owner_province"]
    list_select_related = ["owner_province"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["audiences", "partners"]
    inlines = [CourseRunInline]

    def save_model(self, request, obj, form, change) -> None:
        course_save(course=obj)


admin.site.register(Audience)
admin.site.register(Partner)
