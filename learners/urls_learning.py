"""Learning pages: lessons, progress heartbeats and lesson media (mounted under /learning/)."""

urlpatterns: list = []
