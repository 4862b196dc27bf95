"""Forms of rosters: the upload (the file read through, so a bad file is refused before anything is kept)
and a decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rosters.models import RosterRow
from rosters.pure import spreadsheets


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("The template filled in, as an Excel workbook (.xlsx) or CSV, at most 10 MB and 20,000 people."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv," + spreadsheets.XLSX_CONTENT_TYPE}),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        read = spreadsheets.roster_read(uploaded)
        if read.problem:
            raise forms.ValidationError(read.problem, code="unreadable")
        uploaded.seek(0)
        return uploaded


class RosterDecisionForm(forms.Form):
    """The commune of today for one row of a split old commune, or for every row naming that old commune."""

    row = forms.IntegerField(widget=forms.HiddenInput)
    commune = forms.TypedChoiceField(label=_("Commune of today"), coerce=int)
    for_all = forms.BooleanField(label=_("Use it for every row naming this old commune"), required=False)

    def __init__(self, *args, rows: dict[int, RosterRow], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.fields["commune"].choices = [(pk, pk) for row in rows.values() for pk in row.candidate_ids]

    def clean_row(self) -> RosterRow:
        row = self.rows.get(self.cleaned_data["row"])
        if row is None:
            raise forms.ValidationError(_("This row no longer waits for a decision."))
        return row
