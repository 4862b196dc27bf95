"""The addresses of announcements, in the "announcements" namespace: the studio's under /studio/, the
learner's under /learning/ (after the learners app's own, which none of these shadow), and the one-click
unsubscribe link of the emails under /emails/."""

from django.urls import path

from announcements.views import learning, studio

app_name = "announcements"
urlpatterns = [
    path("studio/announcements/", studio.studio_announcements, name="studio_list"),
    path("studio/announcements/new/", studio.studio_announcement_create, name="studio_create"),
    path("learning/announcements/", learning.learner_announcements, name="learner_list"),
    path("learning/announcements/emails/", learning.email_preference_save, name="email_preference"),
    path("emails/unsubscribe/<str:token>/", learning.unsubscribe, name="unsubscribe"),
]
