"""Partner trainers: an account with the partner trainer role, teaching for one partner organisation."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from courses.models import Partner
from inperson.models import Trainer
from onetouch.models import User


@transaction.atomic
def trainer_create(*, user: User, partner: Partner) -> Trainer:
    """Make the account a trainer of the partner organisation."""
    user = User.objects.select_for_update().get(id=user.id)
    if user.role != User.Role.PARTNER_TRAINER:
        raise ValidationError({"user": _("Only an account with the partner trainer role can be a trainer.")})
    existing = Trainer.objects.filter(user=user).select_related("partner").first()
    if existing is not None:
        message = _("This account is already a trainer of %(partner)s.")
        raise ValidationError({"user": message % {"partner": existing.partner.name}})
    trainer = Trainer(user=user, partner=partner)
    trainer.full_clean()
    trainer.save()
    return trainer


@transaction.atomic
def trainer_partner_change(*, trainer: Trainer, partner: Partner) -> Trainer:
    """Move the trainer to another partner organisation, unless a day still counts on them for the old one."""
    trainer = Trainer.objects.select_for_update().get(id=trainer.id)
    if trainer.partner_id == partner.id:
        return trainer
    if trainer.days.filter(cancelled_at__isnull=True).exclude(partners=partner).exists():
        raise ValidationError(
            {"partner": _("This trainer is attached to days without that partner; remove them from those days first.")}
        )
    trainer.partner = partner
    trainer.save(update_fields=["partner"])
    return trainer
