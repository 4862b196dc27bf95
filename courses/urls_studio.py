"""The studio: authoring pages for ministry staff and provincial admins (mounted at /studio/)."""

urlpatterns: list = []
