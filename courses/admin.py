from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.models import Audience, Choice, Course, CourseRun, Partner, Question, QuestionTag, Quiz
from courses.services.catalogue import course_save
from courses.services.questions import question_activate, question_deactivate


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


# --- The question bank: authored in the studio, which checks choices, import keys and quizzes ----


class ChoiceInline(admin.TabularInline):
    model = Choice
    fields = ["position", "text", "is_correct"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """Questions are read here; they are written in the studio. Actions go through the services."""

    list_display = ["text_short", "course", "kind", "is_active", "created_at"]
    list_filter = ["is_active", "kind"]
    list_select_related = ["course"]
    search_fields = ["text", "course__title"]
    readonly_fields = ["course", "kind", "text", "explanation", "tags", "is_active", "import_key", "created_at"]
    inlines = [ChoiceInline]
    actions = ["deactivate", "activate"]

    @admin.display(description=_("question"))
    def text_short(self, obj: Question) -> str:
        return str(obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Deactivate the selected questions"), permissions=["change"])
    def deactivate(self, request, queryset) -> None:
        self.apply(request, queryset, question_deactivate)

    @admin.action(description=_("Put the selected questions back in use"), permissions=["change"])
    def activate(self, request, queryset) -> None:
        self.apply(request, queryset, question_activate)

    def apply(self, request, queryset, service) -> None:
        done = 0
        for question in queryset.select_related("course"):
            try:
                service(question=question)
            except ValidationError as error:
                self.message_user(request, f"{question}: {' '.join(error.messages)}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, ngettext("%d question changed.", "%d questions changed.", done) % done)


@admin.register(QuestionTag)
class QuestionTagAdmin(admin.ModelAdmin):
    list_display = ["name", "course"]
    list_select_related = ["course"]
    search_fields = ["name", "course__title"]
    readonly_fields = ["course", "name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    """Quiz settings are read here; the studio's settings page saves them through the service."""

    list_display = ["lesson", "questions_drawn", "pass_mark_percent", "attempts_limit", "is_final_exam"]
    list_select_related = ["lesson"]
    list_filter = ["is_final_exam"]
    search_fields = ["lesson__title", "lesson__course__title"]
    readonly_fields = [
        "lesson",
        "questions_drawn",
        "draw_tag",
        "pass_mark_percent",
        "attempts_limit",
        "time_limit_minutes",
        "shuffle_choices",
        "review_allowed",
        "is_final_exam",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
