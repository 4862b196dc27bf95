"""The studio's pages of API keys, in the "api_keys" namespace, under /studio/api-keys/."""

from django.urls import path

from api.views import studio

app_name = "api_keys"
urlpatterns = [
    path("", studio.api_key_list, name="list"),
    path("new/", studio.api_key_create, name="create"),
    path("<int:key_id>/revoke/", studio.api_key_revoke, name="revoke"),
]
