"""The one place that decides which provinces a user may see and what they may change.

Every province-scoped selector and view asks this module; nothing else compares a user's province
with an object's. The rules:

- ministry staff see and change everything, national and provincial;
- a provincial admin sees and changes only rows of the province they are bound to, and changes
  nothing national;
- learners and partner trainers have no province scope (what they see of their own enrolments is
  decided by ownership, not by province).
"""

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from onetouch.models import Province, User


def has_national_scope(user: User) -> bool:
    """Return whether the user sees every province."""
    return user.is_authenticated and user.is_active and user.role == User.Role.MINISTRY_STAFF


def has_province_scope(user: User) -> bool:
    """Return whether the user sees at least one province's data."""
    if has_national_scope(user):
        return True
    return (
        user.is_authenticated
        and user.is_active
        and user.role == User.Role.PROVINCIAL_ADMIN
        and user.scope_province_id is not None
    )


def provinces_visible_to(user: User) -> QuerySet[Province]:
    """Return the provinces whose data the user may read."""
    if has_national_scope(user):
        return Province.objects.all()
    if has_province_scope(user):
        return Province.objects.filter(id=user.scope_province_id)
    return Province.objects.none()


def can_see_province(user: User, province_id: int | None) -> bool:
    """Return whether the user may read data of this province (None means national data)."""
    if has_national_scope(user):
        return True
    return province_id is not None and has_province_scope(user) and user.scope_province_id == province_id


def can_change(user: User, province_id: int | None) -> bool:
    """Return whether the user may change an object owned by this province (None: national)."""
    return can_see_province(user, province_id)


def filter_to_scope(queryset: QuerySet, user: User, *, province_field: str) -> QuerySet:
    """Keep the rows whose `province_field` lies in the user's scope (nothing if no scope)."""
    if has_national_scope(user):
        return queryset
    if has_province_scope(user):
        return queryset.filter(**{f"{province_field}_id": user.scope_province_id})
    return queryset.none()


def filter_visible_or_published(
    queryset: QuerySet, user: User, *, province_field: str, published_field: str
) -> QuerySet:
    """Keep published rows, plus unpublished ones the user may see by scope (previews)."""
    published = Q(**{published_field: True})
    if has_national_scope(user):
        return queryset
    if has_province_scope(user):
        return queryset.filter(published | Q(**{f"{province_field}_id": user.scope_province_id}))
    return queryset.filter(published)


def filter_national_published_or_own(
    queryset: QuerySet, user: User, *, province_field: str, published_field: str
) -> QuerySet:
    """Keep published national rows and every row of the user's province (all rows for national scope).

    What a statistics filter offers: a provincial admin reads figures of the national courses and
    of their own province's, never a sign of another province's courses, drafts or not.
    """
    national_published = Q(**{f"{province_field}__isnull": True, published_field: True})
    if has_national_scope(user):
        return queryset
    if has_province_scope(user):
        return queryset.filter(national_published | Q(**{f"{province_field}_id": user.scope_province_id}))
    return queryset.filter(national_published)


def get_province_or_404(user: User, code: str) -> Province:
    """Return the province with this code if the user may read it, else raise 404."""
    province = provinces_visible_to(user).filter(code=code).first()
    if province is None:
        raise Http404
    return province


def get_changeable_or_404(queryset: QuerySet, user: User, *, province_field: str, **lookup) -> Model:
    """Return the one object matching `lookup` that the user may change, else raise 404."""
    obj = queryset.filter(**lookup).first()
    if obj is None or not can_change(user, getattr(obj, f"{province_field}_id")):
        raise Http404
    return obj
