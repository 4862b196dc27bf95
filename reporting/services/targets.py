"""Targets and unit mappings: the two things people write in reporting, from the back office.

Both are checked against the model's own rules (choices, a target's dates in order, one successor
per old unit) before they are saved, whoever saves them, so the back office and any later page or
script agree. The dashboards read them at once: there is nothing to recount.
"""

from django.db import transaction

from reporting.models import Target, UnitMapping


@transaction.atomic
def target_save(*, target: Target) -> Target:
    """Create or change a target; raise ValidationError if it breaks a rule (an end before its start)."""
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def target_delete(*, target: Target) -> None:
    """Delete a target; the dashboards stop showing it."""
    target.delete()


@transaction.atomic
def unit_mapping_save(*, mapping: UnitMapping) -> UnitMapping:
    """Create or change the successor of an old unit; raise ValidationError if the unit already has one."""
    mapping.full_clean()
    mapping.save()
    return mapping


@transaction.atomic
def unit_mapping_delete(*, mapping: UnitMapping) -> None:
    """Delete a mapping: "today's units" no longer add the old unit's figures to its successor."""
    mapping.delete()
