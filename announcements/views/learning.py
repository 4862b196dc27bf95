"""The learner's pages: the announcements sent to them, their choice of messages, and one-click unsubscribing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from announcements.forms import EmailPreferenceForm
from announcements.models import Delivery
from announcements.pure.unsubscribe import unsubscribe_token_read
from announcements.selectors.announcements import announcement_deliveries_for_learner
from announcements.services.opt_outs import opt_out_create, opt_out_delete

PAGE_SIZE = 20


@login_required
def learner_announcements(request: HttpRequest) -> HttpResponse:
    deliveries = announcement_deliveries_for_learner(learner=request.user)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "announcements/learner_list.html", {"page": page})


@require_POST
@login_required
def email_preference_save(request: HttpRequest) -> HttpResponse:
    form = EmailPreferenceForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    kind = form.cleaned_data["kind"]
    if form.cleaned_data["subscribed"]:
        opt_out_delete(learner=request.user, kind=kind)
        messages.success(request, _("You will receive these messages again."))
    else:
        opt_out_create(learner_id=request.user.id, kind=kind)
        messages.success(request, _("You will no longer receive these messages."))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("learners:profile")


# RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no cookie and no CSRF token,
# so this one view is exempt; the signed token alone says who and what, and changes nothing else.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    unsubscription = unsubscribe_token_read(token, kinds=Delivery.Kind.values)
    if unsubscription is None:
        return render(request, "announcements/unsubscribe.html", {"invalid": True}, status=404)
    context = {"kind": Delivery.Kind(unsubscription.kind)}
    if request.method == "POST":
        opt_out_create(learner_id=unsubscription.user_id, kind=unsubscription.kind)
        context["done"] = True
    return render(request, "announcements/unsubscribe.html", context)
