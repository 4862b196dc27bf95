"""The demo: courses, lessons, a quiz and the media they play, built through the services."""
