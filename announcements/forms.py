"""Forms of announcements: writing one, and choosing which messages to receive."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from announcements.models import Announcement, Delivery


class AnnouncementForm(forms.Form):
    """An announcement: its target (offered from the writer's scope only), title and plain-text message.

    The target is parsed here and found by the view through the scope: a value naming something
    outside the writer's scope is answered 404, as if it did not exist.
    """

    target = forms.CharField(label=_("Send to"), widget=forms.Select)
    title = forms.CharField(label=_("Title"), max_length=150)
    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Plain text. It is shown on the site and sent by email; learners with only a mobile number "
            "get the title and the beginning by SMS."
        ),
    )

    def __init__(self, *args, target_choices: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].widget.choices = [("", _("Choose the learners"))] + target_choices

    def clean_target(self) -> tuple[str, int]:
        kind, _separator, pk = self.cleaned_data["target"].partition(":")
        if kind not in Announcement.Target.values or not pk.isdigit():
            raise ValidationError(_("Choose the learners the announcement goes to."))
        return kind, int(pk)


class EmailPreferenceForm(forms.Form):
    """Subscribe to or unsubscribe from one kind of message (announcements or reminders)."""

    kind = forms.ChoiceField(choices=Delivery.Kind.choices)
    subscribed = forms.BooleanField(required=False)
