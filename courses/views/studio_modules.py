"""Studio pages of modules: adding, renaming, deleting and ordering a course's modules."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.forms.studio import ModuleForm, ReorderForm, form_error_add
from courses.selectors.studio import course_get_for_studio, module_get_for_studio
from courses.services import structure
from courses.views.studio import move_answer, reorder_answer, studio_view


@studio_view
def studio_module_create(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_studio(user=request.user, course_id=course_id)
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            structure.module_create(course=course, title=form.cleaned_data["title"])
        except ValidationError as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("The module is added."))
            return redirect("courses:studio_course", course.id)
    return render(request, "courses/studio/module_form.html", {"form": form, "course": course, "module": None})


@studio_view
def studio_module_edit(request: HttpRequest, module_id: int) -> HttpResponse:
    module = module_get_for_studio(user=request.user, module_id=module_id)
    form = ModuleForm(request.POST or None, initial={"title": module.title})
    if request.method == "POST" and form.is_valid():
        try:
            structure.module_update(module=module, title=form.cleaned_data["title"])
        except ValidationError as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("The module is saved."))
            return redirect("courses:studio_course", module.course_id)
    context = {"form": form, "course": module.course, "module": module}
    return render(request, "courses/studio/module_form.html", context)


@studio_view
def studio_module_delete(request: HttpRequest, module_id: int) -> HttpResponse:
    module = module_get_for_studio(user=request.user, module_id=module_id)
    if request.method == "POST":
        try:
            structure.module_delete(module=module)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The module is deleted."))
        return redirect("courses:studio_course", module.course_id)
    context = {
        "course": module.course,
        "thing": module,
        "cancel_url": reverse("courses:studio_course", args=[module.course_id]),
    }
    return render(request, "courses/studio/confirm_delete.html", context)


@studio_view
@require_POST
def studio_module_move(request: HttpRequest, module_id: int) -> HttpResponse:
    module = module_get_for_studio(user=request.user, module_id=module_id)
    return move_answer(
        request,
        lambda offset: structure.module_move(module=module, offset=offset),
        course_id=module.course_id,
        anchor=f"module-{module.id}",
    )


@studio_view
@require_POST
def studio_module_reorder(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_studio(user=request.user, course_id=course_id)
    form = ReorderForm(request.POST)
    return reorder_answer(
        request, form, lambda ids: structure.module_reorder(course=course, module_ids=ids), course_id=course.id
    )
