"""Certificates (mounted under /certificates/): the public check by code, downloads, revoking, printing."""

from django.urls import path

from learners.views import certificates as views

app_name = "certificates"
urlpatterns = [
    path("", views.certificate_lookup, name="lookup"),
    path("course/<int:course_id>/", views.course_certificate_list, name="course"),
    path("province/<str:province_code>/", views.province_certificate_list, name="province"),
    path("print/course/<int:course_id>/", views.certificates_print_course, name="print_course"),
    path("print/run/<int:run_id>/", views.certificates_print_run, name="print_run"),
    path("print/commune/<str:commune_code>/", views.certificates_print_commune, name="print_commune"),
    path("<str:code>/", views.certificate_verify, name="verify"),
    path("<str:code>/download/", views.certificate_download, name="download"),
    path("<str:code>/revoke/", views.certificate_revoke_view, name="revoke"),
]
