from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.models import Audience, Choice, Course, CourseRun, Partner, Question, QuestionTag, Quiz
from courses.services.catalogue import (
    course_draft_create,
    course_publish,
    course_publish_problem,
    course_run_create,
    course_run_delete,
    course_run_update,
    course_unpublish,
    course_update,
)
from courses.services.questions import question_activate, question_deactivate
from onetouch.admin import ReadOnlyAdmin, each_through_service


class CourseRunInline(admin.TabularInline):
    model = CourseRun
    extra = 0


class CourseAdminForm(forms.ModelForm):
    """The course form of the back office: the studio's publish rule, said before anything is saved."""

    class Meta:
        model = Course
        fields = [
            "title",
            "slug",
            "summary",
            "description",
            "audiences",
            "topic",
            "level",
            "format",
            "owner_province",
            "partners",
            "estimated_hours",
            "cover_image",
            "is_published",
            "requires_order",
        ]

    def clean(self) -> dict:
        data = super().clean()
        # self.instance still holds the saved row here: the form's values are put on it after clean().
        if data.get("is_published") and not self.instance.is_published:
            problem = course_publish_problem(self.instance)
            if problem:
                self.add_error("is_published", problem)
        return data


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    """Courses saved through the studio's services, with its rules (docs/decisions/0005).

    A rule a service enforces under its lock (a lesson unpublished meanwhile) shows its message and
    the whole save is rolled back. No service deletes a course, so the back office does not either.
    """

    form = CourseAdminForm
    list_display = ["title", "topic", "format", "owner_province", "is_published", "enrolment_count"]
    list_filter = ["is_published", "format", "topic", "audiences", "owner_province"]
    list_select_related = ["owner_province"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["audiences", "partners"]
    inlines = [CourseRunInline]
    actions = ["publish", "unpublish"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            # The parent runs in one transaction: a refusal from a service undoes every write of the save.
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        fields = {
            "title": data["title"],
            "slug": data["slug"],
            "summary": data["summary"],
            "description": data["description"],
            "topic": data["topic"],
            "audience_codes": [audience.code for audience in data["audiences"]],
            "level": data["level"],
            "format": data["format"],
            "owner_province": data["owner_province"],
            "estimated_hours": data["estimated_hours"],
            "requires_order": data["requires_order"],
            "partners": data["partners"],
        }
        if change:
            # The form put its values on obj, "published" included: publication is the services' to change.
            obj.is_published = Course.objects.values_list("is_published", flat=True).get(id=obj.id)
            course_update(author=request.user, course=obj, **fields)
        else:
            course = course_draft_create(author=request.user, cover_image=data.get("cover_image"), **fields)
            # The admin goes on with its own instance (inlines, log, redirect): make it the created row.
            obj.pk = course.pk
            obj.refresh_from_db()
        if data["is_published"] and not obj.is_published:
            course_publish(course=obj)
        elif not data["is_published"] and obj.is_published:
            course_unpublish(course=obj)

    def save_related(self, request, form, formsets, change) -> None:
        # Audiences and partners were saved by the service in save_model; only the runs are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change) -> None:
        """Save the course's runs through the services, noting what changed for the admin's history."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for run_form in formset.deleted_forms:
            if run_form.instance.pk is not None:
                course_run_delete(run=run_form.instance)
                formset.deleted_objects.append(run_form.instance)
        for run_form in formset.forms:
            if run_form in formset.deleted_forms or not run_form.has_changed():
                continue
            data = run_form.cleaned_data
            dates = {"title": data["title"], "starts_on": data["starts_on"], "ends_on": data["ends_on"]}
            if run_form.instance.pk is None:
                formset.new_objects.append(course_run_create(course=form.instance, **dates))
            else:
                run = course_run_update(run=run_form.instance, **dates)
                formset.changed_objects.append((run, run_form.changed_data))

    @admin.action(description=_("Publish the selected courses"), permissions=["change"])
    def publish(self, request, queryset) -> None:
        done = each_through_service(self, request, queryset, lambda course: course_publish(course=course))
        self.message_user(request, ngettext("%d course changed.", "%d courses changed.", done) % done)

    @admin.action(description=_("Unpublish the selected courses"), permissions=["change"])
    def unpublish(self, request, queryset) -> None:
        done = each_through_service(self, request, queryset, lambda course: course_unpublish(course=course))
        self.message_user(request, ngettext("%d course changed.", "%d courses changed.", done) % done)


@admin.register(Audience)
class AudienceAdmin(ReadOnlyAdmin):
    """The four audience groups are fixed by the code (AudienceGroup): shown, never changed here."""


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "website"]
    list_filter = ["kind"]
    search_fields = ["name"]


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
        questions = queryset.select_related("course")
        done = each_through_service(self, request, questions, lambda question: question_deactivate(question=question))
        self.message_user(request, ngettext("%d question changed.", "%d questions changed.", done) % done)

    @admin.action(description=_("Put the selected questions back in use"), permissions=["change"])
    def activate(self, request, queryset) -> None:
        questions = queryset.select_related("course")
        done = each_through_service(self, request, questions, lambda question: question_activate(question=question))
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
