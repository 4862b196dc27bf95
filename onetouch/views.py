from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from onetouch.health import CHECKS, health_report


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    healthy = all(report[name] == "ok" for name in CHECKS)
    return JsonResponse({"status": "ok" if healthy else "error", "checks": report}, status=200 if healthy else 503)
