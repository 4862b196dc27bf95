"""Reads of the learner's own settings for media: "save data" (Tiết kiệm dữ liệu)."""

from learners.models import LearnerProfile
from onetouch.models import User


def save_data_choice_get(*, user: User) -> bool | None:
    """Return the learner's "save data" choice, or None when never chosen (or not signed in, or no profile)."""
    if not user.is_authenticated:
        return None
    return LearnerProfile.objects.filter(user_id=user.id).values_list("save_data", flat=True).first()
