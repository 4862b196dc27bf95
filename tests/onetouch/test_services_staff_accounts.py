"""Staff accounts and roles: the rules every role change meets, wherever it comes from."""

import pytest
from django.core.exceptions import ValidationError

from onetouch.models import User
from onetouch.services.staff_accounts import staff_account_create, user_role_change
from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_role_change_to_provincial_admin_without_province_changes_nothing(learner_hanoi, messages_in_english):
    with pytest.raises(ValidationError, match="A provincial admin must be bound to a province."):
        user_role_change(user=learner_hanoi, role=User.Role.PROVINCIAL_ADMIN, province=None)

    stored = User.objects.get(pk=learner_hanoi.pk)
    assert (stored.role, stored.scope_province, stored.is_staff) == (User.Role.LEARNER, None, False)


@pytest.mark.django_db
def test_role_change_sets_the_flags_the_role_implies(admin_hue):
    user_role_change(user=admin_hue, role=User.Role.MINISTRY_STAFF, province=admin_hue.scope_province)

    stored = User.objects.get(pk=admin_hue.pk)
    assert (stored.role, stored.scope_province, stored.is_staff, stored.is_superuser) == (
        User.Role.MINISTRY_STAFF,
        None,
        True,
        True,
    )


@pytest.mark.django_db
def test_learner_role_is_not_a_staff_account(admin_units, messages_in_english):
    with pytest.raises(ValidationError, match="This role is not a staff role."):
        staff_account_create(email="x@example.vn", full_name="X", role=User.Role.LEARNER, password=PASSWORD)

    assert not User.objects.filter(email="x@example.vn").exists()
