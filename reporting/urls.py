from django.urls import path

from reporting.views import dashboards, exports

app_name = "reporting"

urlpatterns = [
    path("", dashboards.national_dashboard, name="national"),
    path("province/<str:code>/", dashboards.province_dashboard, name="province"),
    path("export/", exports.national_export, name="national_export"),
    path("province/<str:code>/export/", exports.province_export, name="province_export"),
    path("exports/<int:export_id>/", exports.export_file_page, name="export_file"),
    path("exports/<int:export_id>/download/", exports.export_file_download, name="export_download"),
]
