"""Targets and unit mappings are written through reporting.services.targets, from the back office too."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reporting import admin as reporting_admin
from reporting.models import Target, UnitMapping
from reporting.services import targets as target_services
from reporting.services.targets import target_save, unit_mapping_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def service_calls(monkeypatch) -> list[str]:
    """The names of the target services the back office called (each still runs for real)."""
    calls = []
    for name in ("target_save", "target_delete", "unit_mapping_save", "unit_mapping_delete"):
        service = getattr(target_services, name)

        def spy(*, _service=service, _name=name, **kwargs):
            calls.append(_name)
            return _service(**kwargs)

        monkeypatch.setattr(reporting_admin, name, spy)
    return calls


def test_a_target_ending_before_it_starts_is_refused():
    target = Target(name="Năm 2025", starts_on=date(2025, 12, 31), ends_on=date(2025, 1, 1), goal=10)

    with pytest.raises(ValidationError):
        target_save(target=target)

    assert not Target.objects.filter(name="Năm 2025").exists()


def test_an_old_unit_has_one_successor():
    unit_mapping_save(mapping=UnitMapping(level="province", old_id=90, new_id=1, effective_on=date(2025, 7, 1)))

    with pytest.raises(ValidationError):
        unit_mapping_save(mapping=UnitMapping(level="province", old_id=90, new_id=2, effective_on=date(2025, 7, 1)))


def test_back_office_saves_and_deletes_targets_through_the_service(back_office, service_calls):
    fields = {
        "name": "Cán bộ 2025",
        "measure": "course_completed",
        "audience_group": "civil_servant",
        "starts_on": "2025-01-01",
        "ends_on": "2025-12-31",
        "goal": "100",
    }
    response = back_office.post(reverse("admin:reporting_target_add"), fields)
    assert response.status_code == 302
    target = Target.objects.get(name="Cán bộ 2025")

    back_office.post(reverse("admin:reporting_target_change", args=[target.id]), fields | {"goal": "200"})
    target.refresh_from_db()
    assert target.goal == 200

    action = {"action": "delete_selected", "_selected_action": [target.id], "post": "yes"}
    back_office.post(reverse("admin:reporting_target_changelist"), action)
    assert not Target.objects.filter(id=target.id).exists()
    assert service_calls == ["target_save", "target_save", "target_delete"]


def test_back_office_saves_and_deletes_unit_mappings_through_the_service(back_office, service_calls):
    fields = {"level": "commune", "old_id": "7001", "new_id": "7002", "effective_on": "2025-07-01"}
    back_office.post(reverse("admin:reporting_unitmapping_add"), fields)
    mapping = UnitMapping.objects.get(old_id=7001)

    back_office.post(reverse("admin:reporting_unitmapping_delete", args=[mapping.id]), {"post": "yes"})

    assert not UnitMapping.objects.filter(id=mapping.id).exists()
    assert service_calls == ["unit_mapping_save", "unit_mapping_delete"]
