from django.db.models import QuerySet

from learners.models import Enrolment, LearnerProfile
from onetouch import scope
from onetouch.models import Commune, Province, User


def enrolment_list_for_learner(*, learner: User) -> QuerySet[Enrolment]:
    """Return the learner's active enrolments, newest first, with each course's card data."""
    return (
        Enrolment.objects.filter(learner=learner, is_active=True)
        .select_related("course", "course__owner_province", "course_run")
        .order_by("-enrolled_at", "-id")
    )


def commune_list_for_province(*, province_code: str) -> QuerySet[Commune]:
    """Return the communes of a province by name, for the profile's commune list."""
    return Commune.objects.filter(province__code=province_code).only("code", "name").order_by("name")


def learner_profile_list_for_province(*, user: User, province: Province) -> QuerySet[LearnerProfile]:
    """Return the learners registered in a province the user may see (nothing otherwise)."""
    profiles = scope.filter_to_scope(LearnerProfile.objects.all(), user, province_field="province")
    return (
        profiles.filter(province=province)
        .select_related("user", "commune")
        .order_by("commune__name", "user__full_name")
    )
